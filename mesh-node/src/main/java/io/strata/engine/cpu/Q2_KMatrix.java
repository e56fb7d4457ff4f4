package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q2_K: super-blocks of 256 as 16 scale/minimum bytes, 64 bytes of 2-bit codes, F16 d and
 * dmin. Value 128n + 32j + l is bits 2j of code byte 32n + l, in sub-block 8n + 2j + l/16:
 * value = (d·sc)·q − dmin·m.
 */
final class Q2_KMatrix extends DecodedRowMatrix {
    Q2_KMatrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.Q2_K, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst) {
        MemorySegment w = data;
        for (int o = 0; o < cols; o += 256, at += 84) {
            float d = f16(w, at + 80);
            float dmin = f16(w, at + 82);
            for (int n = 0; n < 2; n++) {
                for (int j = 0; j < 4; j++) {
                    for (int h = 0; h < 2; h++) {
                        int sc = w.get(ValueLayout.JAVA_BYTE, at + 8 * n + 2 * j + h) & 0xFF;
                        FloatVector dl = FloatVector.broadcast(F, d * (sc & 0x0F));
                        FloatVector ml = FloatVector.broadcast(F, dmin * (sc >>> 4));
                        for (int k = 0; k < 16; k += L) {
                            int l = 16 * h + k;
                            floats(bytes(w, at + 16 + 32 * n + l).lanewise(VectorOperators.LSHR, 2 * j).and(3))
                                    .mul(dl).sub(ml).intoArray(dst, o + 128 * n + 32 * j + l);
                        }
                    }
                }
            }
        }
    }
}
