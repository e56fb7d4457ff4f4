package io.strata.engine.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q8_0: blocks of 32 values, each an F16 scale d then 32 signed bytes q; value = q × d.
 * A block's products q·x are summed first and scaled once, two blocks in flight at a time.
 */
final class Q8_0Matrix extends WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 34;
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final VectorSpecies<Byte> B = Lanes.B;
    private static final int L = Lanes.L;

    Q8_0Matrix(String name, MemorySegment data, int rows, int cols) {
        super(name, data, rows, cols);
    }

    @Override
    void dotRows(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        int blocks = cols / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        float[] lanes = new float[L];
        for (int r = from; r < to; r++) {
            MemorySegment w = data;
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            for (int b = 0; b < blocks; b++) {
                long at = base + (long) b * BLOCK_BYTES;
                int xi = xOffset + b * BLOCK;
                FloatVector s = values(w, at, 0).mul(FloatVector.fromArray(F, x, xi));
                for (int k = L; k < BLOCK; k += L) {
                    s = values(w, at, k).fma(FloatVector.fromArray(F, x, xi + k), s);
                }
                FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, at)));
                if ((b & 1) == 0) { // alternate accumulators: two blocks' FMAs in flight (the JIT unrolls the branch away)
                    a0 = s.fma(d, a0);
                } else {
                    a1 = s.fma(d, a1);
                }
            }
            a0.add(a1).intoArray(lanes, 0);
            out[outOffset + r] = sumLanes(lanes);
        }
    }

    /** Values k .. k + L of the block at {@code at}, as floats (small enough to be inlined everywhere). */
    private static FloatVector values(MemorySegment w, long at, int k) {
        return (FloatVector) ByteVector.fromMemorySegment(B, w, at + 2 + k, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    @Override
    public void readRow(int row, float[] out, int offset) {
        int blocks = cols / BLOCK;
        long base = (long) row * blocks * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long at = base + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(SHORT_LE, at));
            for (int j = 0; j < BLOCK; j++) {
                out[offset + b * BLOCK + j] = data.get(ValueLayout.JAVA_BYTE, at + 2 + j) * d;
            }
        }
    }
}
