package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * ggml's Q2_K: super-blocks of 256 values as 16 bytes of 4-bit sub-block scale (low) and minimum
 * (high), 64 bytes of 2-bit codes, then F16 {@code d} and {@code dmin}. Value e = 128n + 32j + l
 * is bits 2j of byte 32n + l, in sub-block 8n + 2j + l/16: value = d·sc·q − dmin·m.
 */
final class Q2_KCodec extends BlockCodec {
    static final Q2_KCodec INSTANCE = new Q2_KCodec();

    private Q2_KCodec() {
        super(TensorEncoding.Q2_K);
    }

    @Override
    void encodeBlock(float[] src, int off, ByteBuffer dst) {
        AsymmetricBlock b = AsymmetricBlock.of(src, off, 16, 16, 3, 15);
        for (int s = 0; s < 16; s++) {
            dst.put((byte) (b.sc()[s] | b.m()[s] << 4));
        }
        byte[] qs = new byte[64];
        for (int e = 0; e < 256; e++) {
            int n = e / 128;
            int j = (e % 128) / 32;
            int l = e % 32;
            qs[32 * n + l] |= (byte) (b.q()[e] << (2 * j));
        }
        dst.put(qs);
        dst.putShort(Float.floatToFloat16(b.d()));
        dst.putShort(Float.floatToFloat16(b.dmin()));
    }

    @Override
    void decodeBlock(MemorySegment src, long at, float[] dst, int off) {
        float d = f16(src, at + 80);
        float dmin = f16(src, at + 82);
        for (int n = 0; n < 2; n++) {
            for (int j = 0; j < 4; j++) {
                for (int h = 0; h < 2; h++) {
                    int sc = u8(src, at + 8 * n + 2 * j + h);
                    float dl = d * (sc & 0x0F);
                    float ml = dmin * (sc >>> 4);
                    for (int l = 16 * h; l < 16 * h + 16; l++) {
                        int q = (u8(src, at + 16 + 32 * n + l) >>> (2 * j)) & 3;
                        dst[off + 128 * n + 32 * j + l] = dl * q - ml;
                    }
                }
            }
        }
    }
}
