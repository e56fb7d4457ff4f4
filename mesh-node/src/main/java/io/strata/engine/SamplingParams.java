package io.strata.engine;

/**
 * How to pick each next token.
 *
 * @param temperature 0 for greedy decoding (argmax); otherwise logits are divided by it before the softmax
 * @param topP        nucleus cut: sample only among the most likely tokens whose probabilities add up
 *                    to more than this; 0 or 1 (or more) samples from the whole distribution
 * @param seed        key of the random draws, with the step number (see {@link StepRandom})
 */
public record SamplingParams(float temperature, float topP, long seed) {
    public SamplingParams {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number ≥ 0, got " + temperature);
        }
        if (!(topP >= 0) || Float.isInfinite(topP)) {
            throw new IllegalArgumentException("top-p must be a finite number ≥ 0, got " + topP);
        }
    }

    /** Greedy decoding: always the most likely token. */
    public static SamplingParams greedy() {
        return new SamplingParams(0, 1, 0);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
