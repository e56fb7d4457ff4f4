package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import io.strata.model.quant.KQuantScales;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * GGML Q4_K: super-blocks of 256 as F16 d and dmin, 12 bytes of 6-bit scales and minimums, 128
 * bytes of nibbles (byte 32c + l: value 64c + l low, 64c + 32 + l high); value = (d·sc)·q − dmin·m.
 */
final class Q4_KMatrix extends DecodedRowMatrix {
    Q4_KMatrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.Q4_K, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst) {
        MemorySegment w = data;
        for (int o = 0; o < cols; o += 256, at += 144) {
            float d = f16(w, at);
            float dmin = f16(w, at + 2);
            for (int c = 0; c < 4; c++) {
                FloatVector d1 = FloatVector.broadcast(F, d * KQuantScales.k4Scale(w, at + 4, 2 * c));
                FloatVector m1 = FloatVector.broadcast(F, dmin * KQuantScales.k4Min(w, at + 4, 2 * c));
                FloatVector d2 = FloatVector.broadcast(F, d * KQuantScales.k4Scale(w, at + 4, 2 * c + 1));
                FloatVector m2 = FloatVector.broadcast(F, dmin * KQuantScales.k4Min(w, at + 4, 2 * c + 1));
                for (int k = 0; k < 32; k += L) {
                    IntVector p = bytes(w, at + 16 + 32 * c + k);
                    floats(p.and(0x0F)).mul(d1).sub(m1).intoArray(dst, o + 64 * c + k);
                    floats(p.lanewise(VectorOperators.LSHR, 4)).mul(d2).sub(m2).intoArray(dst, o + 64 * c + 32 + k);
                }
            }
        }
    }
}
