package io.strata.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The small kernels on activation vectors that surround the matrix products: RMSNorm, softmax,
 * SwiGLU, residual add, and the dot and scaled-add of attention. Each sums in one fixed order,
 * and the transcendental ones follow llama2.c's float arithmetic step by step, so results do not
 * depend on which thread, batch or stage computes them.
 */
public final class ActivationKernels {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final int L = Lanes.L;

    private ActivationKernels() {
    }

    /** {@code out = weight * (x / sqrt(mean(x²) + eps))} over {@code n} values. */
    public static void rmsnorm(float[] out, int outOffset, float[] x, int xOffset, float[] weight, int n, float eps) {
        float ss = dot(x, xOffset, x, xOffset, n);
        ss /= n;
        ss += eps;
        ss = 1.0f / (float) Math.sqrt(ss);
        FloatVector scale = FloatVector.broadcast(F, ss);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector w = FloatVector.fromArray(F, weight, i);
            w.mul(scale.mul(FloatVector.fromArray(F, x, xOffset + i))).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = weight[i] * (ss * x[xOffset + i]);
        }
    }

    /**
     * {@code out = weight * (x - mean) / sqrt(var + eps) + bias} over {@code n} values (LayerNorm);
     * mean and variance are summed in double, in index order.
     */
    public static void layerNorm(float[] out, int outOffset, float[] x, int xOffset, float[] weight, float[] bias,
                                 int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[xOffset + i];
        }
        float mean = (float) (sum / n);
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double d = x[xOffset + i] - mean;
            squares += d * d;
        }
        float inv = (float) (1 / Math.sqrt(squares / n + eps));
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = (x[xOffset + i] - mean) * inv * weight[i] + bias[i];
        }
    }

    /** In place: {@code x = gelu(x + bias)}, GELU by its tanh approximation (GPT-2's gelu_new). */
    public static void biasGeluTanh(float[] x, int offset, float[] bias, int biasOffset, int n) {
        final float sqrt2OverPi = (float) Math.sqrt(2 / Math.PI);
        for (int i = 0; i < n; i++) {
            float v = x[offset + i] + bias[biasOffset + i];
            float inner = sqrt2OverPi * (v + 0.044715f * v * v * v);
            x[offset + i] = 0.5f * v * (1.0f + (float) Math.tanh(inner));
        }
    }

    /** In place: {@code x = gelu(x + bias)}, GELU exactly: {@code v·(1 + erf(v/√2))/2} (GPT-NeoX's gelu). */
    public static void biasGelu(float[] x, int offset, float[] bias, int biasOffset, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[offset + i] + bias[biasOffset + i];
            x[offset + i] = (float) (0.5 * v * (1 + erf(v * 0.7071067811865476)));
        }
    }

    /**
     * The error function to well below float resolution (the JDK has none): its Taylor series
     * below 3, where the terms' cancellation costs under 5 of double's 16 digits, and the
     * asymptotic series of erfc, cut at its smallest term, above.
     */
    static double erf(double z) {
        double a = Math.abs(z);
        double r;
        if (a < 3) {
            double z2 = a * a;
            double term = a;
            double sum = a;
            for (int k = 1; k < 100 && Math.abs(term) > 1e-17 * Math.abs(sum); k++) {
                term *= -z2 / k;
                double next = term / (2 * k + 1);
                sum += next;
                if (Math.abs(next) < 1e-17) {
                    break;
                }
            }
            r = sum * 1.1283791670955126; // 2/√π
        } else if (a < 6) {
            double inv2z2 = 1 / (2 * a * a);
            double term = 1;
            double series = 1;
            for (int k = 1; k < 12; k++) {
                double next = -term * (2 * k - 1) * inv2z2;
                if (Math.abs(next) >= Math.abs(term)) {
                    break;
                }
                term = next;
                series += term;
            }
            r = 1 - Math.exp(-a * a) / (a * 1.7724538509055159) * series; // √π
        } else {
            r = 1;
        }
        return z < 0 ? -r : r;
    }

    /** In place: {@code x = exp(x - max) / sum}, as llama2.c computes it. */
    public static void softmax(float[] x, int offset, int n) {
        float max = x[offset];
        for (int i = 1; i < n; i++) {
            if (x[offset + i] > max) {
                max = x[offset + i];
            }
        }
        float sum = 0.0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
        }
        for (int i = 0; i < n; i++) {
            x[offset + i] /= sum;
        }
    }

    /** In place: {@code gate = silu(gate) * up}, silu(v) = v / (1 + e^-v). */
    public static void swiglu(float[] gate, float[] up, int offset, int n) {
        for (int i = offset, end = offset + n; i < end; i++) {
            float v = gate[i];
            v *= 1.0f / (1.0f + (float) Math.exp(-v));
            gate[i] = v * up[i];
        }
    }

    /**
     * In place: {@code gate = gelu(gate) * up}, GELU by its tanh approximation
     * {@code 0.5·v·(1 + tanh(√(2/π)·(v + 0.044715·v³)))}.
     */
    public static void geglu(float[] gate, float[] up, int offset, int n) {
        final float sqrt2OverPi = (float) Math.sqrt(2 / Math.PI);
        for (int i = offset, end = offset + n; i < end; i++) {
            float v = gate[i];
            float inner = sqrt2OverPi * (v + 0.044715f * v * v * v);
            gate[i] = 0.5f * v * (1.0f + (float) Math.tanh(inner)) * up[i];
        }
    }

    /** In place: {@code x = cap · tanh(x / cap)} over {@code n} values (Gemma's soft-capping). */
    public static void softcap(float[] x, int offset, int n, float cap) {
        for (int i = offset, end = offset + n; i < end; i++) {
            x[i] = (float) Math.tanh(x[i] / cap) * cap;
        }
    }

    /** {@code x[i] += y[i]} over {@code n} values. */
    public static void add(float[] x, float[] y, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(x, i);
        }
        for (; i < n; i++) {
            x[i] += y[i];
        }
    }

    /** {@code sum a[aOffset + i] * b[bOffset + i]}: vector lanes, a fixed-order fold, then the scalar tail. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int i = 0;
        float sum = 0.0f;
        if (n >= L) {
            FloatVector acc = FloatVector.zero(F);
            for (int end = F.loopBound(n); i < end; i += L) {
                acc = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc);
            }
            float[] lanes = new float[L];
            acc.intoArray(lanes, 0);
            sum = WeightMatrix.sumLanes(lanes);
        }
        for (; i < n; i++) {
            sum = Math.fma(a[aOffset + i], b[bOffset + i], sum);
        }
        return sum;
    }

    /**
     * Attention scores of one query head against {@code count} cached keys:
     * {@code scores[t] = (q · keys[keyOffset + t * stride ..]) / sqrt(headSize)}.
     */
    public static void attentionScores(float[] q, int qOffset, float[] keys, int keyOffset, int stride, int count,
                                       int headSize, float[] scores) {
        attentionScores(q, qOffset, keys, keyOffset, stride, count, headSize, (float) Math.sqrt(headSize), scores);
    }

    /** {@link #attentionScores(float[], int, float[], int, int, int, int, float[])} divided by {@code scale} instead. */
    public static void attentionScores(float[] q, int qOffset, float[] keys, int keyOffset, int stride, int count,
                                       int headSize, float scale, float[] scores) {
        float[] lanes = new float[L];
        int vectorEnd = F.loopBound(headSize);
        for (int t = 0; t < count; t++) {
            int k = keyOffset + t * stride;
            int i = 0;
            float sum = 0.0f;
            if (vectorEnd > 0) {
                FloatVector acc = FloatVector.zero(F);
                for (; i < vectorEnd; i += L) {
                    acc = FloatVector.fromArray(F, q, qOffset + i).fma(FloatVector.fromArray(F, keys, k + i), acc);
                }
                acc.intoArray(lanes, 0);
                sum = WeightMatrix.sumLanes(lanes);
            }
            for (; i < headSize; i++) {
                sum = Math.fma(q[qOffset + i], keys[k + i], sum);
            }
            scores[t] = sum / scale;
        }
    }

    /** {@code out[outOffset ..] = sum_t weights[t] * values[valueOffset + t * stride ..]}, {@code headSize} wide. */
    public static void weightedSum(float[] weights, int count, float[] values, int valueOffset, int stride,
                                   int headSize, float[] out, int outOffset) {
        Arrays.fill(out, outOffset, outOffset + headSize, 0.0f);
        for (int t = 0; t < count; t++) {
            axpy(out, outOffset, weights[t], values, valueOffset + t * stride, headSize);
        }
    }

    /** {@code y[yOffset + i] += a * x[xOffset + i]} over {@code n} values. */
    public static void axpy(float[] y, int yOffset, float a, float[] x, int xOffset, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, a);
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, x, xOffset + i).fma(va, FloatVector.fromArray(F, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = Math.fma(x[xOffset + i], a, y[yOffset + i]);
        }
    }
}
