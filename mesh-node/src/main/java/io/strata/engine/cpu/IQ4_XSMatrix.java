package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML IQ4_XS: super-blocks of 256 as F16 d, the high 2 bits of eight 6-bit scales (u16), their
 * low 4 bits (4 bytes), then eight IQ4_NL-style runs of 16 code bytes; value = d·(ls − 32)·level(q).
 */
final class IQ4_XSMatrix extends DecodedRowMatrix {
    IQ4_XSMatrix(String name, MemorySegment data, int rows, int cols) {
        super(TensorEncoding.IQ4_XS, name, data, rows, cols);
    }

    @Override
    void decodeRow(long at, float[] dst) {
        MemorySegment w = data;
        for (int o = 0; o < cols; o += 256, at += 136) {
            float d = f16(w, at);
            int scalesHigh = w.get(SHORT_LE, at + 2) & 0xFFFF;
            for (int ib = 0; ib < 8; ib++) {
                int low = (w.get(ValueLayout.JAVA_BYTE, at + 4 + ib / 2) >>> (4 * (ib % 2))) & 0x0F;
                int ls = low | ((scalesHigh >>> (2 * ib)) & 3) << 4;
                FloatVector dl = FloatVector.broadcast(F, d * (ls - 32));
                for (int k = 0; k < 16; k += L) {
                    IntVector p = bytes(w, at + 8 + 16 * ib + k);
                    levels(p.and(0x0F)).mul(dl).intoArray(dst, o + 32 * ib + k);
                    levels(p.lanewise(VectorOperators.LSHR, 4)).mul(dl).intoArray(dst, o + 32 * ib + 16 + k);
                }
            }
        }
    }
}
