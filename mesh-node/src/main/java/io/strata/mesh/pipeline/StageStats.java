package io.strata.mesh.pipeline;

/**
 * One hosted stage's figures for the metrics endpoint.
 *
 * @param modelId      the model
 * @param blockId      the block the stage runs
 * @param stageIndex   its place in the pipeline
 * @param firstLayer   first layer
 * @param lastLayer    one past the last layer
 * @param sessions     sessions open on it
 * @param queueDepth   work items waiting for its next forward pass
 * @param rows         rows (token positions) computed so far
 * @param batches      forward passes so far
 * @param sampled      tokens sampled (last stage only)
 * @param forward      time per forward pass (a whole batch), classifier and sampling included
 * @param queueWait    time a work item waited for the pass that computed it
 */
public record StageStats(String modelId, String blockId, int stageIndex, int firstLayer, int lastLayer, int sessions,
                         int queueDepth, long rows, long batches, long sampled, LatencyHistogram.Snapshot forward,
                         LatencyHistogram.Snapshot queueWait) {
}
