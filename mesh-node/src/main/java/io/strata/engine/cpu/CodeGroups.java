package io.strata.engine.cpu;

/**
 * Where the code bits of each run of 16 values sit in a super-block, for the encodings whose
 * runs of 16 values each take their bits from 16 consecutive bytes: value i of group g is
 * {@code ((byte[low[g] + i] >>> lowShift[g]) & lowMask) | ((byte[high[g] + i] >>> highShift[g]) & highMask) << highAt},
 * plus {@code bias}, or a codebook level. Offsets are from the block's first byte.
 *
 * <p>One table per encoding lets one flat loop unpack them all: a loop per sub-block and half,
 * nested four deep with constant trip counts, is unrolled by the JIT into a body too large to
 * compile well.
 */
record CodeGroups(int blockBytes, int[] low, int[] lowShift, int lowMask, int[] high, int[] highShift, int highMask,
                  int highAt, int bias, boolean codebook) {

    int groups() {
        return low.length;
    }

    boolean hasHighBits() {
        return highMask != 0;
    }

    /** Groups of 16 from the runs of {@code int[]} offsets and shifts a caller fills, one entry per group. */
    static int[] table(int groups, java.util.function.IntUnaryOperator f) {
        int[] t = new int[groups];
        for (int g = 0; g < groups; g++) {
            t[g] = f.applyAsInt(g);
        }
        return t;
    }
}
