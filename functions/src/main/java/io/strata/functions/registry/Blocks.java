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

import java.util.UUID;

/**
 * The block registry: which component serves which model layer. A split job asks it (the SDK's Blocks query on
 * {@code block_component_uri} and {@code block_model_layer_hash}) whether a layer is already running. Beyond its id and
 * those two strings a block record is free-form.
 */
@ApplicationScoped
public class Blocks {

    /** A leased block's lifetime from its last put, and the time (epoch ms) it then expires. */
    static final String TTL = "block_ttl_seconds";
    static final String EXPIRES = "block_expires_at_ms";

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

    /**
     * {@code PUT /block/{id}}: creates or replaces the block a running node holds, as a lease: with
     * {@code block_ttl_seconds} (5-3600) it expires that long after this call unless put again, and expired blocks are
     * not found by queries. Nodes put their blocks every third of the TTL, so a node that dies ages out.
     */
    public ObjectNode put(String blockId, JsonNode body) {
        ObjectNode block = JsonBodies.object(body, "a block").deepCopy();
        Fields f = Fields.of(block);
        if (f.optionalString("block_id").filter(id -> !id.equals(blockId)).isPresent()) {
            throw ApiException.badRequest("field block_id must be the id in the path, " + blockId);
        }
        block.put("block_id", blockId);
        f.requiredString("block_component_uri");
        f.requiredString("block_model_layer_hash");
        block.remove(EXPIRES);
        if (block.has(TTL)) {
            int ttl = f.requiredInt(TTL, 5);
            if (ttl > 3600) {
                throw ApiException.badRequest("field " + TTL + " must be at most 3600, got " + ttl);
            }
            block.put(EXPIRES, System.currentTimeMillis() + ttl * 1000L);
        }
        try {
            store.create(Tables.BLOCKS, block);
        } catch (DuplicateKeyException exists) {
            ObjectNode current = store.get(Tables.BLOCKS, blockId).orElse(JsonNodeFactory.instance.objectNode());
            ObjectNode update = JsonNodeFactory.instance.objectNode();
            ObjectNode set = update.putObject("$set");
            block.properties().forEach(field -> {
                if (!field.getKey().equals("block_id")) {
                    set.set(field.getKey(), field.getValue());
                }
            });
            ObjectNode unset = JsonNodeFactory.instance.objectNode();
            current.fieldNames().forEachRemaining(name -> {
                if (!block.has(name)) {
                    unset.put(name, "");
                }
            });
            if (!unset.isEmpty()) {
                update.set("$unset", unset);
            }
            store.update(Tables.BLOCKS, blockId, update);
        }
        return block;
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

    /** Matching blocks, without those whose lease expired. */
    public ArrayNode query(JsonNode filter) {
        long now = System.currentTimeMillis();
        return Queries.array(store.query(Tables.BLOCKS, Queries.filter(filter)).stream()
                .filter(block -> !block.has(EXPIRES) || block.get(EXPIRES).asLong() >= now)
                .toList());
    }

    private static ApiException notFound(String blockId) {
        return ApiException.notFound("no block with id " + blockId);
    }
}
