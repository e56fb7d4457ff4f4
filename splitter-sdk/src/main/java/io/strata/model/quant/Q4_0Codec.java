package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ggml's Q4_0: blocks of 32 values as an F16 scale {@code d} and 16 bytes of 4-bit codes,
 * value = (q − 8)·d. Byte j holds element j in its low nibble and element j+16 in its high one.
 * Encoding follows {@code quantize_row_q4_0_ref} in ggml-quants.c step for step: the value of
 * largest magnitude keeps its sign, d = max/−8, q = min(15, (int8)(x·id + 8.5)).
 */
public final class Q4_0Codec implements RowCodec {
    static final Q4_0Codec INSTANCE = new Q4_0Codec();
    private static final int QK = 32;
    private static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Q4_0Codec() {
    }

    @Override
    public TensorEncoding encoding() {
        return TensorEncoding.Q4_0;
    }

    @Override
    public void encode(float[] src, int off, int count, ByteBuffer dst) {
        RowCodec.checkCount(TensorEncoding.Q4_0, src, off, count);
        ByteBuffer le = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int b = off; b < off + count; b += QK) {
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < QK; j++) {
                float v = src[b + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0.0f ? 1.0f / d : 0.0f;
            le.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, (byte) (int) (src[b + j] * id + 8.5f));
                int q1 = Math.min(15, (byte) (int) (src[b + QK / 2 + j] * id + 8.5f));
                le.put((byte) (q0 | (q1 << 4)));
            }
        }
        dst.position(le.position());
    }

    @Override
    public void decode(MemorySegment src, long byteOffset, float[] dst, int off, int count) {
        RowCodec.checkCount(TensorEncoding.Q4_0, dst, off, count);
        long p = byteOffset;
        for (int b = off; b < off + count; b += QK) {
            float d = Float.float16ToFloat(src.get(LE, p));
            for (int j = 0; j < QK / 2; j++) {
                int q = src.get(ValueLayout.JAVA_BYTE, p + 2 + j) & 0xff;
                dst[b + j] = ((q & 0x0f) - 8) * d;
                dst[b + QK / 2 + j] = ((q >>> 4) - 8) * d;
            }
            p += TensorEncoding.Q4_0.blockBytes();
        }
    }
}
