package io.strata.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * bfloat16: the top 16 bits of a float, widened by a shift.
 *
 * <p>Rows go two at a time, one from each half of the range, in one flat loop that closes a row
 * whenever its columns run out, as {@link F32Matrix} does and for the same reason: two long
 * streams that nothing interrupts at a row's end. Every row sums in one order, in a pair or
 * alone: even and odd vectors in two accumulators, a last odd vector into the first, then the
 * columns past the last whole vector one by one. The loop is F32Matrix's with a widening on each
 * load, written out again on purpose: a loop shared through a load function is not inlined by
 * the JIT, and every vector crossing that call would be allocated on the heap.
 */
final class BF16Matrix extends HalfMatrix {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final VectorSpecies<Short> S = Lanes.S;
    private static final int L = Lanes.L;

    BF16Matrix(String name, MemorySegment data, int rows, int cols) {
        super(name, data, rows, cols);
    }

    @Override
    void dotRows(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        int half = (to - from) / 2;
        if (cols % (2 * L) != 0) {
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
        long rowBytes = 2L * n;
        long second = half * rowBytes; // from a byte of the first stream to the same byte of the second
        float[] lanes = new float[L];
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        int r = from;
        int c = 0;
        for (long at = from * rowBytes, end = at + second; at < end; at += 4L * L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOffset + c);
            FloatVector x1 = FloatVector.fromArray(F, x, xOffset + c + L);
            a0 = values(w, at).fma(x0, a0);
            a1 = values(w, at + 2L * L).fma(x1, a1);
            b0 = values(w, at + second).fma(x0, b0);
            b1 = values(w, at + second + 2L * L).fma(x1, b1);
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
        long base = (long) row * n * 2;
        int pairEnd = n - n % (2 * L);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        for (int c = 0; c < pairEnd; c += 2 * L) {
            long at = base + 2L * c;
            a0 = values(w, at).fma(FloatVector.fromArray(F, x, xOffset + c), a0);
            a1 = values(w, at + 2L * L).fma(FloatVector.fromArray(F, x, xOffset + c + L), a1);
        }
        int vectorEnd = pairEnd;
        if (n - pairEnd >= L) {
            a0 = values(w, base + 2L * pairEnd).fma(FloatVector.fromArray(F, x, xOffset + pairEnd), a0);
            vectorEnd += L;
        }
        float[] lanes = new float[L];
        a0.add(a1).intoArray(lanes, 0);
        return finish(row, x, xOffset, vectorEnd, sumLanes(lanes));
    }

    @Override
    void dotRowsBatch(int from, int to, float[] x, int n, float[] out) {
        dotRowsDecoded(from, to, x, n, out);
    }

    /** Rows are consecutive, so their values are one flat run. */
    @Override
    void decodeRows(int from, int to, float[] dst) {
        MemorySegment w = data;
        long base = (long) from * cols * 2;
        int count = (to - from) * cols;
        int end = count - count % L;
        for (int i = 0; i < end; i += L) {
            values(w, base + 2L * i).intoArray(dst, i);
        }
        for (int i = end; i < count; i++) {
            dst[i] = widen(w.get(SHORT_LE, base + 2L * i));
        }
    }

    /** L values from offset {@code at}, as floats (small enough to be inlined everywhere). */
    private static FloatVector values(MemorySegment w, long at) {
        return HalfFloats.bf16ToFloat(ShortVector.fromMemorySegment(S, w, at, LE));
    }

    @Override
    float widen(short bits) {
        return HalfFloats.bf16ToFloat(bits);
    }
}
