package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
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

    /**
     * One quarter of every half super-block per pass (values 32q .. 32q + 31 of each half): a
     * pass holds few enough vector operations for the JIT to inline them all, where one pass over
     * all four quarters does not, and every vector it leaves behind a call is allocated on the heap.
     */
    @Override
    void decodeRow(long at, float[] dst, int off) {
        for (int q = 0; q < 4; q++) {
            decodeQuarter(at, q, dst, off);
        }
    }

    private void decodeQuarter(long row, int q, float[] dst, int off) {
        MemorySegment w = data;
        int nibbleShift = 4 * (q / 2);
        int pairShift = 2 * q;
        long at = row;
        for (int o = 0; o < cols; o += 256, at += 210) {
            float d = f16(w, at + 208);
            for (int i = 0; i < 64; i += L) {
                int n = i / 32;
                int l = i % 32;
                float scale = d * w.get(ValueLayout.JAVA_BYTE, at + 192 + 8 * n + 2 * q + l / 16);
                IntVector nibbles = bytes(w, at + 64 * n + 32 * (q % 2) + l).lanewise(VectorOperators.LSHR, nibbleShift).and(0x0F);
                IntVector pairs = bytes(w, at + 128 + 32 * n + l).lanewise(VectorOperators.LSHR, pairShift).and(3);
                floats(nibbles.or(pairs.lanewise(VectorOperators.LSHL, 4)).sub(32)).mul(scale)
                        .intoArray(dst, off + o + 128 * n + 32 * q + l);
            }
        }
    }
}
