package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.mesh.artifacts.Stories260kPlan;
import io.strata.mesh.membership.LoopbackPorts;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Six {@code strata node} processes with a cluster secret, started at the same moment (each
 * founds a cluster of its own first: the join timeout is short), merge into one cluster; a node
 * stopped with SIGSTOP for 30 s is expelled, comes back, is merged in again and serves again.
 */
class SecretMeshHealsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "correct horse battery staple";
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void sixSecretNodesStartedAtOnceFormOneClusterAndAStoppedOneRejoinsAndServes() throws Exception {
        ModelPlan plan = Stories260kPlan.write(dir.resolve("plan"), 3, new ModelPlan.Replicas(1, 1));
        Path planFile = Stories260kPlan.planFile(dir.resolve("plan"));
        long budget = plan.blocks().stream().mapToLong(ModelPlan.BlockSpec::memoryBytes).max().orElseThrow();
        List<Integer> ports = LoopbackPorts.free(6);
        String peers = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
        try (NodeProcesses nodes = new NodeProcesses(); ExecutorService starting = Executors.newFixedThreadPool(6)) {
            List<Future<NodeProcesses.Child>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                List<String> args = new ArrayList<>(List.of("--cluster", "heal-" + ProcessHandle.current().pid(),
                        "--node-id", "h" + i, "--cluster-port", String.valueOf(ports.get(i)), "--peers", peers,
                        "--secret", SECRET, "--memory", String.valueOf(budget), "--read-speed", "1e10",
                        "--http-port", "0", "--cache-dir", dir.resolve("cache-" + i).toString(), "--heartbeat-ms", "250",
                        "--join-timeout-ms", "500", "--failure-timeout-ms", "3000", "--stall-timeout-ms", "3000",
                        "--plans", planFile.toString()));
                Path log = dir.resolve("logs/h" + i + ".log");
                futures.add(starting.submit(() -> nodes.start(args, log, Duration.ofSeconds(120))));
            }
            List<NodeProcesses.Child> children = new ArrayList<>();
            for (Future<NodeProcesses.Child> f : futures) {
                children.add(f.get());
            }

            for (NodeProcesses.Child c : children) {
                await(c, "/health", h -> h.get("members").size() == 6 && "ready".equals(h.get("status").asText()),
                        "one cluster of six, ready, seen from " + c.nodeId());
            }
            await(children.getFirst(), "/health/models", SecretMeshHealsTest::modelReady, "the model routed");

            NodeProcesses.Child stopped = blockHolderThatIsNotCoordinator(children);
            List<NodeProcesses.Child> others = children.stream().filter(c -> c != stopped).toList();
            signal("STOP", stopped);
            long stoppedAt = System.nanoTime();
            try {
                for (NodeProcesses.Child c : others) {
                    await(c, "/health", h -> h.get("members").size() == 5, c.nodeId() + " expels " + stopped.nodeId());
                }
                await(others.getFirst(), "/health/models", SecretMeshHealsTest::modelReady,
                        "the model routed again without " + stopped.nodeId());
                long left = Duration.ofSeconds(30).toNanos() - (System.nanoTime() - stoppedAt);
                if (left > 0) {
                    Thread.sleep(left / 1_000_000);
                }
            } finally {
                signal("CONT", stopped);
            }
            Set<String> statuses = new LinkedHashSet<>();
            await(stopped, "/health", h -> {
                statuses.add(h.get("status").asText());
                return h.get("members").size() == 6 && "ready".equals(h.get("status").asText());
            }, stopped.nodeId() + " merged back in");
            System.out.println(stopped.nodeId() + " reported " + statuses + " after SIGCONT");
            for (NodeProcesses.Child c : others) {
                await(c, "/health", h -> h.get("members").size() == 6, c.nodeId() + " sees " + stopped.nodeId() + " again");
            }
            await(stopped, "/health/models", SecretMeshHealsTest::modelReady, "the model routed, seen from "
                    + stopped.nodeId());
            JsonNode completion = complete(stopped);
            assertEquals(8, completion.get("usage").get("completion_tokens").asInt(), completion.toString());
        }
    }

    private static boolean modelReady(JsonNode models) {
        for (JsonNode m : models.get("models")) {
            if (m.get("ready").asBoolean() && m.get("stages").size() == 3) {
                return true;
            }
        }
        return false;
    }

    private static NodeProcesses.Child blockHolderThatIsNotCoordinator(List<NodeProcesses.Child> children)
            throws IOException {
        for (NodeProcesses.Child c : children) {
            JsonNode h = JSON.readTree(get(c.baseUrl() + "/health"));
            if (!h.get("coordinator").asBoolean() && !h.get("blocks").isEmpty()) {
                return c;
            }
        }
        throw new AssertionError("no node other than the coordinator holds a block");
    }

    private static void signal(String signal, NodeProcesses.Child c) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(c.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + c.pid());
    }

    private static JsonNode complete(NodeProcesses.Child gateway) throws Exception {
        String body = "{\"model\": \"" + Stories260kPlan.MODEL_ID + "\", \"prompt\": \"Once upon a time\","
                + " \"max_tokens\": 8, \"temperature\": 0, \"ignore_eos\": true}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.baseUrl() + "/v1/completions")).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static void await(NodeProcesses.Child c, String path, Predicate<JsonNode> condition, String what)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = get(c.baseUrl() + path);
                if (condition.test(JSON.readTree(last))) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not reached within " + WAIT + ": " + what + "; last " + path + ": " + last
                + "; log: " + NodeProcesses.tail(c.log()));
    }

    private static String get(String url) throws IOException {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
