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
     * (nibble − 8) for every nibble, as float bits. {@code selectFrom} reads a table entry per lane
     * using the low bits of the index (JDK 24+ wraps indexes), so a low nibble needs no mask.
     */
    private static final IntVector TABLE_LOW;
    private static final IntVector TABLE_HIGH;

    static {
        int[] table = new int[2 * L];
        for (int i = 0; i < table.length; i++) {
            table[i] = Float.floatToRawIntBits((i & 15) - 8);
        }
        TABLE_LOW = IntVector.fromArray(Lanes.I, table, 0);
        TABLE_HIGH = IntVector.fromArray(Lanes.I, table, L);
    }

    @Override
    void dotRows(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        int blocks = cols / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        float[] lanes = new float[L];
        for (int r = from; r < to; r++) {
            // A slice per row keeps offsets int-sized, which lets the JIT hoist the bounds checks.
            MemorySegment w = data.asSlice(r * rowBytes, rowBytes);
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            for (int b = 0; b < blocks; b++) {
                int at = b * BLOCK_BYTES;
                int xi = xOffset + b * BLOCK;
                // Low nibbles meet x[0..16) of the block, high nibbles x[16..32).
                IntVector packed = bytes(w, at, 0);
                FloatVector s = nibbles(packed).mul(FloatVector.fromArray(F, x, xi));
                s = nibbles(packed.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, xi + BLOCK / 2), s);
                for (int k = L; k < BLOCK / 2; k += L) { // only with 8-lane vectors
                    packed = bytes(w, at, k);
                    s = nibbles(packed).fma(FloatVector.fromArray(F, x, xi + k), s);
                    s = nibbles(packed.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, xi + BLOCK / 2 + k), s);
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

    // The helpers below take or return vectors, so they stay under the JIT's always-inline size
    // (35 bytecodes): a vector crossing a call that is not inlined is allocated on the heap.

    private static IntVector bytes(MemorySegment w, int at, int k) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, at + 2 + k, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, Lanes.I, 0);
    }

    /** (low nibble − 8) of each lane, as floats. */
    private static FloatVector nibbles(IntVector v) {
        return (L == 16 ? v.selectFrom(TABLE_LOW) : v.selectFrom(TABLE_LOW, TABLE_HIGH)).reinterpretAsFloats();
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
