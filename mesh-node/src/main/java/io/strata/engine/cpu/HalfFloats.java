package io.strata.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IEEE half (F16) and bfloat16 (BF16) to float, for whole vectors. The Vector API of JDK 25 has
 * no half-float lane conversion, so F16 goes through the exponent-rebias trick: the 15 magnitude
 * bits shifted into a float's place read as a float 2^112 too small, subnormals included, and
 * one exact multiply fixes the exponent. Infinity and NaN (exponent all ones) are patched in
 * afterwards; the sign is copied from the sign-extended short.
 */
public final class HalfFloats {
    private static final float REBIAS = 0x1p112f;
    private static final int F16_EXPONENT_MASK = 0x7c00 << 13;

    private HalfFloats() {
    }

    /** One F16 value, exactly (the JDK's own conversion). */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** One BF16 value: the top half of a float. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    // The vector conversions are split into pieces under the JIT's always-inline size (35
    // bytecodes): a vector passed to a call that is not inlined is allocated on the heap.

    /** {@link Lanes#L} F16 values (as shorts) to floats, exactly. */
    static FloatVector f16ToFloat(ShortVector halves) {
        return fromWidened((IntVector) halves.convertShape(VectorOperators.S2I, Lanes.I, 0));
    }

    /** Halves sign-extended to ints: the sign is then bit 31 already. */
    private static FloatVector fromWidened(IntVector h) {
        return magnitudeBits(h.and(0x7fff).lanewise(VectorOperators.LSHL, 13)).or(h.and(0x80000000)).reinterpretAsFloats();
    }

    /** Float bits of a half's magnitude already shifted into float position: rebias, or patch Inf/NaN. */
    private static IntVector magnitudeBits(IntVector m) {
        return m.reinterpretAsFloats().mul(REBIAS).reinterpretAsInts()
                .blend(m.or(0x7f800000), m.compare(VectorOperators.GE, F16_EXPONENT_MASK));
    }

    /** {@link Lanes#L} BF16 values (as shorts) to floats. */
    static FloatVector bf16ToFloat(ShortVector halves) {
        IntVector h = (IntVector) halves.convertShape(VectorOperators.S2I, Lanes.I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
