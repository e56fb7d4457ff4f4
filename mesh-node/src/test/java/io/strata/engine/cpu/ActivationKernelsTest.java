package io.strata.engine.cpu;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The activation kernels against plain double-precision formulas, at sizes around the vector width. */
class ActivationKernelsTest {
    private static final int[] SIZES = {1, 3, 8, 15, 16, 17, 31, 64, 100, 173, 2048};

    @Test
    void rmsnormMatchesItsFormula() {
        for (int n : SIZES) {
            float[] x = TestTensors.randomVector(n + 3, n);
            float[] w = TestTensors.randomVector(n, n + 1);
            float[] out = new float[n + 2];
            ActivationKernels.rmsnorm(out, 2, x, 3, w, n, 1e-5f);
            double ss = 0;
            for (int i = 0; i < n; i++) {
                ss += (double) x[3 + i] * x[3 + i];
            }
            double inv = 1 / Math.sqrt(ss / n + 1e-5);
            for (int i = 0; i < n; i++) {
                assertEquals(w[i] * inv * x[3 + i], out[2 + i], 1e-5 * Math.abs(w[i] * inv * x[3 + i]) + 1e-7, "n " + n);
            }
        }
    }

    @Test
    void layerNormCentresScalesAndShifts() {
        for (int n : SIZES) {
            float[] x = TestTensors.randomVector(n + 2, n);
            float[] w = TestTensors.randomVector(n, n + 7);
            float[] b = TestTensors.randomVector(n, n + 9);
            float[] out = new float[n + 4];
            ActivationKernels.layerNorm(out, 3, x, 2, w, b, n, 1e-5f);
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += x[2 + i];
            }
            mean /= n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                var += (x[2 + i] - mean) * (x[2 + i] - mean);
            }
            double inv = 1 / Math.sqrt(var / n + 1e-5);
            for (int i = 0; i < n; i++) {
                assertEquals((x[2 + i] - mean) * inv * w[i] + b[i], out[3 + i], 1e-5, "n=" + n + " i=" + i);
            }
        }
    }

    @Test
    void erfAndBothGelusMatchTheirDefinitions() {
        // erf at points whose values are tabulated to 10 digits, within 1e-8 (far below float resolution near 1)
        assertEquals(0.5204998778, ActivationKernels.erf(0.5), 1e-8);
        assertEquals(0.9953222650, ActivationKernels.erf(2.0), 1e-8);
        assertEquals(-0.9999779095, ActivationKernels.erf(-3.0), 1e-8);
        assertEquals(0.9999999846, ActivationKernels.erf(4.0), 1e-8);
        assertEquals(1.0, ActivationKernels.erf(7.0), 0);
        float[] x = {-6f, -2.5f, -1f, -0.1f, 0f, 0.3f, 1.7f, 5f};
        float[] bias = {0.5f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};
        float[] exact = x.clone();
        float[] tanh = x.clone();
        ActivationKernels.biasGelu(exact, 0, bias, 0, x.length);
        ActivationKernels.biasGeluTanh(tanh, 0, bias, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            double v = x[i] + bias[i];
            double phi = 0.5 * (1 + ActivationKernels.erf(v / Math.sqrt(2)));
            assertEquals(v * phi, exact[i], 1e-6, "gelu(" + v + ")");
            double approx = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            assertEquals(approx, tanh[i], 1e-6, "gelu_new(" + v + ")");
            assertEquals(exact[i], tanh[i], 1e-3, "the two GELUs stay close at " + v);
        }
    }

    @Test
    void softmaxMatchesItsFormulaAndSumsToOne() {
        for (int n : SIZES) {
            float[] x = TestTensors.randomVector(n + 1, n);
            for (int i = 0; i < x.length; i++) {
                x[i] *= 20;
            }
            float[] copy = x.clone();
            ActivationKernels.softmax(x, 1, n);
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 1; i <= n; i++) {
                max = Math.max(max, copy[i]);
            }
            double sum = 0;
            for (int i = 1; i <= n; i++) {
                sum += Math.exp(copy[i] - max);
            }
            double total = 0;
            for (int i = 1; i <= n; i++) {
                assertEquals(Math.exp(copy[i] - max) / sum, x[i], 1e-6, "n " + n + " index " + i);
                total += x[i];
            }
            assertEquals(1.0, total, 1e-5);
            assertEquals(copy[0], x[0]);
        }
    }

    @Test
    void swigluMatchesItsFormula() {
        float[] g = TestTensors.randomVector(173, 1);
        float[] u = TestTensors.randomVector(173, 2);
        for (int i = 0; i < g.length; i++) {
            g[i] *= 8;
        }
        float[] copy = g.clone();
        ActivationKernels.swiglu(g, u, 5, 160);
        for (int i = 0; i < g.length; i++) {
            double expected = i < 5 || i >= 165 ? copy[i] : copy[i] / (1 + Math.exp(-copy[i])) * u[i];
            assertEquals(expected, g[i], 1e-6 * Math.abs(expected) + 1e-7, "index " + i);
        }
    }

    @Test
    void addAndAxpyAreElementwise() {
        for (int n : SIZES) {
            float[] x = TestTensors.randomVector(n, 1);
            float[] y = TestTensors.randomVector(n, 2);
            float[] sum = x.clone();
            ActivationKernels.add(sum, y, n);
            for (int i = 0; i < n; i++) {
                assertEquals(x[i] + y[i], sum[i]);
            }
            float[] acc = new float[n + 1];
            Arrays.fill(acc, 0.5f);
            ActivationKernels.axpy(acc, 1, -0.25f, x, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Math.fma(x[i], -0.25f, 0.5f), acc[i + 1]);
            }
            assertEquals(0.5f, acc[0]);
        }
    }

    @Test
    void dotMatchesADoublePrecisionSum() {
        for (int n : SIZES) {
            float[] a = TestTensors.randomVector(n + 2, 3);
            float[] b = TestTensors.randomVector(n + 1, 4);
            double ref = 0;
            double mag = 0;
            for (int i = 0; i < n; i++) {
                ref += (double) a[2 + i] * b[1 + i];
                mag += Math.abs((double) a[2 + i] * b[1 + i]);
            }
            assertEquals(ref, ActivationKernels.dot(a, 2, b, 1, n), 2e-6 * mag, "n " + n);
        }
    }

    @Test
    void attentionScoresAndWeightedSumFollowTheirDefinitions() {
        for (int headSize : new int[]{8, 10, 16, 64, 128}) {
            int count = 37;
            int stride = 3 * headSize;
            float[] q = TestTensors.randomVector(headSize + 1, headSize);
            float[] keys = TestTensors.randomVector(count * stride, 7);
            float[] scores = new float[count];
            ActivationKernels.attentionScores(q, 1, keys, headSize, stride, count, headSize, scores);
            for (int t = 0; t < count; t++) {
                double ref = 0;
                for (int i = 0; i < headSize; i++) {
                    ref += (double) q[1 + i] * keys[headSize + t * stride + i];
                }
                assertEquals(ref / Math.sqrt(headSize), scores[t], 2e-6 * headSize, "head size " + headSize);
            }
            float[] out = new float[headSize + 2];
            Arrays.fill(out, 9f);
            ActivationKernels.weightedSum(scores, count, keys, 0, stride, headSize, out, 1);
            for (int i = 0; i < headSize; i++) {
                double ref = 0;
                for (int t = 0; t < count; t++) {
                    ref += (double) scores[t] * keys[t * stride + i];
                }
                assertEquals(ref, out[1 + i], 1e-5 * count);
            }
            assertEquals(9f, out[0]);
            assertEquals(9f, out[headSize + 1]);
        }
    }

    @Test
    void resultsDoNotDependOnWhichCallComputesThem() {
        float[] a = TestTensors.randomVector(2048, 11);
        float[] b = TestTensors.randomVector(2048, 12);
        float first = ActivationKernels.dot(a, 0, b, 0, 2048);
        for (int i = 0; i < 20_000; i++) { // long enough for the JIT to replace the interpreted code
            assertEquals(Float.floatToRawIntBits(first), Float.floatToRawIntBits(ActivationKernels.dot(a, 0, b, 0, 2048)));
        }
        float[] x = TestTensors.randomVector(64, 13);
        float[] w = TestTensors.randomVector(64, 14);
        float[] once = new float[64];
        ActivationKernels.rmsnorm(once, 0, x, 0, w, 64, 1e-5f);
        float[] again = new float[64];
        for (int i = 0; i < 20_000; i++) {
            ActivationKernels.rmsnorm(again, 0, x, 0, w, 64, 1e-5f);
        }
        assertArrayEquals(once, again);
    }
}
