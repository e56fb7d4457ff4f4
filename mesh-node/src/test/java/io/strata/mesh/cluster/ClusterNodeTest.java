package io.strata.mesh.cluster;

import com.sun.net.httpserver.HttpServer;
import io.strata.mesh.RoutingTable;
import io.strata.mesh.artifacts.Stories260kPlan;
import io.strata.mesh.membership.Eventually;
import io.strata.mesh.membership.LoopbackPorts;
import io.strata.mesh.membership.NodeStatus;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlanFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterNodeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String MODEL = Stories260kPlan.MODEL_ID;

    @TempDir
    Path dir;

    private final List<ClusterNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.reversed().forEach(ClusterNode::close);
    }

    private ClusterNode start(String id, int port, List<Integer> ports, long memory, String secret, List<String> plans) {
        ClusterConfig config = ClusterConfig.builder("strata-test", id)
                .bind("127.0.0.1", port)
                .peers(LoopbackPorts.peers(ports))
                .secret(secret)
                .advertise("127.0.0.1", 9000 + ports.indexOf(port), 8000 + ports.indexOf(port))
                .memoryBytes(memory)
                .readBytesPerSecond(1e9)
                .cacheDir(dir.resolve("cache-" + id))
                .plans(plans)
                .heartbeat(Duration.ofMillis(250), 8)
                .timeouts(Duration.ofMillis(800), Duration.ofSeconds(3))
                .build();
        ClusterNode node = ClusterNode.start(config);
        nodes.add(node);
        return node;
    }

    /** Node id serving each stage first, when every node agrees on a table serving the model from {@code members}. */
    private static boolean servedBy(List<ClusterNode> members, Set<String> allowed) {
        RoutingTable first = members.getFirst().routingTable();
        RoutingTable.ModelRoute route = first.models().get(MODEL);
        if (route == null || route.stages().size() != 3) {
            return false;
        }
        for (ClusterNode n : members) {
            if (n.routingTable().version() != first.version()) {
                return false;
            }
        }
        Map<String, NodeStatus> status = new HashMap<>();
        members.forEach(n -> status.put(n.nodeId(), n.status()));
        for (RoutingTable.StageRoute s : route.stages()) {
            for (RoutingTable.Endpoint e : s.replicas()) {
                NodeStatus st = status.get(e.nodeId());
                if (!allowed.contains(e.nodeId()) || st == null || !st.announcement().readyBlocks().contains(s.blockId())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String tables(List<ClusterNode> members) {
        StringBuilder sb = new StringBuilder();
        members.forEach(n -> sb.append(n.nodeId()).append(": ").append(n.routingTable()).append(" placed ")
                .append(n.placement().replicas()).append('\n'));
        return sb.toString();
    }

    private static long splitMemory(ModelPlan plan) {
        return plan.blocks().stream().mapToLong(ModelPlan.BlockSpec::memoryBytes).sum();
    }

    @Test
    void threeNodesServeTheSplitModelAndReplaceTheBlockOfANodeThatLeaves() throws IOException {
        ModelPlan plan = Stories260kPlan.write(dir.resolve("plan"), 3, new ModelPlan.Replicas(1, 1));
        long memory = splitMemory(plan) - 1; // any two blocks fit a node, the whole model none
        List<Integer> ports = LoopbackPorts.free(3);
        String secret = "mesh secret for the test";
        List<String> planFile = List.of(Stories260kPlan.planFile(dir.resolve("plan")).toString());
        ClusterNode b = start("b", ports.get(0), ports, memory, secret, List.of());
        ClusterNode c = start("c", ports.get(1), ports, memory, secret, List.of());
        ClusterNode a = start("a", ports.get(2), ports, memory, secret, planFile); // brings the plan, joins last
        List<ClusterNode> all = List.of(a, b, c);
        Eventually.await(WAIT, () -> servedBy(all, Set.of("a", "b", "c")), () -> tables(all));

        assertTrue(b.isCoordinator(), "the oldest member coordinates");
        for (ClusterNode n : all) {
            assertEquals(1, n.assignedBlocks().size(), n.nodeId() + " takes one block: " + n.placement().replicas());
            assertEquals(1, n.status().announcement().readyBlocks().size());
        }
        String lostBlock = a.assignedBlocks().getFirst().blockId();
        Map<String, String> kept = Map.of("b", b.assignedBlocks().getFirst().blockId(),
                "c", c.assignedBlocks().getFirst().blockId());
        long before = b.routingTable().version();

        a.close();
        List<ClusterNode> left = List.of(b, c);
        Eventually.await(WAIT, () -> servedBy(left, Set.of("b", "c")), () -> tables(left));
        assertTrue(b.routingTable().version() > before, "a new table was published");
        kept.forEach((node, block) -> assertTrue(b.placement().nodesFor(block).contains(node), block + " stayed on " + node));
        List<String> holders = b.placement().nodesFor(lostBlock);
        assertEquals(1, holders.size());
        assertTrue(Set.of("b", "c").contains(holders.getFirst()), "re-placed on a survivor: " + holders);
        assertEquals(List.of(MODEL), c.placement().models().stream().map(ModelPlan::modelId).toList(),
                "the plan outlives the node that brought it");
    }

    @Test
    void whenTheCoordinatorLeavesTheNextOldestTakesOverAndReplacesItsBlock() throws IOException {
        ModelPlan plan = Stories260kPlan.write(dir.resolve("plan"), 3, new ModelPlan.Replicas(1, 1));
        long memory = splitMemory(plan) - 1;
        List<Integer> ports = LoopbackPorts.free(3);
        List<String> planFile = List.of(Stories260kPlan.planFile(dir.resolve("plan")).toString());
        ClusterNode b = start("b", ports.get(0), ports, memory, null, List.of());
        ClusterNode c = start("c", ports.get(1), ports, memory, null, List.of());
        ClusterNode a = start("a", ports.get(2), ports, memory, null, planFile);
        List<ClusterNode> all = List.of(a, b, c);
        Eventually.await(WAIT, () -> servedBy(all, Set.of("a", "b", "c")), () -> tables(all));
        assertTrue(b.isCoordinator());
        String lostBlock = b.assignedBlocks().getFirst().blockId();
        long before = c.routingTable().version();

        b.close();
        List<ClusterNode> left = List.of(c, a);
        Eventually.await(WAIT, () -> c.isCoordinator() && servedBy(left, Set.of("a", "c")), () -> tables(left));
        assertTrue(c.routingTable().version() > before);
        assertEquals(1, c.placement().nodesFor(lostBlock).size());
    }

    @Test
    void aNodeGivenATamperedArtifactRefusesItSaysWhyAndTheBlockMovesToAnotherNode() throws IOException {
        Path planDir = dir.resolve("plan");
        ModelPlan plan = Stories260kPlan.write(planDir, 3, new ModelPlan.Replicas(1, 1));
        ModelPlan.BlockSpec middle = plan.blocks().get(1);
        Path good = Path.of(URI.create(middle.artifactUrl()));
        byte[] tampered = Files.readAllBytes(good);
        tampered[tampered.length / 2] ^= 0x10;
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = requests.getAndIncrement() == 0 ? tampered : Files.readAllBytes(good);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/middle.gguf";
            List<ModelPlan.BlockSpec> blocks = new ArrayList<>(plan.blocks());
            blocks.set(1, new ModelPlan.BlockSpec(middle.blockId(), middle.rank(), middle.worldSize(),
                    middle.firstLayer(), middle.lastLayer(), url, middle.artifactFile(), middle.modelLayerHash(),
                    middle.sha256(), middle.bytes(), middle.memoryBytes(), middle.replicas(), middle.componentUri(), false));
            ModelPlan served = new ModelPlan(plan.planVersion(), plan.modelId(), plan.modelName(), plan.source(),
                    plan.architecture(), plan.layers(), plan.strategy(), plan.contextTokens(), blocks, plan.vdag());
            Path planFile = ModelPlanFile.write(served, planDir.resolve("served" + ModelPlanFile.SUFFIX));

            List<Integer> ports = LoopbackPorts.free(2);
            long plenty = 1L << 30; // the whole model fits either node: it goes whole to a first
            ClusterNode a = start("a", ports.get(0), ports, plenty, null, List.of(planFile.toString()));
            ClusterNode b = start("b", ports.get(1), ports, plenty, null, List.of());
            List<ClusterNode> all = List.of(a, b);
            Eventually.await(WAIT, () -> servedBy(all, Set.of("a", "b"))
                    && a.routingTable().models().get(MODEL).stages().get(1).replicas().getFirst().nodeId().equals("b"),
                    () -> tables(all) + " failures " + a.status().failedBlocks());

            NodeStatus.BlockFailure failure = a.status().failedBlocks().get(middle.blockId());
            assertTrue(failure != null && failure.reason().contains(middle.blockId())
                    && failure.reason().contains(middle.sha256()) && failure.reason().contains("does not match its hashes"),
                    String.valueOf(failure));
            assertEquals(List.of("b"), b.placement().nodesFor(middle.blockId()));
            assertTrue(b.liveNodes().stream().anyMatch(s -> s.failedBlocks().containsKey(middle.blockId())),
                    "every node sees the refusal");
        } finally {
            server.stop(0);
        }
    }
}
