package io.strata.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.strata.functions.registry.TaskTokens;
import io.strata.tables.Store;
import io.strata.tables.Tables;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests that would undo a finished task, update another job's task, make a local job read or write outside its
 * roots, aim the control plane at its own host, or register a vDAG that cannot run are refused with a 4xx in the
 * error envelope, and the store is exactly as before (a full dump compared around each request). Run on each store by
 * a subclass.
 */
abstract class UnsafeRequestsContract {

    private static KubernetesMock cluster;

    @Inject
    Store store;

    @BeforeAll
    static void startCluster() {
        cluster = KubernetesMock.start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    /** A task as a launcher writes it, whose job holds the returned token. */
    private String task(String status, String token) {
        String id = "task-" + UUID.randomUUID();
        ObjectNode task = JsonNodeFactory.instance.objectNode();
        task.put("task_id", id).put("task_type", "model_splits").put("status", status)
                .put(TaskTokens.DIGEST_FIELD, TaskTokens.digest(token));
        if (status.equals("complete")) {
            task.putObject("result").put("model_plan_data", "the plan");
        }
        store.create(Tables.TASKS, task);
        return id;
    }

    private static Response send(String method, String path, String body, Map<String, String> headers) {
        var request = given().contentType(ContentType.JSON).headers(headers);
        if (body != null) {
            request = request.body(body);
        }
        return request.when().request(method, path);
    }

    /** Sends the request and checks it is refused with {@code status}, an error saying {@code says}, and no write. */
    private void refused(String method, String path, String body, Map<String, String> headers, int status, String says) {
        String before = StoreDump.of(store);
        Response response = send(method, path, body, headers);
        JsonNode json = SeedExamplesContract.json(response.asString());
        assertEquals(status, response.statusCode(), method + " " + path + ": " + response.asString());
        assertEquals(2, json.size(), "the error envelope has success and error only: " + json);
        assertFalse(json.get("success").asBoolean(), json.toString());
        assertTrue(json.get("error").asText().contains(says), "error should say \"" + says + "\": " + json);
        assertEquals(before, StoreDump.of(store), method + " " + path + " changed the store");
    }

    private static Map<String, String> token(String token) {
        return Map.of(TaskTokens.HEADER, token);
    }

    private static String status(String taskId, String status, String extra) {
        return "{\"task_id\": \"" + taskId + "\", \"status\": \"" + status + "\"" + extra + "}";
    }

    @Test
    void aFinishedTaskNeverGoesBack() {
        String token = TaskTokens.newToken();
        String complete = task("complete", token);
        refused("POST", "/task-status", status(complete, "running", ""), token(token), 409, "a finished task does not change");
        refused("POST", "/task-status", status(complete, "complete", ", \"result\": {\"hacked\": true}"), token(token), 409,
                "is complete");
        refused("POST", "/task-status", status(complete, "failed", ", \"error\": \"x\""), token(token), 409, "is complete");
        String failed = task("failed", token);
        refused("POST", "/task-status", status(failed, "running", ""), token(token), 409, "is failed");
        refused("POST", "/task-status", status(failed, "complete", ", \"result\": {}"), token(token), 409, "is failed");
        // The Funqy function is held to the same rule.
        refused("POST", "/updateTaskStatus", "{\"task_id\": \"" + complete + "\", \"status\": \"running\", \"task_token\": \""
                + token + "\"}", Map.of(), 409, "a finished task does not change");
    }

    @Test
    void aJobUpdatesOnlyItsOwnTaskAndOnlyForwards() {
        String mine = TaskTokens.newToken();
        String theirs = TaskTokens.newToken();
        String task = task("pending", mine);
        refused("POST", "/task-status", status(task, "running", ""), Map.of(), 403, "send its STRATA_TASK_TOKEN");
        refused("POST", "/task-status", status(task, "running", ""), token(theirs), 403, "a job updates only its own task");
        refused("POST", "/updateTaskStatus", "{\"task_id\": \"" + task + "\", \"status\": \"failed\", \"error\": \"e\","
                + " \"task_token\": \"" + theirs + "\"}", Map.of(), 403, "a job updates only its own task");

        assertEquals(200, send("POST", "/task-status", status(task, "running",
                ", \"progress\": {\"phase\": \"split\", \"done\": 1, \"total\": 2}"), token(mine)).statusCode());
        JsonNode running = SeedExamplesContract.call("GET", "/task/" + task, null, 200).get("data");
        assertEquals("running", running.get("status").asText());
        assertEquals("split", running.get("progress").get("phase").asText());
        assertFalse(running.has(TaskTokens.DIGEST_FIELD), "the token's digest is never shown");
        refused("POST", "/tasks", "{\"" + TaskTokens.DIGEST_FIELD + "\": \"x\"}", Map.of(), 400, "cannot be queried");
        assertEquals(200, send("POST", "/task-status", status(task, "complete", ", \"result\": {\"ok\": 1}"), token(mine))
                .statusCode());
        refused("POST", "/task-status", status(task, "running", ""), token(mine), 409, "a finished task does not change");
    }

    private static String job(String downloadUrl, String outputDir) {
        return "{\"task_data\": {\"model_name\": \"m\", \"model_download_url\": \"" + downloadUrl + "\", \"world_size\": 1,"
                + " \"model_split_config\": {" + (outputDir == null ? "" : "\"output_dir\": \"" + outputDir + "\"")
                + "}}, \"container_image\": \"strata/splitter:test\"}";
    }

    @Test
    void localJobsStayInsideTheirRoots() {
        refused("POST", "/start_model_split_job", job("file:///etc/passwd", null), Map.of(), 400,
                "outside the folders split jobs may read");
        refused("POST", "/start_model_split_job", job("/etc/passwd", null), Map.of(), 400, "outside the folders split jobs may read");
        refused("POST", "/start_model_split_job", job("https://models.example/m.gguf", "/tmp/elsewhere"), Map.of(), 400,
                "must be a folder under");
        refused("POST", "/start_model_split_job", job("https://models.example/m.gguf", "relative/dir"), Map.of(), 400,
                "must be an absolute path");
        String escape = "/" + String.join("/", "..", "..", "..", "..", "..", "..", "..", "..", "tmp");
        refused("POST", "/startModelSplitJob", job("https://models.example/m.gguf", escape), Map.of(), 400,
                "must be a folder under");
    }

    private String kubeconfig(String server) {
        ObjectNode config = cluster.kubeconfig("ns");
        ((ObjectNode) config.get("clusters").get(0).get("cluster")).put("server", server);
        return "{\"cluster_k8s_config\": " + config + ", \"split_runner_public_host\": \"10.0.0.1\"}";
    }

    @Test
    void kubeconfigsAimedAtThisHostAreRefusedAndCredentialsAreSealed() {
        refused("POST", "/split-runner", kubeconfig("http://169.254.169.254"), Map.of(), 400, "link-local");
        refused("POST", "/split-runner", kubeconfig("https://[fe80::1]:6443"), Map.of(), 400, "link-local");
        refused("POST", "/split-runner", kubeconfig("https://localhost:6443"), Map.of(), 400, "loopback");
        refused("POST", "/split-runner", kubeconfig("https://0.0.0.0:6443"), Map.of(), 400, "loopback or wildcard");

        String id = SeedExamplesContract.call("POST", "/split-runner", kubeconfig(cluster.url()), 200).get("data").get("id").asText();
        ObjectNode stored = store.get(Tables.SPLIT_RUNNERS, id).orElseThrow();
        assertFalse(stored.toString().contains("mock-token"), "the kubeconfig's token is not stored in plain text: " + stored);
        assertFalse(stored.has("cluster_k8s_config"), stored.toString());
        assertEquals("A256GCM", stored.get("cluster_k8s_config_sealed").get("alg").asText());
        refused("POST", "/split-runners", "{\"cluster_k8s_config_sealed.alg\": \"A256GCM\"}", Map.of(), 400, "cannot be queried");
        SeedExamplesContract.call("DELETE", "/split-runner/" + id, null, 200);
        assertTrue(cluster.client().apps().deployments().inNamespace("ns").list().getItems().isEmpty(),
                "the sealed kubeconfig opened again to remove the runner");
    }

    @Test
    void vdagsNameRegisteredBlocksWithoutCyclesAndCanBeQueriedAndDeleted() {
        String prefix = "v" + UUID.randomUUID().toString().substring(0, 8);
        for (String b : new String[] {"a", "b", "c"}) {
            SeedExamplesContract.call("POST", "/block", "{\"block_id\": \"" + prefix + b + "\", \"block_component_uri\": \"c\","
                    + " \"block_model_layer_hash\": \"h-" + b + "\"}", 200);
        }
        String a = prefix + "a";
        String b = prefix + "b";
        String c = prefix + "c";
        refused("POST", "/vdag", "{\"stages\": [\"" + a + "\", \"ghost\"]}", Map.of(), 400, "block \"ghost\", which is not registered");
        refused("POST", "/createVdag", "{\"stages\": [\"ghost\"]}", Map.of(), 400, "which is not registered");
        refused("POST", "/vdag", "{\"stages\": [\"" + a + "\", \"" + b + "\", \"" + c + "\"], \"edges\": [{\"from\": \"" + a
                + "\", \"to\": \"" + b + "\"}, {\"from\": \"" + b + "\", \"to\": \"" + c + "\"}, {\"from\": \"" + c + "\", \"to\": \""
                + a + "\"}]}", Map.of(), 400, "makes a cycle through " + a + ", " + b + ", " + c);
        refused("POST", "/vdag", "{\"stages\": [\"" + a + "\"], \"edges\": [{\"from\": \"" + a + "\", \"to\": \"" + a + "\"}]}",
                Map.of(), 400, "makes a cycle");

        String vdag = prefix + "-dag";
        SeedExamplesContract.call("POST", "/vdag", "{\"vdag_id\": \"" + vdag + "\", \"stages\": [\"" + a + "\", \"" + b + "\"]}", 200);
        JsonNode found = SeedExamplesContract.call("POST", "/vdags", "{\"vdag_id\": \"" + vdag + "\"}", 200).get("data");
        assertEquals(1, found.size());
        assertEquals(a, found.get(0).get("edges").get(0).get("from").asText());
        SeedExamplesContract.call("DELETE", "/vdag/" + vdag, null, 200);
        refused("GET", "/vdag/" + vdag, null, Map.of(), 404, "no vDAG with id " + vdag);
        refused("DELETE", "/vdag/" + vdag, null, Map.of(), 404, "no vDAG with id " + vdag);
    }
}
