package io.strata.engine.cpu;

import io.strata.model.ArchitectureTraits.RopeScaling;
import io.strata.model.ModelConfig;
import io.strata.model.RopeLayout;

/**
 * Rotary position embedding. Pair i of a head turns by {@code pos × θ^(−2i/dims) / d_i}, where
 * {@code dims} is the head size or, with partial rotary (GPT-NeoX), the first {@code dims} of each
 * head, the rest left as they are; which two dimensions make pair i depends on the layout the file was written in (adjacent, or i and
 * i + dims/2). Angles are computed in float as llama2.c does: {@code pos * (1 / powf(θ, 2i / dims))},
 * each frequency divided by its divisor {@code d_i} (1 without long-context scaling; Llama 3.1's
 * per-band divisors, from its {@code rope_freqs} tensor or its {@code rope_scaling}).
 */
final class RotaryEmbedding {
    private final int headSize;
    /** Dimensions turned, from the first of each head: the head, or fewer (GPT-NeoX's rotary_pct). */
    private final int dims;
    private final RopeLayout layout;
    private final float[] frequencies;

    RotaryEmbedding(ModelConfig config) {
        this(config, config.ropeTheta(), RopeScaling.NONE, null);
    }

    /**
     * @param theta     the base
     * @param scaling   divisors computed from the model's RoPE scaling
     * @param divisors  divisors as the file stores them (GGUF's {@code rope_freqs}), or null; they
     *                  replace {@code scaling}'s
     */
    RotaryEmbedding(ModelConfig config, float theta, RopeScaling scaling, float[] divisors) {
        this.headSize = config.headSize();
        this.dims = config.ropeDims();
        this.layout = config.ropeLayout();
        this.frequencies = new float[dims / 2];
        for (int i = 0; i < frequencies.length; i++) {
            float f = 1.0f / (float) Math.pow(theta, (2 * i) / (float) dims);
            if (divisors != null) {
                f /= divisors[i];
            } else if (scaling.kind() != RopeScaling.Kind.NONE) {
                f = (float) (f / scaling.divisor(f));
            }
            frequencies[i] = f;
        }
    }

    /** Values per position in an angle table: one per pair. */
    int pairs() {
        return frequencies.length;
    }

    /** The cosine and sine of every pair's angle at {@code pos}, into {@code cos} and {@code sin} at {@code at}. */
    void angles(int pos, float[] cos, float[] sin, int at) {
        for (int i = 0; i < frequencies.length; i++) {
            float angle = pos * frequencies[i];
            cos[at + i] = (float) Math.cos(angle);
            sin[at + i] = (float) Math.sin(angle);
        }
    }

    /**
     * Rotates {@code heads} consecutive heads of {@code v} from {@code offset}, in place, by the
     * angles at {@code at} of the tables.
     */
    void rotate(float[] v, int offset, int heads, float[] cos, float[] sin, int at) {
        int half = dims / 2;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headSize;
            for (int i = 0; i < half; i++) {
                int a = layout == RopeLayout.ADJACENT_PAIRS ? base + 2 * i : base + i;
                int b = layout == RopeLayout.ADJACENT_PAIRS ? a + 1 : a + half;
                float v0 = v[a];
                float v1 = v[b];
                float c = cos[at + i];
                float s = sin[at + i];
                v[a] = v0 * c - v1 * s;
                v[b] = v0 * s + v1 * c;
            }
        }
    }
}
