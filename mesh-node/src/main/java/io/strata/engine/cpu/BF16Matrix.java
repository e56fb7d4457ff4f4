package io.strata.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * bfloat16: the top 16 bits of a float, widened by a shift.
 *
 * <p>Rows go four at a time, taken from the four quarters of the range: each quarter is one long
 * run of consecutive bytes, so the hardware prefetcher sees four steady streams, and x is loaded
 * once for all four. Every row sums in the same order, one accumulator over its columns, then
 * the columns past the last whole vector, whether it is computed in a group of four or alone.
 */
final class BF16Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final VectorSpecies<Short> S = Lanes.S;
    private static final int L = Lanes.L;

    BF16Matrix(String name, MemorySegment data, int rows, int cols) {
        super(name, data, rows, cols);
    }

    @Override
    void dotRows(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        MemorySegment w = data;
        int n = cols;
        int end = n - n % L;
        long rowBytes = 2L * n;
        float[] lanes = new float[L];
        // Four streams, one slice each, all addressed with the same int offset: with int offsets
        // the JIT hoists the slices' bounds checks out of the loop. A range too long for int
        // offsets goes row by row.
        int quarter = (to - from) / 4;
        if (quarter * rowBytes > Integer.MAX_VALUE) {
            quarter = 0;
        }
        long streamBytes = quarter * rowBytes;
        MemorySegment w0 = w.asSlice(from * rowBytes, streamBytes);
        MemorySegment w1 = w.asSlice((from + quarter) * rowBytes, streamBytes);
        MemorySegment w2 = w.asSlice((from + 2L * quarter) * rowBytes, streamBytes);
        MemorySegment w3 = w.asSlice((from + 3L * quarter) * rowBytes, streamBytes);
        int rowInts = (int) rowBytes;
        for (int i = 0; i < quarter; i++) {
            int base = i * rowInts;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int c = 0; c < end; c += L) {
                int at = base + 2 * c;
                FloatVector xv = FloatVector.fromArray(F, x, xOffset + c);
                a0 = values(w0, at).fma(xv, a0);
                a1 = values(w1, at).fma(xv, a1);
                a2 = values(w2, at).fma(xv, a2);
                a3 = values(w3, at).fma(xv, a3);
            }
            int r = from + i;
            a0.intoArray(lanes, 0);
            out[outOffset + r] = finish(r, x, xOffset, end, sumLanes(lanes));
            a1.intoArray(lanes, 0);
            out[outOffset + r + quarter] = finish(r + quarter, x, xOffset, end, sumLanes(lanes));
            a2.intoArray(lanes, 0);
            out[outOffset + r + 2 * quarter] = finish(r + 2 * quarter, x, xOffset, end, sumLanes(lanes));
            a3.intoArray(lanes, 0);
            out[outOffset + r + 3 * quarter] = finish(r + 3 * quarter, x, xOffset, end, sumLanes(lanes));
        }
        for (int r = from + 4 * quarter; r < to; r++) {
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            for (int c = 0; c < end; c += L) {
                a0 = values(w, base + 2L * c).fma(FloatVector.fromArray(F, x, xOffset + c), a0);
            }
            a0.intoArray(lanes, 0);
            out[outOffset + r] = finish(r, x, xOffset, end, sumLanes(lanes));
        }
    }

    /** L values from offset {@code at}, as floats (small enough to be inlined everywhere). */
    private static FloatVector values(MemorySegment w, long at) {
        return HalfFloats.bf16ToFloat(ShortVector.fromMemorySegment(S, w, at, LE));
    }

    /** Adds the columns past the last whole vector, one by one. */
    private float finish(int row, float[] x, int xOffset, int from, float sum) {
        long base = (long) row * cols * 2;
        for (int c = from; c < cols; c++) {
            sum = Math.fma(HalfFloats.bf16ToFloat(data.get(SHORT_LE, base + 2L * c)), x[xOffset + c], sum);
        }
        return sum;
    }

    @Override
    public void readRow(int row, float[] out, int offset) {
        long base = (long) row * cols * 2;
        for (int c = 0; c < cols; c++) {
            out[offset + c] = HalfFloats.bf16ToFloat(data.get(SHORT_LE, base + 2L * c));
        }
    }
}
