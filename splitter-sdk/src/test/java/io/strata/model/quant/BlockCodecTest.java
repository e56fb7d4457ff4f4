package io.strata.model.quant;

import io.strata.model.TensorEncoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The codecs of the encodings with several scales per block: layout round trips and quantisation error. */
class BlockCodecTest {

    private static float[] roundTrip(TensorEncoding e, float[] x) {
        ByteBuffer b = ByteBuffer.allocate((int) e.byteSize(x.length));
        RowCodec.of(e).encode(x, 0, x.length, b);
        assertEquals(b.capacity(), b.position(), e + " advances by exactly the encoded size");
        float[] y = new float[x.length];
        RowCodec.of(e).decode(MemorySegment.ofArray(b.array()), 0, y, 0, y.length);
        return y;
    }

    @ParameterizedTest
    @CsvSource({"Q4_1, 0.12", "Q5_0, 0.06", "Q5_1, 0.06", "IQ4_NL, 0.12", "IQ4_XS, 0.12",
            "Q2_K, 0.45", "Q3_K, 0.25", "Q4_K, 0.12", "Q5_K, 0.06", "Q6_K, 0.03"})
    void quantisingRandomWeightsLosesNoMoreThanTheEncodingsBitsAllow(TensorEncoding e, double maxRelativeRms) {
        SplittableRandom r = new SplittableRandom(11);
        float[] x = new float[256 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 0.05);
        }
        float[] y = roundTrip(e, x);
        double err = 0;
        double norm = 0;
        for (int i = 0; i < x.length; i++) {
            err += (y[i] - x[i]) * (double) (y[i] - x[i]);
            norm += x[i] * (double) x[i];
        }
        double rel = Math.sqrt(err / norm);
        assertTrue(rel < maxRelativeRms, e + " relative rms error " + rel);
    }

    @ParameterizedTest
    @EnumSource(value = TensorEncoding.class, names = {"Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "IQ4_XS", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void anAllZeroBlockStaysZeroWithoutNaN(TensorEncoding e) {
        float[] y = roundTrip(e, new float[e.blockSize() * 2]);
        for (float v : y) {
            assertEquals(0f, Math.abs(v), e.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TensorEncoding.class, names = {"Q4_1", "Q5_1", "Q2_K", "Q4_K", "Q5_K"})
    void anEvenlySpacedRampIsReproducedByTheEncodingsWithAMinimum(TensorEncoding e) {
        // Values on the encoding's own grid, from a negative minimum upward: nothing to round.
        int steps = switch (e) {
            case Q2_K -> 3;
            case Q4_1, Q4_K -> 15;
            default -> 31;
        };
        int sub = e.blockSize() == 256 && e != TensorEncoding.Q2_K ? 32 : e == TensorEncoding.Q2_K ? 16 : 32;
        float[] x = new float[e.blockSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = -1.0f + 0.125f * ((i % sub) % (steps + 1));
        }
        float[] y = roundTrip(e, x);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], y[i], 1e-3, e + " element " + i);
        }
    }

    @Test
    void q4KScalesAndMinimumsRoundTripThroughTheirTwelveBytes() {
        int[] sc = {0, 63, 17, 42, 63, 1, 32, 48};
        int[] m = {63, 0, 5, 60, 16, 47, 63, 2};
        MemorySegment packed = MemorySegment.ofArray(KQuantScales.packK4(sc, m));
        for (int j = 0; j < 8; j++) {
            assertEquals(sc[j], KQuantScales.k4Scale(packed, 0, j), "scale " + j);
            assertEquals(m[j], KQuantScales.k4Min(packed, 0, j), "min " + j);
        }
    }

    @Test
    void q4KScaleBytesFollowGgmlsGetScaleMinK4() {
        // bytes 0-3: scale low 6 bits + top 2 bits of scales 4-7; 4-7: the same for minimums;
        // 8-11: low 4 bits of scale (low nibble) and minimum (high nibble) 4-7
        byte[] b = new byte[12];
        b[0] = (byte) (0b11 << 6 | 5);      // scale 0 = 5, scale 4 high bits 3
        b[4] = (byte) (0b01 << 6 | 9);      // min 0 = 9, min 4 high bits 1
        b[8] = (byte) (0x7 << 4 | 0xA);     // scale 4 low = 10, min 4 low = 7
        MemorySegment s = MemorySegment.ofArray(b);
        assertEquals(5, KQuantScales.k4Scale(s, 0, 0));
        assertEquals(9, KQuantScales.k4Min(s, 0, 0));
        assertEquals(3 << 4 | 10, KQuantScales.k4Scale(s, 0, 4));
        assertEquals(1 << 4 | 7, KQuantScales.k4Min(s, 0, 4));
    }

    @Test
    void q3KScalesRoundTripThroughTheirTwelveBytes() {
        int[] scales = new int[16];
        for (int i = 0; i < 16; i++) {
            scales[i] = (i * 37) % 64 - 32;
        }
        MemorySegment packed = MemorySegment.ofArray(KQuantScales.packQ3(scales));
        for (int i = 0; i < 16; i++) {
            assertEquals(scales[i], KQuantScales.q3Scale(packed, 0, i), "scale " + i);
        }
    }

    @Test
    void q6KStoresSignedScalesAndSixBitCodes() {
        float[] x = new float[256];
        x[0] = -1f;
        x[255] = 0.5f;
        float[] y = roundTrip(TensorEncoding.Q6_K, x);
        assertEquals(-1f, y[0], 0.02);
        assertEquals(0.5f, y[255], 0.02);
        assertEquals(0f, y[100], 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = TensorEncoding.class, names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
    void superBlockEncodingsRefuseRowsThatAreNotWholeSuperBlocks(TensorEncoding e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> RowCodec.of(e).encode(new float[96], 0, 96, ByteBuffer.allocate(4096)));
        assertTrue(ex.getMessage().contains("blocks of 256"), ex.getMessage());
    }
}
