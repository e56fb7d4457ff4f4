package io.strata.engine.gpu;

import io.strata.cuda.DeviceBuffer;
import io.strata.engine.EngineSession;

import java.lang.ref.Cleaner;

/**
 * One conversation on one GPU stage: its KV cache in one device buffer, laid out
 * [layer][keys | values][position][kvDim] in F32. Sessions are not closed explicitly by the mesh, so
 * the buffer is freed when the session becomes unreachable.
 */
final class GpuSession implements EngineSession {
    private static final Cleaner CLEANER = Cleaner.create();

    final GpuStageEngine stage;
    final DeviceBuffer cache;
    private final int capacity;
    private final long layerBytes;
    /** Positions [0, filled) hold keys and values; the next batch may start anywhere up to here. */
    int filled;

    GpuSession(GpuStageEngine stage, DeviceBuffer cache, int capacity, int kvDim) {
        this.stage = stage;
        this.cache = cache;
        this.capacity = capacity;
        this.layerBytes = 2L * capacity * kvDim * Float.BYTES;
        CLEANER.register(this, stage.freeLater(cache));
    }

    /** Device address of the keys of the stage's {@code localLayer}-th layer. */
    long keys(int localLayer) {
        return cache.address() + localLayer * layerBytes;
    }

    /** Device address of the values of the stage's {@code localLayer}-th layer. */
    long values(int localLayer) {
        return keys(localLayer) + layerBytes / 2;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int filled() {
        return filled;
    }

    @Override
    public long cacheBytes() {
        return cache.bytes();
    }
}
