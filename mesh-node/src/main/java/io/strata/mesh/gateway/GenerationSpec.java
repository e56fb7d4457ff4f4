package io.strata.mesh.gateway;

/**
 * One generation to run across the mesh.
 *
 * @param modelId     the model
 * @param prompt      prompt token ids (BOS first when the model wants one)
 * @param maxTokens   tokens to generate at most
 * @param temperature 0 for greedy
 * @param topP        nucleus cut (1: none)
 * @param seed        key of the (seed, step) draws: the same seed gives the same tokens, failovers included
 * @param stopTokens  tokens that end generation and are not part of the text
 * @param capacity    positions each stage keeps for the session (prompt + generated, less the last token)
 */
public record GenerationSpec(String modelId, int[] prompt, int maxTokens, float temperature, float topP, long seed,
                             int[] stopTokens, int capacity) {
    public GenerationSpec {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max tokens must be ≥ 1, got " + maxTokens);
        }
        if (capacity < prompt.length) {
            throw new IllegalArgumentException("a capacity of " + capacity + " positions does not hold the prompt's "
                    + prompt.length + " tokens");
        }
        prompt = prompt.clone();
        stopTokens = stopTokens.clone();
    }

    /** Positions needed for a prompt and up to {@code maxTokens} more, within the model's context. */
    public static int capacityFor(int promptLength, int maxTokens, int contextLength) {
        return (int) Math.max(promptLength, Math.min(contextLength, (long) promptLength + maxTokens - 1));
    }
}
