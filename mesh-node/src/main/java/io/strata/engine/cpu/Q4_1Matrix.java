package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/** GGML Q4_1: blocks of 32 as F16 d, F16 m, 16 bytes of nibbles (value j low, j + 16 high); value = q·d + m. */
final class Q4_1Matrix extends DecodedRowMatrix {
    Q4_1Matrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.Q4_1, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst, int off) {
        MemorySegment w = data;
        for (int o = 0; o < cols; o += 32, at += 20) {
            FloatVector d = FloatVector.broadcast(F, f16(w, at));
            FloatVector m = FloatVector.broadcast(F, f16(w, at + 2));
            for (int k = 0; k < 16; k += L) {
                IntVector p = bytes(w, at + 4 + k);
                floats(p.and(0x0F)).mul(d).add(m).intoArray(dst, off + o + k);
                floats(p.lanewise(VectorOperators.LSHR, 4)).mul(d).add(m).intoArray(dst, off + o + 16 + k);
            }
        }
    }
}
