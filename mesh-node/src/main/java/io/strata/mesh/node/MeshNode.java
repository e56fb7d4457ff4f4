package io.strata.mesh.node;

import io.strata.mesh.RoutingTable;
import io.strata.mesh.artifacts.ArtifactStore;
import io.strata.mesh.artifacts.LoadedBlock;
import io.strata.mesh.cluster.ClusterConfig;
import io.strata.mesh.cluster.ClusterNode;
import io.strata.mesh.gateway.GatewayMetrics;
import io.strata.mesh.gateway.GatewayServer;
import io.strata.mesh.gateway.GatewaySessions;
import io.strata.mesh.gateway.NodeInfo;
import io.strata.mesh.gateway.PipelineClient;
import io.strata.mesh.gateway.RoutingView;
import io.strata.mesh.pipeline.StageServer;
import io.strata.mesh.pipeline.StageStats;
import io.strata.mesh.membership.ClusterSecret;
import io.strata.mesh.transport.FrameLimits;
import io.strata.mesh.transport.SessionOpen;
import io.strata.mesh.transport.TransportSecurity;
import io.strata.mesh.transport.TcpTransport;
import io.strata.split.ModelPlan;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One mesh node: it binds its activation transport and HTTP gateway, joins the cluster
 * announcing both ports, serves the blocks the coordinator places on it, and routes its
 * gateway's sessions by the routing table the coordinator publishes. {@link #close()} stops
 * taking requests, leaves the cluster (its blocks are placed elsewhere), closes its sessions
 * and its connections.
 */
public final class MeshNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MeshNode.class.getName());

    private final TcpTransport transport;
    private final StageServer stages;
    private final GatewaySessions gatewaySessions;
    private final RoutingView routing;
    private final GatewayMetrics metrics;
    private final PipelineClient client;
    private final NodeModelCatalog catalog;
    private final GatewayServer http;
    private final ClusterNode cluster;
    private final MemberAdmission admission = new MemberAdmission();
    private volatile boolean closed;

    private MeshNode(NodeConfig config) throws IOException {
        FrameRouter router = new FrameRouter();
        ClusterConfig draft = config.cluster().build();
        String nodeId = draft.nodeId();
        String secret = draft.membership().secret();
        byte[] transportKey = secret == null ? null : ClusterSecret.derive(secret, draft.clusterName()).transportKey();
        this.transport = TcpTransport.start(config.bindAddress(), config.transportPort(), router,
                new TransportSecurity(nodeId, transportKey, admission), FrameLimits.forBlocks(router::widestHidden));
        TcpTransport t = transport;
        if (!config.peerTimeout().isZero()) {
            transport.watchPeers(config.peerTimeout().dividedBy(4), config.peerTimeout());
        }
        StageServer s = null;
        NodeModelCatalog c = null;
        GatewayServer h = null;
        try {
            s = new StageServer(nodeId, transport, config.maxSessions(), config.idleTimeout());
            this.gatewaySessions = new GatewaySessions();
            router.wire(s, gatewaySessions);
            this.routing = new RoutingView();
            this.metrics = new GatewayMetrics();
            SessionOpen.Hop self = new SessionOpen.Hop("", nodeId, draft.advertiseHost(), transport.port());
            this.client = new PipelineClient(nodeId, self, transport, transport, gatewaySessions, routing,
                    config.gateway(), metrics);
            c = new NodeModelCatalog(s, new ArtifactStore(draft.cacheDir()));
            this.stages = s;
            this.catalog = c;
            h = GatewayServer.start(config.bindAddress(), config.httpPort(), client, routing, catalog, metrics, info(nodeId));
            this.http = h;
            ClusterConfig actual = config.cluster().advertise(draft.advertiseHost(), transport.port(), h.port()).build();
            this.cluster = ClusterNode.start(actual, s);
        } catch (IOException | RuntimeException e) {
            if (h != null) {
                h.close();
            }
            if (s != null) {
                s.close();
            }
            if (c != null) {
                c.close();
            }
            t.close();
            throw e;
        }
        admission.joined(cluster);
        stages.members(admission::isMember);
        catalog.cluster(cluster);
        cluster.onRoutingChange(routing::update);
        routing.update(cluster.routingTable());
        LOG.log(System.Logger.Level.INFO, nodeId + ": transport " + config.bindAddress() + ":" + transport.port()
                + ", gateway http://" + config.bindAddress() + ":" + http.port() + ", cluster " + draft.clusterName());
    }

    /**
     * Starts a node and joins its cluster.
     *
     * @throws IOException when a port cannot be bound
     * @throws IllegalArgumentException when the configuration or a plan is wrong
     */
    public static MeshNode start(NodeConfig config) throws IOException {
        return new MeshNode(config);
    }

    public String nodeId() {
        return cluster.nodeId();
    }

    public int transportPort() {
        return transport.port();
    }

    public int httpPort() {
        return http.port();
    }

    public ClusterNode cluster() {
        return cluster;
    }

    public RoutingTable routingTable() {
        return routing.current();
    }

    /** The gateway's pipeline client: runs generations across the mesh (the HTTP API is a layer over it). */
    public PipelineClient client() {
        return client;
    }

    /** The sessions this node's gateway drives: frames addressed to a gateway land here. */
    public GatewaySessions gatewaySessions() {
        return gatewaySessions;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public StageServer stages() {
        return stages;
    }

    public TcpTransport transport() {
        return transport;
    }

    private NodeInfo info(String nodeId) {
        return new NodeInfo() {
            @Override
            public String nodeId() {
                return nodeId;
            }

            @Override
            public Map<String, Object> health() {
                Map<String, Object> h = new LinkedHashMap<>();
                ClusterNode c = cluster;
                if (c != null) {
                    h.put("status", c.state().label());
                    h.put("cluster", c.config().clusterName());
                    h.put("coordinator", c.isCoordinator());
                    h.put("members", c.view().members());
                    h.put("routing_version", routing.current().version());
                }
                List<Map<String, Object>> blocks = new ArrayList<>();
                for (StageStats s : stages.stats()) {
                    Map<String, Object> b = new LinkedHashMap<>();
                    b.put("block_id", s.blockId());
                    b.put("model", s.modelId());
                    b.put("stage", s.stageIndex());
                    b.put("first_layer", s.firstLayer());
                    b.put("last_layer", s.lastLayer());
                    b.put("sessions", s.sessions());
                    blocks.add(b);
                }
                h.put("blocks", blocks);
                return h;
            }

            @Override
            public List<String> plannedModels() {
                ClusterNode c = cluster;
                return c == null ? List.of() : c.placement().models().stream().map(ModelPlan::modelId).toList();
            }

            @Override
            public List<StageStats> stages() {
                return stages.stats();
            }
        };
    }

    /** Blocks this node serves now. */
    public List<LoadedBlock> blocks() {
        return stages.blocks();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        http.close();
        cluster.close(); // leaves first: the coordinator moves this node's blocks while it shuts down
        stages.close();
        catalog.close();
        transport.close();
        LOG.log(System.Logger.Level.INFO, cluster.nodeId() + ": stopped");
    }
}
