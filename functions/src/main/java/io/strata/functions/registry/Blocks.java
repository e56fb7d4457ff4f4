package io.strata.functions.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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

import java.util.UUID;

/**
 * The block registry: which component serves which model layer. A split job asks it (the SDK's Blocks query on
 * {@code block_component_uri} and {@code block_model_layer_hash}) whether a layer is already running. Beyond its id and
 * those two strings a block record is free-form.
 */
@ApplicationScoped
public class Blocks {

    @Inject
    Store store;

    /** Registers a block ({@code block_id} generated when absent); returns its id. */
    public String create(JsonNode body) {
        ObjectNode block = JsonBodies.object(body, "a block").deepCopy();
        Fields f = Fields.of(block);
        String id = f.optionalString("block_id").orElseGet(() -> UUID.randomUUID().toString());
        block.put("block_id", id);
        f.requiredString("block_component_uri");
        f.requiredString("block_model_layer_hash");
        try {
            store.create(Tables.BLOCKS, block);
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("block " + id + " already exists");
        }
        return id;
    }

    public ObjectNode get(String blockId) {
        return store.get(Tables.BLOCKS, blockId).orElseThrow(() -> notFound(blockId));
    }

    public void delete(String blockId) {
        try {
            store.delete(Tables.BLOCKS, blockId);
        } catch (NotFoundException e) {
            throw notFound(blockId);
        }
    }

    public ArrayNode query(JsonNode filter) {
        return Queries.array(store.query(Tables.BLOCKS, Queries.filter(filter)));
    }

    private static ApiException notFound(String blockId) {
        return ApiException.notFound("no block with id " + blockId);
    }
}
