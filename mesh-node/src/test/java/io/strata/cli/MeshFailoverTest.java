package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.mesh.artifacts.Stories260kPlan;
import io.strata.mesh.membership.LoopbackPorts;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlanFile;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Four node processes serve stories260K in three stages, the middle one twice. The process
 * serving the middle stage of a running generation is killed (SIGKILL): the gateway routes
 * around it, replays the session's tokens into the other replica, and the completion ends
 * exactly as an uninterrupted one.
 */
class MeshFailoverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKENS = 600;

    @TempDir
    Path dir;

    @Test
    void killingTheMiddleStageMidGenerationLosesNoTokenAndReportsTheRecovery() throws Exception {
        Path planDir = dir.resolve("plan");
        ModelPlan plan = Stories260kPlan.write(planDir, 3, new ModelPlan.Replicas(1, 1));
        Path planFile = ModelPlanFile.write(plan.withReplicas(1, new ModelPlan.Replicas(2, 2)),
                Stories260kPlan.planFile(planDir));
        long budget = plan.blocks().stream().mapToLong(ModelPlan.BlockSpec::memoryBytes).max().orElseThrow();
        List<Integer> ports = LoopbackPorts.free(4);
        String peers = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
        try (NodeProcesses nodes = new NodeProcesses()) {
            Map<String, NodeProcesses.Child> byId = new HashMap<>();
            for (int i = 0; i < 4; i++) {
                List<String> args = new ArrayList<>(List.of("--cluster", "failover-" + ProcessHandle.current().pid(),
                        "--node-id", "f" + i, "--bind", "127.0.0.1", "--cluster-port", String.valueOf(ports.get(i)),
                        "--peers", peers, "--memory", String.valueOf(budget), "--read-speed", "1e10",
                        "--http-port", "0", "--cache-dir", dir.resolve("cache-" + i).toString(), "--heartbeat-ms", "250",
                        "--stall-timeout-ms", "3000"));
                if (i == 3) {
                    args.addAll(List.of("--plans", planFile.toString()));
                }
                NodeProcesses.Child c = nodes.start(args, dir.resolve("logs/f" + i + ".log"), Duration.ofSeconds(60));
                byId.put(c.nodeId(), c);
            }
            JsonNode route = awaitRoute(byId.get("f0"));
            String entry = route.get("stages").get(0).get("replicas").get(0).get("node_id").asText();
            NodeProcesses.Child gateway = byId.get(entry);
            Set<String> middle = new HashSet<>();
            route.get("stages").get(1).get("replicas").forEach(r -> middle.add(r.get("node_id").asText()));
            assertEquals(2, middle.size(), route.toString());

            JsonNode whole = complete(gateway, false);
            int[] expected = ints(whole.get("strata").get("tokens"));
            assertEquals(MAX_TOKENS, expected.length);
            assertTrue(whole.get("strata").get("recoveries").isEmpty(), whole.get("strata").get("recoveries").toString());

            AtomicInteger pieces = new AtomicInteger();
            String[] killed = {null};
            ObjectNode request = request();
            CompletionStream.Result streamed = CompletionStream.run(gateway.baseUrl(), request, piece -> {
                if (pieces.incrementAndGet() == 20) {
                    killed[0] = killMiddleOfTheRunningSession(byId, middle);
                }
            });
            assertTrue(killed[0] != null, "a middle-stage node was killed mid-generation");
            assertFalse(byId.get(killed[0]).process().isAlive());
            JsonNode details = streamed.details();
            assertEquals(whole.get("strata").get("tokens"), details.get("tokens"), "the same tokens as without the kill");
            assertEquals(whole.get("choices").get(0).get("text").asText(), streamed.text());
            JsonNode recoveries = details.get("recoveries");
            assertEquals(1, recoveries.size(), details.toString());
            JsonNode r = recoveries.get(0);
            assertTrue(r.get("recovery_ms").asDouble() > 0);
            assertTrue(r.get("failed_nodes").toString().contains(killed[0]), r.toString());
            assertFalse(r.get("new_path").toString().contains(killed[0]), r.toString());
            System.out.printf("failover: killed %s (pid %d) after %d streamed pieces; %s; recovered in %.1f ms, replaying"
                            + " %d tokens along %s%n", killed[0], byId.get(killed[0]).pid(), 20, r.get("reason").asText(),
                    r.get("recovery_ms").asDouble(), r.get("replayed_tokens").asInt(), r.get("new_path"));

            String metrics = get(gateway.baseUrl() + "/metrics");
            MetricsText m = MetricsText.parse(metrics);
            assertEquals(1.0, m.value("strata_failovers_total"));
            assertTrue(m.value("strata_failover_last_recovery_seconds") > 0, metrics);
            assertTrue(NodeProcesses.tail(gateway.log()).contains("recovered in")
                    || java.nio.file.Files.readString(gateway.log()).contains("recovered in"), "a log line reports it");
        }
    }

    /** The middle-stage replica that holds the running session, killed with SIGKILL. */
    private static String killMiddleOfTheRunningSession(Map<String, NodeProcesses.Child> nodes, Set<String> middle) {
        for (String id : middle) {
            try {
                JsonNode health = JSON.readTree(get(nodes.get(id).baseUrl() + "/health"));
                for (JsonNode b : health.get("blocks")) {
                    if (b.get("stage").asInt() == 1 && b.get("sessions").asInt() > 0) {
                        nodes.get(id).process().destroyForcibly().waitFor();
                        return id;
                    }
                }
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        fail("no middle-stage node holds the running session");
        return null;
    }

    private static ObjectNode request() {
        ObjectNode r = JSON.createObjectNode();
        r.put("model", Stories260kPlan.MODEL_ID);
        r.put("prompt", "Once upon a time");
        r.put("max_tokens", MAX_TOKENS);
        r.put("temperature", 0);
        return r;
    }

    private static JsonNode complete(NodeProcesses.Child gateway, boolean stream) throws Exception {
        ObjectNode r = request();
        r.put("stream", stream);
        r.put("return_details", true);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.baseUrl() + "/v1/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(r.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static JsonNode awaitRoute(NodeProcesses.Child node) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = get(node.baseUrl() + "/health/models");
                for (JsonNode m : JSON.readTree(last).get("models")) {
                    JsonNode stages = m.get("stages");
                    if (m.get("ready").asBoolean() && stages.size() == 3 && stages.get(1).get("replicas").size() == 2
                            && distinctNodes(stages) == 4) {
                        return m;
                    }
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not routed on four nodes: " + last);
    }

    private static int distinctNodes(JsonNode stages) {
        Set<String> ids = new HashSet<>();
        stages.forEach(s -> s.get("replicas").forEach(r -> ids.add(r.get("node_id").asText())));
        return ids.size();
    }

    private static String get(String url) throws IOException {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
