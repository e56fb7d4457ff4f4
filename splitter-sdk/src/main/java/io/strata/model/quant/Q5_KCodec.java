package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * ggml's Q5_K: Q4_K's layout with 32 bytes of fifth bits between the scales and the nibbles:
 * value 64c + l takes bit 2c of high byte l, value 64c + 32 + l bit 2c + 1; value = (d·sc)·q − dmin·m.
 */
final class Q5_KCodec extends BlockCodec {
    static final Q5_KCodec INSTANCE = new Q5_KCodec();

    private Q5_KCodec() {
        super(TensorEncoding.Q5_K);
    }

    @Override
    void encodeBlock(float[] src, int off, ByteBuffer dst) {
        AsymmetricBlock b = AsymmetricBlock.of(src, off, 8, 32, 31, 63);
        dst.putShort(Float.floatToFloat16(b.d()));
        dst.putShort(Float.floatToFloat16(b.dmin()));
        dst.put(KQuantScales.packK4(b.sc(), b.m()));
        byte[] qh = new byte[32];
        byte[] qs = new byte[128];
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int lo = b.q()[64 * c + l];
                int hi = b.q()[64 * c + 32 + l];
                qs[32 * c + l] = (byte) ((lo & 0x0F) | (hi & 0x0F) << 4);
                qh[l] |= (byte) (((lo >>> 4) & 1) << (2 * c) | ((hi >>> 4) & 1) << (2 * c + 1));
            }
        }
        dst.put(qh);
        dst.put(qs);
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
                int q = u8(src, at + 48 + 32 * c + l);
                int h = u8(src, at + 16 + l);
                dst[off + 64 * c + l] = d1 * ((q & 0x0F) | ((h >>> (2 * c)) & 1) << 4) - m1;
                dst[off + 64 * c + 32 + l] = d2 * ((q >>> 4) | ((h >>> (2 * c + 1)) & 1) << 4) - m2;
            }
        }
    }
}
