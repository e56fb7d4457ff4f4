package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q6_K: super-blocks of 256 as 128 bytes of low nibbles, 64 bytes of high bit pairs, sixteen
 * signed 8-bit scales and F16 d. In half n, value 128n + 32k + l has its nibble in byte
 * 64n + l + 32(k % 2) (low for k < 2) and its high pair at bits 2k of byte 128 + 32n + l, in
 * sub-block 8n + 2k + l/16: value = (d·sc)·(q − 32).
 */
final class Q6_KMatrix extends DecodedRowMatrix {
    Q6_KMatrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.Q6_K, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst) {
        MemorySegment w = data;
        for (int o = 0; o < cols; o += 256, at += 210) {
            float d = f16(w, at + 208);
            for (int n = 0; n < 2; n++) {
                for (int k = 0; k < 4; k++) {
                    for (int h = 0; h < 2; h++) {
                        FloatVector dl = FloatVector.broadcast(F, d * w.get(ValueLayout.JAVA_BYTE, at + 192 + 8 * n + 2 * k + h));
                        for (int kk = 0; kk < 16; kk += L) {
                            int l = 16 * h + kk;
                            IntVector nibbles = bytes(w, at + 64 * n + l + 32 * (k % 2));
                            IntVector low = k < 2 ? nibbles.and(0x0F) : nibbles.lanewise(VectorOperators.LSHR, 4);
                            IntVector high = bytes(w, at + 128 + 32 * n + l).lanewise(VectorOperators.LSHR, 2 * k).and(3);
                            floats(low.or(high.lanewise(VectorOperators.LSHL, 4)).sub(32)).mul(dl)
                                    .intoArray(dst, o + 128 * n + 32 * k + l);
                        }
                    }
                }
            }
        }
    }
}
