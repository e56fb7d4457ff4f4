package io.strata.engine;

/**
 * Counter-based random numbers: the draw for step k of a generation is a pure function of
 * (seed, k), via SplitMix64's mixer. No state advances, so a stage that replays a conversation
 * after a failure draws exactly the numbers the first run drew.
 */
public final class StepRandom {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private StepRandom() {
    }

    /** A uniform float in [0, 1) for {@code (seed, step)}: 24 random bits, so every value is exact. */
    public static float uniform(long seed, long step) {
        long bits = mix64(mix64(seed + GOLDEN_GAMMA) + (step + 1) * GOLDEN_GAMMA);
        return (bits >>> 40) * 0x1.0p-24f;
    }

    /** SplitMix64's finaliser (Stafford's variant 13): a bijection that scatters every input bit. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
