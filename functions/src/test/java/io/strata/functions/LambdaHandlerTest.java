package io.strata.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Lambda build ({@code -Plambda}): every seed path sent as an API Gateway HTTP API (payload v2) event to Quarkus'
 * mock Lambda event server, which invokes the real handler of quarkus-amazon-lambda-http in this JVM, exactly as API
 * Gateway would invoke the deployed function. Split jobs use the Kubernetes launcher (a Lambda cannot run child
 * JVMs), against Fabric8's mock API server. Runs only where the Lambda handler is on the classpath
 * ({@code strata test} runs this profile after the plain build).
 */
@QuarkusTest
@TestProfile(KubernetesLauncherProfile.class)
@EnabledIf("io.strata.functions.LambdaHandlerTest#lambdaBuild")
class LambdaHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static KubernetesMock cluster;

    @ConfigProperty(name = "quarkus.lambda.mock-event-server.test-port", defaultValue = "8081")
    int eventServerPort;

    static boolean lambdaBuild() {
        try {
            Class.forName("io.quarkus.amazon.lambda.http.LambdaHttpHandler");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @BeforeAll
    static void startCluster() {
        cluster = KubernetesMock.start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    /** Invokes the handler with an HTTP API v2 event; returns the response event's status code and JSON body. */
    private JsonNode invoke(String method, String path, String body, int expectedStatus) throws Exception {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0").put("routeKey", "$default").put("rawPath", path).put("rawQueryString", "");
        event.putObject("headers").put("content-type", "application/json").put("accept", "application/json");
        ObjectNode http = event.putObject("requestContext").put("requestId", "test").put("stage", "$default")
                .putObject("http");
        http.put("method", method).put("path", path).put("protocol", "HTTP/1.1").put("sourceIp", "127.0.0.1");
        if (body != null) {
            event.put("body", body).put("isBase64Encoded", false);
        }
        HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + eventServerPort + "/_lambda_"))
                .POST(HttpRequest.BodyPublishers.ofString(event.toString())).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode response = JSON.readTree(reply.body());
        assertEquals(expectedStatus, response.path("statusCode").asInt(), method + " " + path + ": " + reply.body());
        return JSON.readTree(response.path("body").asText());
    }

    @Test
    void everySeedPathAnswersThroughTheLambdaHandler() throws Exception {
        String runner = invoke("POST", "/split-runner", "{\"cluster_k8s_config\": " + cluster.kubeconfig("runners")
                + ", \"split_runner_public_host\": \"192.168.0.106\", \"split_runner_metadata\": {\"key\": \"value\"},"
                + " \"split_runner_tags\": [\"tag1\", \"tag2\"]}", 200).get("data").get("id").asText();
        assertEquals("192.168.0.106", invoke("GET", "/split-runner/" + runner, null, 200).get("data")
                .get("split_runner_public_host").asText());
        invoke("PUT", "/split-runner/" + runner, "{\"$set\": {\"split_runner_metadata.version\": \"2.0\"},"
                + " \"$addToSet\": {\"split_runner_tags\": \"auto-scaled\"}}", 200);
        assertEquals(1, invoke("POST", "/split-runners", "{\"split_runner_tags\": {\"$in\": [\"auto-scaled\"]}}", 200)
                .get("data").size());
        invoke("DELETE", "/split-runner/" + runner, null, 200);

        invoke("POST", "/model-layer", "{\"model_layer_hash\": \"abc123\", \"model_asset_id\": \"gpt2-base\","
                + " \"model_component_registry_uri\": \"registry://component/decoder\", \"model_layer_public_url\":"
                + " \"https://example.com/layers/abc123\", \"model_layer_metadata\": [{\"precision\": \"fp16\"}],"
                + " \"model_layer_rank\": 0, \"model_world_size\": 4}", 200);
        assertEquals("gpt2-base", invoke("GET", "/model-layer/abc123", null, 200).get("data").get("model_asset_id").asText());
        invoke("PUT", "/model-layer/abc123", "{\"$set\": {\"model_layer_public_url\": \"https://example.com/layers/abc123-v2\"}}", 200);
        assertEquals(1, invoke("POST", "/model-layers", "{\"model_asset_id\": \"gpt2-base\", \"model_layer_rank\": 0}", 200)
                .get("data").size());
        invoke("DELETE", "/model-layer/abc123", null, 200);
        invoke("GET", "/model-layer/abc123", null, 404);

        String task = invoke("POST", "/start_model_split_job", "{\"task_data\": {\"model_name\": \"gpt2\","
                + " \"model_download_url\": \"https://example.com/models/gpt2.gguf\", \"world_size\": 4,"
                + " \"model_split_config\": {\"split_strategy\": \"even\"}}, \"container_image\": \"myregistry/model-split-job:latest\"}",
                200).get("task_id").asText();
        assertEquals("pending", invoke("GET", "/task/" + task, null, 200).get("data").get("status").asText());
        assertEquals(1, invoke("POST", "/tasks", "{\"task_id\": \"" + task + "\"}", 200).get("data").size());
        JsonNode refused = invoke("POST", "/task-status", "{\"task_id\": \"" + task + "\", \"status\": \"running\"}", 403);
        assertTrue(refused.get("error").asText().contains("STRATA_TASK_TOKEN"), refused.toString());

        invoke("POST", "/block", "{\"block_id\": \"b1\", \"block_component_uri\": \"c\", \"block_model_layer_hash\": \"h\"}", 200);
        assertEquals(1, invoke("POST", "/blocks", "{\"block_component_uri\": \"c\", \"block_model_layer_hash\": \"h\"}", 200)
                .get("data").size());
        invoke("POST", "/vdag", "{\"vdag_id\": \"v1\", \"stages\": [\"b1\"]}", 200);
        invoke("GET", "/vdag/v1", null, 200);
        invoke("DELETE", "/task/" + task, null, 200);
        invoke("GET", "/no-such-path", null, 404);
    }
}
