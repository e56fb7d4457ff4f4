package io.strata.engine;

import io.strata.model.ModelConfig;

/**
 * Layers {@code [first, last)} of a model on one backend: what the mesh and the generator see of
 * an engine, whichever device runs it. The first stage also embeds tokens, the last one also
 * applies the final norm and the classifier; activations enter and leave as plain
 * {@code [rows × dim]} float arrays, so stages chain in one process or across processes.
 *
 * <p>One forward serves a batch of rows from any number of sessions: row {@code i} is the token
 * of {@code sessions[i]} at {@code positions[i]}; a session may take several rows, at consecutive
 * positions in order, starting anywhere up to its {@link EngineSession#filled()}. A row's bits do
 * not depend on what it is batched with, nor on how the layers are split into stages.
 */
public interface StageEngine extends AutoCloseable {
    ModelConfig config();

    /** First layer of the range. */
    int first();

    /** One past the last layer of the range. */
    int last();

    /** True when this stage embeds tokens (its range starts at layer 0). */
    boolean takesTokens();

    /** True when this stage produces logits (its range ends at the last layer). */
    boolean producesLogits();

    /** The device the layers run on, in words ("cpu", "cuda:0 NVIDIA H200"). */
    String device();

    /**
     * A new conversation on this stage, with room for {@code maxContext} positions.
     *
     * @throws IllegalArgumentException when {@code maxContext} is not in {@code [1, contextLength]}
     */
    EngineSession newSession(int maxContext);

    /**
     * The first stage's forward: embeds {@code tokens[i]} of {@code sessions[i]} at
     * {@code positions[i]} and runs the layers over every row in one batch.
     *
     * @return the hidden states, {@code [rows × dim]}
     */
    float[] forward(EngineSession[] sessions, int[] tokens, int[] positions);

    /**
     * A later stage's forward: row {@code i} of {@code hidden} ({@code [rows × dim]}, as the
     * previous stage returned it) belongs to {@code sessions[i]} at {@code positions[i]}. The
     * input is not modified.
     *
     * @return the hidden states after this stage, {@code [rows × dim]}
     */
    float[] forward(EngineSession[] sessions, float[] hidden, int[] positions);

    /**
     * Final norm and classifier of several rows of the last stage's hidden states in one pass:
     * entry {@code i} is the logits of row {@code rows[i]}, the same bits whichever rows are asked
     * for together.
     */
    float[][] logits(float[] hidden, int[] rows);

    /** Releases what the engine holds on its device (not the model it reads, which its opener closes). */
    @Override
    void close();

    /** {@link #forward(EngineSession[], int[], int[])} for one session's tokens at {@code startPos ..}. */
    default float[] forwardTokens(EngineSession session, int[] tokens, int startPos) {
        return forward(repeat(session, tokens.length), tokens, consecutive(startPos, tokens.length));
    }

    /** {@link #forward(EngineSession[], float[], int[])} for one session's {@code n} rows at {@code startPos ..}. */
    default float[] forwardHidden(EngineSession session, float[] hidden, int n, int startPos) {
        return forward(repeat(session, n), hidden, consecutive(startPos, n));
    }

    /** One row's logits over the vocabulary. */
    default float[] logits(float[] hidden, int row) {
        return logits(hidden, new int[]{row})[0];
    }

    private static EngineSession[] repeat(EngineSession session, int n) {
        EngineSession[] rows = new EngineSession[Math.max(0, n)];
        java.util.Arrays.fill(rows, session);
        return rows;
    }

    private static int[] consecutive(int start, int n) {
        int[] positions = new int[Math.max(0, n)];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = start + i;
        }
        return positions;
    }
}
