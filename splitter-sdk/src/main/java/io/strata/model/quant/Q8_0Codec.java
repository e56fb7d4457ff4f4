package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ggml's Q8_0: blocks of 32 values as an F16 scale {@code d} and 32 signed bytes, value = q·d.
 * Encoding follows {@code quantize_row_q8_0_ref} in ggml-quants.c step for step:
 * d = amax/127, id = d ? 1/d : 0, q = roundf(x·id).
 */
public final class Q8_0Codec implements RowCodec {
    static final Q8_0Codec INSTANCE = new Q8_0Codec();
    private static final int QK = 32;
    private static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Q8_0Codec() {
    }

    @Override
    public TensorEncoding encoding() {
        return TensorEncoding.Q8_0;
    }

    @Override
    public void encode(float[] src, int off, int count, ByteBuffer dst) {
        RowCodec.checkCount(TensorEncoding.Q8_0, src, off, count);
        ByteBuffer le = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int b = off; b < off + count; b += QK) {
            float amax = 0.0f;
            for (int j = 0; j < QK; j++) {
                float v = Math.abs(src[b + j]);
                amax = amax > v ? amax : v; // ggml's MAX(amax, fabsf(v)), NaN handling included
            }
            float d = amax / 127;
            float id = d != 0.0f ? 1.0f / d : 0.0f;
            le.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < QK; j++) {
                le.put((byte) roundHalfAwayFromZero(src[b + j] * id));
            }
        }
        dst.position(le.position());
    }

    /** C's roundf: halves go away from zero (Math.round sends -2.5 to -2). */
    static int roundHalfAwayFromZero(float x) {
        // In double, |x| + 0.5 is exact for every float below 2^29, so no early rounding sneaks in.
        double r = Math.floor(Math.abs((double) x) + 0.5);
        return (int) (x < 0 ? -r : r);
    }

    @Override
    public void decode(MemorySegment src, long byteOffset, float[] dst, int off, int count) {
        RowCodec.checkCount(TensorEncoding.Q8_0, dst, off, count);
        long p = byteOffset;
        for (int b = off; b < off + count; b += QK) {
            float d = Float.float16ToFloat(src.get(LE, p));
            for (int j = 0; j < QK; j++) {
                dst[b + j] = src.get(ValueLayout.JAVA_BYTE, p + 2 + j) * d;
            }
            p += TensorEncoding.Q8_0.blockBytes();
        }
    }
}
