package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * ggml's Q6_K: super-blocks of 256 values as 128 bytes of low nibbles, 64 bytes of high bit pairs,
 * sixteen signed 8-bit sub-block scales and an F16 {@code d}. In half n (128 values), value
 * 128n + 32k + l (k 0..3, l 0..31) has its nibble in byte 64n + l + 32(k%2) (low for k < 2, high
 * otherwise) and its high pair at bits 2k of byte 128 + 32n + l; value = (d·sc)·(q − 32) with
 * sc the scale of sub-block 8n + 2k + l/16. Encoding is a plain symmetric one.
 */
final class Q6_KCodec extends BlockCodec {
    static final Q6_KCodec INSTANCE = new Q6_KCodec();

    private Q6_KCodec() {
        super(TensorEncoding.Q6_K);
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
            scale[s] = amax / 32;
            maxScale = Math.max(maxScale, scale[s]);
        }
        float d = asF16(maxScale / 127);
        int[] sc = new int[16];
        for (int s = 0; s < 16; s++) {
            sc[s] = clamp((int) Math.rint(safeDiv(scale[s], d)), -128, 127);
        }
        byte[] ql = new byte[128];
        byte[] qh = new byte[64];
        for (int e = 0; e < 256; e++) {
            int n = e / 128;
            int k = (e % 128) / 32;
            int l = e % 32;
            float step = d * sc[e / 16];
            int u = clamp((int) Math.rint(safeDiv(src[off + e], step)), -32, 31) + 32;
            int at = 64 * n + l + 32 * (k % 2);
            ql[at] |= (byte) (k < 2 ? u & 0x0F : (u & 0x0F) << 4);
            qh[32 * n + l] |= (byte) (((u >>> 4) & 3) << (2 * k));
        }
        dst.put(ql);
        dst.put(qh);
        for (int s = 0; s < 16; s++) {
            dst.put((byte) sc[s]);
        }
        dst.putShort(Float.floatToFloat16(d));
    }

    @Override
    void decodeBlock(MemorySegment src, long at, float[] dst, int off) {
        float d = f16(src, at + 208);
        for (int n = 0; n < 2; n++) {
            for (int k = 0; k < 4; k++) {
                for (int h = 0; h < 2; h++) {
                    float dl = d * src.get(ValueLayout.JAVA_BYTE, at + 192 + 8 * n + 2 * k + h);
                    for (int l = 16 * h; l < 16 * h + 16; l++) {
                        int nibbles = u8(src, at + 64 * n + l + 32 * (k % 2));
                        int low = k < 2 ? nibbles & 0x0F : nibbles >>> 4;
                        int high = (u8(src, at + 128 + 32 * n + l) >>> (2 * k)) & 3;
                        dst[off + 128 * n + 32 * k + l] = dl * ((low | high << 4) - 32);
                    }
                }
            }
        }
    }
}
