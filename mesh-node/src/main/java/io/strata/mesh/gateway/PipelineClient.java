package io.strata.mesh.gateway;

import io.strata.mesh.RoutingTable;
import io.strata.mesh.transport.Frame;
import io.strata.mesh.transport.FrameError;
import io.strata.mesh.transport.FrameSender;
import io.strata.mesh.transport.FrameType;
import io.strata.mesh.transport.SampledToken;
import io.strata.mesh.transport.SessionOpen;
import io.strata.mesh.transport.TcpTransport;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs generations across the mesh for the gateway. For each one it fixes a path (one replica
 * per stage), opens a session along it, sends the prompt to stage 0 and streams the tokens the
 * last stage sends back. When a stage fails (an ERROR naming the node, the connection to stage
 * 0 breaking, or no token within the stall timeout) it leaves the failed node out, picks
 * another path (waiting for a new routing table if no replica is left), opens a new session
 * and replays the prompt and every token generated so far; the last stage then samples the
 * next step, keyed by (seed, step), so the stream goes on with the tokens it would have had.
 */
public final class PipelineClient {
    private static final System.Logger LOG = System.getLogger(PipelineClient.class.getName());

    private final String nodeId;
    private final SessionOpen.Hop self;
    private final FrameSender sender;
    private final TcpTransport pinger;
    private final GatewaySessions sessions;
    private final RoutingView routing;
    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final SuspectList suspects;
    private final Map<String, AtomicInteger> load = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();

    /**
     * @param self   this gateway's address, where the last stage sends tokens
     * @param pinger the transport, used to probe a stalled path (may be null: no probing, every node on it is suspect)
     */
    public PipelineClient(String nodeId, SessionOpen.Hop self, FrameSender sender, TcpTransport pinger,
                          GatewaySessions sessions, RoutingView routing, GatewayConfig config, GatewayMetrics metrics) {
        this.nodeId = nodeId;
        this.self = self;
        this.sender = sender;
        this.pinger = pinger;
        this.sessions = sessions;
        this.routing = routing;
        this.config = config;
        this.metrics = metrics;
        this.suspects = new SuspectList(config.suspectFor());
    }

    public GatewayConfig config() {
        return config;
    }

    /** Generations in progress. */
    public int active() {
        return active.get();
    }

    /**
     * Generates for {@code spec}, handing each token to {@code sink} as it arrives.
     *
     * @throws GenerationException when the model is not routed, or failovers are exhausted
     * @throws IOException         when the sink fails (the client went away)
     */
    public GenerationOutcome generate(GenerationSpec spec, TokenSink sink) throws GenerationException, IOException {
        active.incrementAndGet();
        try {
            return run(spec, sink);
        } finally {
            active.decrementAndGet();
        }
    }

