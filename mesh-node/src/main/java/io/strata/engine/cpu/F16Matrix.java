package io.strata.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * IEEE half floats, widened exactly in registers ({@link HalfFloats}).
 *
 * <p>Rows go two at a time, one from each half of the range: each half is one long run of
 * consecutive bytes, so the hardware prefetcher sees two steady streams, and x is loaded once for
 * both. (Four rows, as for BF16, outgrow what the JIT inlines with this conversion, and every
 * vector it fails to inline is allocated on the heap.) Every row sums in the same order, one
 * accumulator over its columns, then the columns past the last whole vector, whether it is
 * computed in a pair or alone.
 */
final class F16Matrix extends HalfMatrix {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final VectorSpecies<Short> S = Lanes.S;
    private static final int L = Lanes.L;

    F16Matrix(String name, MemorySegment data, int rows, int cols) {
        super(name, data, rows, cols);
    }

    @Override
    void dotRows(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        MemorySegment w = data;
        int n = cols;
        int end = n - n % L;
        long rowBytes = 2L * n;
        float[] lanes = new float[L];
        int half = rowsPerStream(from, to, 2, rowBytes);
        MemorySegment w0 = stream(from, half, 0, rowBytes);
        MemorySegment w1 = stream(from, half, 1, rowBytes);
        int rowInts = (int) rowBytes;
        for (int i = 0; i < half; i++) {
            int base = i * rowInts;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            for (int c = 0; c < end; c += L) {
                int at = base + 2 * c;
                FloatVector xv = FloatVector.fromArray(F, x, xOffset + c);
                a0 = values(w0, at).fma(xv, a0);
                a1 = values(w1, at).fma(xv, a1);
            }
            int r = from + i;
            a0.intoArray(lanes, 0);
            out[outOffset + r] = finish(r, x, xOffset, end, sumLanes(lanes));
            a1.intoArray(lanes, 0);
            out[outOffset + r + half] = finish(r + half, x, xOffset, end, sumLanes(lanes));
        }
        for (int r = from + 2 * half; r < to; r++) {
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
        return HalfFloats.f16ToFloat(ShortVector.fromMemorySegment(S, w, at, LE));
    }

    @Override
    float widen(short bits) {
        return Float.float16ToFloat(bits);
    }
}
