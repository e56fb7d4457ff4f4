package io.strata.engine.cpu;

/**
 * The keys and values one stage has computed for one conversation: per layer of the stage,
 * {@code capacity} positions of {@code kvDim} floats each. Sized for the positions actually
 * requested, not the model's full context, so a short conversation on a big model stays small.
 */
final class KvCache {
    private final int firstLayer;
    private final int capacity;
    private final int kvDim;
    private final float[][] keys;
    private final float[][] values;

    KvCache(int firstLayer, int layers, int capacity, int kvDim) {
        long floats = (long) capacity * kvDim;
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a KV cache of " + capacity + " positions × " + kvDim
                    + " floats per layer is too big for one array; ask for fewer positions");
        }
        this.firstLayer = firstLayer;
        this.capacity = capacity;
        this.kvDim = kvDim;
        this.keys = new float[layers][(int) floats];
        this.values = new float[layers][(int) floats];
    }

    /** Positions this cache can hold. */
    int capacity() {
        return capacity;
    }

    /** Bytes of keys and values held. */
    long byteSize() {
        return 2L * keys.length * capacity * kvDim * Float.BYTES;
    }

    /** Keys of model layer {@code layer}: position p at {@code p * kvDim}. */
    float[] keys(int layer) {
        return keys[layer - firstLayer];
    }

    float[] values(int layer) {
        return values[layer - firstLayer];
    }

    /** Stores one position's key and value ({@code kvDim} floats each, from the given offsets). */
    void store(int layer, int pos, float[] k, int kOffset, float[] v, int vOffset) {
        System.arraycopy(k, kOffset, keys[layer - firstLayer], pos * kvDim, kvDim);
        System.arraycopy(v, vOffset, values[layer - firstLayer], pos * kvDim, kvDim);
    }
}
