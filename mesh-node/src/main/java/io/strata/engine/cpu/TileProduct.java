package io.strata.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batched product of a tile of weight rows, already decoded to floats, with a batch of
 * tokens: the inner kernel of every encoding's {@link WeightMatrix#dotRowsBatch}.
 *
 * <p>Each (row, token) value is summed exactly as {@link F32Matrix} sums one row for one token:
 * an accumulator over the even vectors of the row and one over the odd, a last odd vector into
 * the first, a fixed-order fold of the lanes, then the columns past the last whole vector one by
 * one. Every encoding's decoded values are exact floats and every encoding's one-token kernel
 * sums in that order, so a token gets the same bits here as alone.
 *
 * <p>Two rows and four tokens go together: sixteen accumulators in registers, and each loaded
 * weight vector meets four tokens, each loaded token vector two rows. A chunk of the four tokens'
 * columns stays in L1 while the tile's rows stream past it from L2; the accumulators wait in
 * memory between chunks, which changes nothing in the order of the sums. A last odd row or token group is
 * filled up with copies of a row or token already in it (the same value written twice), so one
 * loop serves every size.
 */
final class TileProduct {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final int L = Lanes.L;
    /** Tokens that share a weight vector in registers. */
    static final int TOKENS = 4;
    /**
     * Columns taken for all rows of the tile before the next: four tokens' worth of them (16 KiB)
     * stay in L1 while the rows pass. A whole row of x for four tokens would not fit for the wide
     * matrices (5632 columns: 88 KiB), and x would then come from L2 (measured: 15 multiply-adds
     * per ns instead of 24). A multiple of a vector pair, so the summation order is unchanged.
     */
    private static final int CHUNK = 1024;

    private TileProduct() {
    }

    /**
     * {@code out[t * outStride + outRow + i] = Σ_c w[i * cols + c] · x[t * cols + c]} for rows
     * {@code i < tileRows} and tokens {@code t < n}.
     */
    static void apply(float[] w, int tileRows, int cols, float[] x, int n, float[] out, int outStride, int outRow) {
        int pairEnd = cols - cols % (2 * L);
        // Accumulators of every row pair between column chunks: 16 vectors per pair.
        float[] saved = pairEnd > CHUNK ? new float[(tileRows + 1) / 2 * 16 * L] : null;
        float[] lanes = new float[2 * TOKENS * L];
        for (int t = 0; t < n; t += TOKENS) {
            int t1 = Math.min(t + 1, n - 1);
            int t2 = Math.min(t + 2, n - 1);
            int t3 = Math.min(t + 3, n - 1);
            int from = 0;
            do {
                int to = Math.min(pairEnd, from + CHUNK);
                for (int i = 0; i < tileRows; i += 2) {
                    int i1 = Math.min(i + 1, tileRows - 1);
                    if (group(w, i * cols, i1 * cols, cols, x, t * cols, t1 * cols, t2 * cols, t3 * cols,
                            from, to, saved, (i / 2) * 16 * L, lanes)) {
                        store(w, i * cols, i1 * cols, cols, x, t, t1, t2, t3, lanes, out, outStride, outRow + i, outRow + i1);
                    }
                }
                from = to;
            } while (from < pairEnd);
        }
    }

