package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * ggml's Q3_K: super-blocks of 256 values as 32 bytes of high bits, 64 bytes of 2-bit low codes,
 * 12 bytes of sixteen 6-bit scales ({@link KQuantScales#q3Scale}) and an F16 {@code d}. Value
 * e = 128n + 32j + l has low bits 2j of byte 32n + l and high bit 4n + j of byte l (clear means
 * −4), in sub-block 8n + 2j + l/16: value = d·sc·(q − 4·!h). Encoding is a plain symmetric one.
 */
final class Q3_KCodec extends BlockCodec {
    static final Q3_KCodec INSTANCE = new Q3_KCodec();

    private Q3_KCodec() {
        super(TensorEncoding.Q3_K);
    }

    @Override
    void encodeBlock(float[] src, int off, ByteBuffer dst) {
        float[] scale = new float[16];
        float maxScale = 0;
        for (int s = 0; s < 16; s++) {
            float amax = 0;
            for (int j = 0; j < 16; j++) {
                amax = Math.max(amax, Math.abs(src[off + 16 * s + j]));
            }
            scale[s] = amax / 4;
            maxScale = Math.max(maxScale, scale[s]);
        }
        float d = asF16(maxScale / 31);
        int[] sc = new int[16];
        byte[] hmask = new byte[32];
        byte[] qs = new byte[64];
        for (int s = 0; s < 16; s++) {
            sc[s] = clamp((int) Math.rint(safeDiv(scale[s], d)), 0, 31);
        }
        for (int e = 0; e < 256; e++) {
            int n = e / 128;
            int j = (e % 128) / 32;
            int l = e % 32;
            float step = d * sc[e / 16];
            int u = clamp((int) Math.rint(safeDiv(src[off + e], step)), -4, 3) + 4;
            qs[32 * n + l] |= (byte) ((u & 3) << (2 * j));
            hmask[l] |= (byte) (((u >>> 2) & 1) << (4 * n + j));
        }
        dst.put(hmask);
        dst.put(qs);
        dst.put(KQuantScales.packQ3(sc));
        dst.putShort(Float.floatToFloat16(d));
    }

    @Override
    void decodeBlock(MemorySegment src, long at, float[] dst, int off) {
        float d = f16(src, at + 108);
        for (int n = 0; n < 2; n++) {
            for (int j = 0; j < 4; j++) {
                for (int h = 0; h < 2; h++) {
                    float dl = d * KQuantScales.q3Scale(src, at + 96, 8 * n + 2 * j + h);
                    for (int l = 16 * h; l < 16 * h + 16; l++) {
                        int q = (u8(src, at + 32 + 32 * n + l) >>> (2 * j)) & 3;
                        int high = (u8(src, at + l) >>> (4 * n + j)) & 1;
                        dst[off + 128 * n + 32 * j + l] = dl * (q - (high != 0 ? 0 : 4));
                    }
                }
            }
        }
    }
}
