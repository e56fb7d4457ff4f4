package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * ggml's IQ4_NL: blocks of 32 values as an F16 scale {@code d} and 16 bytes of 4-bit codes into
 * {@link NonLinearCodebook} (element j low, j+16 high), value = d·level(q). Encoding is a plain
 * one, not ggml's scale search: the value of largest magnitude maps to level −127, every other to
 * the nearest level.
 */
final class IQ4_NLCodec extends BlockCodec {
    static final IQ4_NLCodec INSTANCE = new IQ4_NLCodec();

    private IQ4_NLCodec() {
        super(TensorEncoding.IQ4_NL);
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
        float d = asF16(max / -127);
        dst.putShort(Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int q0 = NonLinearCodebook.nearest(safeDiv(src[off + j], d));
            int q1 = NonLinearCodebook.nearest(safeDiv(src[off + 16 + j], d));
            dst.put((byte) (q0 | q1 << 4));
        }
    }

    @Override
    void decodeBlock(MemorySegment src, long at, float[] dst, int off) {
        float d = f16(src, at);
        for (int j = 0; j < 16; j++) {
            int q = u8(src, at + 2 + j);
            dst[off + j] = d * NonLinearCodebook.level(q & 0x0F);
            dst[off + 16 + j] = d * NonLinearCodebook.level(q >>> 4);
        }
    }
}
