package io.strata.mesh.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.SequenceInputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameCodecTest {
    private static final SessionOpen OPEN = new SessionOpen("stories260K",
            List.of(new SessionOpen.Hop("stories260K-0of3", "a", "127.0.0.1", 7001),
                    new SessionOpen.Hop("stories260K-1of3", "b", "10.0.0.2", 7002),
                    new SessionOpen.Hop("stories260K-2of3", "c", "node-c.example", 65535)),
            new SessionOpen.Hop("", "gw", "127.0.0.1", 7000), 0.8f, 0.9f, -42L, 196, 201, new int[]{2, 7}, WireDType.BF16);

    private static Frame roundTrip(Frame f) throws Exception {
        byte[] bytes = FrameCodec.encode(f);
        Frame viaArray = FrameCodec.decode(bytes);
        Frame viaStream = FrameCodec.read(new ByteArrayInputStream(bytes));
        assertFrameEquals(f, viaArray);
        assertFrameEquals(f, viaStream);
        return viaStream;
    }

    private static void assertFrameEquals(Frame expected, Frame actual) {
        assertEquals(expected.type(), actual.type());
        assertEquals(expected.flags(), actual.flags());
        assertEquals(expected.stage(), actual.stage());
        assertEquals(expected.sessionId(), actual.sessionId());
        assertEquals(expected.step(), actual.step());
        assertEquals(expected.startPos(), actual.startPos());
        assertEquals(expected.rows(), actual.rows());
        assertEquals(expected.cols(), actual.cols());
        assertEquals(expected.dtype(), actual.dtype());
        assertArrayEquals(expected.payload(), actual.payload());
    }

    @Test
    void f32ActivationsRoundTripBitForBit() throws Exception {
        Random r = new Random(1);
        float[] x = new float[3 * 70];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian() * 100;
        }
        x[5] = Float.intBitsToFloat(0x7fc01234); // a NaN with a payload
        x[6] = -0.0f;
        x[7] = Float.MIN_VALUE;
        x[8] = Float.NEGATIVE_INFINITY;
        Frame f = Frame.activations(0xfeedbeefcafeL, 2, 17, 300, 3, 70, WireDType.F32,
                ActivationCodec.encode(WireDType.F32, x, 0, 3, 70), true);
        Frame back = roundTrip(f);
        float[] y = ActivationCodec.decode(WireDType.F32, back.payload(), 3, 70);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), "value " + i);
        }
        assertTrue(back.samples());
    }

    @ParameterizedTest
    @EnumSource(value = WireDType.class, names = {"F16", "BF16", "Q8"})
    void narrowActivationTypesStayWithinTheirRoundingError(WireDType dtype) throws Exception {
        Random r = new Random(2);
        int rows = 2;
        int cols = 77; // not a multiple of the Q8 block
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian() * 3;
        }
        Frame back = roundTrip(Frame.activations(9, 1, 0, 0, rows, cols, dtype,
                ActivationCodec.encode(dtype, x, 0, rows, cols), false));
        float[] y = ActivationCodec.decode(dtype, back.payload(), rows, cols);
        for (int i = 0; i < x.length; i++) {
            float bound = switch (dtype) {
                case F16 -> Math.abs(x[i]) * 0x1p-11f + 0x1p-24f;
                case BF16 -> Math.abs(x[i]) * 0x1p-8f;
                default -> blockMax(x, i, cols) / 127f / 2 * 1.0001f;
            };
            assertTrue(Math.abs(x[i] - y[i]) <= bound, dtype + " value " + i + ": " + x[i] + " came back as " + y[i]);
        }
        assertEquals(dtype.payloadBytes(rows, cols), back.payload().length);
    }

    private static float blockMax(float[] x, int i, int cols) {
        int row = i / cols;
        int block = (i % cols) / WireDType.Q8_BLOCK * WireDType.Q8_BLOCK;
        float max = 0;
        for (int c = block; c < Math.min(cols, block + WireDType.Q8_BLOCK); c++) {
            max = Math.max(max, Math.abs(x[row * cols + c]));
        }
        return max;
    }

    @Test
    void everyFrameTypeRoundTrips() throws Exception {
        Frame open = roundTrip(Frame.open(77, 0, OPEN));
        SessionOpen o = SessionOpen.decode(open.payload());
        assertEquals(OPEN.path(), o.path());
        assertEquals(OPEN.gateway(), o.gateway());
        assertEquals(0.8f, o.temperature());
        assertEquals(-42L, o.seed());
        assertEquals(201, o.capacity());
        assertArrayEquals(new int[]{2, 7}, o.stopTokens());
        assertEquals(WireDType.BF16, o.wireDType());

        Frame tokens = roundTrip(Frame.tokens(77, 3, 10, new int[]{1, 400, 0, 511}, true));
        assertArrayEquals(new int[]{1, 400, 0, 511}, TokenIds.decode(tokens.payload()));

        Frame sampled = roundTrip(Frame.sampled(77, Frame.GATEWAY, 5, 12, new SampledToken(2, SampledToken.Finish.STOP)));
        assertEquals(new SampledToken(2, SampledToken.Finish.STOP), SampledToken.decode(sampled.payload()));
        assertEquals(Frame.GATEWAY, sampled.stage());

        roundTrip(Frame.close(77, 1));
        Frame error = roundTrip(Frame.error(77, Frame.GATEWAY,
                new FrameError(FrameError.Code.PEER_LOST, "b", "connection reset")));
        assertEquals(new FrameError(FrameError.Code.PEER_LOST, "b", "connection reset"), FrameError.decode(error.payload()));
        Frame ping = roundTrip(Frame.ping(5, new byte[8192]));
        roundTrip(ping.pong());
    }

    @Test
    void aFrameCutShortIsRefusedWithWhereItEnded() {
        byte[] bytes = FrameCodec.encode(Frame.tokens(1, 0, 0, new int[]{1, 2, 3}, true));
        for (int cut : new int[]{2, 20, bytes.length - 1}) {
            byte[] shortened = Arrays.copyOf(bytes, cut);
            BadFrameException e = assertThrows(BadFrameException.class,
                    () -> FrameCodec.read(new ByteArrayInputStream(shortened)), "cut at " + cut);
            assertTrue(e.getMessage().startsWith("truncated frame"), e.getMessage());
            assertThrows(BadFrameException.class, () -> FrameCodec.decode(shortened));
        }
    }

    @Test
    void aCleanEndBetweenFramesIsAnEndOfStreamNotAnError() throws Exception {
        byte[] one = FrameCodec.encode(Frame.close(3, 0));
        var in = new SequenceInputStream(new ByteArrayInputStream(one), new ByteArrayInputStream(new byte[0]));
        assertEquals(FrameType.CLOSE, FrameCodec.read(in).type());
        assertThrows(EOFException.class, () -> FrameCodec.read(in));
    }

    @Test
    void aDamagedByteAnywhereIsRefused() {
        byte[] bytes = FrameCodec.encode(Frame.activations(1, 1, 0, 0, 1, 8, WireDType.F32, new byte[32], false));
        for (int i = 4; i < bytes.length; i++) {
            byte[] damaged = bytes.clone();
            damaged[i] ^= 0x10;
            assertThrows(BadFrameException.class, () -> FrameCodec.decode(damaged), "flipped a bit of byte " + i);
        }
    }

    @Test
    void foreignBytesAreRefusedByTheirMagic() {
        byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes();
        BadFrameException e = assertThrows(BadFrameException.class, () -> FrameCodec.read(new ByteArrayInputStream(http)));
        assertTrue(e.getMessage().contains("frame length") || e.getMessage().contains("magic"), e.getMessage());
        byte[] bytes = FrameCodec.encode(Frame.close(3, 0));
        bytes[4] = 0x12;
        e = assertThrows(BadFrameException.class, () -> FrameCodec.decode(bytes));
        assertTrue(e.getMessage().startsWith("bad magic 0x1254 at byte 4"), e.getMessage());
    }

    @Test
    void aShapeThatDisagreesWithItsPayloadIsNotAFrame() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Frame.activations(1, 1, 0, 0, 2, 8, WireDType.F32, new byte[32], false));
        assertEquals("the shape needs a payload of 64 bytes, got 32", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SessionOpen.decode(Arrays.copyOf(OPEN.encode(), 20)));
        assertThrows(IllegalArgumentException.class, () -> WireDType.parseActivations("i32"));
        assertEquals(WireDType.BF16, WireDType.parseActivations("bf16"));
    }
}
