package io.strata.engine.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q8_0: blocks of 32 values, each an F16 scale d then 32 signed bytes q; value = q × d.
 * q × d is exact in a float (8 and 11 significant bits), so each row is summed exactly as
 * {@link F32Matrix} sums the decoded row: even and odd vectors in two accumulators, then the fold.
 * The batched product decodes a tile once and applies it to every token ({@link TileProduct}),
 * giving each the same bits.
 *
 * <p>Rows go four at a time, taken from the four quarters of the range: each quarter is one
 * long run of consecutive bytes, so the hardware prefetcher sees four steady streams. Four
 * neighbouring rows would be four short streams (a row is ~2 KB) that restart every group, and
 * a single row at a time keeps too few reads in flight.
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
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector d0 = a0;
            FloatVector d1 = a0;
            for (int b = 0; b < blocks; b++) {
                int at = base + b * BLOCK_BYTES;
                int xi = xOffset + b * BLOCK;
                FloatVector x0 = FloatVector.fromArray(F, x, xi);
                FloatVector x1 = FloatVector.fromArray(F, x, xi + L);
                FloatVector s = blockScale(w0, at);
                a0 = values(w0, at).mul(s).fma(x0, a0);
                a1 = values(w0, at + L).mul(s).fma(x1, a1);
                s = blockScale(w1, at);
                b0 = values(w1, at).mul(s).fma(x0, b0);
                b1 = values(w1, at + L).mul(s).fma(x1, b1);
                s = blockScale(w2, at);
                c0 = values(w2, at).mul(s).fma(x0, c0);
                c1 = values(w2, at + L).mul(s).fma(x1, c1);
                s = blockScale(w3, at);
                d0 = values(w3, at).mul(s).fma(x0, d0);
                d1 = values(w3, at + L).mul(s).fma(x1, d1);
            }
            int r = from + i;
            a0.add(a1).intoArray(lanes, 0);
            out[outOffset + r] = sumLanes(lanes);
            b0.add(b1).intoArray(lanes, 0);
            out[outOffset + r + quarter] = sumLanes(lanes);
            c0.add(c1).intoArray(lanes, 0);
            out[outOffset + r + 2 * quarter] = sumLanes(lanes);
            d0.add(d1).intoArray(lanes, 0);
            out[outOffset + r + 3 * quarter] = sumLanes(lanes);
        }
        dotRowsNarrow(from + 4 * quarter, to, x, xOffset, out, outOffset);
    }

    // The helpers below take or return vectors, so they stay under the JIT's always-inline size
    // (35 bytecodes): a vector crossing a call that is not inlined is allocated on the heap.

    /** The L quants that start 2 bytes past {@code at} (past the scale, when {@code at} is a block start), as floats. */
    private static FloatVector values(MemorySegment w, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, w, at + 2, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /** One row at a time, vector pairs of the block in turn (one pair with 16 lanes, two with 8). */
    private void dotRowsNarrow(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        MemorySegment w = data;
        int blocks = cols / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        float[] lanes = new float[L];
        for (int r = from; r < to; r++) {
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            for (int b = 0; b < blocks; b++) {
                long at = base + (long) b * BLOCK_BYTES;
                int xi = xOffset + b * BLOCK;
                FloatVector s = blockScale(w, at);
                for (int k = 0; k < BLOCK; k += 2 * L) {
                    a0 = values(w, at + k).mul(s).fma(FloatVector.fromArray(F, x, xi + k), a0);
                    a1 = values(w, at + k + L).mul(s).fma(FloatVector.fromArray(F, x, xi + k + L), a1);
                }
            }
            a0.add(a1).intoArray(lanes, 0);
            out[outOffset + r] = sumLanes(lanes);
        }
    }

    @Override
    void dotRowsBatch(int from, int to, float[] x, int n, float[] out) {
        dotRowsDecoded(from, to, x, n, out);
    }

    /** Rows are consecutive, so their blocks are one flat run. */
    @Override
    void decodeRows(int from, int to, float[] dst) {
        MemorySegment w = data;
        long base = (long) from * (cols / BLOCK) * BLOCK_BYTES;
        int blocks = (to - from) * (cols / BLOCK);
        for (int b = 0; b < blocks; b++) {
            long at = base + (long) b * BLOCK_BYTES;
            FloatVector s = blockScale(w, at);
            for (int k = 0; k < BLOCK; k += L) {
                values(w, at + k).mul(s).intoArray(dst, b * BLOCK + k);
            }
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
