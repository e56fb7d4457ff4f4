package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q3_K: super-blocks of 256 as 32 bytes of high bits, 64 bytes of 2-bit codes, 12 bytes of
 * sixteen 6-bit scales and F16 d. Value 128n + 32j + l has low bits 2j of code byte 32n + l and
 * high bit 4n + j of byte l (clear means −4), in sub-block 8n + 2j + l/16: value = (d·sc)·q.
 */
final class Q3_KMatrix extends DecodedRowMatrix {
    private static final CodeGroups LAYOUT = new CodeGroups(110,
            CodeGroups.table(16, g -> 32 + 32 * (g / 8) + 16 * (g % 2)), CodeGroups.table(16, g -> 2 * ((g % 8) / 2)), 3,
            CodeGroups.table(16, g -> 16 * (g % 2)), CodeGroups.table(16, g -> 4 * (g / 8) + (g % 8) / 2), 1, 2, -4, false);

    Q3_KMatrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.Q3_K, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst, int off) {
        MemorySegment w = data;
        float[] scale = new float[cols / 16];
        float[] min = new float[cols / 16];
        for (int g = 0; g < cols / 16; g += 16, at += LAYOUT.blockBytes()) {
            float d = f16(w, at + 108);
            // sixteen 6-bit scales: low nibbles in words 0-1 (scales 0-7 low, 8-15 high), top pairs in word 2
            int a0 = w.get(INT_LE, at + 96);
            int a1 = w.get(INT_LE, at + 100);
            int a2 = w.get(INT_LE, at + 104);
            for (int i = 0; i < 4; i++) {
                int top = a2 >>> (8 * i);
                scale[g + i] = d * ((((a0 >>> 8 * i) & 0x0F) | (top & 3) << 4) - 32);
                scale[g + 4 + i] = d * ((((a1 >>> 8 * i) & 0x0F) | ((top >>> 2) & 3) << 4) - 32);
                scale[g + 8 + i] = d * ((((a0 >>> (8 * i + 4)) & 0x0F) | ((top >>> 4) & 3) << 4) - 32);
                scale[g + 12 + i] = d * ((((a1 >>> (8 * i + 4)) & 0x0F) | ((top >>> 6) & 3) << 4) - 32);
            }
        }
        decodeGroups(LAYOUT, at - (long) cols / 256 * LAYOUT.blockBytes(), scale, min, dst, off);
    }
}
