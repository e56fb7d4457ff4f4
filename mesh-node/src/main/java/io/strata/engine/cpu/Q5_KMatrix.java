package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * GGML Q5_K: Q4_K's layout with 32 bytes of fifth bits before the nibbles (value 64c + l takes bit
 * 2c of byte l, value 64c + 32 + l bit 2c + 1); value = (d·sc)·q − dmin·m.
 */
final class Q5_KMatrix extends DecodedRowMatrix {
    Q5_KMatrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.Q5_K, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst, int off) {
        MemorySegment w = data;
        for (int o = 0; o < cols; o += 256, at += 176) {
            float d = f16(w, at);
            float dmin = f16(w, at + 2);
            int a0 = w.get(INT_LE, at + 4);
            int a1 = w.get(INT_LE, at + 8);
            int a2 = w.get(INT_LE, at + 12);
            for (int c = 0; c < 4; c++) {
                float d1 = d * Q4_KMatrix.scaleK4(a0, a2, 2 * c);
                float m1 = dmin * Q4_KMatrix.minK4(a1, a2, 2 * c);
                float d2 = d * Q4_KMatrix.scaleK4(a0, a2, 2 * c + 1);
                float m2 = dmin * Q4_KMatrix.minK4(a1, a2, 2 * c + 1);
                for (int k = 0; k < 32; k += L) {
                    IntVector p = bytes(w, at + 48 + 32 * c + k);
                    IntVector h = bytes(w, at + 16 + k);
                    IntVector lowFifth = h.lanewise(VectorOperators.LSHR, 2 * c).and(1).lanewise(VectorOperators.LSHL, 4);
                    IntVector highFifth = h.lanewise(VectorOperators.LSHR, 2 * c + 1).and(1).lanewise(VectorOperators.LSHL, 4);
                    floats(p.and(0x0F).or(lowFifth)).mul(d1).sub(m1).intoArray(dst, off + o + 64 * c + k);
                    floats(p.lanewise(VectorOperators.LSHR, 4).or(highFifth)).mul(d2).sub(m2).intoArray(dst, off + o + 64 * c + 32 + k);
                }
            }
        }
    }
}
