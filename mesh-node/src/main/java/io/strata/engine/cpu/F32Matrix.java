package io.strata.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Plain little-endian floats.
 *
 * <p>Rows go two at a time, one from each half of the range, in one flat loop over the first
 * half's bytes that closes a row whenever its columns run out. Each half is then a single long
 * stream of consecutive bytes, and nothing breaks the stream at a row's end: a loop per row
 * (a row is only 8–22 KB) restarts every few microseconds, and on the development machine that
 * cost ~40% of the read bandwidth, while one flat loop over two streams reads as fast as a plain
 * pass. x is loaded once for both rows.
 *
 * <p>Every row sums in one order whether it is computed in a pair or alone: two accumulators,
 * one over the even vectors of the row and one over the odd, a last odd vector into the first,
 * then the columns past the last whole vector one by one.
 */
final class F32Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final int L = Lanes.L;

    F32Matrix(String name, MemorySegment data, int rows, int cols) {
        super(name, data, rows, cols);
    }

    @Override
    void dotRows(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        int n = cols;
        int half = (to - from) / 2;
        if (n % (2 * L) != 0) {
            half = 0; // rows that end in a part of a vector pair go one by one
        }
        if (half > 0) {
            dotRowPairs(from, half, x, xOffset, out, outOffset);
        }
        for (int r = from + 2 * half; r < to; r++) {
            out[outOffset + r] = dotRow(r, x, xOffset);
        }
    }

    /** Rows {@code from + i} and {@code from + half + i} for every i below {@code half}; columns are whole vector pairs. */
    private void dotRowPairs(int from, int half, float[] x, int xOffset, float[] out, int outOffset) {
        MemorySegment w = data;
        int n = cols;
        long rowBytes = (long) n * Float.BYTES;
        long second = half * rowBytes; // from a byte of the first stream to the same byte of the second
        float[] lanes = new float[L];
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        int r = from;
        int c = 0;
        for (long at = from * rowBytes, end = at + second; at < end; at += 2L * L * Float.BYTES) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOffset + c);
            FloatVector x1 = FloatVector.fromArray(F, x, xOffset + c + L);
            a0 = FloatVector.fromMemorySegment(F, w, at, LE).fma(x0, a0);
            a1 = FloatVector.fromMemorySegment(F, w, at + L * Float.BYTES, LE).fma(x1, a1);
            b0 = FloatVector.fromMemorySegment(F, w, at + second, LE).fma(x0, b0);
            b1 = FloatVector.fromMemorySegment(F, w, at + second + L * Float.BYTES, LE).fma(x1, b1);
            c += 2 * L;
            if (c == n) {
                a0.add(a1).intoArray(lanes, 0);
                out[outOffset + r] = sumLanes(lanes);
                b0.add(b1).intoArray(lanes, 0);
                out[outOffset + r + half] = sumLanes(lanes);
                r++;
                c = 0;
                a0 = FloatVector.zero(F);
                a1 = a0;
                b0 = a0;
                b1 = a0;
            }
        }
    }

    /** One row alone, in the same order as in a pair. */
    private float dotRow(int row, float[] x, int xOffset) {
        MemorySegment w = data;
        int n = cols;
        long base = (long) row * n * Float.BYTES;
        int pairEnd = n - n % (2 * L);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        for (int c = 0; c < pairEnd; c += 2 * L) {
            long at = base + (long) c * Float.BYTES;
            a0 = FloatVector.fromMemorySegment(F, w, at, LE).fma(FloatVector.fromArray(F, x, xOffset + c), a0);
            a1 = FloatVector.fromMemorySegment(F, w, at + L * Float.BYTES, LE).fma(FloatVector.fromArray(F, x, xOffset + c + L), a1);
        }
        int vectorEnd = pairEnd;
        if (n - pairEnd >= L) {
            a0 = FloatVector.fromMemorySegment(F, w, base + (long) pairEnd * Float.BYTES, LE)
                    .fma(FloatVector.fromArray(F, x, xOffset + pairEnd), a0);
            vectorEnd += L;
        }
        float[] lanes = new float[L];
        a0.add(a1).intoArray(lanes, 0);
        float sum = sumLanes(lanes);
        for (int c = vectorEnd; c < n; c++) {
            sum = Math.fma(w.get(FLOAT_LE, base + (long) c * Float.BYTES), x[xOffset + c], sum);
        }
        return sum;
    }

    @Override
    void dotRowsBatch(int from, int to, float[] x, int n, float[] out) {
        dotRowsDecoded(from, to, x, n, out);
    }

    /** One copy of the rows' bytes: a tile is then read from L2 by every token group, not from the mapped file. */
    @Override
    void decodeRows(int from, int to, float[] dst) {
        MemorySegment.copy(data, FLOAT_LE, (long) from * cols * Float.BYTES, dst, 0, (to - from) * cols);
    }

    @Override
    public void readRow(int row, float[] out, int offset) {
        MemorySegment.copy(data, FLOAT_LE, (long) row * cols * Float.BYTES, out, offset, cols);
    }
}
