package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import io.strata.model.quant.NonLinearCodebook;
import io.strata.model.quant.RowCodec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The encodings with several scales per block (Q4_1 … IQ4_XS) for {@link TestTensors}: random
 * tensors written by the codecs' quantisers, and an element-at-a-time decoder that finds each
 * value's bits from ggml's layout on its own, without the row decoders under test.
 */
final class QuantisedElements {
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private QuantisedElements() {
    }

    /** Fills {@code s} with {@code elements} random values in ±scale, quantised by the encoding's codec. */
    static void fill(MemorySegment s, TensorEncoding encoding, long elements, double scale, SplittableRandom r) {
        int rowLength = encoding.blockSize() * 8;
        float[] values = new float[rowLength];
        ByteBuffer b = ByteBuffer.allocate((int) encoding.byteSize(rowLength));
        for (long done = 0; done < elements; done += rowLength) {
            int n = (int) Math.min(rowLength, elements - done);
            for (int i = 0; i < n; i++) {
                values[i] = (float) r.nextDouble(-scale, scale);
            }
            b.clear();
            RowCodec.of(encoding).encode(values, 0, n, b);
            MemorySegment.copy(MemorySegment.ofArray(b.array()), 0, s, encoding.byteSize(done), encoding.byteSize(n));
        }
    }

    /** Element {@code i} of the tensor in {@code s}. */
    static float element(MemorySegment s, TensorEncoding encoding, long i) {
        long at = i / encoding.blockSize() * encoding.blockBytes();
        int j = (int) (i % encoding.blockSize());
        return switch (encoding) {
            case Q4_1 -> nibble(s, at + 4, j) * f16(s, at) + f16(s, at + 2);
            case Q5_0 -> ((nibble(s, at + 6, j) | fifth(s.get(INT_LE, at + 2), j)) - 16) * f16(s, at);
            case Q5_1 -> (nibble(s, at + 8, j) | fifth(s.get(INT_LE, at + 4), j)) * f16(s, at) + f16(s, at + 2);
            case IQ4_NL -> f16(s, at) * NonLinearCodebook.level(nibble(s, at + 2, j));
            case Q2_K -> {
                int n = j / 128;
                int shift = 2 * ((j % 128) / 32);
                int sc = u8(s, at + j / 16);
                int q = (u8(s, at + 16 + 32L * n + j % 32) >>> shift) & 3;
                yield f16(s, at + 80) * (sc & 15) * q - f16(s, at + 82) * (sc >>> 4);
            }
            case Q3_K -> {
                int n = j / 128;
                int jj = (j % 128) / 32;
                int sub = j / 16;
                int low4 = sub < 8 ? u8(s, at + 96 + sub) & 15 : u8(s, at + 96 + sub - 8) >>> 4;
                int high2 = (u8(s, at + 96 + 8 + sub % 4) >>> (2 * (sub / 4))) & 3;
                int q = (u8(s, at + 32 + 32L * n + j % 32) >>> (2 * jj)) & 3;
                boolean highBit = ((u8(s, at + j % 32) >>> (4 * n + jj)) & 1) != 0;
                yield f16(s, at + 108) * ((low4 | high2 << 4) - 32) * (highBit ? q : q - 4);
            }
            case Q4_K, Q5_K -> {
                int sub = j / 32;
                long qs = at + (encoding == TensorEncoding.Q4_K ? 16 : 48) + 32L * (j / 64) + j % 32;
                int q = sub % 2 == 0 ? u8(s, qs) & 15 : u8(s, qs) >>> 4;
                if (encoding == TensorEncoding.Q5_K) {
                    q |= ((u8(s, at + 16 + j % 32) >>> sub) & 1) << 4;
                }
                long sc = at + 4;
                int scale = sub < 4 ? u8(s, sc + sub) & 63 : (u8(s, sc + sub + 4) & 15) | (u8(s, sc + sub - 4) >>> 6) << 4;
                int min = sub < 4 ? u8(s, sc + sub + 4) & 63 : (u8(s, sc + sub + 4) >>> 4) | (u8(s, sc + sub) >>> 6) << 4;
                yield f16(s, at) * scale * q - f16(s, at + 2) * min;
            }
            case Q6_K -> {
                int n = j / 128;
                int k = (j % 128) / 32;
                int l = j % 32;
                int nibbles = u8(s, at + 64L * n + l + 32 * (k % 2));
                int low = k < 2 ? nibbles & 15 : nibbles >>> 4;
                int high = (u8(s, at + 128 + 32L * n + l) >>> (2 * k)) & 3;
                yield f16(s, at + 208) * s.get(ValueLayout.JAVA_BYTE, at + 192 + j / 16) * ((low | high << 4) - 32);
            }
            case IQ4_XS -> {
                int ib = j / 32;
                int ls = ((u8(s, at + 4 + ib / 2) >>> (4 * (ib % 2))) & 15) | ((s.get(SHORT_LE, at + 2) >>> (2 * ib)) & 3) << 4;
                yield f16(s, at) * (ls - 32) * NonLinearCodebook.level(nibble(s, at + 8 + 16L * ib, j % 32));
            }
            default -> throw new IllegalArgumentException(encoding + " is decoded by TestTensors itself");
        };
    }

    /** Value j (0..31) of a 16-byte run of nibbles: j low, j + 16 high. */
    private static int nibble(MemorySegment s, long at, int j) {
        int packed = u8(s, at + j % 16);
        return j < 16 ? packed & 15 : packed >>> 4;
    }

    private static int fifth(int bits, int j) {
        return ((bits >>> j) & 1) << 4;
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static float f16(MemorySegment s, long at) {
        return Float.float16ToFloat(s.get(SHORT_LE, at));
    }
}
