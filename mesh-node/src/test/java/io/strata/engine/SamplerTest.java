package io.strata.engine;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    /** Logits whose softmax is exactly proportional to 8 : 4 : 2 : 1 : 1. */
    private static final float[] LOGITS = {(float) Math.log(8), (float) Math.log(4), (float) Math.log(2), 0, 0};

    @Test
    void greedyPicksTheLargestLogitAndTheLowestIdOnTies() {
        assertEquals(2, Sampler.sample(new float[]{1, 3, 5, -2, 5}, SamplingParams.greedy(), 0));
        assertEquals(0, Sampler.sample(new float[]{7, 7, 7}, SamplingParams.greedy(), 3));
        assertEquals(1, Sampler.argmax(new float[]{Float.NEGATIVE_INFINITY, -1e30f}));
    }

    @Test
    void aStepDrawsTheSameTokenWhateverWasDrawnBefore() {
        float[] logits = randomLogits(500, 7);
        SamplingParams p = new SamplingParams(0.9f, 0.95f, 1234);
        int[] inOrder = new int[50];
        for (int step = 0; step < 50; step++) {
            inOrder[step] = Sampler.sample(logits, p, step);
        }
        for (int step = 49; step >= 0; step--) {
            assertEquals(inOrder[step], Sampler.sample(logits, p, step), "step " + step + " replayed alone");
        }
        Set<Integer> distinct = new HashSet<>();
        for (int t : inOrder) {
            distinct.add(t);
        }
        assertTrue(distinct.size() > 5, "draws should vary from step to step: " + distinct);
    }

    @Test
    void differentSeedsDrawDifferentSequences() {
        float[] logits = randomLogits(500, 8);
        int same = 0;
        for (int step = 0; step < 100; step++) {
            if (Sampler.sample(logits, new SamplingParams(1, 1, 1), step)
                    == Sampler.sample(logits, new SamplingParams(1, 1, 2), step)) {
                same++;
            }
        }
        assertTrue(same < 30, same + " of 100 steps agreed across seeds");
    }

    @Test
    void stepRandomIsUniformInTheUnitInterval() {
        int n = 200_000;
        int[] buckets = new int[10];
        double sum = 0;
        for (int step = 0; step < n; step++) {
            float u = StepRandom.uniform(42, step);
            assertTrue(u >= 0 && u < 1, "draw " + u);
            buckets[(int) (u * 10)]++;
            sum += u;
        }
        assertEquals(0.5, sum / n, 0.005);
        for (int b : buckets) {
            assertEquals(n / 10.0, b, n / 10.0 * 0.05);
        }
        assertEquals(StepRandom.uniform(42, 17), StepRandom.uniform(42, 17));
    }

    @Test
    void temperatureOneSamplesTheSoftmaxDistribution() {
        int n = 40_000;
        int[] counts = new int[LOGITS.length];
        SamplingParams p = new SamplingParams(1, 1, 99);
        for (int step = 0; step < n; step++) {
            counts[Sampler.sample(LOGITS, p, step)]++;
        }
        double[] expected = {8 / 16.0, 4 / 16.0, 2 / 16.0, 1 / 16.0, 1 / 16.0};
        for (int i = 0; i < counts.length; i++) {
            assertEquals(expected[i], counts[i] / (double) n, 0.01, "token " + i);
        }
    }

    @Test
    void topPDrawsOnlyFromTheNucleusInItsOwnProportions() {
        // 0.5 alone is not > 0.7; 0.5 + 0.25 is: the nucleus is tokens 0 and 1, in proportion 2 : 1.
        int n = 30_000;
        int[] counts = new int[LOGITS.length];
        SamplingParams p = new SamplingParams(1, 0.7f, 5);
        for (int step = 0; step < n; step++) {
            counts[Sampler.sample(LOGITS, p, step)]++;
        }
        assertEquals(0, counts[2] + counts[3] + counts[4]);
        assertEquals(2 / 3.0, counts[0] / (double) n, 0.015);
        // A nucleus smaller than the top token's mass is the top token alone.
        for (int step = 0; step < 200; step++) {
            assertEquals(0, Sampler.sample(LOGITS, new SamplingParams(1, 0.3f, 5), step));
        }
    }

    @Test
    void lowTemperatureSharpensTowardsTheTopToken() {
        int top = 0;
        for (int step = 0; step < 1000; step++) {
            if (Sampler.sample(LOGITS, new SamplingParams(0.05f, 1, 3), step) == 0) {
                top++;
            }
        }
        assertTrue(top > 990, top + " of 1000");
    }

    @Test
    void samplingDoesNotChangeTheLogits() {
        float[] logits = randomLogits(100, 3);
        float[] copy = logits.clone();
        Sampler.sample(logits, new SamplingParams(0.7f, 0.9f, 1), 0);
        Sampler.sample(logits, SamplingParams.greedy(), 0);
        assertEquals(Arrays.toString(copy), Arrays.toString(logits));
    }

    @Test
    void impossibleParametersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(Float.NaN, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, -0.1f, 0));
        assertThrows(IllegalArgumentException.class, () -> Sampler.sample(new float[0], SamplingParams.greedy(), 0));
    }

    private static float[] randomLogits(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) r.nextGaussian() * 2;
        }
        return l;
    }
}
