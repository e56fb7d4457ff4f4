package io.strata.engine.cpu;

import io.strata.engine.EngineSession;

/**
 * One conversation on one CPU stage: its KV cache, how many positions are filled, and the
 * stage's scratch buffers, grown to the largest batch seen. Used by one thread at a time.
 */
final class CpuSession implements EngineSession {
    final CpuStageEngine stage;
    final KvCache cache;
    /** Positions [0, filled) hold keys and values; the next batch may start anywhere up to here. */
    int filled;
    int scratchTokens;
    float[] xb;
    /** The feed-forward's input and output while xb still holds the attention's (parallel residual). */
    float[] xb2;
    float[] q;
    float[] k;
    float[] v;
    float[] attnOut;
    float[] hb;
    float[] hb2;

    CpuSession(CpuStageEngine stage, KvCache cache) {
        this.stage = stage;
        this.cache = cache;
    }

    @Override
    public int capacity() {
        return cache.capacity();
    }

    @Override
    public int filled() {
        return filled;
    }

    @Override
    public long cacheBytes() {
        return cache.byteSize();
    }

    /** Makes the scratch buffers big enough for {@code n} tokens. */
    void ensureScratch(int n, int dim, int qDim, int kvDim, int hiddenDim) {
        if (n <= scratchTokens) {
            return;
        }
        xb = new float[n * dim];
        xb2 = new float[n * dim];
        q = new float[n * qDim];
        k = new float[n * kvDim];
        v = new float[n * kvDim];
        attnOut = new float[n * qDim];
        hb = new float[n * hiddenDim];
        hb2 = new float[n * hiddenDim];
        scratchTokens = n;
    }
}
