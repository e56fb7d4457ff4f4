package io.strata.model.quant;

/**
 * The 16 levels of ggml's IQ4_NL and IQ4_XS ({@code kvalues_iq4nl}): a 4-bit code picks one, and
 * the block scale multiplies it. Denser near zero, where most weights are.
 */
public final class NonLinearCodebook {
    private static final int[] LEVELS = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    private NonLinearCodebook() {
    }

    /** The level of 4-bit code {@code code}. */
    public static int level(int code) {
        return LEVELS[code];
    }

    /** The code whose level is nearest {@code v} (the lower one on a tie). */
    static int nearest(float v) {
        int best = 0;
        float bestDistance = Math.abs(v - LEVELS[0]);
        for (int i = 1; i < LEVELS.length; i++) {
            float distance = Math.abs(v - LEVELS[i]);
            if (distance < bestDistance) {
                best = i;
                bestDistance = distance;
            }
        }
        return best;
    }
}
