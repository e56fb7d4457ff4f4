package io.strata.mesh.pipeline;

import io.strata.engine.EngineSession;
import io.strata.mesh.artifacts.LoadedBlock;
import io.strata.mesh.cluster.BlockHost;
import io.strata.mesh.transport.ActivationCodec;
import io.strata.mesh.transport.Connection;
import io.strata.mesh.transport.Frame;
import io.strata.mesh.transport.FrameError;
import io.strata.mesh.transport.FrameSender;
import io.strata.mesh.transport.FrameType;
import io.strata.mesh.transport.PeerAddress;
import io.strata.mesh.transport.SampledToken;
import io.strata.mesh.transport.SessionOpen;
import io.strata.mesh.transport.TokenIds;
import io.strata.model.LoadedModel;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A node's data plane for the blocks placed on it: the cluster hands it each verified block
 * ({@link BlockHost}), and it serves the block as a stage. It opens sessions on OPEN frames
 * (passing the OPEN down the session's path), queues token and hidden-state frames for the
 * stage's worker, and reports failures to the session's gateway as ERROR frames, naming the
 * node at fault so the gateway can route around it.
 */
public final class StageServer implements BlockHost, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StageServer.class.getName());

    private final String nodeId;
    private final FrameSender sender;
    private final int maxSessions;
    private final int maxSessionsPerGateway;
    private final Duration idleTimeout;
    private final Map<String, HostedStage> hosted = new ConcurrentHashMap<>();
    private final Map<StageSession.SessionKey, StageSession> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper;
    private volatile java.util.function.Predicate<String> isMember = id -> true;

    /**
     * @param nodeId      this node, named in the errors it reports
     * @param sender      the transport
     * @param maxSessions sessions (per stage, summed over stages) this node takes before it answers OVERLOADED;
     *                    one gateway may hold at most three quarters of them (at least one)
     * @param idleTimeout a session with no work for this long is dropped (its gateway has gone)
     */
    public StageServer(String nodeId, FrameSender sender, int maxSessions, Duration idleTimeout) {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("a stage server needs room for at least one session, got " + maxSessions);
        }
        this.nodeId = nodeId;
        this.sender = sender;
        this.maxSessions = maxSessions;
        // one gateway (one peer) may not take every seat: the others keep a quarter
        this.maxSessionsPerGateway = Math.max(1, maxSessions - maxSessions / 4);
        this.idleTimeout = idleTimeout;
        this.reaper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("strata-session-reaper-" + nodeId).factory());
        long period = Math.max(1000, Math.min(30_000, idleTimeout.toMillis() / 2));
        reaper.scheduleAtFixedRate(this::dropIdle, period, period, TimeUnit.MILLISECONDS);
        reaper.scheduleAtFixedRate(this::dropOrphans, 1, 1, TimeUnit.SECONDS);
    }

    // ---- BlockHost ----

    @Override
    public void load(LoadedBlock block) {
        HostedStage h = new HostedStage(block, this);
        HostedStage previous = hosted.put(block.blockId(), h);
        if (previous != null) {
            stop(previous);
        }
        h.start();
        LOG.log(System.Logger.Level.INFO, nodeId + ": serving " + block.blockId() + " (stage " + h.stageIndex
                + ", layers " + h.stage.first() + "-" + (h.stage.last() - 1) + ")");
    }

    @Override
    public void unload(String blockId) {
        HostedStage h = hosted.remove(blockId);
        if (h != null) {
            stop(h);
        }
    }

    private void stop(HostedStage h) {
        for (StageSession s : List.copyOf(sessions.values())) {
            if (s.stage == h) {
                fail(s, FrameError.Code.NOT_HERE, nodeId + " stopped serving " + h.block.blockId());
            }
        }
        h.stop();
    }

    // ---- frames ----

    /** A frame for one of this node's stages (not for its gateway). */
    public void onFrame(Frame f, Connection from) {
        switch (f.type()) {
            case OPEN -> open(f, from);
            case TOKENS, ACTIVATIONS, SAMPLED -> work(f, from);
            case CLOSE -> {
                StageSession s = sessions.get(new StageSession.SessionKey(f.sessionId(), f.stage()));
                if (s != null) {
                    drop(s);
                }
            }
            case ERROR -> relayError(f);
            default -> LOG.log(System.Logger.Level.DEBUG, nodeId + ": ignored " + f);
        }
    }

    /** Passes an ERROR about a session this node serves to that session's gateway. */
    public void relayError(Frame f) {
        for (StageSession s : List.copyOf(sessions.values())) {
            if (s.id == f.sessionId()) {
                toGateway(s, f.toStage(Frame.GATEWAY));
                drop(s);
                return; // one relay is enough: the gateway reopens the whole path
            }
        }
    }

    /** The connection this node opened to {@code peer} broke: every session whose next hop it is has lost its path. */
    public void onPeerLost(PeerAddress peer) {
        for (StageSession s : List.copyOf(sessions.values())) {
            SessionOpen.Hop next = s.next();
            if (next.address().equals(peer)) {
                fail(s, FrameError.Code.PEER_LOST, "node " + next.nodeId() + " at " + peer + " (stage "
                        + (s.isLast() ? 0 : s.stageIndex + 1) + ") dropped its connection", next.nodeId());
            } else if (s.open.gateway().address().equals(peer)) {
                drop(s); // its gateway is gone: nobody will read the stream
            }
        }
    }

    private void open(Frame f, Connection from) {
        SessionOpen o;
        try {
            o = SessionOpen.decode(f.payload());
        } catch (IllegalArgumentException e) {
            reply(from, f, new FrameError(FrameError.Code.BAD_REQUEST, nodeId, e.getMessage()));
            return;
        }
        int index = f.stage();
        if (index < o.path().size() && !sentBy(from, index == 0 ? o.gateway().nodeId() : o.path().get(index - 1).nodeId())) {
            reply(from, f, new FrameError(FrameError.Code.BAD_REQUEST, nodeId, "an OPEN for stage " + index + " came from "
                    + from.peerNodeId() + ", not from the node before it on the path"));
            return;
        }
        if (index >= o.path().size()) {
            sendQuietly(o.gateway().address(), Frame.error(f.sessionId(), Frame.GATEWAY, new FrameError(
                    FrameError.Code.BAD_REQUEST, nodeId, "stage " + index + " is past the path's " + o.path().size())));
            return;
        }
        SessionOpen.Hop me = o.path().get(index);
        HostedStage h = hosted.get(me.blockId());
        if (h == null) {
            sendQuietly(o.gateway().address(), Frame.error(f.sessionId(), Frame.GATEWAY, new FrameError(
                    FrameError.Code.NOT_HERE, nodeId, nodeId + " does not serve " + me.blockId())));
            return;
        }
        if (sessions.size() >= maxSessions) {
            sendQuietly(o.gateway().address(), Frame.error(f.sessionId(), Frame.GATEWAY, new FrameError(
                    FrameError.Code.OVERLOADED, nodeId, nodeId + " holds " + maxSessions + " sessions already")));
            return;
        }
        String gatewayId = o.gateway().nodeId();
        long ofGateway = sessions.values().stream().filter(x -> x.open.gateway().nodeId().equals(gatewayId)).count();
        if (ofGateway >= maxSessionsPerGateway) {
            sendQuietly(o.gateway().address(), Frame.error(f.sessionId(), Frame.GATEWAY, new FrameError(
                    FrameError.Code.OVERLOADED, nodeId, nodeId + " holds " + ofGateway + " sessions of gateway "
                    + gatewayId + " already, its most for one gateway")));
            return;
        }
        EngineSession engine;
        try {
            engine = h.stage.newSession(o.capacity());
        } catch (IllegalArgumentException | OutOfMemoryError e) {
            sendQuietly(o.gateway().address(), Frame.error(f.sessionId(), Frame.GATEWAY, new FrameError(
                    e instanceof OutOfMemoryError ? FrameError.Code.OVERLOADED : FrameError.Code.BAD_REQUEST, nodeId,
                    me.blockId() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()))));
            return;
        }
        StageSession s = new StageSession(f.sessionId(), index, o, h, engine);
        StageSession replaced = sessions.put(s.key(), s);
        if (replaced != null) {
            replaced.closed = true;
            replaced.stage.sessions.decrementAndGet();
        }
        h.sessions.incrementAndGet();
        if (index + 1 < o.path().size()) {
            forward(s, f.toStage(index + 1));
        }
    }

    private void work(Frame f, Connection from) {
        StageSession s = sessions.get(new StageSession.SessionKey(f.sessionId(), f.stage()));
        if (s == null || s.closed) {
            reply(from, f, new FrameError(FrameError.Code.SESSION_GONE, nodeId, nodeId + " has no session "
                    + Long.toUnsignedString(f.sessionId(), 16) + " on stage " + f.stage()));
            return;
        }
        String expected = switch (f.type()) {
            case TOKENS -> s.open.gateway().nodeId();
            case SAMPLED -> s.open.path().getLast().nodeId();
            default -> s.stageIndex == 0 ? "" : s.open.path().get(s.stageIndex - 1).nodeId();
        };
        if (!sentBy(from, expected)) {
            reply(from, f, new FrameError(FrameError.Code.BAD_REQUEST, nodeId, "a " + f.type() + " for session "
                    + Long.toUnsignedString(f.sessionId(), 16) + " came from " + from.peerNodeId() + ", not from "
                    + expected));
            return;
        }
        s.lastActiveNanos = System.nanoTime();
        long now = System.nanoTime();
        try {
            switch (f.type()) {
                case TOKENS -> s.stage.submit(new WorkItem(s, f.step(), f.startPos(), f.rows(),
                        TokenIds.decode(f.payload()), null, f.samples(), now, from, f.more()));
                case ACTIVATIONS -> {
                    int dim = s.stage.stage.config().dim();
                    if (f.cols() != dim) {
                        fail(s, FrameError.Code.BAD_REQUEST, "hidden states of width " + f.cols() + " reached "
                                + s.stage.block.blockId() + ", whose model is " + dim + " wide");
                        return;
                    }
                    s.stage.submit(new WorkItem(s, f.step(), f.startPos(), f.rows(), null,
                            ActivationCodec.decode(f.dtype(), f.payload(), f.rows(), f.cols()), f.samples(), now, from,
                            f.more()));
                }
                case SAMPLED -> {
                    SampledToken t = SampledToken.decode(f.payload());
                    s.stage.submit(new WorkItem(s, f.step() + 1, f.startPos(), 1, new int[]{t.token()}, null, true, now,
                            from, f.more()));
                }
                default -> throw new IllegalStateException("not work: " + f.type());
            }
        } catch (IllegalArgumentException e) {
            fail(s, FrameError.Code.BAD_REQUEST, e.getMessage());
        }
    }

    /** True when the connection's proven peer is {@code nodeId} (always, on an unkeyed transport: nothing is proven). */
    private static boolean sentBy(Connection from, String nodeId) {
        return from == null || from.peerNodeId() == null || from.peerNodeId().equals(nodeId);
    }

    // ---- called by the stages' workers ----

    /** Where {@code f} goes: the stage it names on the session's path (stage 0 for a sampled token). */
    static SessionOpen.Hop destination(StageSession s, Frame f) {
        return f.type() == FrameType.SAMPLED ? s.open.path().getFirst() : s.open.path().get(f.stage());
    }

    /** Sends {@code f} to the session's next hop; a failure is reported to the gateway as that hop's loss. */
    void forward(StageSession s, Frame f) {
        SessionOpen.Hop next = destination(s, f);
        try {
            sender.send(next.address(), f);
        } catch (IOException e) {
            fail(s, FrameError.Code.PEER_LOST, "cannot reach node " + next.nodeId() + " (stage " + f.stage() + "): "
                    + e.getMessage(), next.nodeId());
        }
    }

    void toGateway(StageSession s, Frame f) {
        try {
            sender.send(s.open.gateway().address(), f);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, nodeId + ": the gateway of session " + Long.toUnsignedString(s.id, 16)
                    + " is unreachable (" + e.getMessage() + "); dropping the session");
            drop(s);
        }
    }

    void fail(StageSession s, FrameError.Code code, String message) {
        fail(s, code, message, nodeId);
    }

    /** Tells the session's gateway what went wrong and who is at fault, and drops the session here. */
    void fail(StageSession s, FrameError.Code code, String message, String culprit) {
        if (s.closed) {
            return;
        }
        drop(s);
        sendQuietly(s.open.gateway().address(), Frame.error(s.id, Frame.GATEWAY, new FrameError(code, culprit, message)));
    }

    private void drop(StageSession s) {
        if (sessions.remove(s.key(), s)) {
            s.stage.sessions.decrementAndGet();
        }
        s.closed = true;
    }

    private void reply(Connection from, Frame about, FrameError error) {
        try {
            from.send(Frame.error(about.sessionId(), Frame.GATEWAY, error));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, nodeId + ": could not report " + error + " to " + from.peer());
        }
    }

    private void sendQuietly(PeerAddress to, Frame f) {
        try {
            sender.send(to, f);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, nodeId + ": could not send " + f + " to " + to + ": " + e.getMessage());
        }
    }

    /**
     * Tells the server who is in the cluster: a session whose gateway has left the view (crashed,
     * expelled) has nobody to read its stream, and is dropped within a second of the view saying so
     * rather than after the idle timeout.
     */
    public void members(java.util.function.Predicate<String> isMember) {
        this.isMember = isMember;
    }

    private void dropOrphans() {
        java.util.function.Predicate<String> member = isMember;
        for (StageSession s : List.copyOf(sessions.values())) {
            String gateway = s.open.gateway().nodeId();
            if (!member.test(gateway)) {
                LOG.log(System.Logger.Level.INFO, nodeId + ": dropping session " + Long.toUnsignedString(s.id, 16)
                        + " on " + s.stage.block.blockId() + ": its gateway " + gateway + " left the cluster");
                drop(s);
            }
        }
    }

    private void dropIdle() {
        long limit = System.nanoTime() - idleTimeout.toNanos();
        for (StageSession s : List.copyOf(sessions.values())) {
            if (s.lastActiveNanos < limit) {
                LOG.log(System.Logger.Level.INFO, nodeId + ": dropping idle session " + Long.toUnsignedString(s.id, 16)
                        + " on " + s.stage.block.blockId());
                drop(s);
            }
        }
    }

    // ---- for the node, the gateway and the metrics ----

    public List<StageStats> stats() {
        List<StageStats> out = new ArrayList<>();
        hosted.values().forEach(h -> out.add(h.stats()));
        out.sort(java.util.Comparator.comparing(StageStats::modelId).thenComparingInt(StageStats::stageIndex));
        return out;
    }

    /** A block of {@code modelId} this node serves: every split carries the model's tokenizer and hyperparameters. */
    public Optional<LoadedModel> model(String modelId) {
        return hosted.values().stream().filter(h -> h.block.modelId().equals(modelId)).map(h -> h.block.model())
                .findFirst();
    }

    public List<LoadedBlock> blocks() {
        return hosted.values().stream().map(h -> h.block).toList();
    }

    /** The widest hidden state among the blocks served here (0: none): the widest frame this node can need. */
    public int widestHidden() {
        return hosted.values().stream().mapToInt(h -> h.stage.config().dim()).max().orElse(0);
    }

    public int sessionCount() {
        return sessions.size();
    }

    /** Stops every stage (after telling their sessions' gateways). */
    @Override
    public void close() {
        reaper.shutdownNow();
        for (String id : List.copyOf(hosted.keySet())) {
            unload(id);
        }
    }
}
