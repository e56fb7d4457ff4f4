package io.strata.engine;

/**
 * One conversation on one stage engine: its KV cache, on the engine's device. Opened with
 * {@link StageEngine#newSession(int)}, used by one thread at a time.
 */
public interface EngineSession {
    /** Positions this session can hold. */
    int capacity();

    /** Positions already computed: a later batch may start at any position up to this one. */
    int filled();

    /** Bytes of keys and values the session holds. */
    long cacheBytes();
}
