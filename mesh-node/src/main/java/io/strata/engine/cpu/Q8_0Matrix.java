package io.strata.engine.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q8_0: blocks of 32 values, each an F16 scale d then 32 signed bytes q; value = q × d.
 * A block's products q·x are summed first and scaled once.
 *
 * <p>Rows go four at a time, taken from the four quarters of the range: each quarter is one
 * long run of consecutive bytes, so the hardware prefetcher sees four steady streams. Four
 * neighbouring rows would be four short streams (a row is ~2 KB) that restart every group, and
 * a single row at a time keeps too few reads in flight. Every row sums in the same order, one
 * accumulator over its blocks, whether it is computed in a group of four or alone.
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
        if (L != BLOCK / 2) {
            dotRowsNarrow(from, to, x, xOffset, out, outOffset);
            return;
        }
        MemorySegment w = data;
        int blocks = cols / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        float[] lanes = new float[L];
        int quarter = rowsPerStream(from, to, 4, rowBytes);
        MemorySegment w0 = stream(from, quarter, 0, rowBytes);
        MemorySegment w1 = stream(from, quarter, 1, rowBytes);
        MemorySegment w2 = stream(from, quarter, 2, rowBytes);
        MemorySegment w3 = stream(from, quarter, 3, rowBytes);
        int rowInts = (int) rowBytes;
        for (int i = 0; i < quarter; i++) {
            int base = i * rowInts;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int b = 0; b < blocks; b++) {
                int at = base + b * BLOCK_BYTES;
                int xi = xOffset + b * BLOCK;
                FloatVector x0 = FloatVector.fromArray(F, x, xi);
                FloatVector x1 = FloatVector.fromArray(F, x, xi + L);
                a0 = values(w0, at + L).fma(x1, values(w0, at).mul(x0)).fma(blockScale(w0, at), a0);
                a1 = values(w1, at + L).fma(x1, values(w1, at).mul(x0)).fma(blockScale(w1, at), a1);
                a2 = values(w2, at + L).fma(x1, values(w2, at).mul(x0)).fma(blockScale(w2, at), a2);
                a3 = values(w3, at + L).fma(x1, values(w3, at).mul(x0)).fma(blockScale(w3, at), a3);
            }
            int r = from + i;
            a0.intoArray(lanes, 0);
            out[outOffset + r] = sumLanes(lanes);
            a1.intoArray(lanes, 0);
            out[outOffset + r + quarter] = sumLanes(lanes);
            a2.intoArray(lanes, 0);
            out[outOffset + r + 2 * quarter] = sumLanes(lanes);
            a3.intoArray(lanes, 0);
            out[outOffset + r + 3 * quarter] = sumLanes(lanes);
        }
        for (int r = from + 4 * quarter; r < to; r++) {
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                long at = base + (long) b * BLOCK_BYTES;
                int xi = xOffset + b * BLOCK;
                a0 = values(w, at + L).fma(FloatVector.fromArray(F, x, xi + L), values(w, at).mul(FloatVector.fromArray(F, x, xi)))
                        .fma(blockScale(w, at), a0);
            }
            a0.intoArray(lanes, 0);
            out[outOffset + r] = sumLanes(lanes);
        }
    }

    // The helpers below take or return vectors, so they stay under the JIT's always-inline size
    // (35 bytecodes): a vector crossing a call that is not inlined is allocated on the heap.

    /** The L quants that start 2 bytes past {@code at} (past the scale, when {@code at} is a block start), as floats. */
    private static FloatVector values(MemorySegment w, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, w, at + 2, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /** 8-lane machines (AVX2): a block is four vectors; one row at a time. */
    private void dotRowsNarrow(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        MemorySegment w = data;
        int blocks = cols / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        float[] lanes = new float[L];
        for (int r = from; r < to; r++) {
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                long at = base + (long) b * BLOCK_BYTES;
                int xi = xOffset + b * BLOCK;
                FloatVector s = values(w, at).mul(FloatVector.fromArray(F, x, xi));
                for (int k = L; k < BLOCK; k += L) {
                    s = values(w, at + k).fma(FloatVector.fromArray(F, x, xi + k), s);
                }
                a0 = s.fma(blockScale(w, at), a0);
            }
            a0.intoArray(lanes, 0);
            out[outOffset + r] = sumLanes(lanes);
        }
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
