package io.strata.mesh.pipeline;

import io.strata.engine.Sampler;
import io.strata.engine.Session;
import io.strata.engine.TransformerStage;
import io.strata.mesh.artifacts.LoadedBlock;
import io.strata.mesh.transport.ActivationCodec;
import io.strata.mesh.transport.Frame;
import io.strata.mesh.transport.FrameError;
import io.strata.mesh.transport.SampledToken;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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

    final LoadedBlock block;
    final TransformerStage stage;
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
        this.stage = new TransformerStage(block.model(), block.block().firstLayer(), block.block().lastLayer());
        this.stageIndex = block.block().rank();
        this.worker = Thread.ofPlatform().daemon().name("strata-stage-" + block.blockId()).unstarted(this::loop);
    }

    void start() {
        worker.start();
    }

    /** Stops the worker and waits for it, so the block's weights may be unmapped. */
    void stop() {
        running = false;
        worker.interrupt();
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        while (running) {
            WorkItem first;
            try {
                first = queue.poll(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue; // stop() sets running first
            }
            if (first == null) {
                continue;
            }
            batch.clear();
            batch.add(first);
            int n = first.rows();
            for (WorkItem next = queue.peek(); next != null && n + next.rows() <= MAX_BATCH_ROWS; next = queue.peek()) {
                batch.add(queue.poll()); // this thread is the only taker: the head it saw is the head it takes
                n += next.rows();
            }
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
        Session[] rowSessions = new Session[n];
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
        float[] out = tokens != null ? stage.forwardBatch(rowSessions, tokens, positions)
                : stage.forwardBatch(rowSessions, hidden, positions);

        int[] chosen = null;
        if (stage.producesLogits()) {
            chosen = sample(accepted, out);
        }
        forward.record(System.nanoTime() - start);
        rows.add(n);
        batches.increment();

        row = 0;
        int sampledIndex = 0;
        for (WorkItem w : accepted) {
            StageSession s = w.session();
            s.lastActiveNanos = System.nanoTime();
            if (!stage.producesLogits()) {
                byte[] payload = ActivationCodec.encode(s.open.wireDType(), out, row * dim, w.rows(), dim);
                server.forward(s, Frame.activations(s.id, stageIndex + 1, w.step(), w.startPos(), w.rows(), dim,
                        s.open.wireDType(), payload, w.sample()));
            } else if (w.sample()) {
                emit(s, w, chosen[sampledIndex++]);
            }
            row += w.rows();
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

    private void emit(StageSession s, WorkItem w, int token) {
        int position = w.startPos() + w.rows();
        SampledToken.Finish finish = s.open.isStop(token) ? SampledToken.Finish.STOP
                : w.step() + 1 >= s.open.maxTokens() ? SampledToken.Finish.LENGTH
                : position >= s.open.capacity() ? SampledToken.Finish.CONTEXT
                : SampledToken.Finish.NONE;
        SampledToken t = new SampledToken(token, finish);
        if (finish == SampledToken.Finish.NONE) {
            server.forward(s, Frame.sampled(s.id, 0, w.step(), position, t)); // stage 0 first: the next step starts sooner
        }
        server.toGateway(s, Frame.sampled(s.id, Frame.GATEWAY, w.step(), position, t));
    }
}
