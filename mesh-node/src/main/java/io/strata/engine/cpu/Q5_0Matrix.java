package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * GGML Q5_0: blocks of 32 as F16 d, 32 fifth bits (u32, bit j for value j), 16 bytes of nibbles
 * (value j low, j + 16 high); value = (q − 16)·d.
 */
final class Q5_0Matrix extends DecodedRowMatrix {
    Q5_0Matrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.Q5_0, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst, int off) {
        MemorySegment w = data;
        for (int o = 0; o < cols; o += 32, at += 22) {
            FloatVector d = FloatVector.broadcast(F, f16(w, at));
            int qh = w.get(INT_LE, at + 2);
            for (int k = 0; k < 16; k += L) {
                IntVector p = bytes(w, at + 6 + k);
                floats(p.and(0x0F).or(bit4(qh, k)).sub(16)).mul(d).intoArray(dst, off + o + k);
                floats(p.lanewise(VectorOperators.LSHR, 4).or(bit4(qh, 16 + k)).sub(16)).mul(d).intoArray(dst, off + o + 16 + k);
            }
        }
    }
}
