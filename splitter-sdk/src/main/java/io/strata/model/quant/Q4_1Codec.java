package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * ggml's Q4_1: blocks of 32 values as an F16 scale {@code d}, an F16 minimum {@code m} and 16 bytes
 * of 4-bit codes, value = q·d + m; byte j holds element j low and element j+16 high. Encoding is
 * ggml's reference: d = (max − min)/15, q = min(15, trunc((x − min)/d + 0.5)).
 */
final class Q4_1Codec extends BlockCodec {
    static final Q4_1Codec INSTANCE = new Q4_1Codec();

    private Q4_1Codec() {
        super(TensorEncoding.Q4_1);
    }

    @Override
    void encodeBlock(float[] src, int off, ByteBuffer dst) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, src[off + j]);
            max = Math.max(max, src[off + j]);
        }
        float d = (max - min) / 15;
        float id = d != 0 ? 1.0f / d : 0.0f;
        dst.putShort(Float.floatToFloat16(d));
        dst.putShort(Float.floatToFloat16(min));
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (int) ((src[off + j] - min) * id + 0.5f));
            int q1 = Math.min(15, (int) ((src[off + 16 + j] - min) * id + 0.5f));
            dst.put((byte) (q0 | q1 << 4));
        }
    }

    @Override
    void decodeBlock(MemorySegment src, long at, float[] dst, int off) {
        float d = f16(src, at);
        float m = f16(src, at + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(src, at + 4 + j);
            dst[off + j] = (q & 0x0F) * d + m;
            dst[off + 16 + j] = (q >>> 4) * d + m;
        }
    }
}
