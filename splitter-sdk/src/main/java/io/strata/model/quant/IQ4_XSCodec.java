package io.strata.model.quant;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * ggml's IQ4_XS: super-blocks of 256 values as an F16 scale {@code d}, the high 2 bits of eight
 * 6-bit sub-block scales (u16), their low 4 bits (4 bytes, two per byte), then eight runs of 16
 * bytes of codes into {@link NonLinearCodebook} laid out as IQ4_NL's; value = d·(ls − 32)·level(q).
 * Encoding is a plain one: each sub-block's ideal scale maps its extreme value to level −127,
 * d spreads those scales over ±31 steps, and each value takes the nearest level.
 */
final class IQ4_XSCodec extends BlockCodec {
    static final IQ4_XSCodec INSTANCE = new IQ4_XSCodec();

    private IQ4_XSCodec() {
        super(TensorEncoding.IQ4_XS);
    }

    @Override
    void encodeBlock(float[] src, int off, ByteBuffer dst) {
        float[] ideal = new float[8];
        float maxScale = 0;
        for (int ib = 0; ib < 8; ib++) {
            float amax = 0;
            float max = 0;
            for (int j = 0; j < 32; j++) {
                float v = src[off + 32 * ib + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            ideal[ib] = max / -127;
            maxScale = Math.max(maxScale, Math.abs(ideal[ib]));
        }
        float d = asF16(maxScale / 31);
        int scalesHigh = 0;
        byte[] scalesLow = new byte[4];
        byte[] qs = new byte[128];
        for (int ib = 0; ib < 8; ib++) {
            int ls = clamp((int) Math.rint(safeDiv(ideal[ib], d)), -32, 31) + 32;
            scalesLow[ib / 2] |= (byte) ((ls & 0x0F) << (4 * (ib % 2)));
            scalesHigh |= (ls >>> 4) << (2 * ib);
            float dl = d * (ls - 32);
            for (int j = 0; j < 16; j++) {
                int q0 = NonLinearCodebook.nearest(safeDiv(src[off + 32 * ib + j], dl));
                int q1 = NonLinearCodebook.nearest(safeDiv(src[off + 32 * ib + 16 + j], dl));
                qs[16 * ib + j] = (byte) (q0 | q1 << 4);
            }
        }
        dst.putShort(Float.floatToFloat16(d));
        dst.putShort((short) scalesHigh);
        dst.put(scalesLow);
        dst.put(qs);
    }

    @Override
    void decodeBlock(MemorySegment src, long at, float[] dst, int off) {
        float d = f16(src, at);
        int scalesHigh = src.get(F16_LE, at + 2) & 0xFFFF;
        for (int ib = 0; ib < 8; ib++) {
            int ls = ((u8(src, at + 4 + ib / 2) >>> (4 * (ib % 2))) & 0x0F) | ((scalesHigh >>> (2 * ib)) & 3) << 4;
            float dl = d * (ls - 32);
            for (int j = 0; j < 16; j++) {
                int q = u8(src, at + 8 + 16 * ib + j);
                dst[off + 32 * ib + j] = dl * NonLinearCodebook.level(q & 0x0F);
                dst[off + 32 * ib + 16 + j] = dl * NonLinearCodebook.level(q >>> 4);
            }
        }
    }
}
