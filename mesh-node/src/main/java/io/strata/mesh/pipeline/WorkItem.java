package io.strata.mesh.pipeline;

/**
 * Rows waiting for a stage's next forward pass: positions {@code startPos ..} of one session,
 * as token ids (stage 0) or hidden states {@code [rows × dim]} (later stages). {@code more}
 * says that further items of the same upstream pass follow from {@code source}.
 */
record WorkItem(StageSession session, int step, int startPos, int rows, int[] tokens, float[] hidden, boolean sample,
                long queuedNanos, Object source, boolean more) {
}