    private GenerationOutcome run(GenerationSpec spec, TokenSink sink) throws GenerationException, IOException {
        long start = System.nanoTime();
        List<Integer> generated = new ArrayList<>();
        List<Recovery> recoveries = new ArrayList<>();
        Set<String> excluded = new HashSet<>(suspects.current());
        long failedAt = 0;
        String failure = null;
        Set<String> failedNodes = new HashSet<>();
        long firstTokenAt = 0;
        for (int attempt = 0; ; attempt++) {
            List<SessionOpen.Hop> path = choosePath(spec.modelId(), excluded, failure);
            BlockingQueue<Frame> inbox = GatewaySessions.newInbox();
            long id = sessions.register(path.getFirst(), inbox);
            path.forEach(h -> load.computeIfAbsent(h.nodeId(), k -> new AtomicInteger()).incrementAndGet());
            int replayed = spec.prompt().length + generated.size();
            try {
                boolean opened;
                try {
                    open(id, path, spec, generated);
                    opened = true;
                } catch (IOException e) {
                    failure = "cannot send to stage 0 on node " + path.getFirst().nodeId() + ": " + e.getMessage();
                    failedNodes.add(path.getFirst().nodeId());
                    opened = false;
                }
                long patience = config.stallTimeout().toNanos() + replayed * config.perRowAllowance().toNanos();
                while (opened) {
                    Frame f;
                    try {
                        f = inbox.poll(patience, TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while generating", e);
                    }
                    if (f == null) {
                        failure = "no token from the path " + nodeIds(path) + " for "
                                + Duration.ofNanos(patience).toMillis() + " ms";
                        failedNodes.addAll(unresponsive(path));
                        break;
                    }
                    patience = config.stallTimeout().toNanos();
                    if (f.type() == FrameType.ERROR) {
                        FrameError e = decodeError(f);
                        if (!e.retryable()) {
                            throw new GenerationException(400, e.message());
                        }
                        failure = e.toString();
                        // A node that lost the session (closed when a node further down failed) is not
                        // at fault: blaming it could exclude the only replica of its stage, while the
                        // failed node shows up on the next path with an error of its own.
                        if (e.code() != FrameError.Code.SESSION_GONE) {
                            failedNodes.add(e.nodeId().isEmpty() ? path.getFirst().nodeId() : e.nodeId());
                        }
                        break;
                    }
                    if (f.type() != FrameType.SAMPLED || f.step() != generated.size()) {
                        continue; // a duplicate or a stray
                    }
                    SampledToken t = SampledToken.decode(f.payload());
                    long now = System.nanoTime();
                    if (failedAt != 0) {
                        Recovery r = new Recovery(failure, List.copyOf(failedNodes), replayed, nodeIds(path),
                                Duration.ofNanos(now - failedAt));
                        recoveries.add(r);
                        metrics.recovered(now - failedAt);
                        LOG.log(System.Logger.Level.WARNING, String.format(Locale.ROOT,
                                "%s: failover of a %s generation recovered in %.1f ms: %s; left out %s, replayed %d"
                                        + " tokens along %s", nodeId, spec.modelId(), r.recovery().toNanos() / 1e6,
                                failure, r.failedNodes(), replayed, r.newPath()));
                        failedAt = 0;
                        failedNodes.clear();
                    }
                    if (firstTokenAt == 0) {
                        firstTokenAt = now;
                        metrics.firstToken(now - start);
                    }
                    if (t.finish() == SampledToken.Finish.STOP) {
                        return outcome(generated, GenerationOutcome.Finish.STOP, recoveries, path, start, firstTokenAt);
                    }
                    generated.add(t.token());
                    metrics.tokenGenerated();
                    if (!sink.accept(t.token())) {
                        return outcome(generated, GenerationOutcome.Finish.STOP, recoveries, path, start, firstTokenAt);
                    }
                    if (t.finish() != SampledToken.Finish.NONE) {
                        return outcome(generated, t.finish() == SampledToken.Finish.LENGTH
                                ? GenerationOutcome.Finish.LENGTH : GenerationOutcome.Finish.CONTEXT, recoveries, path,
                                start, firstTokenAt);
                    }
                }
            } finally {
                sessions.unregister(id);
                path.forEach(h -> load.get(h.nodeId()).decrementAndGet());
                closeQuietly(id, path);
            }
            // a failure: route around it
            if (failedAt == 0) {
                failedAt = System.nanoTime();
            }
            failedNodes.forEach(suspects::add);
            excluded.addAll(failedNodes);
            LOG.log(System.Logger.Level.WARNING, nodeId + ": " + spec.modelId() + " session on " + nodeIds(path)
                    + " failed after " + generated.size() + " tokens: " + failure);
            if (attempt + 1 > config.maxFailovers()) {
                throw new GenerationException(503, "gave up after " + (attempt + 1) + " failed paths; last failure: "
                        + failure);
            }
        }
    }

    private GenerationOutcome outcome(List<Integer> generated, GenerationOutcome.Finish finish, List<Recovery> recoveries,
                                      List<SessionOpen.Hop> path, long start, long firstTokenAt) {
        int[] tokens = generated.stream().mapToInt(Integer::intValue).toArray();
        long end = System.nanoTime();
        return new GenerationOutcome(tokens, finish, List.copyOf(recoveries), nodeIds(path),
                firstTokenAt == 0 ? end - start : firstTokenAt - start, firstTokenAt == 0 ? 0 : end - firstTokenAt);
    }

    /** A path around {@code excluded}, waiting for a newer routing table while there is none. */
    private List<SessionOpen.Hop> choosePath(String modelId, Set<String> excluded, String failure)
            throws GenerationException, IOException {
        long deadline = System.nanoTime() + config.failoverWait().toNanos();
        RoutingTable table = routing.current();
        while (true) {
            Optional<List<SessionOpen.Hop>> path = PathChooser.choose(table, modelId, excluded, this::loadOn);
            if (path.isPresent()) {
                return path.get();
            }
            if (failure == null && !table.models().containsKey(modelId) && table.version() > 0 && excluded.isEmpty()) {
                throw new GenerationException(503, "model " + modelId + " is not ready: some stage has no ready replica"
                        + " (see GET /health/models)");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new GenerationException(503, "no path for " + modelId + " avoids the failed nodes " + excluded
                        + " (routing table version " + table.version() + ")" + (failure == null ? "" : "; last failure: "
                        + failure));
            }
            try {
                table = routing.awaitNewer(table.version(), Duration.ofNanos(Math.min(left, 1_000_000_000L)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for a routing table", e);
            }
            if (table.version() > 0) {
                excluded.retainAll(suspects.current()); // a node that has been suspect for long enough gets another chance
            }
        }
    }

    private int loadOn(String node) {
        AtomicInteger n = load.get(node);
        return n == null ? 0 : n.get();
    }

    /** OPEN along the path, then the prompt and the tokens generated so far, in chunks; the last chunk samples. */
    private void open(long id, List<SessionOpen.Hop> path, GenerationSpec spec, List<Integer> generated)
            throws IOException {
        SessionOpen open = new SessionOpen(spec.modelId(), path, self, spec.temperature(), spec.topP(), spec.seed(),
                spec.maxTokens(), spec.capacity(), spec.stopTokens(), config.wireDType());
        var stage0 = path.getFirst().address();
        sender.send(stage0, Frame.open(id, 0, open));
        int[] all = Arrays.copyOf(spec.prompt(), spec.prompt().length + generated.size());
        for (int i = 0; i < generated.size(); i++) {
            all[spec.prompt().length + i] = generated.get(i);
        }
        for (int from = 0; from < all.length; from += config.prefillChunk()) {
            int to = Math.min(all.length, from + config.prefillChunk());
            sender.send(stage0, Frame.tokens(id, generated.size(), from, Arrays.copyOfRange(all, from, to),
                    to == all.length));
        }
    }

    /** Nodes of a stalled path that do not answer a ping within a second (all of them when none can be asked). */
    private List<String> unresponsive(List<SessionOpen.Hop> path) {
        List<String> dead = new ArrayList<>();
        if (pinger == null) {
            path.forEach(h -> dead.add(h.nodeId()));
            return dead;
        }
        for (SessionOpen.Hop h : path) {
            try {
                pinger.ping(h.address(), 0, Duration.ofSeconds(1));
            } catch (IOException | TimeoutException e) {
                dead.add(h.nodeId());
            }
        }
        return dead;
    }

    private void closeQuietly(long id, List<SessionOpen.Hop> path) {
        Thread.ofVirtual().name("strata-close-session").start(() -> {
            for (int i = 0; i < path.size(); i++) {
                try {
                    sender.send(path.get(i).address(), Frame.close(id, i));
                } catch (IOException e) {
                    // that node is gone; its session went with it
                }
            }
        });
    }

    private static FrameError decodeError(Frame f) {
        try {
            return FrameError.decode(f.payload());
        } catch (IllegalArgumentException e) {
            return new FrameError(FrameError.Code.INTERNAL, "", "an unreadable ERROR frame: " + e.getMessage());
        }
    }

    private static List<String> nodeIds(List<SessionOpen.Hop> path) {
        return path.stream().map(SessionOpen.Hop::nodeId).toList();
    }
}
