package io.strata.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Plain little-endian floats. Rows go four at a time: four memory streams per thread keep more
 * loads in flight than one (about 95% of a plain read pass instead of 75%), and each x vector is
 * loaded once for all four. Every row sums in the same order, one accumulator over its columns,
 * whether it is computed in a group of four or alone, so results never depend on the grouping.
 */
final class F32Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final int L = Lanes.L;

    F32Matrix(String name, MemorySegment data, int rows, int cols) {
        super(name, data, rows, cols);
    }

    @Override
    void dotRows(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        MemorySegment w = data;
        int n = cols;
        long rowBytes = (long) n * Float.BYTES;
        int vectorEnd = n - n % L;
        float[] lanes = new float[L];
        int r = from;
        for (; r + 3 < to; r += 4) {
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int c = 0; c < vectorEnd; c += L) {
                long at = base + (long) c * Float.BYTES;
                FloatVector xv = FloatVector.fromArray(F, x, xOffset + c);
                a0 = FloatVector.fromMemorySegment(F, w, at, LE).fma(xv, a0);
                a1 = FloatVector.fromMemorySegment(F, w, at + rowBytes, LE).fma(xv, a1);
                a2 = FloatVector.fromMemorySegment(F, w, at + 2 * rowBytes, LE).fma(xv, a2);
                a3 = FloatVector.fromMemorySegment(F, w, at + 3 * rowBytes, LE).fma(xv, a3);
            }
            a0.intoArray(lanes, 0);
            out[outOffset + r] = finish(w, r, x, xOffset, vectorEnd, sumLanes(lanes));
            a1.intoArray(lanes, 0);
            out[outOffset + r + 1] = finish(w, r + 1, x, xOffset, vectorEnd, sumLanes(lanes));
            a2.intoArray(lanes, 0);
            out[outOffset + r + 2] = finish(w, r + 2, x, xOffset, vectorEnd, sumLanes(lanes));
            a3.intoArray(lanes, 0);
            out[outOffset + r + 3] = finish(w, r + 3, x, xOffset, vectorEnd, sumLanes(lanes));
        }
        for (; r < to; r++) {
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            for (int c = 0; c < vectorEnd; c += L) {
                a0 = FloatVector.fromMemorySegment(F, w, base + (long) c * Float.BYTES, LE)
                        .fma(FloatVector.fromArray(F, x, xOffset + c), a0);
            }
            a0.intoArray(lanes, 0);
            out[outOffset + r] = finish(w, r, x, xOffset, vectorEnd, sumLanes(lanes));
        }
    }

    /** Adds the columns past the last whole vector, one by one. */
    private float finish(MemorySegment w, int row, float[] x, int xOffset, int from, float sum) {
        long base = (long) row * cols * Float.BYTES;
        for (int c = from; c < cols; c++) {
            sum = Math.fma(w.get(FLOAT_LE, base + (long) c * Float.BYTES), x[xOffset + c], sum);
        }
        return sum;
    }

    @Override
    public void readRow(int row, float[] out, int offset) {
        MemorySegment.copy(data, FLOAT_LE, (long) row * cols * Float.BYTES, out, offset, cols);
    }
}
