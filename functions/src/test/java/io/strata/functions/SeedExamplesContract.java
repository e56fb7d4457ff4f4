package io.strata.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's curl examples, in the seed's order, with the seed's bodies, answered as the seed shows. The only change
 * to a body is the kubeconfig: the seed leaves it as a comment, here it points at a mock Kubernetes API server, where
 * the runner's Deployment and Service are checked too. Run on each store by a subclass.
 */
abstract class SeedExamplesContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAMESPACE = "runners";
    private static KubernetesMock cluster;

    @BeforeAll
    static void startCluster() {
        cluster = KubernetesMock.start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static JsonNode call(String method, String path, String body, int status) {
        var request = given().contentType(ContentType.JSON);
        if (body != null) {
            request = request.body(body);
        }
        Response response = request.when().request(method, path);
        assertEquals(status, response.statusCode(), method + " " + path + " answered " + response.asString());
        return json(response.asString());
    }

    private String runnerBody(String metadata, String tags) {
        return "{\n"
                + "    \"cluster_k8s_config\": " + cluster.kubeconfig(NAMESPACE) + ",\n"
                + "    \"split_runner_public_host\": \"192.168.0.106\",\n"
                + "    \"split_runner_metadata\": " + metadata + ",\n"
                + "    \"split_runner_tags\": " + tags + "\n"
                + "  }";
    }

    @Test
    void splitRunnerExamplesAnswerAsTheSeedShows() {
        // 2.1 POST /split-runner (and a second runner for the seed's query in 2.5)
        JsonNode created = call("POST", "/split-runner", runnerBody("{\"key\": \"value\"}", "[\"tag1\", \"tag2\"]"), 200);
        String id = created.path("data").path("id").asText();
        assertFalse(id.isBlank(), created.toString());
        assertEquals(json("{\"success\": true, \"data\": {\"message\": \"SplitRunner created\", \"id\": \"" + id + "\"}}"), created);
        String other = call("POST", "/split-runner",
                runnerBody("{\"framework\": \"transformers\"}", "[\"llm\", \"split\"]"), 200).path("data").path("id").asText();

        try (KubernetesClient k8s = cluster.client()) {
            Deployment deployment = k8s.apps().deployments().inNamespace(NAMESPACE).withName("strata-split-runner-" + id).get();
            assertNotNull(deployment, "the runner's Deployment is in the cluster");
            assertEquals("registry.test/strata/split-runner:test",
                    deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage());
            assertEquals(id, deployment.getMetadata().getLabels().get("strata.io/split-runner-id"));
            assertEquals(id, deployment.getSpec().getSelector().getMatchLabels().get("strata.io/split-runner-id"));
            Service service = k8s.services().inNamespace(NAMESPACE).withName("strata-split-runner-" + id).get();
            assertNotNull(service, "the runner's Service is in the cluster");
            assertEquals("NodePort", service.getSpec().getType());
            assertEquals(32286, service.getSpec().getPorts().getFirst().getNodePort());
            assertEquals(id, service.getSpec().getSelector().get("strata.io/split-runner-id"));
        }

        // 2.2 GET /split-runner/{runner_id}
        assertEquals(json("{\"success\": true, \"data\": {"
                + "\"split_runner_id\": \"" + id + "\", \"split_runner_public_url\": \"http://192.168.0.106:32286\","
                + "\"split_runner_metadata\": {\"key\": \"value\"}, \"split_runner_public_host\": \"192.168.0.106\","
                + "\"split_runner_tags\": [\"tag1\", \"tag2\"]}}"), call("GET", "/split-runner/" + id, null, 200));

        // 2.3 PUT /split-runner/{runner_id}
        assertEquals(json("{\"success\": true, \"data\": {\"message\": \"SplitRunner updated\"}}"),
                call("PUT", "/split-runner/" + id, """
                        {
                            "$set": {
                              "split_runner_metadata.version": "2.0"
                            },
                            "$addToSet": {
                              "split_runner_tags": "auto-scaled"
                            }
                          }""", 200));
        JsonNode updated = call("GET", "/split-runner/" + id, null, 200).get("data");
        assertEquals(json("{\"key\": \"value\", \"version\": \"2.0\"}"), updated.get("split_runner_metadata"));
        assertEquals(json("[\"tag1\", \"tag2\", \"auto-scaled\"]"), updated.get("split_runner_tags"));

        // 2.4 DELETE /split-runner/{runner_id}
        assertEquals(json("{\"success\": true, \"data\": {\"message\": \"SplitRunner deleted\"}}"),
                call("DELETE", "/split-runner/" + id, null, 200));
        assertEquals(json("{\"success\": false, \"error\": \"no split runner with id " + id + "\"}"),
                call("GET", "/split-runner/" + id, null, 404));
        try (KubernetesClient k8s = cluster.client()) {
            assertNull(k8s.apps().deployments().inNamespace(NAMESPACE).withName("strata-split-runner-" + id).get());
            assertNull(k8s.services().inNamespace(NAMESPACE).withName("strata-split-runner-" + id).get());
            assertNotNull(k8s.apps().deployments().inNamespace(NAMESPACE).withName("strata-split-runner-" + other).get(),
                    "the other runner stays");
        }

        // 2.5 POST /split-runners
        assertEquals(json("{\"success\": true, \"data\": [{"
                + "\"split_runner_id\": \"" + other + "\", \"split_runner_public_url\": \"http://192.168.0.106:32286\","
                + "\"split_runner_metadata\": {\"framework\": \"transformers\"}, \"split_runner_public_host\": \"192.168.0.106\","
                + "\"split_runner_tags\": [\"llm\", \"split\"]}]}"),
                call("POST", "/split-runners", """
                        {
                            "split_runner_metadata.framework": "transformers",
                            "split_runner_tags": { "$in": ["llm"] }
                          }""", 200));
        call("DELETE", "/split-runner/" + other, null, 200);
    }

    private static final String LAYER = """
            {
                "model_layer_hash": "abc123...",
                "model_asset_id": "gpt2-base",
                "model_component_registry_uri": "registry://component/decoder",
                "model_layer_public_url": "https://example.com/layers/abc123",
                "model_layer_metadata": [{"precision": "fp16"}],
                "model_layer_rank": 0,
                "model_world_size": 4
              }""";

    @Test
    void modelLayerExamplesAnswerAsTheSeedShows() {
        // 1. Create
        assertEquals(json("{\"success\": true, \"data\": {\"message\": \"ModelLayer created\", \"id\": \"abc123...\"}}"),
                call("POST", "/model-layer", LAYER, 200));
        assertEquals(json("{\"success\": false, \"error\": \"model layer abc123... is already registered\"}"),
                call("POST", "/model-layer", LAYER, 409));

        // 2. Get by hash
        assertEquals(json("{\"success\": true, \"data\": " + LAYER + "}"), call("GET", "/model-layer/abc123...", null, 200));

        // 3. Update
        assertEquals(json("{\"success\": true, \"data\": {\"message\": \"ModelLayer updated\"}}"),
                call("PUT", "/model-layer/abc123...", """
                        {
                            "$set": {
                              "model_layer_public_url": "https://example.com/layers/abc123-v2",
                              "model_layer_metadata": [{"precision": "fp32"}]
                            }
                          }""", 200));
        ObjectNode expected = (ObjectNode) json(LAYER);
        expected.put("model_layer_public_url", "https://example.com/layers/abc123-v2");
        expected.set("model_layer_metadata", json("[{\"precision\": \"fp32\"}]"));
        assertEquals(expected, call("GET", "/model-layer/abc123...", null, 200).get("data"));

        // 5. Query (before the delete, so it has something to find)
        String query = """
                {
                    "model_asset_id": "gpt2-base",
                    "model_layer_rank": 0
                  }""";
        assertEquals(json("{\"success\": true, \"data\": [" + expected + "]}"), call("POST", "/model-layers", query, 200));

        // 4. Delete
        assertEquals(json("{\"success\": true, \"data\": {\"message\": \"ModelLayer deleted\"}}"),
                call("DELETE", "/model-layer/abc123...", null, 200));
        assertEquals(json("{\"success\": false, \"error\": \"no model layer with hash abc123...\"}"),
                call("GET", "/model-layer/abc123...", null, 404));

        // 5. Query after the delete
        assertEquals(json("{\"success\": true, \"data\": []}"), call("POST", "/model-layers", query, 200));
    }

    @Test
    void startModelSplitJobExampleIsRefusedOnlyForItsUnknownStrategyByTheJob() {
        // The seed's own example: accepted (a task is written), then the job itself fails it, because Strata splits
        // layer ranges and the example asks for tensor parallelism.
        JsonNode started = call("POST", "/start_model_split_job", """
                {
                  "task_data": {
                    "model_name": "gpt2",
                    "model_download_url": "https://example.com/models/gpt2.tar.gz",
                    "world_size": 4,
                    "model_split_config": {
                      "split_strategy": "tensor_parallel",
                      "tp_degree": 2
                    }
                  },
                  "container_image": "myregistry/model-split-job:latest",
                  "storage_size": "2Gi"
                }""", 200);
        assertEquals(2, started.size(), started.toString());
        assertTrue(started.get("success").asBoolean());
        String taskId = started.get("task_id").asText();
        JsonNode task = TaskPolling.awaitEnd(taskId);
        assertEquals("failed", task.get("status").asText(), task.toString());
        assertTrue(task.get("error").asText().contains("pipeline parallelism"), task.toString());
        assertEquals("model_splits", task.get("task_type").asText());
        assertEquals("2Gi", task.get("storage_size").asText());
        assertEquals("myregistry/model-split-job:latest", task.get("container_image").asText());
    }
}
