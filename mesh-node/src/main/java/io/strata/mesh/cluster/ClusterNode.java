package io.strata.mesh.cluster;

import io.strata.mesh.NodeAnnouncement;
import io.strata.mesh.RoutingTable;
import io.strata.mesh.artifacts.ArtifactStore;
import io.strata.mesh.artifacts.LoadedBlock;
import io.strata.mesh.membership.AnnouncementBoard;
import io.strata.mesh.membership.MeshMembership;
import io.strata.mesh.membership.MeshView;
import io.strata.mesh.membership.NodeStatus;
import io.strata.mesh.placement.PlacementDecision;
import io.strata.sdk.FileDownloader;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlan.BlockSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A mesh node's control side, the one object the data plane and the command line use: it joins
 * the cluster, announces this node every heartbeat, and, while it is the coordinator, places
 * blocks and publishes the routing table. Every node loads the blocks placed on it: fetch,
 * verify, open, hand to the {@link BlockHost}, then announce them READY.
 *
 * <p>All state changes happen on one control thread (membership events, heartbeats, load
 * results are queued to it); artifacts are fetched and handed to the host on a separate loader
 * thread so a long download never delays a heartbeat. Getters may be called from any thread.
 */
public final class ClusterNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterNode.class.getName());

    private final ClusterConfig config;
    private final BlockHost host;
    private final NodeResources resources;
    private final List<ModelPlan> ownPlans;
    private final ArtifactStore artifacts;
    private final AnnouncementBoard board;
    private final MeshMembership membership;
    private final ScheduledExecutorService control;
    private final ExecutorService loader;
    private final List<Consumer<RoutingTable>> routingListeners = new CopyOnWriteArrayList<>();

    // owned by the control thread
    private final Map<String, List<ModelPlan>> plansByNode = new HashMap<>();
    private final Map<String, BlockSpec> assigned = new LinkedHashMap<>();
    private final Set<String> loading = new HashSet<>();
    private final Map<String, LoadedBlock> ready = new LinkedHashMap<>();
    private final Map<String, NodeStatus.BlockFailure> failed = new LinkedHashMap<>();
    private final Map<String, Long> joinedAt = new HashMap<>();
    private MeshView view = MeshView.none();
    private long sequence = System.currentTimeMillis() * 1000; // a restarted node outranks its former self
    private boolean reconcileQueued;

    // snapshots for other threads
    private volatile PlacementDecision decision = PlacementDecision.empty();
    private volatile RoutingTable table = RoutingTable.empty();
    private volatile NodeStatus status;
    private volatile boolean closed;
    private volatile long joinedNanos;

    private ClusterNode(ClusterConfig config, BlockHost host, NodeResources resources, List<ModelPlan> ownPlans,
                        ArtifactStore artifacts) {
        this.config = config;
        this.host = host;
        this.resources = resources;
        this.ownPlans = List.copyOf(ownPlans);
        this.artifacts = artifacts;
        this.board = new AnnouncementBoard(config.staleAfter());
        this.status = new NodeStatus(announcement(), Map.of(), Map.of());
        this.control = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("strata-control-" + config.nodeId()).daemon().factory());
        this.loader = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("strata-loader-" + config.nodeId()).daemon().factory());
        this.membership = new MeshMembership(config.membership(), new MeshMembership.Listener() {
            @Override
            public void viewChanged(MeshView v) {
                post(() -> onView(v));
            }

            @Override
            public void received(String fromNodeId, byte[] payload) {
                ControlMessage.decode(payload).ifPresentOrElse(m -> post(() -> onMessage(fromNodeId, m)),
                        () -> LOG.log(System.Logger.Level.DEBUG, config.nodeId() + ": dropped an unreadable message from "
                                + fromNodeId));
            }
        });
    }

    /** Starts a node whose blocks are only held open (no data plane). */
    public static ClusterNode start(ClusterConfig config) {
        return start(config, BlockHost.NONE);
    }

    /**
     * Reads the plans, measures what the node offers, joins the cluster and starts announcing.
     *
     * @throws IllegalArgumentException when a plan cannot be read or the configuration is wrong
     * @throws io.strata.mesh.membership.MembershipException when the cluster cannot be joined
     */
    public static ClusterNode start(ClusterConfig config, BlockHost host) {
        FileDownloader downloader = new FileDownloader();
        List<ModelPlan> plans;
        try {
            plans = PlanSources.read(config.plans(), config.cacheDir(), downloader);
        } catch (IOException e) {
            throw new UncheckedIOException("node " + config.nodeId() + ": cannot fetch a model plan: " + e.getMessage(), e);
        }
        ClusterNode node = new ClusterNode(config, host, NodeResources.of(config), plans,
                new ArtifactStore(config.cacheDir(), downloader));
        node.begin();
        return node;
    }

    private void begin() {
        post(() -> plansByNode.put(config.nodeId(), ownPlans));
        try {
            membership.start();
            joinedNanos = System.nanoTime();
        } catch (RuntimeException e) {
            control.shutdownNow();
            loader.shutdownNow();
            throw e;
        }
        post(() -> {
            sendStatus(); // before the plans: the coordinator then places them knowing this node
            sendServe();
            requestReconcile();
        });
        long beat = config.heartbeat().toMillis();
        control.scheduleAtFixedRate(this::tick, beat, beat, TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, config.nodeId() + ": offering " + resources.memoryBytes() + " bytes on "
                + resources.device() + " at " + Math.round(resources.readBytesPerSecond() / 1e6) + " MB/s; serving "
                + ownPlans.stream().map(ModelPlan::modelId).toList());
    }

    public String nodeId() {
        return config.nodeId();
    }

    public ClusterConfig config() {
        return config;
    }

    public boolean isCoordinator() {
        return membership.isCoordinator();
    }

    /** The current view: members oldest first, and the coordinator. */
    public MeshView view() {
        return membership.view();
    }

    /** The newest routing table this node has: the data plane routes by it. */
    public RoutingTable routingTable() {
        return table;
    }

    /** Called (on the control thread; keep it short) with every newer routing table. */
    public void onRoutingChange(Consumer<RoutingTable> listener) {
        routingListeners.add(listener);
    }

    /** The newest placement this node has. */
    public PlacementDecision placement() {
        return decision;
    }

    /** The blocks placed on this node, loaded or not yet. */
    public List<BlockSpec> assignedBlocks() {
        return decision.blocksFor(config.nodeId());
    }

    /** What this node last announced (before joining: what it will): ready blocks with artifacts, refused blocks with reasons. */
    public NodeStatus status() {
        return status;
    }

    /** Whether this node is in a cluster whose members it hears, judged from its own side (see {@link NodeState}). */
    public NodeState state() {
        MeshView v = membership.view();
        long joined = joinedNanos;
        if (!membership.running() || joined == 0 || v.members().isEmpty()) {
            return NodeState.JOINING;
        }
        Set<String> others = new HashSet<>(v.members());
        others.remove(config.nodeId());
        if (others.isEmpty()) {
            return expectsPeers() ? NodeState.ISOLATED : NodeState.READY;
        }
        boolean hearsAnyone = board.live().stream().anyMatch(s -> others.contains(s.nodeId()));
        if (hearsAnyone) {
            return NodeState.READY;
        }
        return System.nanoTime() - joined < config.staleAfter().toNanos() ? NodeState.JOINING : NodeState.ISOLATED;
    }

    /** True when this node was given peers other than itself (with multicast discovery nobody is expected). */
    private boolean expectsPeers() {
        var own = membership.boundAddress();
        return config.membership().peerAddresses().stream()
                .anyMatch(p -> own == null || p.getPort() != own.getPort() || !sameHost(p, own));
    }

    private static boolean sameHost(java.net.InetSocketAddress a, java.net.InetSocketAddress b) {
        return a.getAddress() != null && b.getAddress() != null && a.getAddress().equals(b.getAddress());
    }

    /** The latest status of every member of the view, quiet ones included (this one once it has announced). */
    public List<NodeStatus> memberStatuses() {
        MeshView v = membership.view();
        return board.all().stream().filter(s -> v.contains(s.nodeId())).toList();
    }

    /** The nodes heard from recently (this one included). */
    public List<NodeStatus> liveNodes() {
        return board.live();
    }

    /** Leaves the cluster, then stops serving and closes every block. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        membership.close();
        control.shutdown();
        await(control, 5);
        for (LoadedBlock b : ready.values()) { // the control thread has stopped: safe to read
            loader.execute(() -> unloadNow(b));
        }
        loader.shutdown();
        await(loader, 30);
        LOG.log(System.Logger.Level.INFO, config.nodeId() + ": left " + config.clusterName());
    }

    // ---- control thread ----

    private void tick() {
        if (closed) {
            return;
        }
        try {
            sendStatus();
            requestReconcile();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, config.nodeId() + ": heartbeat failed: " + e.getMessage());
        }
    }

    private void onView(MeshView v) {
        Set<String> joined = new HashSet<>(v.members());
        joined.removeAll(view.members());
        joined.remove(config.nodeId());
        view = v;
        long now = System.nanoTime();
        joinedAt.keySet().retainAll(Set.copyOf(v.members()));
        v.members().forEach(m -> joinedAt.putIfAbsent(m, now));
        board.retainOnly(v.members());
        plansByNode.keySet().retainAll(Set.copyOf(v.members()));
        plansByNode.put(config.nodeId(), ownPlans);
        if (!joined.isEmpty() && membership.running()) {
            // newcomers (and a coordinator that just took over) hear from us without waiting a heartbeat
            sendStatus();
            sendServe();
            if (membership.isCoordinator()) {
                if (decision.version() > 0) {
                    send(new ControlMessage.Placed(decision));
                }
                if (table.version() > 0) {
                    send(new ControlMessage.Routed(table));
                }
            }
        }
        requestReconcile();
    }

    private void onMessage(String from, ControlMessage message) {
        switch (message) {
            case ControlMessage.Status s -> {
                if (!s.status().nodeId().equals(from)) {
                    LOG.log(System.Logger.Level.WARNING, config.nodeId() + ": member " + from
                            + " announced itself as " + s.status().nodeId() + "; ignored");
                } else if (board.offer(s.status())) {
                    requestReconcile();
                }
            }
            case ControlMessage.Serve s -> {
                plansByNode.put(from, s.plans());
                requestReconcile();
            }
            case ControlMessage.Placed p -> {
                boolean fromCoordinator = from.equals(view.coordinator());
                if (p.decision().version() > decision.version() || (fromCoordinator && !p.decision().sameAs(decision))) {
                    apply(p.decision());
                }
            }
            case ControlMessage.Routed r -> {
                boolean fromCoordinator = from.equals(view.coordinator());
                if (r.table().version() > table.version()
                        || (fromCoordinator && !r.table().models().equals(table.models()))) {
                    publishLocally(r.table());
                }
            }
        }
    }

    private void requestReconcile() {
        if (!reconcileQueued && !closed) {
            reconcileQueued = true;
            post(() -> {
                reconcileQueued = false;
                if (membership.isCoordinator()) {
                    reconcile();
                }
            });
        }
    }

    /** The coordinator's duty: place again, publish if anything changed; route again, publish if changed. */
    private void reconcile() {
        List<NodeStatus> live = board.live().stream().filter(s -> view.contains(s.nodeId())).toList();
        // Placement follows the view, not the heartbeats: a member that goes quiet keeps its blocks
        // (routes avoid it) until membership expels it, so a stall shorter than the failure timeout
        // moves nothing and a slow heartbeat cannot make blocks flap between nodes.
        List<NodeStatus> members = board.all().stream().filter(s -> view.contains(s.nodeId())).toList();
        List<ModelPlan> plans = Coordinator.servedPlans(view.members(), plansByNode, decision);
        if (!waitingForNewcomers()) {
            Coordinator.rebalance(plans, members, decision).ifPresent(next -> {
                logDecision(next);
                send(new ControlMessage.Placed(next));
                apply(next);
            });
        }
        Coordinator.route(decision, live, table).ifPresent(next -> {
            send(new ControlMessage.Routed(next));
            publishLocally(next);
        });
    }

    /**
     * A member that just joined has not announced itself yet: placing now would leave it out,
     * and stability would keep it out. Wait for it, but not longer than a silent node is trusted.
     */
    private boolean waitingForNewcomers() {
        long now = System.nanoTime();
        for (String m : view.members()) {
            if (board.get(m).isEmpty() && now - joinedAt.getOrDefault(m, now) < config.staleAfter().toNanos()) {
                return true;
            }
        }
        return false;
    }

    /** Every node: load what is newly placed here, drop what is no longer. */
    private void apply(PlacementDecision next) {
        decision = next;
        Map<String, String> modelOf = new HashMap<>();
        next.models().forEach(m -> m.blocks().forEach(b -> modelOf.put(b.blockId(), m.modelId())));
        Map<String, BlockSpec> want = new LinkedHashMap<>();
        next.blocksFor(config.nodeId()).forEach(b -> want.put(b.blockId(), b));
        assigned.clear();
        assigned.putAll(want);
        boolean changed = false;
        for (var it = ready.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            BlockSpec w = want.get(e.getKey());
            if (w == null || !w.sha256().equals(e.getValue().block().sha256())) {
                it.remove();
                LoadedBlock gone = e.getValue();
                loader.execute(() -> unloadNow(gone));
                changed = true;
            }
        }
        for (BlockSpec b : want.values()) {
            String key = key(b);
            NodeStatus.BlockFailure f = failed.get(b.blockId());
            if (ready.containsKey(b.blockId()) || loading.contains(key) || (f != null && f.sha256().equals(b.sha256()))) {
                continue;
            }
            loading.add(key);
            String modelId = modelOf.get(b.blockId());
            loader.execute(() -> loadNow(modelId, b));
        }
        if (changed) {
            sendStatus(); // stop being routed to what is going away before it goes
        }
    }

    private void loaded(LoadedBlock block) {
        loading.remove(key(block.block()));
        BlockSpec w = assigned.get(block.blockId());
        if (closed || w == null || !w.sha256().equals(block.block().sha256())) {
            loader.execute(() -> unloadNow(block)); // taken away while it loaded
            return;
        }
        ready.put(block.blockId(), block);
        failed.remove(block.blockId());
        LOG.log(System.Logger.Level.INFO, config.nodeId() + ": block " + block.blockId() + " is ready");
        sendStatus();
        requestReconcile();
    }

    private void loadFailed(BlockSpec block, String reason) {
        loading.remove(key(block));
        failed.put(block.blockId(), new NodeStatus.BlockFailure(block.sha256(), reason));
        sendStatus();
        requestReconcile();
    }

    private void publishLocally(RoutingTable next) {
        table = next;
        for (Consumer<RoutingTable> l : routingListeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, config.nodeId() + ": a routing listener failed: " + e);
            }
        }
    }

    private void sendStatus() {
        Map<String, String> artifactsReady = new LinkedHashMap<>();
        ready.forEach((id, b) -> artifactsReady.put(id, b.block().sha256()));
        NodeStatus s = new NodeStatus(announcement(), artifactsReady, failed);
        status = s;
        if (board.offer(s)) {
            requestReconcile();
        }
        send(new ControlMessage.Status(s));
    }

    private NodeAnnouncement announcement() {
        return new NodeAnnouncement(config.nodeId(), config.advertiseHost(), config.transportPort(), config.httpPort(),
                resources.device(), resources.memoryBytes(), resources.readBytesPerSecond(), ready.keySet(), ++sequence);
    }

    private void sendServe() {
        send(new ControlMessage.Serve(config.nodeId(), ownPlans));
    }

    private void send(ControlMessage message) {
        if (closed || !membership.running()) {
            return;
        }
        try {
            membership.send(ControlMessage.encode(message));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, config.nodeId() + ": " + e.getMessage());
        }
    }

    private void logDecision(PlacementDecision next) {
        StringBuilder sb = new StringBuilder(config.nodeId() + ": placement " + next.version() + ":");
        for (String member : view.members()) {
            sb.append(' ').append(member).append('=').append(next.blocksFor(member).stream().map(BlockSpec::blockId).toList());
        }
        LOG.log(System.Logger.Level.INFO, sb.toString());
        next.refusals().forEach(r -> LOG.log(System.Logger.Level.WARNING, r.reason()));
        next.shortfalls().forEach(s -> LOG.log(System.Logger.Level.WARNING, s));
    }

    // ---- loader thread ----

    private void loadNow(String modelId, BlockSpec spec) {
        LoadedBlock block = null;
        try {
            block = artifacts.load(modelId, spec);
            host.load(block);
            LoadedBlock done = block;
            if (!post(() -> loaded(done))) {
                unloadNow(done);
            }
        } catch (Exception e) {
            if (block != null) {
                block.close();
            }
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.log(System.Logger.Level.WARNING, config.nodeId() + ": block " + spec.blockId() + " not loaded: " + reason);
            post(() -> loadFailed(spec, reason));
        }
    }

    private void unloadNow(LoadedBlock block) {
        try {
            host.unload(block.blockId());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, config.nodeId() + ": stopping block " + block.blockId() + ": " + e);
        } finally {
            block.close();
        }
    }

    // ---- plumbing ----

    private boolean post(Runnable task) {
        try {
            control.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, config.nodeId() + ": control step failed", e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false; // closing
        }
    }

    private static String key(BlockSpec b) {
        return b.blockId() + "@" + b.sha256();
    }

    private static void await(ExecutorService executor, int seconds) {
        try {
            if (!executor.awaitTermination(seconds, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
