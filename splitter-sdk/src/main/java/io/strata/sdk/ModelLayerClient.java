package io.strata.sdk;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model-layer registry (MODEL_LAYERS_REGISTRY_URL): register a split's layer, look one up
 * by its MD5, query with a Mongo-style filter.
 *
 * <p>Unlike the seed, a layer that is not registered is {@link Optional#empty()} rather than an
 * exception, because "is this layer already there?" is how a split job detects reuse. The
 * registry's own 404 envelope means "not registered"; a 404 without it (a wrong base URL) is
 * still an error. Every other refusal is a {@link RegistryException} with the server's text.
 */
public final class ModelLayerClient {
    private final URI baseUrl;
    private final RegistryHttp http;

    public ModelLayerClient(URI baseUrl) {
        this(baseUrl, RetryPolicy.DEFAULT);
    }

    public ModelLayerClient(URI baseUrl, RetryPolicy retry) {
        this.baseUrl = SplitterContext.requireHttpUrl("model layers registry URL", baseUrl);
        this.http = new RegistryHttp(retry);
    }

    /** The client for the context's MODEL_LAYERS_REGISTRY_URL. */
    public static ModelLayerClient fromContext(SplitterContext ctx) {
        return new ModelLayerClient(ctx.modelLayersRegistryUrl().orElseThrow(() -> new IllegalArgumentException(
                SplitterContext.MODEL_LAYERS_REGISTRY_URL + " is not set — this splitter registers layers and needs it")));
    }

    /** POST {base}/model-layer; returns the registry's data for the new layer. */
    public JsonNode createModelLayer(JsonNode payload) throws IOException {
        if (payload == null || !payload.isObject()) {
            throw new IllegalArgumentException("a model layer payload must be a JSON object, got " + payload);
        }
        return data(http.call("POST", RegistryHttp.at(baseUrl, "/model-layer"), payload));
    }

    public JsonNode createModelLayer(Map<String, ?> payload) throws IOException {
        return createModelLayer((JsonNode) RegistryHttp.JSON.valueToTree(payload));
    }

    /** GET {base}/model-layer/{hash}; empty when the registry does not know the hash. */
    public Optional<JsonNode> getModelLayer(String layerHash) throws IOException {
        if (layerHash == null || layerHash.isBlank()) {
            throw new IllegalArgumentException("a model layer hash is needed to look a layer up");
        }
        URI uri = RegistryHttp.at(baseUrl, "/model-layer/"
                + URLEncoder.encode(layerHash, StandardCharsets.UTF_8).replace("+", "%20"));
        RegistryHttp.Reply reply = http.exchange("GET", uri, null);
        if (reply.status() == 404 && reply.isEnvelope()) {
            return Optional.empty();
        }
        return Optional.of(data(http.unwrap(reply)));
    }

    /** POST {base}/model-layers with a Mongo-style filter; the matching layers. */
    public List<JsonNode> queryModelLayers(JsonNode filter) throws IOException {
        if (filter == null || !filter.isObject()) {
            throw new IllegalArgumentException("a model layer query must be a JSON object, got " + filter);
        }
        URI uri = RegistryHttp.at(baseUrl, "/model-layers");
        return RegistryHttp.dataList("POST " + uri, http.call("POST", uri, filter));
    }

    public List<JsonNode> queryModelLayers(Map<String, ?> filter) throws IOException {
        return queryModelLayers((JsonNode) RegistryHttp.JSON.valueToTree(filter));
    }

    private static JsonNode data(JsonNode envelope) {
        JsonNode data = envelope.get("data");
        return data == null ? RegistryHttp.JSON.nullNode() : data;
    }
}
