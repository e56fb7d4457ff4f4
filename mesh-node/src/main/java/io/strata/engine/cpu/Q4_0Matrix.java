package io.strata.engine.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q4_0: blocks of 32 values, each an F16 scale d then 16 bytes; byte j holds value j in its
 * low nibble and value j + 16 in its high nibble, both offset by 8: value = (nibble − 8) × d.
 * That product is exact in a float, so each row is summed exactly as {@link F32Matrix} sums the
 * decoded row: even and odd vectors in two accumulators, then the fold. The batched product
 * decodes a tile once and applies it to every token ({@link TileProduct}), giving each the same bits.
 *
 * <p>Rows go two at a time, one from each half of the range: each half is one long run of
 * consecutive bytes, so the hardware prefetcher sees two steady streams, and x is loaded once for
 * both. (Four rows would be better still for memory, but the loop body then outgrows what the JIT
 * inlines, and every vector it fails to inline is allocated on the heap.)
 */
final class Q4_0Matrix extends WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 18;
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final VectorSpecies<Byte> B = Lanes.B;
    private static final int L = Lanes.L;

    Q4_0Matrix(String name, MemorySegment data, int rows, int cols) {
        super(name, data, rows, cols);
    }

    /**
     * (nibble − 8) for every nibble, as float bits: 16 lanes in one vector, or in two 8-lane
     * vectors. {@code selectFrom} reads a table entry per lane using the low bits of the index
     * (JDK 24+ wraps indexes), so a low nibble needs no mask.
     */
    private static final IntVector TABLE;
    private static final IntVector TABLE_LOW;
    private static final IntVector TABLE_HIGH;

    static {
        int[] table = new int[16];
        for (int i = 0; i < table.length; i++) {
            table[i] = Float.floatToRawIntBits(i - 8);
        }
        TABLE = L == 16 ? IntVector.fromArray(Lanes.I, table, 0) : null;
        TABLE_LOW = L == 8 ? IntVector.fromArray(Lanes.I, table, 0) : null;
        TABLE_HIGH = L == 8 ? IntVector.fromArray(Lanes.I, table, 8) : null;
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
        IntVector table = TABLE;
        int half = rowsPerStream(from, to, 2, rowBytes);
        MemorySegment w0 = stream(from, half, 0, rowBytes);
        MemorySegment w1 = stream(from, half, 1, rowBytes);
        int rowInts = (int) rowBytes;
        for (int i = 0; i < half; i++) {
            int base = i * rowInts;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            for (int b = 0; b < blocks; b++) {
                int at = base + b * BLOCK_BYTES;
                int xi = xOffset + b * BLOCK;
                // Low nibbles meet x[0..16) of the block, high nibbles x[16..32).
                FloatVector x0 = FloatVector.fromArray(F, x, xi);
                FloatVector x1 = FloatVector.fromArray(F, x, xi + L);
                IntVector p = bytes(w0, at);
                FloatVector s = blockScale(w0, at);
                a0 = low(p, table).mul(s).fma(x0, a0);
                a1 = high(p, table).mul(s).fma(x1, a1);
                p = bytes(w1, at);
                s = blockScale(w1, at);
                b0 = low(p, table).mul(s).fma(x0, b0);
                b1 = high(p, table).mul(s).fma(x1, b1);
            }
            int r = from + i;
            a0.add(a1).intoArray(lanes, 0);
            out[outOffset + r] = sumLanes(lanes);
            b0.add(b1).intoArray(lanes, 0);
            out[outOffset + r + half] = sumLanes(lanes);
        }
        for (int r = from + 2 * half; r < to; r++) {
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            for (int b = 0; b < blocks; b++) {
                long at = base + (long) b * BLOCK_BYTES;
                int xi = xOffset + b * BLOCK;
                IntVector p = bytes(w, at);
                FloatVector s = blockScale(w, at);
                a0 = low(p, table).mul(s).fma(FloatVector.fromArray(F, x, xi), a0);
                a1 = high(p, table).mul(s).fma(FloatVector.fromArray(F, x, xi + L), a1);
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
        if (L != BLOCK / 2) {
            for (int b = 0; b < blocks; b++) {
                long at = base + (long) b * BLOCK_BYTES;
                FloatVector s = blockScale(w, at);
                for (int k = 0; k < BLOCK / 2; k += L) {
                    IntVector p = bytes(w, at + k);
                    narrow(p).mul(s).intoArray(dst, b * BLOCK + k);
                    narrow(p.lanewise(VectorOperators.LSHR, 4)).mul(s).intoArray(dst, b * BLOCK + BLOCK / 2 + k);
                }
            }
            return;
        }
        IntVector table = TABLE;
        for (int b = 0; b < blocks; b++) {
            long at = base + (long) b * BLOCK_BYTES;
            FloatVector s = blockScale(w, at);
            IntVector p = bytes(w, at);
            low(p, table).mul(s).intoArray(dst, b * BLOCK);
            high(p, table).mul(s).intoArray(dst, b * BLOCK + L);
        }
    }

    // The helpers below take or return vectors, so they stay under the JIT's always-inline size
    // (35 bytecodes): a vector crossing a call that is not inlined is allocated on the heap.

    /** The L packed bytes that start 2 bytes past {@code at} (past the scale, when {@code at} is a block start), one per int lane. */
    private static IntVector bytes(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, at + 2, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, Lanes.I, 0);
    }

    /** (low nibble − 8) of each lane, as floats. */
    private static FloatVector low(IntVector packed, IntVector table) {
        return packed.selectFrom(table).reinterpretAsFloats();
    }

    /** (high nibble − 8) of each lane, as floats. */
    private static FloatVector high(IntVector packed, IntVector table) {
        return packed.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats();
    }

    /**
     * 8-lane machines (AVX2): the table spans two vectors; one row at a time. A block's four
     * vectors are columns 0–7 and 16–23 (even, low and high nibbles of bytes 0–7) and 8–15 and
     * 24–31 (odd, bytes 8–15).
     */
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
                IntVector p = bytes(w, at);
                a0 = narrow(p).mul(s).fma(FloatVector.fromArray(F, x, xi), a0);
                a0 = narrow(p.lanewise(VectorOperators.LSHR, 4)).mul(s).fma(FloatVector.fromArray(F, x, xi + BLOCK / 2), a0);
                p = bytes(w, at + L);
                a1 = narrow(p).mul(s).fma(FloatVector.fromArray(F, x, xi + L), a1);
                a1 = narrow(p.lanewise(VectorOperators.LSHR, 4)).mul(s).fma(FloatVector.fromArray(F, x, xi + BLOCK / 2 + L), a1);
            }
            a0.add(a1).intoArray(lanes, 0);
            out[outOffset + r] = sumLanes(lanes);
        }
    }

    /** (low nibble − 8) of each lane, as floats, from the two-vector table. */
    private static FloatVector narrow(IntVector v) {
        return v.selectFrom(TABLE_LOW, TABLE_HIGH).reinterpretAsFloats();
    }

    @Override
    public void readRow(int row, float[] out, int offset) {
        int blocks = cols / BLOCK;
        long base = (long) row * blocks * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long at = base + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(SHORT_LE, at));
            for (int j = 0; j < BLOCK / 2; j++) {
                int packed = data.get(ValueLayout.JAVA_BYTE, at + 2 + j) & 0xFF;
                out[offset + b * BLOCK + j] = ((packed & 0x0F) - 8) * d;
                out[offset + b * BLOCK + j + BLOCK / 2] = ((packed >> 4) - 8) * d;
            }
        }
    }
}
