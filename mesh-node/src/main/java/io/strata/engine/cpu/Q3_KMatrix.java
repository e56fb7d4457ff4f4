package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import io.strata.model.quant.KQuantScales;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * GGML Q3_K: super-blocks of 256 as 32 bytes of high bits, 64 bytes of 2-bit codes, 12 bytes of
 * sixteen 6-bit scales and F16 d. Value 128n + 32j + l has low bits 2j of code byte 32n + l and
 * high bit 4n + j of byte l (clear means −4), in sub-block 8n + 2j + l/16: value = (d·sc)·q.
 */
final class Q3_KMatrix extends DecodedRowMatrix {
    Q3_KMatrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.Q3_K, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst) {
        MemorySegment w = data;
        for (int o = 0; o < cols; o += 256, at += 110) {
            float d = f16(w, at + 108);
            for (int n = 0; n < 2; n++) {
                for (int j = 0; j < 4; j++) {
                    for (int h = 0; h < 2; h++) {
                        FloatVector dl = FloatVector.broadcast(F, d * KQuantScales.q3Scale(w, at + 96, 8 * n + 2 * j + h));
                        for (int k = 0; k < 16; k += L) {
                            int l = 16 * h + k;
                            IntVector low = bytes(w, at + 32 + 32 * n + l).lanewise(VectorOperators.LSHR, 2 * j).and(3);
                            IntVector high = bytes(w, at + l).lanewise(VectorOperators.LSHR, 4 * n + j).and(1);
                            floats(low.or(high.lanewise(VectorOperators.LSHL, 2)).sub(4)).mul(dl)
                                    .intoArray(dst, o + 128 * n + 32 * j + l);
                        }
                    }
                }
            }
        }
    }
}
