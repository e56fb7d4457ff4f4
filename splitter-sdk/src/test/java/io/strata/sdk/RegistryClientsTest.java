package io.strata.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ModelLayerClient and Blocks against a loopback server that plays the registries of the seed. */
class RegistryClientsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(5));

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void createPostsThePayloadToModelLayerAndReturnsTheData() throws Exception {
        try (LoopbackServer registry = new LoopbackServer(r -> LoopbackServer.Response.json(201,
                "{\"success\": true, \"data\": {\"model_layer_hash\": \"abc123\", \"stored\": true}}"))) {
            ModelLayerClient client = new ModelLayerClient(registry.url("/"), FAST);

            JsonNode created = client.createModelLayer(Map.of("model_layer_hash", "abc123", "model_layer_rank", 0));

            LoopbackServer.Request request = registry.requests().getFirst();
            assertEquals("POST", request.method());
            assertEquals("/model-layer", request.path());
            assertEquals("application/json", request.contentType());
            assertEquals(json("{\"model_layer_hash\": \"abc123\", \"model_layer_rank\": 0}"), json(request.body()));
            assertEquals("abc123", created.get("model_layer_hash").asText());
            assertTrue(created.get("stored").asBoolean());
        }
    }

    @Test
    void getFetchesByUrlEncodedHashAndUnknownHashIsEmpty() throws Exception {
        try (LoopbackServer registry = new LoopbackServer(r -> r.path().endsWith("/known")
                ? LoopbackServer.Response.json(200, "{\"success\": true, \"data\": {\"model_layer_hash\": \"known\"}}")
                : LoopbackServer.Response.json(404, "{\"success\": false, \"error\": \"model layer not found\"}"))) {
            ModelLayerClient client = new ModelLayerClient(registry.url("/registry"), FAST);

            Optional<JsonNode> known = client.getModelLayer("known");
            Optional<JsonNode> unknown = client.getModelLayer("a b/c?");

            assertEquals("known", known.orElseThrow().get("model_layer_hash").asText());
            assertTrue(unknown.isEmpty());
            List<LoopbackServer.Request> requests = registry.requests();
            assertEquals("GET", requests.get(0).method());
            assertEquals("/registry/model-layer/known", requests.get(0).path());
            assertEquals("/registry/model-layer/a%20b%2Fc%3F", requests.get(1).rawPath());
        }
    }

    @Test
    void a404WithoutTheRegistryEnvelopeIsAWrongUrlNotAMissingLayer() {
        try (LoopbackServer notARegistry = new LoopbackServer(r -> new LoopbackServer.Response(404, "<html>nope</html>"))) {
            ModelLayerClient client = new ModelLayerClient(notARegistry.url("/"), FAST);

            RegistryException e = assertThrows(RegistryException.class, () -> client.getModelLayer("abc"));

            assertEquals(404, e.status());
            assertTrue(e.getMessage().contains("/model-layer/abc"), e.getMessage());
        }
    }

    @Test
    void queryPostsTheFilterAndReturnsTheList() throws Exception {
        try (LoopbackServer registry = new LoopbackServer(r -> LoopbackServer.Response.json(200,
                "{\"success\": true, \"data\": [{\"model_layer_rank\": 0}, {\"model_layer_rank\": 1}]}"))) {
            ModelLayerClient client = new ModelLayerClient(registry.url(""), FAST);

            List<JsonNode> layers = client.queryModelLayers(Map.of("model_asset_id", "gpt2-base"));

            assertEquals(List.of(0, 1), layers.stream().map(l -> l.get("model_layer_rank").asInt()).toList());
            LoopbackServer.Request request = registry.requests().getFirst();
            assertEquals("POST", request.method());
            assertEquals("/model-layers", request.path());
            assertEquals(json("{\"model_asset_id\": \"gpt2-base\"}"), json(request.body()));
        }
    }

    @Test
    void theServersErrorTextIsRaisedAndA4xxIsNotRetried() {
        try (LoopbackServer registry = new LoopbackServer(r -> LoopbackServer.Response.json(409,
                "{\"success\": false, \"error\": \"model layer abc123 already exists\"}"))) {
            ModelLayerClient client = new ModelLayerClient(registry.url("/"), FAST);

            RegistryException e = assertThrows(RegistryException.class,
                    () -> client.createModelLayer(Map.of("model_layer_hash", "abc123")));

            assertEquals(409, e.status());
            assertTrue(e.getMessage().contains("model layer abc123 already exists"), e.getMessage());
            assertEquals(1, registry.requests().size());
        }
    }

    @Test
    void successFalseInA200IsAnErrorToo() {
        try (LoopbackServer registry = new LoopbackServer(r -> LoopbackServer.Response.json(200,
                "{\"success\": false, \"error\": \"bad filter: $regex is not supported\"}"))) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> new ModelLayerClient(registry.url("/"), FAST).queryModelLayers(Map.of("x", 1)));
            assertTrue(e.getMessage().contains("bad filter: $regex is not supported"), e.getMessage());
        }
    }

    @Test
    void transientServerErrorsAreRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (LoopbackServer registry = new LoopbackServer(r -> calls.incrementAndGet() < 3
                ? LoopbackServer.Response.json(503, "{\"success\": false, \"error\": \"warming up\"}")
                : LoopbackServer.Response.json(200, "{\"success\": true, \"data\": []}"))) {
            List<JsonNode> blocks = new Blocks(registry.url("/"), FAST).query("split-runner:v1", "abc");

            assertTrue(blocks.isEmpty());
            assertEquals(3, registry.requests().size());
        }
    }

    @Test
    void blocksQueryPostsTheComponentAndHashFilter() throws Exception {
        try (LoopbackServer blockDb = new LoopbackServer(r -> LoopbackServer.Response.json(200,
                "{\"success\": true, \"data\": [{\"block_id\": \"b-1\"}]}"))) {
            List<JsonNode> blocks = new Blocks(blockDb.url("/db/"), FAST)
                    .query("split-runner.torch-split-runner:v0.0.1-beta", "abc123");

            assertEquals("b-1", blocks.getFirst().get("block_id").asText());
            LoopbackServer.Request request = blockDb.requests().getFirst();
            assertEquals("POST", request.method());
            assertEquals("/db/blocks", request.path());
            assertEquals(json("{\"block_component_uri\": \"split-runner.torch-split-runner:v0.0.1-beta\","
                    + " \"block_model_layer_hash\": \"abc123\"}"), json(request.body()));
        }
    }

    @Test
    void anUnreachableServiceIsNamedAfterTheRetries() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Blocks blocks = new Blocks(java.net.URI.create("http://127.0.0.1:" + port), FAST);

        IOException e = assertThrows(IOException.class, () -> blocks.query("c", "h"));

        assertTrue(e.getMessage().contains("3 tries") && e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void registryUrlsMustBeHttp() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModelLayerClient(java.net.URI.create("ftp://registry")));
        assertTrue(e.getMessage().contains("http(s)"), e.getMessage());
    }
}
