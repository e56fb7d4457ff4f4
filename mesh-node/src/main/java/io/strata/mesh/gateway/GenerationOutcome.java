package io.strata.mesh.gateway;

import java.util.List;

/**
 * What a generation produced.
 *
 * @param tokens          generated ids, without a stop token
 * @param finish          why it ended
 * @param recoveries      the failovers on the way
 * @param path            node ids of the last path used
 * @param firstTokenNanos from the request to the first token
 * @param decodeNanos     from the first token to the last
 */
public record GenerationOutcome(int[] tokens, Finish finish, List<Recovery> recoveries, List<String> path,
                                long firstTokenNanos, long decodeNanos) {
    public enum Finish {
        /** A stop token, or the caller stopped it (a stop string). */
        STOP,
        /** Max tokens reached. */
        LENGTH,
        /** The model's context is full. */
        CONTEXT
    }

    /** Tokens per second after the first. */
    public double decodeTokensPerSecond() {
        return decodeNanos > 0 && tokens.length > 1 ? (tokens.length - 1) * 1e9 / decodeNanos : 0;
    }
}
