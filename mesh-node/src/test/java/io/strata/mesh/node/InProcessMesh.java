package io.strata.mesh.node;

import io.strata.mesh.RoutingTable;
import io.strata.mesh.artifacts.Stories260kPlan;
import io.strata.mesh.cluster.ClusterConfig;
import io.strata.mesh.gateway.GatewayConfig;
import io.strata.mesh.membership.Eventually;
import io.strata.mesh.membership.LoopbackPorts;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlanFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * stories260K split into stages and served by mesh nodes in this JVM, one block per node (each
 * node's memory holds one block): the data plane end to end without child processes.
 */
final class InProcessMesh implements AutoCloseable {
    static final String MODEL = Stories260kPlan.MODEL_ID;

    final List<MeshNode> nodes = new ArrayList<>();
    final ModelPlan plan;
    final Path planFile;
    private final Path dir;
    private final GatewayConfig gateway;
    private final String secret;
    private final List<Integer> ports;
    private long budget;

    InProcessMesh(Path dir, int stages, int nodeCount, ModelPlan.Replicas replicas, GatewayConfig gateway)
            throws IOException {
        this(dir, stages, nodeCount, replicas, gateway, -1, replicas, null);
    }

    /** With a cluster secret: membership and the activation transport both sealed with it. */
    InProcessMesh(Path dir, int stages, int nodeCount, ModelPlan.Replicas replicas, GatewayConfig gateway, String secret)
            throws IOException {
        this(dir, stages, nodeCount, replicas, gateway, -1, replicas, secret);
    }

    /** With block {@code rank} replicated {@code rankReplicas} times. */
    InProcessMesh(Path dir, int stages, int nodeCount, ModelPlan.Replicas replicas, GatewayConfig gateway, int rank,
                  ModelPlan.Replicas rankReplicas) throws IOException {
        this(dir, stages, nodeCount, replicas, gateway, rank, rankReplicas, null);
    }

    private InProcessMesh(Path dir, int stages, int nodeCount, ModelPlan.Replicas replicas, GatewayConfig gateway,
                          int rank, ModelPlan.Replicas rankReplicas, String secret) throws IOException {
        this.dir = dir;
        this.gateway = gateway;
        this.secret = secret;
        ModelPlan written = Stories260kPlan.write(dir.resolve("plan"), stages, replicas);
        this.planFile = Stories260kPlan.planFile(dir.resolve("plan"));
        this.plan = rank < 0 ? written : written.withReplicas(rank, rankReplicas);
        if (rank >= 0) {
            ModelPlanFile.write(plan, planFile);
        }
        this.budget = plan.blocks().stream().mapToLong(ModelPlan.BlockSpec::memoryBytes).max().orElseThrow();
        this.ports = new ArrayList<>(LoopbackPorts.free(nodeCount));
        try {
            for (int i = 0; i < nodeCount; i++) {
                boolean last = i == nodeCount - 1; // brings the plan once the others are members
                nodes.add(start("n" + i, ports.get(i), ports, last));
            }
            Eventually.await(Duration.ofSeconds(60), this::routed, this::describe);
        } catch (IOException | RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    private MeshNode start(String id, int port, List<Integer> peers, boolean withPlan) throws IOException {
        ClusterConfig.Builder cluster = ClusterConfig.builder("strata-dataplane-test", id)
                .bind("127.0.0.1", port)
                .peers(LoopbackPorts.peers(peers))
                .memoryBytes(budget)
                .readBytesPerSecond(1e9)
                .cacheDir(dir.resolve("cache-" + id))
                .plans(withPlan ? List.of(planFile.toString()) : List.of())
                .heartbeat(Duration.ofMillis(250), 8)
                .timeouts(Duration.ofMillis(800), Duration.ofSeconds(3))
                .secret(secret);
        return MeshNode.start(new NodeConfig(cluster, "127.0.0.1", 0, 0, gateway, 64, Duration.ofMinutes(5)));
    }

    /** A further node, with the same memory, joining the running mesh. */
    MeshNode join(String id) throws IOException {
        int port = LoopbackPorts.free(1).getFirst();
        List<Integer> peers = new ArrayList<>(ports);
        peers.add(port);
        MeshNode n = start(id, port, peers, false);
        nodes.add(n);
        return n;
    }

    /** Stops one node (it leaves the cluster) and forgets it. */
    void stop(MeshNode n) {
        n.close();
        nodes.remove(n);
    }

    /** Every node routes every stage, each replica on a node of its own. */
    boolean routed() {
        for (MeshNode n : nodes) {
            RoutingTable.ModelRoute route = n.routingTable().models().get(MODEL);
            if (route == null || route.stages().size() != plan.blocks().size()) {
                return false;
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < route.stages().size(); i++) {
                var s = route.stages().get(i);
                if (s.replicas().size() < plan.blocks().get(i).replicas().min()) {
                    return false;
                }
                for (var e : s.replicas()) {
                    if (!seen.add(e.nodeId())) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        nodes.forEach(n -> sb.append(n.nodeId()).append(": ").append(n.routingTable()).append(" placed ")
                .append(n.cluster().placement().replicas()).append('\n'));
        return sb.toString();
    }

    MeshNode node(String id) {
        return nodes.stream().filter(n -> n.nodeId().equals(id)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        nodes.reversed().forEach(MeshNode::close);
    }
}
