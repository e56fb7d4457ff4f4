package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML IQ4_XS: super-blocks of 256 as F16 d, the high 2 bits of eight 6-bit scales (u16), their
 * low 4 bits (4 bytes), then eight IQ4_NL-style runs of 16 code bytes; value = d·(ls − 32)·level(q).
 */
final class IQ4_XSMatrix extends DecodedRowMatrix {
    private static final CodeGroups LAYOUT = new CodeGroups(136,
            CodeGroups.table(16, g -> 8 + 16 * (g / 2)), CodeGroups.table(16, g -> 4 * (g % 2)), 0x0F,
            new int[16], new int[16], 0, 0, 0, true);

    IQ4_XSMatrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.IQ4_XS, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst, int off) {
        MemorySegment w = data;
        float[] scale = new float[cols / 16];
        float[] min = new float[cols / 16];
        for (int g = 0; g < cols / 16; g += 16, at += LAYOUT.blockBytes()) {
            float d = f16(w, at);
            int scalesHigh = w.get(SHORT_LE, at + 2) & 0xFFFF;
            for (int gi = 0; gi < 16; gi++) {
                int ib = gi / 2;
                int low = (w.get(ValueLayout.JAVA_BYTE, at + 4 + ib / 2) >>> (4 * (ib % 2))) & 0x0F;
                scale[g + gi] = d * ((low | ((scalesHigh >>> (2 * ib)) & 3) << 4) - 32);
            }
        }
        decodeGroups(LAYOUT, at - (long) cols / 256 * LAYOUT.blockBytes(), scale, min, dst, off);
    }
}
