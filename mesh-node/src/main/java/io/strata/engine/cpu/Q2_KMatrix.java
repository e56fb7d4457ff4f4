package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q2_K: super-blocks of 256 as 16 scale/minimum bytes, 64 bytes of 2-bit codes, F16 d and
 * dmin. Value 128n + 32j + l is bits 2j of code byte 32n + l, in sub-block 8n + 2j + l/16:
 * value = (d·sc)·q − dmin·m.
 */
final class Q2_KMatrix extends DecodedRowMatrix {
    private static final CodeGroups LAYOUT = new CodeGroups(84,
            CodeGroups.table(16, g -> 16 + 32 * (g / 8) + 16 * (g % 2)), CodeGroups.table(16, g -> 2 * ((g % 8) / 2)), 3,
            new int[16], new int[16], 0, 0, 0, false);

    Q2_KMatrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.Q2_K, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst, int off) {
        MemorySegment w = data;
        float[] scale = new float[cols / 16];
        float[] min = new float[cols / 16];
        for (int g = 0; g < cols / 16; g += 16, at += LAYOUT.blockBytes()) {
            float d = f16(w, at + 80);
            float dmin = f16(w, at + 82);
            for (int gi = 0; gi < 16; gi++) {
                int sc = w.get(ValueLayout.JAVA_BYTE, at + gi) & 0xFF;
                scale[g + gi] = d * (sc & 0x0F);
                min[g + gi] = dmin * (sc >>> 4);
            }
        }
        decodeGroups(LAYOUT, at - (long) cols / 256 * LAYOUT.blockBytes(), scale, min, dst, off);
    }
}
