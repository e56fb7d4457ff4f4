package io.strata.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * The block DB (BLOCK_DB_URL): which running blocks already serve a model layer, found by
 * component URI and layer hash, so a split job can reuse them instead of deploying anew. Split
 * jobs register their model plan here (its blocks and vDAG); mesh nodes put the blocks they run
 * as leases that expire unless renewed.
 */
public final class Blocks {
    private final URI baseUrl;
    private final RegistryHttp http;

    public Blocks(URI baseUrl) {
        this(baseUrl, RetryPolicy.DEFAULT);
    }

    public Blocks(URI baseUrl, RetryPolicy retry) {
        this.baseUrl = SplitterContext.requireHttpUrl("block DB URL", baseUrl);
        this.http = new RegistryHttp(retry);
    }

    /** The client for the context's BLOCK_DB_URL. */
    public static Blocks fromContext(SplitterContext ctx) {
        return new Blocks(ctx.blockDbUrl().orElseThrow(() -> new IllegalArgumentException(
                SplitterContext.BLOCK_DB_URL + " is not set — this splitter looks up running blocks and needs it")));
    }

    /** POST {base}/model-plan: registers a plan's blocks and vDAG; registering the same plan again changes nothing. */
    public JsonNode registerPlan(JsonNode modelPlan) throws IOException {
        URI uri = RegistryHttp.at(baseUrl, "/model-plan");
        return http.call("POST", uri, modelPlan).path("data");
    }

    /**
     * PUT {base}/block/{id}: creates or replaces a block; with {@code block_ttl_seconds} in it, the
     * block expires that long after this call unless put again.
     */
    public void put(String blockId, ObjectNode block) throws IOException {
        http.call("PUT", RegistryHttp.at(baseUrl, "/block/" + pathSegment(blockId)), block);
    }

    /** DELETE {base}/block/{id}; false when there was no such block. */
    public boolean delete(String blockId) throws IOException {
        try {
            http.call("DELETE", RegistryHttp.at(baseUrl, "/block/" + pathSegment(blockId)), null);
            return true;
        } catch (RegistryException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static String pathSegment(String id) {
        if (id == null || !id.matches("[A-Za-z0-9._~:@-]+")) {
            throw new IllegalArgumentException("a block id must be letters, digits and ._~:@- only, got \"" + id + "\"");
        }
        return id;
    }

    /** POST {base}/blocks with {@code {"block_component_uri": ..., "block_model_layer_hash": ...}}; the matching blocks. */
    public List<JsonNode> query(String componentUri, String layerHash) throws IOException {
        if (componentUri == null || componentUri.isBlank() || layerHash == null || layerHash.isBlank()) {
            throw new IllegalArgumentException("a block query needs both a component URI and a layer hash, got \""
                    + componentUri + "\" and \"" + layerHash + "\"");
        }
        ObjectNode filter = RegistryHttp.JSON.createObjectNode();
        filter.put("block_component_uri", componentUri);
        filter.put("block_model_layer_hash", layerHash);
        URI uri = RegistryHttp.at(baseUrl, "/blocks");
        return RegistryHttp.dataList("POST " + uri, http.call("POST", uri, filter));
    }
}
