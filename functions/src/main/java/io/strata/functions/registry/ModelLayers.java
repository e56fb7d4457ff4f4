package io.strata.functions.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.ApiException;
import io.strata.functions.api.Fields;
import io.strata.functions.api.JsonBodies;
import io.strata.tables.DuplicateKeyException;
import io.strata.tables.NotFoundException;
import io.strata.tables.Store;
import io.strata.tables.Tables;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;

/**
 * The model layer registry: one record per split artifact, keyed by its MD5 ({@code model_layer_hash}), in the seed's
 * schema. Records are checked against that schema on create and after every update.
 */
@ApplicationScoped
public class ModelLayers {

    static final List<String> FIELDS = List.of("model_layer_hash", "model_asset_id", "model_component_registry_uri",
            "model_layer_public_url", "model_layer_metadata", "model_layer_rank", "model_world_size");

    @Inject
    Store store;

    /** Registers a layer; returns its hash. */
    public String create(JsonNode body) {
        ObjectNode layer = JsonBodies.object(body, "a model layer").deepCopy();
        if (!layer.has("model_layer_metadata") || layer.get("model_layer_metadata").isNull()) {
            layer.set("model_layer_metadata", JsonNodeFactory.instance.arrayNode());
        }
        check(layer);
        String hash = layer.get("model_layer_hash").textValue();
        try {
            store.create(Tables.MODEL_LAYERS, layer);
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("model layer " + hash + " is already registered");
        }
        return hash;
    }

    public ObjectNode get(String hash) {
        return store.get(Tables.MODEL_LAYERS, hash).orElseThrow(() -> notFound(hash));
    }

    public ObjectNode update(String hash, JsonNode update) {
        return ValidatedUpdate.apply(store, Tables.MODEL_LAYERS, hash, update, "no model layer with hash " + hash, ModelLayers::check);
    }

    public void delete(String hash) {
        try {
            store.delete(Tables.MODEL_LAYERS, hash);
        } catch (NotFoundException e) {
            throw notFound(hash);
        }
    }

    public ArrayNode query(JsonNode filter) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        store.query(Tables.MODEL_LAYERS, Queries.filter(filter)).forEach(out::add);
        return out;
    }

    /** The seed's schema: required strings and integers, metadata a list of objects, rank within the world size. */
    static void check(ObjectNode layer) {
        Fields f = Fields.of(layer).onlyThese(FIELDS);
        f.requiredString("model_layer_hash");
        f.requiredString("model_asset_id");
        f.requiredString("model_component_registry_uri");
        f.requiredString("model_layer_public_url");
        if (!f.present("model_layer_metadata")) {
            throw f.missing("model_layer_metadata");
        }
        f.optionalObjectArray("model_layer_metadata");
        int rank = f.requiredInt("model_layer_rank", 0);
        int worldSize = f.requiredInt("model_world_size", 1);
        if (rank >= worldSize) {
            throw ApiException.badRequest("model_layer_rank " + rank + " must be below model_world_size " + worldSize
                    + " (ranks count from 0)");
        }
    }

    private static ApiException notFound(String hash) {
        return ApiException.notFound("no model layer with hash " + hash);
    }
}
