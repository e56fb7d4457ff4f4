package io.strata.engine.cpu;

import jdk.incubator.vector.ShortVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-register half-float conversions, checked on every one of the 65536 bit patterns. */
class HalfFloatsTest {
    @Test
    void f16VectorConversionIsExactForEveryBitPattern() {
        int lanes = Lanes.L;
        short[] halves = everyBitPattern();
        float[] got = new float[lanes];
        for (int i = 0; i < halves.length; i += lanes) {
            HalfFloats.f16ToFloat(ShortVector.fromArray(Lanes.S, halves, i)).intoArray(got, 0);
            for (int j = 0; j < lanes; j++) {
                float expected = Float.float16ToFloat(halves[i + j]);
                if (Float.isNaN(expected)) {
                    assertTrue(Float.isNaN(got[j]), "bits 0x" + Integer.toHexString(i + j) + " should be NaN");
                } else {
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got[j]),
                            "bits 0x" + Integer.toHexString(i + j) + " (" + expected + ")");
                }
            }
        }
    }

    @Test
    void bf16VectorConversionKeepsEveryBitPattern() {
        int lanes = Lanes.L;
        short[] halves = everyBitPattern();
        float[] got = new float[lanes];
        for (int i = 0; i < halves.length; i += lanes) {
            HalfFloats.bf16ToFloat(ShortVector.fromArray(Lanes.S, halves, i)).intoArray(got, 0);
            for (int j = 0; j < lanes; j++) {
                assertEquals((i + j) << 16, Float.floatToRawIntBits(got[j]));
                assertEquals((i + j) << 16, Float.floatToRawIntBits(HalfFloats.bf16ToFloat(halves[i + j])));
            }
        }
    }

    @Test
    void f16SubnormalsAndInfinitiesComeOutRight() {
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(-0x1p-24f, HalfFloats.f16ToFloat((short) 0x8001));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat((short) 0x7c00));
        assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7bff));
    }

    /** All 65536 shorts, in order of their unsigned value. */
    private static short[] everyBitPattern() {
        short[] halves = new short[65536];
        for (int i = 0; i < halves.length; i++) {
            halves[i] = (short) i;
        }
        return halves;
    }
}
