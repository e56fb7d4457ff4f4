package io.strata.mesh.pipeline;

import io.strata.engine.SamplingParams;
import io.strata.engine.EngineSession;
import io.strata.mesh.transport.SessionOpen;

/**
 * One session on one hosted stage: what the OPEN said, the engine session (KV cache) and
 * whether it is still open. The engine session is touched only by the stage's worker.
 */
final class StageSession {
    final long id;
    final int stageIndex;
    final SessionOpen open;
    final HostedStage stage;
    final EngineSession engine;
    final SamplingParams sampling;
    volatile boolean closed;
    volatile long lastActiveNanos = System.nanoTime();

    StageSession(long id, int stageIndex, SessionOpen open, HostedStage stage, EngineSession engine) {
        this.id = id;
        this.stageIndex = stageIndex;
        this.open = open;
        this.stage = stage;
        this.engine = engine;
        this.sampling = new SamplingParams(open.temperature(), open.topP(), open.seed());
    }

    boolean isLast() {
        return stageIndex == open.path().size() - 1;
    }

    /** The hop that receives this stage's output: the next stage, or (from the last) stage 0. */
    SessionOpen.Hop next() {
        return isLast() ? open.path().getFirst() : open.path().get(stageIndex + 1);
    }

    SessionKey key() {
        return new SessionKey(id, stageIndex);
    }

    /** A session on a node is one stage of it. */
    record SessionKey(long sessionId, int stage) {
    }
}
