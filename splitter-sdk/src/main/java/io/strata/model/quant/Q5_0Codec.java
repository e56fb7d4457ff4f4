package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * ggml's Q5_0: blocks of 32 values as an F16 scale {@code d}, 32 high bits (a little-endian u32,
 * bit j for element j) and 16 bytes of low nibbles (element j low, j+16 high), value = (q − 16)·d.
 * Encoding is ggml's reference: the value of largest magnitude keeps its sign, d = max/−16,
 * q = min(31, trunc(x/d + 16.5)).
 */
final class Q5_0Codec extends BlockCodec {
    static final Q5_0Codec INSTANCE = new Q5_0Codec();

    private Q5_0Codec() {
        super(TensorEncoding.Q5_0);
    }

    @Override
    void encodeBlock(float[] src, int off, ByteBuffer dst) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < 32; j++) {
            float v = src[off + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -16;
        float id = d != 0 ? 1.0f / d : 0.0f;
        dst.putShort(Float.floatToFloat16(d));
        int qh = 0;
        byte[] qs = new byte[16];
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(31, (byte) (int) (src[off + j] * id + 16.5f));
            int q1 = Math.min(31, (byte) (int) (src[off + 16 + j] * id + 16.5f));
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
        int qh = src.get(INT_LE, at + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(src, at + 6 + j);
            int q0 = ((q & 0x0F) | ((qh >>> j) & 1) << 4) - 16;
            int q1 = ((q >>> 4) | ((qh >>> (j + 16)) & 1) << 4) - 16;
            dst[off + j] = q0 * d;
            dst[off + 16 + j] = q1 * d;
        }
    }
}
