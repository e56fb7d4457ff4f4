package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import io.strata.model.quant.NonLinearCodebook;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The encodings whose blocks carry several scales, minimums, split high bits or a codebook (Q4_1,
 * Q5_0, Q5_1, IQ4_NL and the 256-value super-blocks: Q2_K … Q6_K, IQ4_XS). Each subclass unpacks
 * one row into floats with vector code, exactly as ggml dequantises it; the products are written
 * once, here: a row is unpacked into an L1-resident array and multiplied with x from there.
 *
 * <p>Unpacking into an array keeps every vector inside one method (the unpackers take and return
 * arrays, so nothing vector-typed crosses a call the JIT may not inline), and lets a batch unpack
 * each row once for all its tokens. Every row sums in one order, alone or in a batch: two
 * accumulators, over the even and the odd vectors of the row, added, then folded in a fixed order.
 * Rows are whole blocks of 32 values, so the vectors pair up with no tail.
 */
abstract sealed class DecodedRowMatrix extends WeightMatrix
        permits Q4_1Matrix, Q5_0Matrix, Q5_1Matrix, IQ4_NLMatrix, Q2_KMatrix, Q3_KMatrix, Q4_KMatrix, Q5_KMatrix,
        Q6_KMatrix, IQ4_XSMatrix {
    static final VectorSpecies<Float> F = Lanes.F;
    static final VectorSpecies<Byte> B = Lanes.B;
    static final VectorSpecies<Integer> I = Lanes.I;
    static final int L = Lanes.L;
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    /** The codebook of IQ4_NL and IQ4_XS as float bits: one vector with 16 lanes, two with 8. */
    private static final IntVector LEVELS;
    private static final IntVector LEVELS_LOW;
    private static final IntVector LEVELS_HIGH;

    static {
        int[] levels = new int[16];
        for (int i = 0; i < 16; i++) {
            levels[i] = Float.floatToRawIntBits(NonLinearCodebook.level(i));
        }
        LEVELS = L == 16 ? IntVector.fromArray(Lanes.I, levels, 0) : null;
        LEVELS_LOW = L == 8 ? IntVector.fromArray(Lanes.I, levels, 0) : null;
        LEVELS_HIGH = L == 8 ? IntVector.fromArray(Lanes.I, levels, 8) : null;
    }

    /** 0, 1, … L − 1: lane numbers, for per-lane bit shifts. */
    static final IntVector IOTA = IntVector.zero(Lanes.I).addIndex(1);

    final long rowBytes;

    DecodedRowMatrix(TensorEncoding encoding, String name, MemorySegment data, int rows, int cols) {
        super(name, data, rows, cols);
        this.rowBytes = encoding.byteSize(cols);
    }

    /** The row whose bytes start at {@code at}, as floats into {@code dst[off .. off + cols)}, each exactly as ggml dequantises it. */
    abstract void decodeRow(long at, float[] dst, int off);

    /**
     * {@link #decodeRow} for the super-block encodings described by a {@link CodeGroups} table:
     * the caller first fills each group's scale and subtracted minimum (scalar work, once per 16
     * values), then one flat vector loop unpacks the codes: value = code·scale − min. Three
     * copies of the loop (codes in one place, codes with high bits elsewhere, codebook indexes)
     * rather than one with branches: a vector that flows through a branch's merge may be
     * allocated on the heap.
     */
    final void decodeGroups(CodeGroups layout, long at, float[] scale, float[] min, float[] dst, int off) {
        if (layout.codebook()) {
            decodeCodebookGroups(layout, at, scale, dst, off);
        } else if (layout.hasHighBits()) {
            decodeSplitGroups(layout, at, scale, min, dst, off);
        } else {
            decodePlainGroups(layout, at, scale, min, dst, off);
        }
    }

    private void decodePlainGroups(CodeGroups layout, long at, float[] scale, float[] min, float[] dst, int off) {
        MemorySegment w = data;
        int perBlock = layout.groups();
        int[] low = layout.low();
        int[] lowShift = layout.lowShift();
        int lowMask = layout.lowMask();
        int bias = layout.bias();
        int blockBytes = layout.blockBytes();
        int groups = cols / 16;
        long block = at;
        for (int g = 0, gi = 0; g < groups; g++) {
            for (int k = 0; k < 16; k += L) {
                IntVector code = bytes(w, block + low[gi] + k).lanewise(VectorOperators.LSHR, lowShift[gi]).and(lowMask);
                floats(code.add(bias)).mul(scale[g]).sub(min[g]).intoArray(dst, off + 16 * g + k);
            }
            if (++gi == perBlock) {
                gi = 0;
                block += blockBytes;
            }
        }
    }

    private void decodeSplitGroups(CodeGroups layout, long at, float[] scale, float[] min, float[] dst, int off) {
        MemorySegment w = data;
        int perBlock = layout.groups();
        int[] low = layout.low();
        int[] lowShift = layout.lowShift();
        int[] high = layout.high();
        int[] highShift = layout.highShift();
        int lowMask = layout.lowMask();
        int highMask = layout.highMask();
        int highAt = layout.highAt();
        int bias = layout.bias();
        int blockBytes = layout.blockBytes();
        int groups = cols / 16;
        long block = at;
        for (int g = 0, gi = 0; g < groups; g++) {
            for (int k = 0; k < 16; k += L) {
                IntVector lo = bytes(w, block + low[gi] + k).lanewise(VectorOperators.LSHR, lowShift[gi]).and(lowMask);
                IntVector hi = bytes(w, block + high[gi] + k).lanewise(VectorOperators.LSHR, highShift[gi]).and(highMask);
                floats(lo.or(hi.lanewise(VectorOperators.LSHL, highAt)).add(bias)).mul(scale[g]).sub(min[g])
                        .intoArray(dst, off + 16 * g + k);
            }
            if (++gi == perBlock) {
                gi = 0;
                block += blockBytes;
            }
        }
    }

    private void decodeCodebookGroups(CodeGroups layout, long at, float[] scale, float[] dst, int off) {
        MemorySegment w = data;
        int perBlock = layout.groups();
        int[] low = layout.low();
        int[] lowShift = layout.lowShift();
        int lowMask = layout.lowMask();
        int blockBytes = layout.blockBytes();
        int groups = cols / 16;
        long block = at;
        for (int g = 0, gi = 0; g < groups; g++) {
            for (int k = 0; k < 16; k += L) {
                IntVector code = bytes(w, block + low[gi] + k).lanewise(VectorOperators.LSHR, lowShift[gi]).and(lowMask);
                levels(code).mul(scale[g]).intoArray(dst, off + 16 * g + k);
            }
            if (++gi == perBlock) {
                gi = 0;
                block += blockBytes;
            }
        }
    }

    @Override
    public final void readRow(int row, float[] out, int offset) {
        decodeRow(row * rowBytes, out, offset);
    }

    @Override
    final void dotRows(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        float[] w = new float[cols];
        float[] lanes = new float[L];
        for (int r = from; r < to; r++) {
            decodeRow(r * rowBytes, w, 0);
            out[outOffset + r] = dot(w, x, xOffset, lanes);
        }
    }

    /** Each row decoded once for every token, then the shared tile kernel, which sums as {@link #dot} does. */
    @Override
    final void dotRowsBatch(int from, int to, float[] x, int n, float[] out) {
        dotRowsDecoded(from, to, x, n, out);
    }

    @Override
    final void decodeRows(int from, int to, float[] dst) {
        for (int r = from; r < to; r++) {
            decodeRow(r * rowBytes, dst, (r - from) * cols);
        }
    }

    /** {@code w · x[xOffset ..]} over {@code cols} values (whole vector pairs), in the fixed order. */
    private float dot(float[] w, float[] x, int xOffset, float[] lanes) {
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = even;
        for (int c = 0; c < cols; c += 2 * L) {
            even = FloatVector.fromArray(F, w, c).fma(FloatVector.fromArray(F, x, xOffset + c), even);
            odd = FloatVector.fromArray(F, w, c + L).fma(FloatVector.fromArray(F, x, xOffset + c + L), odd);
        }
        even.add(odd).intoArray(lanes, 0);
        return sumLanes(lanes);
    }

    // The helpers below take or return vectors, so they stay under the JIT's always-inline size
    // (35 bytecodes): a vector crossing a call that is not inlined is allocated on the heap.

    /** The L bytes at {@code at}, zero-extended, one per int lane. */
    static IntVector bytes(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /** Each int lane as a float. */
    static FloatVector floats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** Bit {@code shift + lane} of {@code bits}, in each lane, moved to bit 4. */
    static IntVector bit4(int bits, int shift) {
        return IntVector.broadcast(I, bits).lanewise(VectorOperators.LSHR, IOTA.add(shift)).and(1).lanewise(VectorOperators.LSHL, 4);
    }

    /** The codebook level of each lane's 4-bit code, as a float. */
    static FloatVector levels(IntVector codes) {
        return (L == 16 ? codes.selectFrom(LEVELS) : codes.selectFrom(LEVELS_LOW, LEVELS_HIGH)).reinterpretAsFloats();
    }

    static float f16(MemorySegment w, long at) {
        return Float.float16ToFloat(w.get(SHORT_LE, at));
    }
}
