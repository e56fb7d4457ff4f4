package io.strata.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * IEEE half floats, widened exactly in registers ({@link HalfFloats}).
 *
 * <p>Rows go one at a time: two rows at once (four conversions in the loop) outgrow what the JIT
 * inlines with this conversion, and every vector it fails to inline is allocated on the heap
 * (measured: 7 GB/s in cache instead of 17). Every row sums in {@link F32Matrix}'s
 * order over its exactly widened values: even and odd vectors in two
 * accumulators, a last odd vector into the first, then the columns past the last whole vector
 * one by one; the batched product ({@link TileProduct}) then gives each token the same bits.
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
        int pairEnd = n - n % (2 * L);
        int vectorEnd = n - n % L;
        long rowBytes = 2L * n;
        float[] lanes = new float[L];
        for (int r = from; r < to; r++) {
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            for (int c = 0; c < pairEnd; c += 2 * L) {
                a0 = values(w, base + 2L * c).fma(FloatVector.fromArray(F, x, xOffset + c), a0);
                a1 = values(w, base + 2L * (c + L)).fma(FloatVector.fromArray(F, x, xOffset + c + L), a1);
            }
            if (vectorEnd > pairEnd) {
                a0 = values(w, base + 2L * pairEnd).fma(FloatVector.fromArray(F, x, xOffset + pairEnd), a0);
            }
            a0.add(a1).intoArray(lanes, 0);
            out[outOffset + r] = finish(r, x, xOffset, vectorEnd, sumLanes(lanes));
        }
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
        return HalfFloats.f16ToFloat(ShortVector.fromMemorySegment(S, w, at, LE));
    }

    @Override
    float widen(short bits) {
        return Float.float16ToFloat(bits);
    }
}
