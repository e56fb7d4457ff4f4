package io.strata.mesh.pipeline;

import io.strata.engine.EngineSession;
import io.strata.engine.Sampler;
import io.strata.engine.StageEngine;
import io.strata.engine.StageEngines;
import io.strata.mesh.artifacts.LoadedBlock;
import io.strata.mesh.transport.ActivationCodec;
import io.strata.mesh.transport.Frame;
import io.strata.mesh.transport.FrameError;
import io.strata.mesh.transport.PeerAddress;
import io.strata.mesh.transport.SampledToken;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One loaded block served as a pipeline stage: a queue of work and one worker thread that takes
 * everything waiting (up to {@link #MAX_BATCH_ROWS} rows), runs it as one batched forward pass
 * (every session's rows share one read of the weights), then sends each session's result on:
 * hidden states to the next stage, or, on the last stage, the sampled token to stage 0 and to
 * the gateway.
 */
final class HostedStage {
    private static final System.Logger LOG = System.getLogger(HostedStage.class.getName());
    /** Rows per forward pass at most: bounds scratch memory when several prompts arrive at once. */
    static final int MAX_BATCH_ROWS = 512;
    /** Longest wait for the rest of an upstream group: it was written in one go, so it is microseconds behind. */
    static final long GROUP_WAIT_NANOS = 2_000_000;

    final LoadedBlock block;
    final StageEngine stage;
    final int stageIndex;
    private final StageServer server;
    private final BlockingQueue<WorkItem> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean running = true;

    final AtomicInteger sessions = new AtomicInteger();
    private final LongAdder rows = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder sampled = new LongAdder();
    private final LatencyHistogram forward = new LatencyHistogram();
    private final LatencyHistogram queueWait = new LatencyHistogram();

    HostedStage(LoadedBlock block, StageServer server) {
        this.block = block;
        this.server = server;
        this.stage = StageEngines.open(block.model(), block.block().firstLayer(), block.block().lastLayer());
        this.stageIndex = block.block().rank();
        this.worker = Thread.ofPlatform().daemon().name("strata-stage-" + block.blockId()).unstarted(this::loop);
    }

    void start() {
        worker.start();
    }

    /** Stops the worker and waits for it, then releases the engine, so the block's weights may be unmapped. */
    void stop() {
        running = false;
        worker.interrupt();
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!worker.isAlive()) {
            stage.close();
        }
    }

    void submit(WorkItem item) {
        queue.add(item);
    }

    StageStats stats() {
        return new StageStats(block.modelId(), block.blockId(), stageIndex, stage.first(), stage.last(), sessions.get(),
                queue.size(), rows.sum(), batches.sum(), sampled.sum(), forward.snapshot(), queueWait.snapshot());
    }

    private void loop() {
        List<WorkItem> batch = new ArrayList<>();
        WorkItem carried = null;
        while (running) {
            WorkItem first = carried;
            carried = null;
            if (first == null) {
                try {
                    first = queue.poll(250, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    continue; // stop() sets running first
                }
            }
            if (first == null) {
                continue;
            }
            batch.clear();
            carried = gather(first, batch);
            try {
                run(batch);
            } catch (RuntimeException | OutOfMemoryError e) {
                LOG.log(System.Logger.Level.ERROR, block.blockId() + ": a forward pass of " + batch.size()
                        + " sessions failed", e);
                for (WorkItem w : batch) {
                    server.fail(w.session(), FrameError.Code.INTERNAL, block.blockId() + " failed: " + e);
                }
            }
        }
    }

    /**
     * Everything waiting, up to {@link #MAX_BATCH_ROWS} rows, into {@code batch}; while an upstream
     * group is incomplete (an item said {@link WorkItem#more()}), waits up to {@link #GROUP_WAIT_NANOS}
     * for the rest of it. Returns an item taken that did not fit, for the next pass.
     */
    private WorkItem gather(WorkItem first, List<WorkItem> batch) {
        Set<Object> openGroups = new HashSet<>();
        int n = 0;
        long deadline = System.nanoTime() + GROUP_WAIT_NANOS;
        WorkItem next = first;
        while (next != null) {
            if (!batch.isEmpty() && n + next.rows() > MAX_BATCH_ROWS) {
                return next;
            }
            batch.add(next);
            n += next.rows();
            if (next.more()) {
                openGroups.add(next.source());
            } else {
                openGroups.remove(next.source());
            }
            next = queue.poll();
            if (next == null && !openGroups.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    try {
                        next = queue.poll(left, TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                }
            }
        }
        return null;
    }

    private void run(List<WorkItem> batch) {
        long start = System.nanoTime();
        List<WorkItem> accepted = new ArrayList<>(batch.size());
        Map<StageSession, Integer> next = new IdentityHashMap<>();
        int n = 0;
        for (WorkItem w : batch) {
            StageSession s = w.session();
            if (s.closed) {
                continue;
            }
            int filled = next.getOrDefault(s, s.engine.filled());
            if (w.startPos() > filled || w.startPos() + w.rows() > s.engine.capacity()) {
                server.fail(s, FrameError.Code.BAD_REQUEST, "stage " + stageIndex + " (" + block.blockId()
                        + ") got positions " + w.startPos() + ".." + (w.startPos() + w.rows() - 1) + " but holds "
                        + filled + " of " + s.engine.capacity());
                continue;
            }
            next.put(s, w.startPos() + w.rows());
            accepted.add(w);
            n += w.rows();
            queueWait.record(start - w.queuedNanos());
        }
        if (n == 0) {
            return;
        }
        int dim = stage.config().dim();
        EngineSession[] rowSessions = new EngineSession[n];
        int[] positions = new int[n];
        int[] tokens = stage.takesTokens() ? new int[n] : null;
        float[] hidden = stage.takesTokens() ? null : new float[n * dim];
        int row = 0;
        for (WorkItem w : accepted) {
            for (int r = 0; r < w.rows(); r++) {
                rowSessions[row + r] = w.session().engine;
                positions[row + r] = w.startPos() + r;
            }
            if (tokens != null) {
                System.arraycopy(w.tokens(), 0, tokens, row, w.rows());
            } else {
                System.arraycopy(w.hidden(), 0, hidden, row * dim, w.rows() * dim);
            }
            row += w.rows();
        }
        float[] out = tokens != null ? stage.forward(rowSessions, tokens, positions)
                : stage.forward(rowSessions, hidden, positions);

        int[] chosen = null;
        if (stage.producesLogits()) {
            chosen = sample(accepted, out);
        }
        forward.record(System.nanoTime() - start);
        rows.add(n);
        batches.increment();

        List<Outgoing> outgoing = new ArrayList<>(accepted.size());
        row = 0;
        int sampledIndex = 0;
        for (WorkItem w : accepted) {
            StageSession s = w.session();
            s.lastActiveNanos = System.nanoTime();
            if (!stage.producesLogits()) {
                byte[] payload = ActivationCodec.encode(s.open.wireDType(), out, row * dim, w.rows(), dim);
                outgoing.add(new Outgoing(s, Frame.activations(s.id, stageIndex + 1, w.step(), w.startPos(), w.rows(),
                        dim, s.open.wireDType(), payload, w.sample())));
            } else if (w.sample()) {
                emit(s, w, chosen[sampledIndex++], outgoing);
            }
            row += w.rows();
        }
        send(outgoing);
        for (Outgoing o : outgoing) {
            if (o.toGateway != null) {
                server.toGateway(o.session, o.toGateway);
            }
        }
    }

    /** A frame for a session's next stage, and (last stage) the same token for its gateway. */
    private record Outgoing(StageSession session, Frame frame, Frame toGateway) {
        Outgoing(StageSession session, Frame frame) {
            this(session, frame, null);
        }
    }

    /**
     * Sends the pass's frames, those for one node marked {@link Frame#MORE} but the last, so that
     * node takes them into one pass too.
     */
    private void send(List<Outgoing> outgoing) {
        Map<PeerAddress, Integer> lastTo = new HashMap<>();
        for (int i = 0; i < outgoing.size(); i++) {
            Outgoing o = outgoing.get(i);
            if (o.frame != null) {
                lastTo.put(StageServer.destination(o.session, o.frame).address(), i);
            }
        }
        for (int i = 0; i < outgoing.size(); i++) {
            Outgoing o = outgoing.get(i);
            if (o.frame != null) {
                boolean last = lastTo.get(StageServer.destination(o.session, o.frame).address()) == i;
                server.forward(o.session, last ? o.frame : o.frame.withMore());
            }
        }
    }

    /** The tokens of the items that sample, from one pass over the classifier for all of them. */
    private int[] sample(List<WorkItem> accepted, float[] out) {
        int count = 0;
        for (WorkItem w : accepted) {
            count += w.sample() ? 1 : 0;
        }
        int[] lastRows = new int[count];
        int row = 0;
        int i = 0;
        for (WorkItem w : accepted) {
            row += w.rows();
            if (w.sample()) {
                lastRows[i++] = row - 1;
            }
        }
        float[][] logits = stage.logits(out, lastRows);
        int[] chosen = new int[count];
        i = 0;
        for (WorkItem w : accepted) {
            if (w.sample()) {
                chosen[i] = Sampler.sample(logits[i], w.session().sampling, w.step());
                i++;
            }
        }
        sampled.add(count);
        return chosen;
    }

    private void emit(StageSession s, WorkItem w, int token, List<Outgoing> outgoing) {
        int position = w.startPos() + w.rows();
        SampledToken.Finish finish = s.open.isStop(token) ? SampledToken.Finish.STOP
                : w.step() + 1 >= s.open.maxTokens() ? SampledToken.Finish.LENGTH
                : position >= s.open.capacity() ? SampledToken.Finish.CONTEXT
                : SampledToken.Finish.NONE;
        SampledToken t = new SampledToken(token, finish);
        // stage 0 first (the next step starts sooner), then the gateway
        outgoing.add(new Outgoing(s, finish == SampledToken.Finish.NONE ? Frame.sampled(s.id, 0, w.step(), position, t)
                : null, Frame.sampled(s.id, Frame.GATEWAY, w.step(), position, t)));
    }
}
