package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
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
    void decodeRow(long at, float[] dst, int off) {
        MemorySegment w = data;
        for (int o = 0; o < cols; o += 256, at += 144) {
            float d = f16(w, at);
            float dmin = f16(w, at + 2);
            // the 12 scale bytes as three words: 6-bit scales (0-3), minimums (4-7), low nibbles of 4-7
            int a0 = w.get(INT_LE, at + 4);
            int a1 = w.get(INT_LE, at + 8);
            int a2 = w.get(INT_LE, at + 12);
            for (int c = 0; c < 4; c++) {
                float d1 = d * scaleK4(a0, a2, 2 * c);
                float m1 = dmin * minK4(a1, a2, 2 * c);
                float d2 = d * scaleK4(a0, a2, 2 * c + 1);
                float m2 = dmin * minK4(a1, a2, 2 * c + 1);
                for (int k = 0; k < 32; k += L) {
                    IntVector p = bytes(w, at + 16 + 32 * c + k);
                    floats(p.and(0x0F)).mul(d1).sub(m1).intoArray(dst, off + o + 64 * c + k);
                    floats(p.lanewise(VectorOperators.LSHR, 4)).mul(d2).sub(m2).intoArray(dst, off + o + 64 * c + 32 + k);
                }
            }
        }
    }

    /** Scale j (0..7) of Q4_K/Q5_K's packed scales, given their first and third words. */
    static int scaleK4(int a0, int a2, int j) {
        return j < 4 ? (a0 >>> 8 * j) & 63 : ((a2 >>> 8 * (j - 4)) & 0x0F) | ((a0 >>> (8 * (j - 4) + 6)) & 3) << 4;
    }

    /** Minimum j (0..7) of Q4_K/Q5_K's packed scales, given their second and third words. */
    static int minK4(int a1, int a2, int j) {
        return j < 4 ? (a1 >>> 8 * j) & 63 : ((a2 >>> (8 * (j - 4) + 4)) & 0x0F) | ((a1 >>> (8 * (j - 4) + 6)) & 3) << 4;
    }
}
