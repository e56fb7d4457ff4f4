package io.strata.functions.registry;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.ApiException;
import io.strata.functions.api.JsonBodies;
import io.strata.split.ModelPlan;
import io.strata.tables.DuplicateKeyException;
import io.strata.tables.NotFoundException;
import io.strata.tables.Store;
import io.strata.tables.TableDefinition;
import io.strata.tables.Tables;
import io.strata.tables.json.JsonOrder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Registers a model plan (the JSON a split job returns, {@link ModelPlan}) in one go: a block per split and the vDAG
 * that chains them. Registering the same plan again changes nothing; a plan whose blocks or vDAG exist with other
 * contents is refused whole (409), and a write that fails half-way is undone.
 */
@ApplicationScoped
public class ModelPlans {

    private static final ObjectMapper PLANS = JsonBodies.configure(new ObjectMapper())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Inject
    Store store;

    public record Registered(String vdagId, List<String> blockIds, int created) {
    }

    public Registered register(JsonNode body) {
        ModelPlan plan = read(JsonBodies.object(body, "a model plan"));
        List<ObjectNode> blocks = new ArrayList<>();
        for (ModelPlan.BlockSpec spec : plan.blocks()) {
            blocks.add(blockRecord(plan, spec));
        }
        ObjectNode vdag = vdagRecord(plan);

        List<Map.Entry<TableDefinition, ObjectNode>> missing = new ArrayList<>();
        for (ObjectNode block : blocks) {
            addIfMissing(Tables.BLOCKS, block, "block", missing);
        }
        addIfMissing(Tables.VDAGS, vdag, "vDAG", missing);

        List<Map.Entry<TableDefinition, ObjectNode>> written = new ArrayList<>();
        try {
            for (Map.Entry<TableDefinition, ObjectNode> record : missing) {
                store.create(record.getKey(), record.getValue());
                written.add(record);
            }
        } catch (RuntimeException e) {
            undo(written, e);
            if (e instanceof DuplicateKeyException) {
                throw ApiException.conflict("another registration of this plan's blocks or vDAG ran at the same time; nothing was registered, try again");
            }
            throw e;
        }
        return new Registered(plan.vdag().vdagId(), plan.blocks().stream().map(ModelPlan.BlockSpec::blockId).toList(),
                missing.size());
    }

    private void addIfMissing(TableDefinition table, ObjectNode record, String what,
                              List<Map.Entry<TableDefinition, ObjectNode>> missing) {
        String key = record.get(table.partitionKey()).textValue();
        Optional<ObjectNode> existing = store.get(table, key);
        if (existing.isEmpty()) {
            missing.add(Map.entry(table, record));
        } else if (!JsonOrder.equal(existing.get(), record)) {
            throw ApiException.conflict(what + " " + key + " is already registered with other contents; nothing was registered");
        }
    }

    private void undo(List<Map.Entry<TableDefinition, ObjectNode>> written, RuntimeException cause) {
        for (Map.Entry<TableDefinition, ObjectNode> record : written.reversed()) {
            try {
                store.delete(record.getKey(), record.getValue().get(record.getKey().partitionKey()).textValue());
            } catch (NotFoundException alreadyGone) {
                // nothing to undo
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** The block of one split: the keys the SDK's Blocks query uses, and the split's spec as the plan gives it. */
    private static ObjectNode blockRecord(ModelPlan plan, ModelPlan.BlockSpec spec) {
        ObjectNode block = JsonNodeFactory.instance.objectNode();
        block.put("block_id", spec.blockId());
        block.put("block_component_uri", spec.componentUri());
        block.put("block_model_layer_hash", spec.modelLayerHash());
        block.put("block_model_id", plan.modelId());
        block.put("block_vdag_id", plan.vdag().vdagId());
        ObjectNode specJson = PLANS.valueToTree(spec);
        // Whether a split job found the layer already registered is its history, not a property of the block.
        specJson.remove("reused");
        block.set("block_spec", specJson);
        return block;
    }

    private static ObjectNode vdagRecord(ModelPlan plan) {
        ObjectNode vdag = JsonNodeFactory.instance.objectNode();
        vdag.put("vdag_id", plan.vdag().vdagId());
        vdag.put("model_id", plan.modelId());
        if (plan.modelName() != null) {
            vdag.put("model_name", plan.modelName());
        }
        vdag.set("stages", PLANS.valueToTree(plan.vdag().stages()));
        vdag.set("edges", PLANS.valueToTree(plan.vdag().edges() == null ? List.of() : plan.vdag().edges()));
        return Vdags.checked(vdag);
    }

    /** Reads and checks a plan: blocks in rank order over contiguous layers, a vDAG naming them in order. */
    static ModelPlan read(ObjectNode json) {
        ModelPlan plan;
        try {
            plan = PLANS.treeToValue(json, ModelPlan.class);
        } catch (MismatchedInputException e) {
            throw ApiException.badRequest("model plan field " + path(e) + " has the wrong type");
        } catch (Exception e) {
            throw ApiException.badRequest("not a model plan: " + e.getMessage());
        }
        if (plan.modelId() == null || plan.modelId().isBlank()) {
            throw ApiException.badRequest("missing required field model_id");
        }
        if (plan.blocks() == null || plan.blocks().isEmpty()) {
            throw ApiException.badRequest("missing required field blocks (the plan has no splits)");
        }
        Set<String> ids = new HashSet<>();
        int next = 0;
        for (int i = 0; i < plan.blocks().size(); i++) {
            ModelPlan.BlockSpec b = plan.blocks().get(i);
            if (b == null) {
                throw ApiException.badRequest("field blocks[" + i + "] must be a JSON object, got null");
            }
            requireText(b.blockId(), "blocks[" + i + "].block_id");
            requireText(b.componentUri(), "blocks[" + i + "].component_uri");
            requireText(b.modelLayerHash(), "blocks[" + i + "].model_layer_hash");
            if (!ids.add(b.blockId())) {
                throw ApiException.badRequest("block id " + b.blockId() + " appears twice in the plan");
            }
            if (b.rank() != i || b.worldSize() != plan.blocks().size()) {
                throw ApiException.badRequest("block " + b.blockId() + " says rank " + b.rank() + " of " + b.worldSize()
                        + " but is block " + i + " of " + plan.blocks().size());
            }
            if (b.firstLayer() != next || b.lastLayer() <= b.firstLayer()) {
                throw ApiException.badRequest("block " + b.blockId() + " covers layers [" + b.firstLayer() + ", "
                        + b.lastLayer() + ") but the previous block ended at " + next);
            }
            next = b.lastLayer();
        }
        if (next != plan.layers()) {
            throw ApiException.badRequest("the blocks cover " + next + " of the model's " + plan.layers() + " layers");
        }
        if (plan.vdag() == null) {
            throw ApiException.badRequest("missing required field vdag");
        }
        requireText(plan.vdag().vdagId(), "vdag.vdag_id");
        if (plan.vdag().stages() == null
                || !plan.vdag().stages().equals(plan.blocks().stream().map(ModelPlan.BlockSpec::blockId).toList())) {
            throw ApiException.badRequest("field vdag.stages must name the blocks in order");
        }
        return plan;
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("missing required field " + field);
        }
    }

    private static String path(MismatchedInputException e) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "(top level)" : path.toString();
    }
}
