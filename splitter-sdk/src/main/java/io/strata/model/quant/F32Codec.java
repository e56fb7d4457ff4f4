package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Plain little-endian IEEE-754 single precision. */
public final class F32Codec implements RowCodec {
    static final F32Codec INSTANCE = new F32Codec();
    private static final ValueLayout.OfFloat LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private F32Codec() {
    }

    @Override
    public TensorEncoding encoding() {
        return TensorEncoding.F32;
    }

    @Override
    public void encode(float[] src, int off, int count, ByteBuffer dst) {
        RowCodec.checkCount(TensorEncoding.F32, src, off, count);
        ByteBuffer le = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        le.asFloatBuffer().put(src, off, count);
        dst.position(dst.position() + 4 * count);
    }

    @Override
    public void decode(MemorySegment src, long byteOffset, float[] dst, int off, int count) {
        RowCodec.checkCount(TensorEncoding.F32, dst, off, count);
        for (int i = 0; i < count; i++) {
            dst[off + i] = src.get(LE, byteOffset + 4L * i);
        }
    }
}
