package io.strata.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.strata.tables.Store;
import io.strata.tables.Tables;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every endpoint, sent missing fields, wrong types, unknown operators, oversized bodies and injection-shaped strings,
 * answers a clear error in the envelope with the right status, and the store is exactly as it was (a full dump of
 * every table compared before and after each request).
 */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class BadRequestsTest {

    private static final String LAYER = "layer-0";
    private static KubernetesMock cluster;
    private static String runnerId;

    @Inject
    Store store;

    private final List<String> failures = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = KubernetesMock.start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @BeforeEach
    void baseline() {
        if (runnerId != null) {
            return;
        }
        runnerId = SeedExamplesContract.call("POST", "/split-runner", "{\"cluster_k8s_config\": " + cluster.kubeconfig("ns")
                + ", \"split_runner_public_host\": \"10.0.0.1\"}", 200).get("data").get("id").asText();
        SeedExamplesContract.call("POST", "/model-layer", layer(LAYER, "0", "2"), 200);
        SeedExamplesContract.call("POST", "/block", "{\"block_id\": \"b-1\", \"block_component_uri\": \"c\","
                + " \"block_model_layer_hash\": \"" + LAYER + "\"}", 200);
        SeedExamplesContract.call("POST", "/vdag", "{\"vdag_id\": \"v-1\", \"stages\": [\"b-1\"]}", 200);
        ObjectNode task = JsonNodeFactory.instance.objectNode();
        task.put("task_id", "t-1").put("task_type", "model_splits").put("status", "running");
        store.create(Tables.TASKS, task);
    }

    private static String layer(String hash, String rank, String worldSize) {
        return "{\"model_layer_hash\": \"" + hash + "\", \"model_asset_id\": \"m\", \"model_component_registry_uri\": \"c\","
                + " \"model_layer_public_url\": \"file:/l\", \"model_layer_metadata\": [], \"model_layer_rank\": " + rank
                + ", \"model_world_size\": " + worldSize + "}";
    }

    /** Sends the request; records a failure unless it is refused with {@code status} and an error containing {@code says}. */
    private void refused(String method, String path, String body, int status, String says) {
        String before = StoreDump.of(store);
        // Paths are sent as written here (already percent-encoded where needed).
        var request = given().urlEncodingEnabled(false).contentType(ContentType.JSON);
        if (body != null) {
            request = request.body(body);
        }
        Response response = request.when().request(method, path);
        String what = method + " " + path + " " + (body == null ? "(no body)" : body.length() > 120 ? body.substring(0, 120) + "…" : body);
        String answer = response.asString();
        try {
            JsonNode json = SeedExamplesContract.json(answer);
            if (response.statusCode() != status) {
                failures.add(what + ": status " + response.statusCode() + " instead of " + status + ": " + answer);
            } else if (json.size() != 2 || !json.path("success").isBoolean() || json.get("success").asBoolean()
                    || !json.path("error").isTextual()) {
                failures.add(what + ": not the error envelope: " + answer);
            } else if (!json.get("error").asText().contains(says)) {
                failures.add(what + ": error does not say \"" + says + "\": " + answer);
            }
        } catch (IllegalArgumentException notJson) {
            failures.add(what + ": answer is not JSON: " + answer);
        }
        if (!before.equals(StoreDump.of(store))) {
            failures.add(what + ": the store changed");
        }
    }

    private void assertAllRefused() {
        if (!failures.isEmpty()) {
            fail(failures.size() + " requests were not refused as they should be:\n" + String.join("\n", failures));
        }
    }

    @Test
    void splitRunnerRequestsWithBadFieldsAreRefused() {
        String kubeconfig = cluster.kubeconfig("ns").toString();
        refused("POST", "/split-runner", null, 400, "request body is empty");
        refused("POST", "/split-runner", "[]", 400, "must be a JSON object, got an array");
        refused("POST", "/split-runner", "{\"a\": ", 400, "not valid JSON");
        refused("POST", "/split-runner", "{}", 400, "missing required field cluster_k8s_config");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": \"x\", \"split_runner_public_host\": \"h\"}", 400,
                "field cluster_k8s_config must be a JSON object, got string");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": " + kubeconfig + "}", 400,
                "missing required field split_runner_public_host");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": " + kubeconfig + ", \"split_runner_public_host\": 7}", 400,
                "field split_runner_public_host must be a string, got number 7");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": " + kubeconfig + ", \"split_runner_public_host\": \"a) OR (b\"}",
                400, "must be a host name or IP address");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": " + kubeconfig + ", \"split_runner_public_host\": \"h\","
                + " \"split_runner_tags\": [\"a\", 1]}", 400, "field split_runner_tags[1] must be a string");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": " + kubeconfig + ", \"split_runner_public_host\": \"h\","
                + " \"split_runner_metadata\": []}", 400, "field split_runner_metadata must be a JSON object");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": " + kubeconfig + ", \"split_runner_public_host\": \"h\","
                + " \"$where\": \"1\"}", 400, "unknown field $where");
        ObjectNode exec = cluster.kubeconfig("ns");
        ((ObjectNode) exec.get("users").get(0).get("user")).putObject("exec").put("command", "/bin/sh");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": " + exec + ", \"split_runner_public_host\": \"h\"}", 400,
                "cluster_k8s_config.users[0].user.exec is not accepted");
        ObjectNode keyFile = cluster.kubeconfig("ns");
        ((ObjectNode) keyFile.get("users").get(0).get("user")).put("client-key", "/etc/shadow");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": " + keyFile + ", \"split_runner_public_host\": \"h\"}", 400,
                "client-key is not accepted");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": {\"clusters\": []}, \"split_runner_public_host\": \"h\"}",
                400, "has no current-context");
        ObjectNode noServer = cluster.kubeconfig("ns");
        ((ObjectNode) noServer.get("clusters").get(0).get("cluster")).remove("server");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": " + noServer + ", \"split_runner_public_host\": \"h\"}", 400,
                "has no server URL");
        ObjectNode fileServer = cluster.kubeconfig("ns");
        ((ObjectNode) fileServer.get("clusters").get(0).get("cluster")).put("server", "file:///etc/passwd");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": " + fileServer + ", \"split_runner_public_host\": \"h\"}", 400,
                "must be an http(s) URL");
        ObjectNode dead = cluster.kubeconfig("ns");
        ((ObjectNode) dead.get("clusters").get(0).get("cluster")).put("server", "http://127.0.0.1:9");
        refused("POST", "/split-runner", "{\"cluster_k8s_config\": " + dead + ", \"split_runner_public_host\": \"h\"}", 502,
                "could not deploy the split runner on the cluster at http://127.0.0.1:9");

        for (String id : new String[] {"nope", "a)%20OR%20(b", "%23x", ":v0", "$where"}) {
            refused("GET", "/split-runner/" + id, null, 404, "no split runner with id");
            refused("DELETE", "/split-runner/" + id, null, 404, "no split runner with id");
            refused("PUT", "/split-runner/" + id, "{\"$set\": {\"split_runner_metadata.a\": 1}}", 404, "no split runner with id");
        }
        String runner = "/split-runner/" + runnerId;
        refused("PUT", runner, null, 400, "request body is empty");
        refused("PUT", runner, "{}", 400, "");
        refused("PUT", runner, "{\"split_runner_tags\": [\"x\"]}", 400, "");
        refused("PUT", runner, "{\"$where\": \"this.a == 1\"}", 400, "$where");
        refused("PUT", runner, "{\"$rename\": {\"split_runner_tags\": \"t\"}}", 400, "$rename");
        refused("PUT", runner, "{\"$set\": {\"split_runner_id\": \"other\"}}", 400, "split_runner_id");
        refused("PUT", runner, "{\"$set\": {\"cluster_k8s_config\": {}}}", 400, "field cluster_k8s_config cannot be changed");
        refused("PUT", runner, "{\"$unset\": {\"split_runner_deployment\": \"\"}}", 400, "field split_runner_deployment cannot be changed");
        refused("PUT", runner, "{\"$set\": {\"split_runner_public_host\": \"a) OR (b\"}}", 400, "must be a host name or IP address");
        refused("PUT", runner, "{\"$set\": {\"split_runner_tags\": \"x\"}}", 400, "field split_runner_tags must be a JSON array");
        refused("PUT", runner, "{\"$set\": {\"extra\": 1}}", 400, "unknown field extra");
        refused("PUT", runner, "{\"$set\": {\"a) OR (b\": 1}}", 400, "");
        refused("PUT", runner, "{\"$set\": {\"#x\": 1}}", 400, "");
        refused("PUT", runner, "{\"$set\": {\":v0\": 1}}", 400, "");
        refused("PUT", runner, "{\"$set\": {\"split_runner_metadata\": 1}, \"$set\": {}}", 400, "Duplicate field '$set'");

        refused("POST", "/split-runners", "\"x\"", 400, "a query filter must be a JSON object, got string");
        refused("POST", "/split-runners", "{\"$where\": \"1\"}", 400, "$where");
        refused("POST", "/split-runners", "{\"split_runner_tags\": {\"$regex\": \".\"}}", 400, "$regex");
        refused("POST", "/split-runners", "{\"$or\": []}", 400, "");
        refused("POST", "/split-runners", "{\"cluster_k8s_config.users\": {\"$exists\": true}}", 400,
                "field cluster_k8s_config cannot be queried");
        refused("POST", "/split-runners", "{\"$or\": [{\"cluster_k8s_config\": 1}]}", 400, "field cluster_k8s_config cannot be queried");
        refused("POST", "/split-runners", "{\"a) OR (b\": 1}", 400, "");
        refused("POST", "/split-runners", "{\"#x\": 1}", 400, "");
        refused("POST", "/split-runners", "{\":v0\": 1}", 400, "");
        assertAllRefused();
    }

    @Test
    void modelLayerRequestsWithBadFieldsAreRefused() {
        refused("POST", "/model-layer", "{}", 400, "missing required field model_layer_hash");
        refused("POST", "/model-layer", layer(LAYER, "0", "2"), 409, "model layer " + LAYER + " is already registered");
        refused("POST", "/model-layer", layer("h2", "\"0\"", "2"), 400, "field model_layer_rank must be an integer, got string \"0\"");
        refused("POST", "/model-layer", layer("h2", "0.5", "2"), 400, "field model_layer_rank must be an integer, got number 0.5");
        refused("POST", "/model-layer", layer("h2", "2", "2"), 400, "model_layer_rank 2 must be below model_world_size 2");
        refused("POST", "/model-layer", layer("h2", "0", "0"), 400, "field model_world_size must be at least 1");
        refused("POST", "/model-layer", layer("h2", "-1", "2"), 400, "field model_layer_rank must be at least 0");
        refused("POST", "/model-layer", layer("", "0", "2"), 400, "field model_layer_hash must not be empty");
        refused("POST", "/model-layer", layer("h2", "0", "2").replace("\"model_layer_metadata\": []",
                "\"model_layer_metadata\": [1]"), 400, "field model_layer_metadata[0] must be a JSON object");
        refused("POST", "/model-layer", layer("h2", "0", "2").replace("\"model_asset_id\": \"m\", ", ""), 400,
                "missing required field model_asset_id");
        refused("POST", "/model-layer", layer("h2", "0", "2").replace("{", "{\"$where\": 1, "), 400, "unknown field $where");
        String deep = "{\"a\": ".repeat(40) + "1" + "}".repeat(40);
        refused("POST", "/model-layer", layer("h2", "0", "2").replace("\"model_layer_metadata\": []",
                "\"model_layer_metadata\": [" + deep + "]"), 400, "");
        refused("POST", "/model-layer", "[".repeat(5000) + "]".repeat(5000), 400, "not valid JSON");

        String path = "/model-layer/" + LAYER;
        refused("PUT", path, "{\"$set\": {\"model_layer_rank\": \"x\"}}", 400, "field model_layer_rank must be an integer");
        refused("PUT", path, "{\"$unset\": {\"model_asset_id\": \"\"}}", 400, "missing required field model_asset_id");
        refused("PUT", path, "{\"$set\": {\"model_layer_hash\": \"other\"}}", 400, "model_layer_hash");
        refused("PUT", path, "{\"$inc\": {\"model_asset_id\": 1}}", 400, "");
        refused("PUT", path, "{\"$inc\": {\"model_layer_rank\": 5}}", 400, "must be below model_world_size");
        refused("PUT", path, "{\"$set\": {\"extra\": 1}}", 400, "unknown field extra");
        refused("PUT", path, "{\"$push\": {\"model_layer_metadata\": 3}}", 400, "field model_layer_metadata[0] must be a JSON object");
        refused("PUT", path, "{\"$where\": \"1\"}", 400, "$where");
        refused("PUT", "/model-layer/nope", "{\"$set\": {\"model_asset_id\": \"x\"}}", 404, "no model layer with hash nope");
        refused("DELETE", "/model-layer/nope", null, 404, "no model layer with hash nope");
        refused("GET", "/model-layer/%23x", null, 404, "no model layer with hash #x");

        refused("POST", "/model-layers", "{\"model_layer_rank\": {\"$gt\": {}}}", 400, "");
        refused("POST", "/model-layers", "{\"model_layer_rank\": {\"$where\": 1}}", 400, "$where");
        refused("POST", "/model-layers", "{\"$and\": \"x\"}", 400, "");
        refused("POST", "/model-layers", "{\"model_asset_id\": {\"$in\": \"m\"}}", 400, "");
        assertAllRefused();
    }

    @Test
    void splitJobRequestsWithBadFieldsAreRefusedBeforeAnyTaskIsWritten() {
        String ok = "{\"task_data\": {\"model_name\": \"m\", \"model_download_url\": \"file:/m.gguf\", \"world_size\": 2,"
                + " \"model_split_config\": {}}, \"container_image\": \"img\"}";
        refused("POST", "/start_model_split_job", null, 400, "request body is empty");
        refused("POST", "/start_model_split_job", "{}", 400, "missing required field task_data");
        refused("POST", "/start_model_split_job", ok.replace("\"model_name\": \"m\", ", ""), 400, "missing required field task_data.model_name");
        refused("POST", "/start_model_split_job", ok.replace("\"model_download_url\": \"file:/m.gguf\", ", ""), 400,
                "missing required field task_data.model_download_url");
        refused("POST", "/start_model_split_job", ok.replace("\"world_size\": 2, ", ""), 400, "missing required field task_data.world_size");
        refused("POST", "/start_model_split_job", ok.replace(", \"model_split_config\": {}", ""), 400,
                "missing required field task_data.model_split_config");
        refused("POST", "/start_model_split_job", ok.replace("\"world_size\": 2", "\"world_size\": \"4\""), 400,
                "field task_data.world_size must be an integer, got string \"4\"");
        refused("POST", "/start_model_split_job", ok.replace("\"world_size\": 2", "\"world_size\": 0"), 400,
                "field task_data.world_size must be at least 1, got 0");
        refused("POST", "/start_model_split_job", ok.replace("\"world_size\": 2", "\"world_size\": 1.5"), 400,
                "field task_data.world_size must be an integer");
        refused("POST", "/start_model_split_job", ok.replace("\"model_split_config\": {}", "\"model_split_config\": \"x\""), 400,
                "field task_data.model_split_config must be a JSON object");
        refused("POST", "/start_model_split_job", ok.replace("\"model_name\": \"m\"", "\"model_name\": [\"m\"]"), 400,
                "field task_data.model_name must be a string, got an array");
        refused("POST", "/start_model_split_job", ok.replace("\"task_data\": {", "\"task_data\": [{").replace("}, \"container", "}], \"container"),
                400, "field task_data must be a JSON object, got an array");
        refused("POST", "/start_model_split_job", ok.replace(", \"container_image\": \"img\"", ""), 400,
                "missing required field container_image");
        refused("POST", "/start_model_split_job", ok.replace("\"container_image\": \"img\"", "\"container_image\": 5"), 400,
                "field container_image must be a string, got number 5");
        refused("POST", "/start_model_split_job", ok.replace("\"img\"", "\"img; rm -rf /\""), 400, "without spaces");
        for (String size : new String[] {"lots", "0", "-1Gi", "1 Gi", "1Gi) OR (1", "1XB"}) {
            refused("POST", "/start_model_split_job", ok.substring(0, ok.length() - 1) + ", \"storage_size\": \"" + size + "\"}",
                    400, "field storage_size must be");
        }
        refused("POST", "/start_model_split_job", ok.substring(0, ok.length() - 1) + ", \"storage_size\": 2}", 400,
                "field storage_size must be a string, got number 2");
        refused("POST", "/start_model_split_job", ok.substring(0, ok.length() - 1) + ", \"$where\": 1}", 400, "unknown field $where");
        assertAllRefused();
    }

    @Test
    void taskBlockAndVdagRequestsWithBadFieldsAreRefused() {
        refused("POST", "/task-status", "{}", 400, "missing required field task_id");
        refused("POST", "/task-status", "{\"task_id\": \"nope\", \"status\": \"running\"}", 404, "no task with id nope");
        refused("POST", "/task-status", "{\"task_id\": \"t-1\", \"status\": \"done\"}", 400, "field status must be running, complete or failed");
        refused("POST", "/task-status", "{\"task_id\": \"t-1\", \"status\": \"pending\"}", 400, "field status must be running, complete or failed");
        refused("POST", "/task-status", "{\"task_id\": \"t-1\", \"status\": \"running\", \"result\": {}}", 400,
                "field result is only accepted with status complete");
        refused("POST", "/task-status", "{\"task_id\": \"t-1\", \"status\": \"complete\", \"error\": \"e\"}", 400,
                "field error is only accepted with status failed");
        refused("POST", "/task-status", "{\"task_id\": \"t-1\", \"status\": \"complete\", \"result\": \"x\"}", 400,
                "field result must be a JSON object");
        refused("POST", "/task-status", "{\"task_id\": \"t-1\", \"status\": \"running\", \"$set\": {}}", 400, "unknown field $set");
        refused("GET", "/task/nope", null, 404, "no task with id nope");
        refused("POST", "/tasks", "{\"status\": {\"$where\": \"1\"}}", 400, "$where");

        refused("POST", "/block", "{}", 400, "missing required field block_component_uri");
        refused("POST", "/block", "{\"block_component_uri\": \"c\", \"block_model_layer_hash\": 5}", 400,
                "field block_model_layer_hash must be a string, got number 5");
        refused("POST", "/block", "{\"block_id\": \"b-1\", \"block_component_uri\": \"c\", \"block_model_layer_hash\": \"h\"}", 409,
                "block b-1 already exists");
        refused("GET", "/block/nope", null, 404, "no block with id nope");
        refused("DELETE", "/block/nope", null, 404, "no block with id nope");
        refused("POST", "/blocks", "{\"block_component_uri\": {\"$regex\": \".\"}}", 400, "$regex");

        refused("POST", "/vdag", "{}", 400, "missing required field stages");
        refused("POST", "/vdag", "{\"stages\": []}", 400, "field stages must name at least one block");
        refused("POST", "/vdag", "{\"stages\": [\"a\", \"a\"]}", 400, "field stages must name distinct blocks");
        refused("POST", "/vdag", "{\"stages\": [\"a\", 1]}", 400, "field stages[1] must be a string");
        refused("POST", "/vdag", "{\"stages\": [\"a\"], \"edges\": [{\"from\": \"a\", \"to\": \"zz\"}]}", 400,
                "field edges[0].to names \"zz\", which is not one of the stages");
        refused("POST", "/vdag", "{\"vdag_id\": \"v-1\", \"stages\": [\"a\"]}", 409, "vDAG v-1 already exists");
        refused("GET", "/vdag/nope", null, 404, "no vDAG with id nope");

        refused("POST", "/model-plan", "{}", 400, "missing required field model_id");
        refused("POST", "/model-plan", "{\"model_id\": \"m\", \"blocks\": \"x\"}", 400, "model plan field blocks has the wrong type");
        refused("POST", "/model-plan", "{\"model_id\": \"m\", \"layers\": 2, \"blocks\": [{\"block_id\": \"m-0\", \"rank\": 0,"
                + " \"world_size\": 1, \"first_layer\": 1, \"last_layer\": 2, \"component_uri\": \"c\", \"model_layer_hash\": \"h\"}],"
                + " \"vdag\": {\"vdag_id\": \"v\", \"stages\": [\"m-0\"]}}", 400, "covers layers [1, 2) but the previous block ended at 0");
        assertAllRefused();
    }

    @Test
    void oversizedBodiesAreRefusedWith413OnEveryWritingEndpoint() {
        String huge = "{\"x\": \"" + "a".repeat(1_100_000) + "\"}";
        for (String path : new String[] {"/split-runner", "/model-layer", "/model-layers", "/start_model_split_job",
                "/task-status", "/block", "/vdag", "/model-plan", "/createModelLayer", "/queryBlocks"}) {
            refused("POST", path, huge, 413, "request body too large: the limit is 1M");
        }
        refused("PUT", "/model-layer/" + LAYER, huge, 413, "request body too large");
        assertAllRefused();
    }

    @Test
    void functionsRefuseLikeTheirPaths() {
        refused("POST", "/createModelLayer", "{}", 400, "missing required field model_layer_hash");
        refused("POST", "/getModelLayer", "{\"model_layer_hash\": \"nope\"}", 404, "no model layer with hash nope");
        refused("POST", "/getModelLayer", "{}", 400, "missing required field model_layer_hash");
        refused("POST", "/updateModelLayer", "{\"model_layer_hash\": \"" + LAYER + "\"}", 400, "missing required field update");
        refused("POST", "/updateModelLayer", "{\"model_layer_hash\": \"" + LAYER + "\", \"update\": {\"$where\": 1}}", 400, "$where");
        refused("POST", "/deleteSplitRunner", "{\"split_runner_id\": \"nope\"}", 404, "no split runner with id nope");
        refused("POST", "/queryModelLayers", "{\"a\": ", 400, "not valid JSON");
        refused("POST", "/queryModelLayers", "{\"a\": 1, \"a\": 2}", 400, "not valid JSON");
        refused("POST", "/startModelSplitJob", "{}", 400, "missing required field task_data");
        refused("POST", "/updateTaskStatus", "{\"task_id\": \"nope\", \"status\": \"failed\", \"error\": \"e\"}", 404, "no task with id nope");
        refused("POST", "/registerModelPlan", "[]", 400, "a model plan must be a JSON object, got an array");
        refused("POST", "/noSuchFunction", "{}", 404, "no such endpoint: POST /noSuchFunction");
        refused("PATCH", "/model-layer/" + LAYER, "{}", 405, "method PATCH is not allowed");
        assertAllRefused();
    }

    @Test
    void aValidRequestAfterAllThatStillWorks() {
        JsonNode layer = SeedExamplesContract.call("GET", "/model-layer/" + LAYER, null, 200).get("data");
        assertEquals(LAYER, layer.get("model_layer_hash").asText());
        assertTrue(SeedExamplesContract.call("POST", "/getSplitRunner", "{\"split_runner_id\": \"" + runnerId + "\"}", 200)
                .get("success").asBoolean());
    }
}
