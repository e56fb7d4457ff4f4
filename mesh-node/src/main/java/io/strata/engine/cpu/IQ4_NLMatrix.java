package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/** GGML IQ4_NL: blocks of 32 as F16 d and 16 bytes of codebook indexes (value j low, j + 16 high); value = d·level(q). */
final class IQ4_NLMatrix extends DecodedRowMatrix {
    IQ4_NLMatrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.IQ4_NL, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst, int off) {
        MemorySegment w = data;
        for (int o = 0; o < cols; o += 32, at += 18) {
            FloatVector d = FloatVector.broadcast(F, f16(w, at));
            for (int k = 0; k < 16; k += L) {
                IntVector p = bytes(w, at + 2 + k);
                levels(p.and(0x0F)).mul(d).intoArray(dst, off + o + k);
                levels(p.lanewise(VectorOperators.LSHR, 4)).mul(d).intoArray(dst, off + o + 16 + k);
            }
        }
    }
}
