package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import io.strata.model.WeightTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Random weight tensors in native memory, in any encoding, and an independent element-by-element
 * decoder of their bytes: the scalar reference the vector kernels are checked against.
 */
public final class TestTensors {
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TestTensors() {
    }

    /** A {@code rows × cols} matrix (GGML shape {@code [cols, rows]}) of values roughly in ±scale. */
    public static WeightTensor matrix(String name, TensorEncoding encoding, int rows, int cols, double scale, long seed) {
        return tensor(name, encoding, new long[]{cols, rows}, -scale, scale, seed);
    }

    /** A vector of {@code n} F32 values uniform in [lo, hi). */
    public static WeightTensor vector(String name, int n, double lo, double hi, long seed) {
        return tensor(name, TensorEncoding.F32, new long[]{n}, lo, hi, seed);
    }

    static WeightTensor tensor(String name, TensorEncoding encoding, long[] shape, double lo, double hi, long seed) {
        long elements = 1;
        for (long d : shape) {
            elements *= d;
        }
        MemorySegment s = Arena.ofAuto().allocate(encoding.byteSize(elements), 64);
        SplittableRandom r = new SplittableRandom(seed);
        double scale = Math.max(Math.abs(lo), Math.abs(hi));
        switch (encoding) {
            case F32 -> {
                for (long i = 0; i < elements; i++) {
                    s.set(FLOAT_LE, 4 * i, (float) r.nextDouble(lo, hi));
                }
            }
            case F16 -> {
                for (long i = 0; i < elements; i++) {
                    s.set(SHORT_LE, 2 * i, Float.floatToFloat16((float) r.nextDouble(lo, hi)));
                }
            }
            case BF16 -> {
                for (long i = 0; i < elements; i++) {
                    s.set(SHORT_LE, 2 * i, (short) (Float.floatToRawIntBits((float) r.nextDouble(lo, hi)) >>> 16));
                }
            }
            case Q8_0, Q4_0 -> {
                int blockBytes = encoding.blockBytes();
                double maxQ = encoding == TensorEncoding.Q8_0 ? 127 : 8;
                for (long b = 0; b < elements / 32; b++) {
                    long at = b * blockBytes;
                    s.set(SHORT_LE, at, Float.floatToFloat16((float) (scale / maxQ * r.nextDouble(0.25, 1))));
                    for (int j = 2; j < blockBytes; j++) {
                        s.set(ValueLayout.JAVA_BYTE, at + j, (byte) r.nextInt(256));
                    }
                }
            }
            default -> QuantisedElements.fill(s, encoding, elements, scale, r);
        }
        return new WeightTensor(name, encoding, shape, s);
    }

    /** Element {@code i} (row-major) of the tensor, decoded straight from its bytes. */
    public static float element(WeightTensor t, long i) {
        MemorySegment s = t.data();
        return switch (t.encoding()) {
            case F32 -> s.get(FLOAT_LE, 4 * i);
            case F16 -> Float.float16ToFloat(s.get(SHORT_LE, 2 * i));
            case BF16 -> Float.intBitsToFloat((s.get(SHORT_LE, 2 * i) & 0xffff) << 16);
            case Q8_0 -> {
                long at = (i / 32) * 34;
                yield Float.float16ToFloat(s.get(SHORT_LE, at)) * s.get(ValueLayout.JAVA_BYTE, at + 2 + i % 32);
            }
            case Q4_0 -> {
                long at = (i / 32) * 18;
                int j = (int) (i % 32);
                int packed = s.get(ValueLayout.JAVA_BYTE, at + 2 + j % 16) & 0xff;
                int nibble = j < 16 ? packed & 0x0f : packed >>> 4;
                yield Float.float16ToFloat(s.get(SHORT_LE, at)) * (nibble - 8);
            }
            default -> QuantisedElements.element(s, t.encoding(), i);
        };
    }

    /** Reference product of row {@code row} with {@code x}, in double: {@code [0]} the sum, {@code [1]} sum |w·x|. */
    static double[] referenceDot(WeightTensor t, int row, float[] x, int xOffset) {
        double sum = 0;
        double magnitude = 0;
        int cols = t.cols();
        for (int c = 0; c < cols; c++) {
            double p = (double) element(t, (long) row * cols + c) * x[xOffset + c];
            sum += p;
            magnitude += Math.abs(p);
        }
        return new double[]{sum, magnitude};
    }

    static float[] randomVector(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }
}
