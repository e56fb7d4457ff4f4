package io.strata.engine;

/**
 * One conversation on one stage: its KV cache, how many positions are filled, and the stage's
 * scratch buffers, grown to the largest batch seen. Used by one thread at a time.
 */
public final class Session {
    final TransformerStage stage;
    final KvCache cache;
    /** Positions [0, filled) hold keys and values; the next batch may start anywhere up to here. */
    int filled;
    int scratchTokens;
    float[] xb;
    float[] q;
    float[] k;
    float[] v;
    float[] attnOut;
    float[] hb;
    float[] hb2;

    Session(TransformerStage stage, KvCache cache) {
        this.stage = stage;
        this.cache = cache;
    }

    /** Positions this session can hold. */
    public int capacity() {
        return cache.capacity();
    }

    /** Positions already computed: a later batch may start at any position up to this one. */
    public int filled() {
        return filled;
    }

    public KvCache cache() {
        return cache;
    }

    /** Makes the scratch buffers big enough for {@code n} tokens. */
    void ensureScratch(int n, int dim, int qDim, int kvDim, int hiddenDim) {
        if (n <= scratchTokens) {
            return;
        }
        xb = new float[n * dim];
        q = new float[n * qDim];
        k = new float[n * kvDim];
        v = new float[n * kvDim];
        attnOut = new float[n * qDim];
        hb = new float[n * hiddenDim];
        hb2 = new float[n * hiddenDim];
        scratchTokens = n;
    }
}
