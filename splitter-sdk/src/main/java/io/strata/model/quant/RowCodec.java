package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Converts rows of floats to one {@link TensorEncoding}'s bytes and back, exactly as ggml's
 * reference code does, so a file written here reads the same in llama.cpp.
 *
 * <p>Counts are in elements and must be whole blocks ({@link TensorEncoding#blockSize()}).
 * Bytes are little-endian whatever the buffer's order.
 */
public interface RowCodec {
    TensorEncoding encoding();

    /** Encodes {@code src[off .. off+count)} at {@code dst}'s position and advances it. */
    void encode(float[] src, int off, int count, ByteBuffer dst);

    /** Decodes {@code count} elements stored from {@code byteOffset} of {@code src} into {@code dst[off ..]}. */
    void decode(MemorySegment src, long byteOffset, float[] dst, int off, int count);

    /** The codec for {@code encoding}. */
    static RowCodec of(TensorEncoding encoding) {
        return switch (encoding) {
            case F32 -> F32Codec.INSTANCE;
            case F16 -> F16Codec.INSTANCE;
            case BF16 -> BF16Codec.INSTANCE;
            case Q8_0 -> Q8_0Codec.INSTANCE;
            case Q4_0 -> Q4_0Codec.INSTANCE;
            case Q4_1 -> Q4_1Codec.INSTANCE;
            case Q5_0 -> Q5_0Codec.INSTANCE;
            case Q5_1 -> Q5_1Codec.INSTANCE;
            case Q2_K -> Q2_KCodec.INSTANCE;
            case Q3_K -> Q3_KCodec.INSTANCE;
            case Q4_K -> Q4_KCodec.INSTANCE;
            case Q5_K -> Q5_KCodec.INSTANCE;
            case Q6_K -> Q6_KCodec.INSTANCE;
            case IQ4_NL -> IQ4_NLCodec.INSTANCE;
            case IQ4_XS -> IQ4_XSCodec.INSTANCE;
        };
    }

    /** Fails unless {@code count} is a whole number of blocks and fits its arrays. */
    static void checkCount(TensorEncoding encoding, float[] array, int off, int count) {
        if (count < 0 || count % encoding.blockSize() != 0) {
            throw new IllegalArgumentException(encoding + " works in blocks of " + encoding.blockSize()
                    + " elements; " + count + " is not a multiple");
        }
        if (off < 0 || off > array.length - count) {
            throw new IllegalArgumentException("elements [" + off + ", " + (off + (long) count)
                    + ") do not fit an array of " + array.length);
        }
    }
}
