package io.strata.engine;

import io.strata.engine.cpu.ActivationKernels;

import java.util.Arrays;

/**
 * Picks the next token from logits: argmax when greedy; otherwise softmax(logits / T), an
 * optional nucleus (top-p) cut, and one draw from {@link StepRandom} keyed by (seed, step). The
 * steps follow llama2.c's sampler, with ties broken by the lower token id so that the choice
 * never depends on a sort's whims.
 */
public final class Sampler {
    private Sampler() {
    }

    /**
     * The token for generation step {@code step} (0 for the first generated token). Does not
     * modify {@code logits}.
     */
    public static int sample(float[] logits, SamplingParams params, long step) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("cannot sample from an empty vocabulary");
        }
        if (params.isGreedy()) {
            return argmax(logits);
        }
        float[] probs = new float[logits.length];
        for (int i = 0; i < probs.length; i++) {
            probs[i] = logits[i] / params.temperature();
        }
        ActivationKernels.softmax(probs, 0, probs.length);
        float coin = StepRandom.uniform(params.seed(), step);
        float topP = params.topP();
        return topP > 0 && topP < 1 ? sampleTopP(probs, topP, coin) : sampleAll(probs, coin);
    }

    /** The index of the largest value; the lowest such index on ties. */
    public static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Inverse-CDF draw over the whole distribution. */
    static int sampleAll(float[] probs, float coin) {
        float cdf = 0;
        for (int i = 0; i < probs.length; i++) {
            cdf += probs[i];
            if (coin < cdf) {
                return i;
            }
        }
        return probs.length - 1; // rounding left the total a hair under the coin
    }

    /**
     * Draw among the smallest set of most likely tokens whose probabilities exceed {@code topP}
     * in total. Tokens below {@code (1 - topP) / (n - 1)} cannot be in that set and are dropped
     * before sorting, as llama2.c does, so the sort stays short.
     */
    static int sampleTopP(float[] probs, float topP, float coin) {
        int n = probs.length;
        float cutoff = n > 1 ? (1.0f - topP) / (n - 1) : 0;
        int kept = 0;
        long[] candidates = new long[n];
        for (int i = 0; i < n; i++) {
            if (probs[i] >= cutoff) {
                // Sort key: probability bits descending (non-negative floats order as their bits), then id ascending.
                candidates[kept++] = ((long) (0x7fffffff - Float.floatToRawIntBits(probs[i])) << 32) | i;
            }
        }
        Arrays.sort(candidates, 0, kept);
        float cumulative = 0;
        int lastIndex = kept - 1;
        for (int i = 0; i < kept; i++) {
            cumulative += probs[(int) candidates[i]];
            if (cumulative > topP) {
                lastIndex = i;
                break;
            }
        }
        float r = coin * cumulative;
        float cdf = 0;
        for (int i = 0; i <= lastIndex; i++) {
            cdf += probs[(int) candidates[i]];
            if (r < cdf) {
                return (int) candidates[i];
            }
        }
        return (int) candidates[lastIndex];
    }
}
