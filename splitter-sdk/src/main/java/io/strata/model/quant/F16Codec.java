package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** IEEE-754 half precision, rounded to nearest even as ggml's GGML_FP32_TO_FP16 does. */
public final class F16Codec implements RowCodec {
    static final F16Codec INSTANCE = new F16Codec();
    private static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private F16Codec() {
    }

    @Override
    public TensorEncoding encoding() {
        return TensorEncoding.F16;
    }

    @Override
    public void encode(float[] src, int off, int count, ByteBuffer dst) {
        RowCodec.checkCount(TensorEncoding.F16, src, off, count);
        ByteBuffer le = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            le.putShort(Float.floatToFloat16(src[off + i]));
        }
        dst.position(le.position());
    }

    @Override
    public void decode(MemorySegment src, long byteOffset, float[] dst, int off, int count) {
        RowCodec.checkCount(TensorEncoding.F16, dst, off, count);
        for (int i = 0; i < count; i++) {
            dst[off + i] = Float.float16ToFloat(src.get(LE, byteOffset + 2L * i));
        }
    }
}
