package io.strata.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Two bytes per value (F16 or BF16): what the two encodings share outside their vector loops,
 * which stay written out in each subclass (a vector crossing a call the JIT does not inline is
 * allocated on the heap). Only the widening of one value differs here.
 */
abstract sealed class HalfMatrix extends WeightMatrix permits F16Matrix, BF16Matrix {
    HalfMatrix(String name, MemorySegment data, int rows, int cols) {
        super(name, data, rows, cols);
    }

    /** One stored value as a float, exactly. */
    abstract float widen(short bits);

    /** Adds the columns past the last whole vector, one by one. */
    final float finish(int row, float[] x, int xOffset, int from, float sum) {
        long base = (long) row * cols * 2;
        for (int c = from; c < cols; c++) {
            sum = Math.fma(widen(data.get(SHORT_LE, base + 2L * c)), x[xOffset + c], sum);
        }
        return sum;
    }

    @Override
    public final void readRow(int row, float[] out, int offset) {
        long base = (long) row * cols * 2;
        for (int c = 0; c < cols; c++) {
            out[offset + c] = widen(data.get(SHORT_LE, base + 2L * c));
        }
    }
}
