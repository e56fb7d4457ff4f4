package io.strata.model.quant;

/**
 * A plain (not ggml's searched) choice of scales for the asymmetric K-quants (Q2_K, Q4_K, Q5_K),
 * where value = d·sc·q − dmin·m: each sub-block spans [min(lo, 0), hi] in {@code qmax} steps, the
 * super-block's d and dmin share those steps and offsets out over {@code smax} levels, and every
 * value takes the nearest code.
 *
 * @param d   the super-block scale, already rounded to F16
 * @param dmin the super-block minimum scale, already rounded to F16
 * @param sc  each sub-block's scale (0..smax)
 * @param m   each sub-block's minimum (0..smax)
 * @param q   each value's code (0..qmax)
 */
record AsymmetricBlock(float d, float dmin, int[] sc, int[] m, int[] q) {

    static AsymmetricBlock of(float[] src, int off, int subBlocks, int subSize, int qmax, int smax) {
        float[] scale = new float[subBlocks];
        float[] min = new float[subBlocks];
        float maxScale = 0;
        float maxMin = 0;
        for (int s = 0; s < subBlocks; s++) {
            float lo = 0;
            float hi = -Float.MAX_VALUE;
            for (int j = 0; j < subSize; j++) {
                float v = src[off + s * subSize + j];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            scale[s] = (hi - lo) / qmax;
            min[s] = -lo;
            maxScale = Math.max(maxScale, scale[s]);
            maxMin = Math.max(maxMin, min[s]);
        }
        float d = BlockCodec.asF16(maxScale / smax);
        float dmin = BlockCodec.asF16(maxMin / smax);
        int[] sc = new int[subBlocks];
        int[] m = new int[subBlocks];
        int[] q = new int[subBlocks * subSize];
        for (int s = 0; s < subBlocks; s++) {
            sc[s] = BlockCodec.clamp((int) Math.rint(BlockCodec.safeDiv(scale[s], d)), 0, smax);
            m[s] = BlockCodec.clamp((int) Math.rint(BlockCodec.safeDiv(min[s], dmin)), 0, smax);
            float step = d * sc[s];
            float offset = dmin * m[s];
            for (int j = 0; j < subSize; j++) {
                int e = s * subSize + j;
                q[e] = BlockCodec.clamp((int) Math.rint(BlockCodec.safeDiv(src[off + e] + offset, step)), 0, qmax);
            }
        }
        return new AsymmetricBlock(d, dmin, sc, m, q);
    }
}
