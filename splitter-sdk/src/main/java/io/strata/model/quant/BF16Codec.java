package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * bfloat16: the top half of a float, rounded to nearest even; NaNs stay NaN (made quiet),
 * as ggml's ggml_compute_fp32_to_bf16 and PyTorch do.
 */
public final class BF16Codec implements RowCodec {
    static final BF16Codec INSTANCE = new BF16Codec();
    private static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BF16Codec() {
    }

    /** The bfloat16 bits nearest to {@code f}. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            // Rounding could carry a NaN's payload into infinity, so truncate and force the quiet bit.
            return (short) ((bits >>> 16) | 64);
        }
        return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
    }

    public static float toFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }

    @Override
    public TensorEncoding encoding() {
        return TensorEncoding.BF16;
    }

    @Override
    public void encode(float[] src, int off, int count, ByteBuffer dst) {
        RowCodec.checkCount(TensorEncoding.BF16, src, off, count);
        ByteBuffer le = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            le.putShort(fromFloat(src[off + i]));
        }
        dst.position(le.position());
    }

    @Override
    public void decode(MemorySegment src, long byteOffset, float[] dst, int off, int count) {
        RowCodec.checkCount(TensorEncoding.BF16, dst, off, count);
        for (int i = 0; i < count; i++) {
            dst[off + i] = toFloat(src.get(LE, byteOffset + 2L * i));
        }
    }
}
