package io.strata.engine;

/**
 * What a generation produced and how fast.
 *
 * @param promptTokens the prompt as given
 * @param tokens       the generated tokens, without the stop token
 * @param stopReason   why generation ended
 * @param prefillNanos time to run the prompt and pick the first token
 * @param decodeNanos  time for every later token
 * @param stageNanos   time spent in each stage, prefill and decode together (the last includes the classifier)
 */
public record GenerationResult(int[] promptTokens, int[] tokens, StopReason stopReason,
                               long prefillNanos, long decodeNanos, long[] stageNanos) {

    public enum StopReason {
        /** The requested number of tokens was generated. */
        MAX_TOKENS,
        /** The model produced a stop token (end of sequence). */
        STOP_TOKEN,
        /** The model's context length is used up. */
        CONTEXT_FULL
    }

    /** Prompt tokens per second of prefill (the first token's sampling included). */
    public double prefillTokensPerSecond() {
        return prefillNanos > 0 ? promptTokens.length * 1e9 / prefillNanos : 0;
    }

    /** Tokens per second after the first: one forward pass each. */
    public double decodeTokensPerSecond() {
        int decoded = tokens.length - 1 + (stopReason == StopReason.STOP_TOKEN ? 1 : 0);
        return decodeNanos > 0 && decoded > 0 ? decoded * 1e9 / decodeNanos : 0;
    }
}
