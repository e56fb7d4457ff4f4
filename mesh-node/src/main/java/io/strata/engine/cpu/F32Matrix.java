package io.strata.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/** Plain little-endian floats. Four accumulators keep enough loads in flight to saturate memory. */
final class F32Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final int L = Lanes.L;

    F32Matrix(String name, MemorySegment data, int rows, int cols) {
        super(name, data, rows, cols);
    }

    @Override
    void dotRows(int from, int to, float[] x, int xOffset, float[] out, int outOffset) {
        MemorySegment w = data;
        int n = cols;
        float[] lanes = new float[L];
        for (int r = from; r < to; r++) {
            long base = (long) r * n * Float.BYTES;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int c = 0;
            for (int end = n - n % (4 * L); c < end; c += 4 * L) {
                long at = base + (long) c * Float.BYTES;
                a0 = FloatVector.fromMemorySegment(F, w, at, LE).fma(FloatVector.fromArray(F, x, xOffset + c), a0);
                a1 = FloatVector.fromMemorySegment(F, w, at + 4L * L, LE).fma(FloatVector.fromArray(F, x, xOffset + c + L), a1);
                a2 = FloatVector.fromMemorySegment(F, w, at + 8L * L, LE).fma(FloatVector.fromArray(F, x, xOffset + c + 2 * L), a2);
                a3 = FloatVector.fromMemorySegment(F, w, at + 12L * L, LE).fma(FloatVector.fromArray(F, x, xOffset + c + 3 * L), a3);
            }
            for (int end = n - n % L; c < end; c += L) {
                a0 = FloatVector.fromMemorySegment(F, w, base + (long) c * Float.BYTES, LE)
                        .fma(FloatVector.fromArray(F, x, xOffset + c), a0);
            }
            a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
            float sum = sumLanes(lanes);
            for (; c < n; c++) {
                sum = Math.fma(w.get(FLOAT_LE, base + (long) c * Float.BYTES), x[xOffset + c], sum);
            }
            out[outOffset + r] = sum;
        }
    }

    @Override
    public void readRow(int row, float[] out, int offset) {
        MemorySegment.copy(data, FLOAT_LE, (long) row * cols * Float.BYTES, out, offset, cols);
    }
}
