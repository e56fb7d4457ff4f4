package io.strata.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.strata.sdk.Blocks;
import io.strata.sdk.ModelLayerClient;
import io.strata.sdk.RegistryException;
import io.strata.sdk.RetryPolicy;
import io.strata.functions.registry.TaskTokens;
import io.strata.sdk.TaskStatusClient;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlanFile;
import io.strata.tables.Store;
import io.strata.tables.Tables;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The splitter SDK's own clients (what a split job uses) against the control plane: the task-status protocol, the
 * model-layer registry, and the block query answered from a registered model plan.
 */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class SdkClientsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    @Inject
    Store store;

    private URI base() {
        return URI.create(base.toString());
    }

    @Test
    void taskStatusClientMovesATaskThroughItsStates() throws Exception {
        ObjectNode task = JsonNodeFactory.instance.objectNode();
        String token = TaskTokens.newToken();
        task.put("task_id", "sdk-task").put("task_type", "model_splits").put("status", "pending")
                .put(TaskTokens.DIGEST_FIELD, TaskTokens.digest(token));
        store.create(Tables.TASKS, task);
        TaskStatusClient client = new TaskStatusClient(base().resolve("/task-status"), RetryPolicy.NONE, token);

        client.markRunning("sdk-task");
        assertEquals("running", SeedExamplesContract.call("GET", "/task/sdk-task", null, 200).get("data").get("status").asText());
        client.reportProgress("sdk-task", "download", 512, 1024);
        JsonNode downloading = SeedExamplesContract.call("GET", "/task/sdk-task", null, 200).get("data");
        assertEquals(JSON.readTree("{\"phase\": \"download\", \"done\": 512, \"total\": 1024, \"percent\": 50}"),
                downloading.get("progress"));
        client.markComplete("sdk-task", Map.of("status", "done", "world_size", 2));
        JsonNode complete = SeedExamplesContract.call("GET", "/task/sdk-task", null, 200).get("data");
        assertEquals("complete", complete.get("status").asText());
        assertEquals(JSON.readTree("{\"status\": \"done\", \"world_size\": 2}"), complete.get("result"));
        assertFalse(complete.has("progress"), "a finished task carries its result, not its last progress");
        assertEquals(1, SeedExamplesContract.call("POST", "/tasks", "{\"status\": \"complete\", \"task_id\": \"sdk-task\"}", 200)
                .get("data").size());
        RegistryException late = assertThrows(RegistryException.class, () -> client.markFailed("sdk-task", "late"));
        assertEquals(409, late.status(), "a finished task does not change");

        RegistryException unknown = assertThrows(RegistryException.class, () -> client.markRunning("no-such-task"));
        assertEquals(404, unknown.status());
        RegistryException foreign = assertThrows(RegistryException.class,
                () -> new TaskStatusClient(base().resolve("/task-status"), RetryPolicy.NONE, "not-the-token").markRunning("sdk-task"));
        assertEquals(403, foreign.status());
    }

    @Test
    void modelLayerClientCreatesFindsAndQueriesLayers() throws Exception {
        ModelLayerClient client = new ModelLayerClient(base(), RetryPolicy.NONE);
        Map<String, Object> layer = Map.of("model_layer_hash", "0123456789abcdef0123456789abcdef",
                "model_asset_id", "sdk-model", "model_component_registry_uri", "strata.transformer-stage:0.1.0",
                "model_layer_public_url", "file:/splits/a.gguf", "model_layer_metadata", List.of(Map.of("format", "gguf")),
                "model_layer_rank", 0, "model_world_size", 1);
        JsonNode created = client.createModelLayer(layer);
        assertEquals("0123456789abcdef0123456789abcdef", created.get("id").asText());
        assertEquals(JSON.valueToTree(layer), client.getModelLayer("0123456789abcdef0123456789abcdef").orElseThrow());
        assertTrue(client.getModelLayer("ffffffffffffffffffffffffffffffff").isEmpty(), "an unknown hash is empty, not an error");
        assertEquals(1, client.queryModelLayers(JSON.readTree("{\"model_asset_id\": \"sdk-model\"}")).size());
        RegistryException duplicate = assertThrows(RegistryException.class, () -> client.createModelLayer(layer));
        assertEquals(409, duplicate.status(), "a split job that races another sees the 409 it handles");
    }

    private static ModelPlan plan(String modelId, String hashPrefix) {
        List<ModelPlan.BlockSpec> blocks = new ArrayList<>();
        ModelPlan.Replicas replicas = new ModelPlan.Replicas(1, 2);
        for (int rank = 0; rank < 3; rank++) {
            blocks.add(new ModelPlan.BlockSpec(ModelPlanFile.blockId(modelId, rank, 3), rank, 3, rank * 2, rank * 2 + 2,
                    "file:/splits/" + rank + ".gguf", rank + ".gguf", hashPrefix + rank, "sha" + rank, 1000 + rank,
                    5000 + rank, replicas, ModelPlanFile.COMPONENT_URI, rank == 1));
        }
        List<String> stages = blocks.stream().map(ModelPlan.BlockSpec::blockId).toList();
        return new ModelPlan(ModelPlan.VERSION, modelId, modelId + " model", "/models/m.gguf", "llama", 6, "even", 2048,
                blocks, ModelPlan.VdagSpec.chain(modelId + "-vdag-3", stages));
    }

    @Test
    void modelPlanRegistersItsBlocksAndVdagOnceAndBlocksAnswersTheSdkQuery() throws Exception {
        String planJson = ModelPlanFile.toJson(plan("plan-model", "hash-"));
        JsonNode registered = SeedExamplesContract.call("POST", "/model-plan", planJson, 200);
        assertEquals(JSON.readTree("{\"success\": true, \"data\": {\"message\": \"Model plan registered\","
                + " \"vdag_id\": \"plan-model-vdag-3\", \"block_ids\": [\"plan-model-split-0-of-3\", \"plan-model-split-1-of-3\","
                + " \"plan-model-split-2-of-3\"], \"created\": 4}}"), registered);

        JsonNode vdag = SeedExamplesContract.call("GET", "/vdag/plan-model-vdag-3", null, 200).get("data");
        assertEquals(JSON.readTree("[\"plan-model-split-0-of-3\", \"plan-model-split-1-of-3\", \"plan-model-split-2-of-3\"]"),
                vdag.get("stages"));
        assertEquals(2, vdag.get("edges").size());

        List<JsonNode> found = new Blocks(base(), RetryPolicy.NONE).query(ModelPlanFile.COMPONENT_URI, "hash-1");
        assertEquals(1, found.size());
        JsonNode block = found.getFirst();
        assertEquals("plan-model-split-1-of-3", block.get("block_id").asText());
        assertEquals("plan-model-vdag-3", block.get("block_vdag_id").asText());
        assertEquals(2, block.get("block_spec").get("first_layer").asInt());
        assertFalse(block.get("block_spec").has("reused"), "a job's reuse is not a property of the block");
        assertTrue(new Blocks(base(), RetryPolicy.NONE).query(ModelPlanFile.COMPONENT_URI, "hash-9").isEmpty());

        String before = StoreDump.of(store);
        assertEquals(0, SeedExamplesContract.call("POST", "/registerModelPlan", planJson, 200).get("data").get("created").asInt(),
                "the same plan again changes nothing");
        JsonNode conflict = SeedExamplesContract.call("POST", "/model-plan", ModelPlanFile.toJson(plan("plan-model", "other-")), 409);
        assertTrue(conflict.get("error").asText().contains("block plan-model-split-0-of-3 is already registered with other contents"),
                conflict.toString());
        assertEquals(before, StoreDump.of(store), "a refused plan writes nothing");

        SeedExamplesContract.call("DELETE", "/block/plan-model-split-2-of-3", null, 200);
        assertEquals(1, SeedExamplesContract.call("POST", "/model-plan", planJson, 200).get("data").get("created").asInt(),
                "registering again fills in what is missing");
        assertEquals(before, StoreDump.of(store));
    }

    @Test
    void blocksPutAsLeasesAreFoundUntilTheyExpireOrAreDeleted() throws Exception {
        Blocks blocks = new Blocks(base(), RetryPolicy.NONE);
        ObjectNode running = JsonNodeFactory.instance.objectNode();
        running.put("block_component_uri", "strata.transformer-stage:0.1.0").put("block_model_layer_hash", "lease-hash")
                .put("block_node", "n1").put("block_endpoint", "http://10.0.0.5:8080").put("block_status", "ready")
                .put("block_ttl_seconds", 30);
        blocks.put("n1:lease-block", running);
        blocks.put("n1:lease-block", running.deepCopy().put("block_status", "ready"));
        List<JsonNode> found = blocks.query("strata.transformer-stage:0.1.0", "lease-hash");
        assertEquals(1, found.size(), "putting again renews, it does not duplicate");
        assertEquals("n1", found.getFirst().get("block_node").asText());

        ObjectNode stale = JsonNodeFactory.instance.objectNode();
        stale.put("block_id", "dead-node:lease-block").put("block_component_uri", "strata.transformer-stage:0.1.0")
                .put("block_model_layer_hash", "lease-hash").put("block_expires_at_ms", System.currentTimeMillis() - 1);
        store.create(Tables.BLOCKS, stale);
        assertEquals(1, blocks.query("strata.transformer-stage:0.1.0", "lease-hash").size(), "an expired lease is not found");

        assertTrue(blocks.delete("n1:lease-block"));
        assertFalse(blocks.delete("n1:lease-block"), "deleting again finds nothing");
        assertTrue(blocks.query("strata.transformer-stage:0.1.0", "lease-hash").isEmpty());
    }
}
