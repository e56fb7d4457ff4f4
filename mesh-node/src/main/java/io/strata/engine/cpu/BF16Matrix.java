package io.strata.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/** bfloat16: the top 16 bits of a float, widened by a shift. */
final class BF16Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final VectorSpecies<Short> S = Lanes.S;
    private static final int L = Lanes.L;

    BF16Matrix(String name, MemorySegment data, int rows, int cols) {
        super(name, data, rows, cols);
    }

    @Override
    void dotRows(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        MemorySegment w = data;
        int n = cols;
        float[] lanes = new float[L];
        for (int r = from; r < to; r++) {
            long base = (long) r * n * 2;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            int c = 0;
            for (int end = n - n % L; c < end; c += L) {
                // One conversion site, so that it is inlined once and its vectors stay in registers.
                FloatVector v = HalfFloats.bf16ToFloat(ShortVector.fromMemorySegment(S, w, base + 2L * c, LE));
                FloatVector xv = FloatVector.fromArray(F, x, xOffset + c);
                if ((c & L) == 0) { // alternate accumulators (the JIT unrolls the branch away)
                    a0 = v.fma(xv, a0);
                } else {
                    a1 = v.fma(xv, a1);
                }
            }
            a0.add(a1).intoArray(lanes, 0);
            float sum = sumLanes(lanes);
            for (; c < n; c++) {
                sum = Math.fma(HalfFloats.bf16ToFloat(w.get(SHORT_LE, base + 2L * c)), x[xOffset + c], sum);
            }
            out[outOffset + r] = sum;
        }
    }

    @Override
    public void readRow(int row, float[] out, int offset) {
        long base = (long) row * cols * 2;
        for (int c = 0; c < cols; c++) {
            out[offset + c] = HalfFloats.bf16ToFloat(data.get(SHORT_LE, base + 2L * c));
        }
    }
}