    /**
     * Rows at {@code ra} and {@code rb} of {@code w} with tokens at {@code x0..x3} of {@code x}, over
     * the vector pairs of columns {@code [from, to)}. The sixteen accumulators start at zero for
     * the first columns and otherwise from {@code saved[at ..]}; unless the columns end the row's
     * vector pairs they are saved there again and false is returned. Otherwise the last odd vector
     * is added, the eight (row, token) accumulator pairs are folded once (even + odd) into
     * {@code lanes} in the order (row a, tokens 0..3), (row b, tokens 0..3), and true is returned.
     */
    private static boolean group(float[] w, int ra, int rb, int cols, float[] x, int x0, int x1, int x2, int x3,
                                 int from, int to, float[] saved, int at, float[] lanes) {
        int pairEnd = cols - cols % (2 * L);
        FloatVector a0e;
        FloatVector a0o;
        FloatVector a1e;
        FloatVector a1o;
        FloatVector a2e;
        FloatVector a2o;
        FloatVector a3e;
        FloatVector a3o;
        FloatVector b0e;
        FloatVector b0o;
        FloatVector b1e;
        FloatVector b1o;
        FloatVector b2e;
        FloatVector b2o;
        FloatVector b3e;
        FloatVector b3o;
        if (from == 0) {
            a0e = FloatVector.zero(F);
            a0o = a0e;
            a1e = a0e;
            a1o = a0e;
            a2e = a0e;
            a2o = a0e;
            a3e = a0e;
            a3o = a0e;
            b0e = a0e;
            b0o = a0e;
            b1e = a0e;
            b1o = a0e;
            b2e = a0e;
            b2o = a0e;
            b3e = a0e;
            b3o = a0e;
        } else {
            a0e = FloatVector.fromArray(F, saved, at);
            a0o = FloatVector.fromArray(F, saved, at + L);
            a1e = FloatVector.fromArray(F, saved, at + 2 * L);
            a1o = FloatVector.fromArray(F, saved, at + 3 * L);
            a2e = FloatVector.fromArray(F, saved, at + 4 * L);
            a2o = FloatVector.fromArray(F, saved, at + 5 * L);
            a3e = FloatVector.fromArray(F, saved, at + 6 * L);
            a3o = FloatVector.fromArray(F, saved, at + 7 * L);
            b0e = FloatVector.fromArray(F, saved, at + 8 * L);
            b0o = FloatVector.fromArray(F, saved, at + 9 * L);
            b1e = FloatVector.fromArray(F, saved, at + 10 * L);
            b1o = FloatVector.fromArray(F, saved, at + 11 * L);
            b2e = FloatVector.fromArray(F, saved, at + 12 * L);
            b2o = FloatVector.fromArray(F, saved, at + 13 * L);
            b3e = FloatVector.fromArray(F, saved, at + 14 * L);
            b3o = FloatVector.fromArray(F, saved, at + 15 * L);
        }
        for (int c = from; c < to; c += 2 * L) {
            FloatVector wae = FloatVector.fromArray(F, w, ra + c);
            FloatVector wao = FloatVector.fromArray(F, w, ra + c + L);
            FloatVector wbe = FloatVector.fromArray(F, w, rb + c);
            FloatVector wbo = FloatVector.fromArray(F, w, rb + c + L);
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            a0e = wae.fma(v, a0e);
            b0e = wbe.fma(v, b0e);
            v = FloatVector.fromArray(F, x, x0 + c + L);
            a0o = wao.fma(v, a0o);
            b0o = wbo.fma(v, b0o);
            v = FloatVector.fromArray(F, x, x1 + c);
            a1e = wae.fma(v, a1e);
            b1e = wbe.fma(v, b1e);
            v = FloatVector.fromArray(F, x, x1 + c + L);
            a1o = wao.fma(v, a1o);
            b1o = wbo.fma(v, b1o);
            v = FloatVector.fromArray(F, x, x2 + c);
            a2e = wae.fma(v, a2e);
            b2e = wbe.fma(v, b2e);
            v = FloatVector.fromArray(F, x, x2 + c + L);
            a2o = wao.fma(v, a2o);
            b2o = wbo.fma(v, b2o);
            v = FloatVector.fromArray(F, x, x3 + c);
            a3e = wae.fma(v, a3e);
            b3e = wbe.fma(v, b3e);
            v = FloatVector.fromArray(F, x, x3 + c + L);
            a3o = wao.fma(v, a3o);
            b3o = wbo.fma(v, b3o);
        }
        if (to < pairEnd) {
            a0e.intoArray(saved, at);
            a0o.intoArray(saved, at + L);
            a1e.intoArray(saved, at + 2 * L);
            a1o.intoArray(saved, at + 3 * L);
            a2e.intoArray(saved, at + 4 * L);
            a2o.intoArray(saved, at + 5 * L);
            a3e.intoArray(saved, at + 6 * L);
            a3o.intoArray(saved, at + 7 * L);
            b0e.intoArray(saved, at + 8 * L);
            b0o.intoArray(saved, at + 9 * L);
            b1e.intoArray(saved, at + 10 * L);
            b1o.intoArray(saved, at + 11 * L);
            b2e.intoArray(saved, at + 12 * L);
            b2o.intoArray(saved, at + 13 * L);
            b3e.intoArray(saved, at + 14 * L);
            b3o.intoArray(saved, at + 15 * L);
            return false;
        }
        if (cols - pairEnd >= L) { // a last odd vector goes into the even accumulator
            int c = pairEnd;
            FloatVector wae = FloatVector.fromArray(F, w, ra + c);
            FloatVector wbe = FloatVector.fromArray(F, w, rb + c);
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            a0e = wae.fma(v, a0e);
            b0e = wbe.fma(v, b0e);
            v = FloatVector.fromArray(F, x, x1 + c);
            a1e = wae.fma(v, a1e);
            b1e = wbe.fma(v, b1e);
            v = FloatVector.fromArray(F, x, x2 + c);
            a2e = wae.fma(v, a2e);
            b2e = wbe.fma(v, b2e);
            v = FloatVector.fromArray(F, x, x3 + c);
            a3e = wae.fma(v, a3e);
            b3e = wbe.fma(v, b3e);
        }
        a0e.add(a0o).intoArray(lanes, 0);
        a1e.add(a1o).intoArray(lanes, L);
        a2e.add(a2o).intoArray(lanes, 2 * L);
        a3e.add(a3o).intoArray(lanes, 3 * L);
        b0e.add(b0o).intoArray(lanes, 4 * L);
        b1e.add(b1o).intoArray(lanes, 5 * L);
        b2e.add(b2o).intoArray(lanes, 6 * L);
        b3e.add(b3o).intoArray(lanes, 7 * L);
        return true;
    }

    /** The folded lanes of {@link #group} summed, the scalar tail added, and written out. */
    private static void store(float[] w, int ra, int rb, int cols, float[] x, int t0, int t1, int t2, int t3,
                              float[] lanes, float[] out, int outStride, int outA, int outB) {
        int vectorEnd = cols - cols % L;
        for (int k = 0; k < 2 * TOKENS; k++) {
            int row = k < TOKENS ? ra : rb;
            int t = switch (k % TOKENS) {
                case 0 -> t0;
                case 1 -> t1;
                case 2 -> t2;
                default -> t3;
            };
            int xt = t * cols;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            for (int j = k * L; j < (k + 1) * L; j += 4) { // WeightMatrix.sumLanes over this accumulator's lanes
                s0 += lanes[j];
                s1 += lanes[j + 1];
                s2 += lanes[j + 2];
                s3 += lanes[j + 3];
            }
            float sum = (s0 + s1) + (s2 + s3);
            for (int c = vectorEnd; c < cols; c++) {
                sum = Math.fma(w[row + c], x[xt + c], sum);
            }
            out[t * outStride + (k < TOKENS ? outA : outB)] = sum;
        }
    }
}
