package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * ggml's Q5_1: blocks of 32 values as an F16 scale {@code d}, an F16 minimum {@code m}, 32 high
 * bits (little-endian u32) and 16 bytes of low nibbles, value = q·d + m. Encoding is ggml's
 * reference: d = (max − min)/31, q = min(31, trunc((x − min)/d + 0.5)).
 */
final class Q5_1Codec extends BlockCodec {
    static final Q5_1Codec INSTANCE = new Q5_1Codec();

    private Q5_1Codec() {
        super(TensorEncoding.Q5_1);
    }

    @Override
    void encodeBlock(float[] src, int off, ByteBuffer dst) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, src[off + j]);
            max = Math.max(max, src[off + j]);
        }
        float d = (max - min) / 31;
        float id = d != 0 ? 1.0f / d : 0.0f;
        dst.putShort(Float.floatToFloat16(d));
        dst.putShort(Float.floatToFloat16(min));
        int qh = 0;
        byte[] qs = new byte[16];
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(31, (int) ((src[off + j] - min) * id + 0.5f));
            int q1 = Math.min(31, (int) ((src[off + 16 + j] - min) * id + 0.5f));
            qs[j] = (byte) ((q0 & 0x0F) | (q1 & 0x0F) << 4);
            qh |= ((q0 >>> 4) & 1) << j;
            qh |= ((q1 >>> 4) & 1) << (j + 16);
        }
        dst.putInt(qh);
        dst.put(qs);
    }

    @Override
    void decodeBlock(MemorySegment src, long at, float[] dst, int off) {
        float d = f16(src, at);
        float m = f16(src, at + 2);
        int qh = src.get(INT_LE, at + 4);
        for (int j = 0; j < 16; j++) {
            int q = u8(src, at + 8 + j);
            int q0 = (q & 0x0F) | ((qh >>> j) & 1) << 4;
            int q1 = (q >>> 4) | ((qh >>> (j + 16)) & 1) << 4;
            dst[off + j] = q0 * d + m;
            dst[off + 16 + j] = q1 * d + m;
        }
    }
}
