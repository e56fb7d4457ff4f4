package io.strata.split;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.model.TestModels;
import io.strata.sdk.LayerHash;
import io.strata.sdk.LoopbackServer;
import io.strata.sdk.RetryPolicy;
import io.strata.sdk.SplitterContext;
import io.strata.sdk.SplitterExecutor;
import io.strata.sdk.TaskStatusClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in splitter driven by the SDK's executor against a task DB and a layer registry on loopback. */
class TransformerSplitterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A model-layer registry with the seed's paths and envelopes, keeping layers in a map. */
    private static LoopbackServer.Response registry(LoopbackServer.Request r, Map<String, JsonNode> layers) {
        try {
            if (r.method().equals("POST") && r.path().equals("/model-layer")) {
                JsonNode layer = JSON.readTree(r.body());
                String hash = layer.get("model_layer_hash").asText();
                if (layers.putIfAbsent(hash, layer) != null) {
                    return LoopbackServer.Response.json(409, "{\"success\": false, \"error\": \"exists\"}");
                }
                return LoopbackServer.Response.json(200, "{\"success\": true, \"data\": {\"message\": \"created\"}}");
            }
            if (r.method().equals("GET") && r.path().startsWith("/model-layer/")) {
                JsonNode layer = layers.get(r.path().substring("/model-layer/".length()));
                return layer == null
                        ? LoopbackServer.Response.json(404, "{\"success\": false, \"error\": \"not found\"}")
                        : LoopbackServer.Response.json(200, "{\"success\": true, \"data\": " + layer + "}");
            }
            return LoopbackServer.Response.json(404, "{\"success\": false, \"error\": \"no route\"}");
        } catch (Exception e) {
            return LoopbackServer.Response.json(500, "{\"success\": false, \"error\": \"" + e + "\"}");
        }
    }

    private int runJob(LoopbackServer server, String taskId, Path out) throws Exception {
        ObjectNode data = JSON.createObjectNode();
        data.put("model_name", "stories260K");
        data.put("model_download_url", TestModels.stories260kGguf().toUri().toString());
        data.put("world_size", 3);
        data.putObject("model_split_config").put("split_strategy", "even").put("output_dir", out.toString());
        SplitterContext ctx = SplitterContext.fromEnvironment(Map.of(
                "TASK_ID", taskId, "TASK_DATA", data.toString(),
                "TASK_STATUS_UPDATE_URL", server.url("/task-status").toString(),
                "MODEL_LAYERS_REGISTRY_URL", server.url("").toString(),
                "STRATA_SPLIT_WORK_DIR", dir.resolve("work").toString()));
        return SplitterExecutor.execute(TransformerSplitter.class, ctx,
                new TaskStatusClient(ctx.taskStatusUpdateUrl(), RetryPolicy.NONE));
    }

    private static List<JsonNode> statusPosts(LoopbackServer server) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (LoopbackServer.Request r : server.requests()) {
            if (r.path().equals("/task-status")) {
                out.add(JSON.readTree(r.body()));
            }
        }
        return out;
    }

    @Test
    void splitJobRegistersItsLayersAndASecondJobReusesThem() throws Exception {
        Map<String, JsonNode> layers = new ConcurrentHashMap<>();
        try (LoopbackServer server = new LoopbackServer(r -> r.path().equals("/task-status")
                ? LoopbackServer.Response.json(200, "{\"success\": true}") : registry(r, layers))) {
            assertEquals(SplitterExecutor.EXIT_COMPLETE, runJob(server, "task-1", dir.resolve("first")));
            List<JsonNode> posts = statusPosts(server);
            assertEquals(List.of("running", "complete"), posts.stream().filter(p -> !p.has("progress"))
                    .map(p -> p.get("status").asText()).toList());
            assertEquals(List.of("download", "split", "register"), posts.stream().filter(p -> p.has("progress"))
                    .map(p -> p.get("progress").get("phase").asText()).toList(), "the job reports its phases while running");
            JsonNode result = posts.getLast().get("result");
            assertEquals(0, result.get("reused_layers").asInt());
            JsonNode blocks = result.get("model_plan_data").get("blocks");
            assertEquals(3, blocks.size());
            assertEquals(3, layers.size());
            for (JsonNode b : blocks) {
                Path file = dir.resolve("first").resolve(b.get("artifact_file").asText());
                assertEquals(LayerHash.md5(file), b.get("model_layer_hash").asText(), "registered hash is the file's MD5");
                JsonNode layer = layers.get(b.get("model_layer_hash").asText());
                assertEquals(b.get("rank").asInt(), layer.get("model_layer_rank").asInt());
                assertEquals(3, layer.get("model_world_size").asInt());
                assertEquals("stories260K", layer.get("model_asset_id").asText());
                assertFalse(b.get("reused").asBoolean());
            }

            assertEquals(SplitterExecutor.EXIT_COMPLETE, runJob(server, "task-2", dir.resolve("second")));
            JsonNode second = statusPosts(server).getLast().get("result");
            assertEquals(3, second.get("reused_layers").asInt());
            assertEquals(3, layers.size(), "nothing registered twice");
            for (int i = 0; i < 3; i++) {
                JsonNode b = second.get("model_plan_data").get("blocks").get(i);
                assertTrue(b.get("reused").asBoolean());
                assertEquals(blocks.get(i).get("model_layer_hash"), b.get("model_layer_hash"));
                assertEquals(blocks.get(i).get("artifact_url"), b.get("artifact_url"), "points at the registered copy");
            }
        }
    }

    @Test
    void tensorParallelIsRefusedBeforeAnyWork() throws Exception {
        try (LoopbackServer server = new LoopbackServer(r -> LoopbackServer.Response.json(200, "{\"success\": true}"))) {
            ObjectNode data = JSON.createObjectNode();
            data.put("model_name", "gpt2");
            data.put("model_download_url", "https://example.invalid/gpt2.tar.gz");
            data.put("world_size", 4);
            data.putObject("model_split_config").put("split_strategy", "tensor_parallel").put("tp_degree", 2);
            SplitterContext ctx = SplitterContext.fromEnvironment(Map.of("TASK_ID", "t", "TASK_DATA", data.toString(),
                    "TASK_STATUS_UPDATE_URL", server.url("/task-status").toString()));
            int code = SplitterExecutor.execute(TransformerSplitter.class, ctx,
                    new TaskStatusClient(ctx.taskStatusUpdateUrl(), RetryPolicy.NONE));
            assertEquals(SplitterExecutor.EXIT_FAILED, code);
            JsonNode failed = statusPosts(server).getLast();
            assertEquals("failed", failed.get("status").asText());
            assertTrue(failed.get("error").asText().contains("pipeline parallelism"), failed.toString());
        }
    }
}
