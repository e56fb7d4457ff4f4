package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * ggml's Q4_K: super-blocks of 256 values as F16 {@code d} and {@code dmin}, 12 bytes of eight
 * 6-bit scales and minimums ({@link KQuantScales#k4Scale}), then 128 bytes of nibbles: byte
 * 32c + l holds value 64c + l low and 64c + 32 + l high; sub-block s = value/32:
 * value = (d·sc)·q − dmin·m.
 */
final class Q4_KCodec extends BlockCodec {
    static final Q4_KCodec INSTANCE = new Q4_KCodec();

    private Q4_KCodec() {
        super(TensorEncoding.Q4_K);
    }

    @Override
    void encodeBlock(float[] src, int off, ByteBuffer dst) {
        AsymmetricBlock b = AsymmetricBlock.of(src, off, 8, 32, 15, 63);
        dst.putShort(Float.floatToFloat16(b.d()));
        dst.putShort(Float.floatToFloat16(b.dmin()));
        dst.put(KQuantScales.packK4(b.sc(), b.m()));
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                dst.put((byte) (b.q()[64 * c + l] | b.q()[64 * c + 32 + l] << 4));
            }
        }
    }

    @Override
    void decodeBlock(MemorySegment src, long at, float[] dst, int off) {
        float d = f16(src, at);
        float dmin = f16(src, at + 2);
        for (int c = 0; c < 4; c++) {
            float d1 = d * KQuantScales.k4Scale(src, at + 4, 2 * c);
            float m1 = dmin * KQuantScales.k4Min(src, at + 4, 2 * c);
            float d2 = d * KQuantScales.k4Scale(src, at + 4, 2 * c + 1);
            float m2 = dmin * KQuantScales.k4Min(src, at + 4, 2 * c + 1);
            for (int l = 0; l < 32; l++) {
                int q = u8(src, at + 16 + 32 * c + l);
                dst[off + 64 * c + l] = d1 * (q & 0x0F) - m1;
                dst[off + 64 * c + 32 + l] = d2 * (q >>> 4) - m2;
            }
        }
    }
}
