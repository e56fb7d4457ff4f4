package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A codec that works one block at a time: the row loop, the count checks and the little-endian
 * view are here, each encoding supplies how one block is packed and unpacked.
 */
abstract class BlockCodec implements RowCodec {
    static final ValueLayout.OfShort F16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final TensorEncoding encoding;

    BlockCodec(TensorEncoding encoding) {
        this.encoding = encoding;
    }

    @Override
    public final TensorEncoding encoding() {
        return encoding;
    }

    /** Packs {@code src[off .. off + blockSize)} at {@code dst}'s position (little-endian) and advances it. */
    abstract void encodeBlock(float[] src, int off, ByteBuffer dst);

    /** Unpacks the block at {@code at} into {@code dst[off .. off + blockSize)}. */
    abstract void decodeBlock(MemorySegment src, long at, float[] dst, int off);

    @Override
    public final void encode(float[] src, int off, int count, ByteBuffer dst) {
        RowCodec.checkCount(encoding, src, off, count);
        ByteBuffer le = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int b = off; b < off + count; b += encoding.blockSize()) {
            encodeBlock(src, b, le);
        }
        dst.position(le.position());
    }

    @Override
    public final void decode(MemorySegment src, long byteOffset, float[] dst, int off, int count) {
        RowCodec.checkCount(encoding, dst, off, count);
        long p = byteOffset;
        for (int b = off; b < off + count; b += encoding.blockSize()) {
            decodeBlock(src, p, dst, b);
            p += encoding.blockBytes();
        }
    }

    static float f16(MemorySegment src, long at) {
        return Float.float16ToFloat(src.get(F16_LE, at));
    }

    static int u8(MemorySegment src, long at) {
        return src.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    /** A float rounded to F16 and back: the scale a decoder will actually see. */
    static float asF16(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    /** {@code a / b}, or 0 where {@code b} is 0 (an all-zero block quantises to zeros). */
    static float safeDiv(float a, float b) {
        return b != 0 ? a / b : 0f;
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
