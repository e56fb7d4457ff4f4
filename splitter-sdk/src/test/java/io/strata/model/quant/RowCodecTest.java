package io.strata.model.quant;

import io.strata.model.TensorEncoding;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowCodecTest {

    private static byte[] encode(TensorEncoding enc, float[] x) {
        ByteBuffer b = ByteBuffer.allocate((int) enc.byteSize(x.length));
        RowCodec.of(enc).encode(x, 0, x.length, b);
        assertEquals(b.capacity(), b.position(), "encoder advances by exactly the encoded size");
        return b.array();
    }

    private static float[] decode(TensorEncoding enc, byte[] bytes, int n) {
        float[] out = new float[n];
        RowCodec.of(enc).decode(MemorySegment.ofArray(bytes), 0, out, 0, n);
        return out;
    }

    private static float scale(byte[] bytes, int block, TensorEncoding enc) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return Float.float16ToFloat(b.getShort(block * enc.blockBytes()));
    }

    @Test
    void q8_0MatchesAHandComputedBlockWithHalvesRoundedAwayFromZero() {
        float[] x = new float[32];
        float[] in = {127f, -2.5f, 2.5f, -0.5f, 0.5f, 1.49f, -1.5f, 0f, -127f, 63.5f};
        System.arraycopy(in, 0, x, 0, in.length);
        byte[] got = encode(TensorEncoding.Q8_0, x);
        // amax 127 → d = 1 (F16 0x3C00), id = 1, q = roundf(x)
        byte[] want = new byte[34];
        want[0] = 0x00;
        want[1] = 0x3C;
        byte[] q = {127, -3, 3, -1, 1, 1, -2, 0, -127, 64};
        System.arraycopy(q, 0, want, 2, q.length);
        assertArrayEquals(want, got);
    }

    @Test
    void q4_0MatchesAHandComputedBlockWithSignedMaxAndClipping() {
        float[] x = new float[32];
        // the largest magnitude is -8, so d = -8 / -8 = 1 and q = min(15, trunc(x + 8.5))
        float[] low = {-8f, 7f, 7.4f, 7.5f, -0.5f, -0.6f, 0.49f, 0.5f};
        float[] high = {1f, -1f, 3.2f, -7.9f};
        System.arraycopy(low, 0, x, 0, low.length);
        System.arraycopy(high, 0, x, 16, high.length);
        byte[] got = encode(TensorEncoding.Q4_0, x);
        int[] qLow = {0, 15, 15, 15, 8, 7, 8, 9, 8, 8, 8, 8, 8, 8, 8, 8};
        int[] qHigh = {9, 7, 11, 0, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
        byte[] want = new byte[18];
        want[0] = 0x00;
        want[1] = 0x3C;
        for (int j = 0; j < 16; j++) {
            want[2 + j] = (byte) (qLow[j] | qHigh[j] << 4);
        }
        assertArrayEquals(want, got);
    }

    @Test
    void q4_0TakesTheScaleSignFromTheLargestValue() {
        float[] x = new float[32];
        x[0] = 16f;
        x[1] = -16f;
        x[2] = 4f;
        byte[] got = encode(TensorEncoding.Q4_0, x);
        assertEquals(-2f, scale(got, 0, TensorEncoding.Q4_0));
        float[] back = decode(TensorEncoding.Q4_0, got, 32);
        assertEquals(16f, back[0]);
        assertEquals(-14f, back[1], "-16 would need code 16 and is clipped to 15");
        assertEquals(4f, back[2]);
    }

    @Test
    void zeroBlocksEncodeWithZeroScale() {
        float[] x = new float[64];
        assertEquals(0f, scale(encode(TensorEncoding.Q8_0, x), 1, TensorEncoding.Q8_0));
        for (TensorEncoding enc : new TensorEncoding[] {TensorEncoding.Q8_0, TensorEncoding.Q4_0}) {
            for (float v : decode(enc, encode(enc, x), 64)) {
                assertEquals(0.0, v, 0.0, enc.name()); // Q4_0's scale is -0 (0 / -8), as in ggml
            }
        }
    }

    @Test
    void q8_0ErrorIsWithinHalfAStepPerElement() {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] x = new float[32 * 200];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-4, 3)));
        }
        byte[] enc = encode(TensorEncoding.Q8_0, x);
        float[] back = decode(TensorEncoding.Q8_0, enc, x.length);
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            }
            float d = amax / 127;
            float d16 = scale(enc, b, TensorEncoding.Q8_0);
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                float q = enc[b * 34 + 2 + j];
                // half a step of the exact scale, plus what storing the scale in F16 moves the value
                double bound = d / 2 * (1 + 1e-6) + Math.abs(q) * Math.abs(d16 - d);
                assertTrue(Math.abs(x[i] - back[i]) <= bound,
                        "element " + i + ": " + x[i] + " came back " + back[i] + ", bound " + bound);
            }
        }
    }

    @Test
    void q4_0ErrorIsWithinHalfAStepExceptWhereClipped() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] x = new float[32 * 200];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-4, 3)));
        }
        byte[] enc = encode(TensorEncoding.Q4_0, x);
        float[] back = decode(TensorEncoding.Q4_0, enc, x.length);
        int clipped = 0;
        for (int b = 0; b < x.length / 32; b++) {
            float max = 0;
            for (int j = 0; j < 32; j++) {
                if (Math.abs(x[b * 32 + j]) > Math.abs(max)) {
                    max = x[b * 32 + j];
                }
            }
            float d = Math.abs(max / 8);
            float d16 = Math.abs(scale(enc, b, TensorEncoding.Q4_0));
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                double drift = 8 * Math.abs(d16 - d);
                boolean atClip = x[i] * Math.signum(-max) > 7.5f * d;
                double bound = (atClip ? d : d / 2) * (1 + 1e-6) + drift;
                clipped += atClip ? 1 : 0;
                assertTrue(Math.abs(x[i] - back[i]) <= bound,
                        "element " + i + ": " + x[i] + " came back " + back[i] + ", bound " + bound);
            }
        }
        assertTrue(clipped < x.length / 32, "only values near −max reach the clipped code");
    }

    @Test
    void f16RoundsHalfwayToEven() {
        float ulp = (float) Math.pow(2, -10);
        float[] x = {1 + ulp / 2, 1 + 3 * ulp / 2, 65504f, 65520f, Float.NaN, -0f};
        float[] back = decode(TensorEncoding.F16, encode(TensorEncoding.F16, x), x.length);
        assertEquals(1f, back[0]);
        assertEquals(1 + 2 * ulp, back[1]);
        assertEquals(65504f, back[2]);
        assertEquals(Float.POSITIVE_INFINITY, back[3]);
        assertTrue(Float.isNaN(back[4]));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back[5]));
    }

    @Test
    void bf16RoundsHalfwayToEvenAndKeepsNaN() {
        float ulp = (float) Math.pow(2, -7);
        float signallingNaN = Float.intBitsToFloat(0x7f800001);
        float[] x = {1 + ulp / 2, 1 + 3 * ulp / 2, 1 + ulp / 2 + ulp / 64, signallingNaN, Float.NEGATIVE_INFINITY,
                Float.MAX_VALUE};
        float[] back = decode(TensorEncoding.BF16, encode(TensorEncoding.BF16, x), x.length);
        assertEquals(1f, back[0]);
        assertEquals(1 + 2 * ulp, back[1]);
        assertEquals(1 + ulp, back[2], "above halfway rounds up");
        assertTrue(Float.isNaN(back[3]), "a NaN whose payload sits in the dropped bits stays NaN");
        assertEquals(Float.NEGATIVE_INFINITY, back[4]);
        assertEquals(Float.POSITIVE_INFINITY, back[5]);
    }

    @Test
    void f32RoundTripsBitForBit() {
        float[] x = {1.5f, -0f, Float.MIN_VALUE, Float.NaN, 3.14159f};
        float[] back = decode(TensorEncoding.F32, encode(TensorEncoding.F32, x), x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(back[i]));
        }
    }

    @Test
    void partialBlocksAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> RowCodec.of(TensorEncoding.Q8_0).encode(new float[40], 0, 40, ByteBuffer.allocate(100)));
        assertThrows(IllegalArgumentException.class,
                () -> RowCodec.of(TensorEncoding.F16).encode(new float[4], 2, 4, ByteBuffer.allocate(100)));
    }

    @Test
    void channelWriterStreamsTheSameBytesAsOneShotEncoding() throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] all = new float[512 * 37];
        for (int i = 0; i < all.length; i++) {
            all[i] = (float) rnd.nextGaussian();
        }
        for (TensorEncoding enc : TensorEncoding.values()) {
            // rows of two super-blocks for the 256-value encodings, of one 32-block for the rest
            int rowLength = enc.blockSize() == 256 ? 512 : 32;
            float[] x = Arrays.copyOf(all, rowLength * 37);
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            // a buffer smaller than a row forces mid-row flushes
            EncodingChannelWriter w = new EncodingChannelWriter(Channels.newChannel(sink), enc,
                    Math.max(100, enc.blockBytes() + 6));
            for (int row = 0; row < 37; row++) {
                w.write(x, row * rowLength, rowLength);
            }
            w.flush();
            assertArrayEquals(encode(enc, x), sink.toByteArray(), enc.name());
            assertEquals(enc.byteSize(x.length), w.bytesWritten());
        }
    }

    @Test
    void decodersReadAtAnOffset() {
        for (TensorEncoding enc : TensorEncoding.values()) {
            int block = Math.max(32, enc.blockSize());
            float[] x = new float[2 * block];
            Arrays.fill(x, 0, block, 2f);
            Arrays.fill(x, block, 2 * block, -127f);
            byte[] bytes = encode(enc, x);
            float[] second = new float[block];
            RowCodec.of(enc).decode(MemorySegment.ofArray(bytes), enc.byteSize(block), second, 0, block);
            for (float v : second) {
                // exact in the 32-value encodings (Q8_0 d = 1, Q4_0 d = 127/8, a constant block is its
                // minimum or its largest level in the others); the super-blocks round their 4-8 bit scales
                assertEquals(-127f, v, enc.blockSize() == 256 ? 1.5f : 0f, enc.name());
            }
        }
    }
}
