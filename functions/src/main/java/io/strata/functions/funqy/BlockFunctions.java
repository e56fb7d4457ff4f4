package io.strata.functions.funqy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.funqy.Funq;
import io.strata.functions.api.Envelope;
import io.strata.functions.api.PlanAnswers;
import io.strata.functions.registry.Blocks;
import io.strata.functions.registry.ModelPlans;
import io.strata.functions.registry.Vdags;
import jakarta.inject.Inject;

/** Blocks, vDAGs and model plans as functions. */
public class BlockFunctions {

    @Inject
    Blocks blocks;

    @Inject
    Vdags vdags;

    @Inject
    ModelPlans plans;

    @Funq
    public ObjectNode createBlock(JsonNode input) {
        return Envelope.message("Block created", blocks.create(input));
    }

    @Funq
    public ObjectNode putBlock(JsonNode input) {
        return Envelope.data(blocks.put(FunctionInputs.key(input, "block_id"), input));
    }

    @Funq
    public ObjectNode getBlock(JsonNode input) {
        return Envelope.data(blocks.get(FunctionInputs.key(input, "block_id")));
    }

    @Funq
    public ObjectNode deleteBlock(JsonNode input) {
        blocks.delete(FunctionInputs.key(input, "block_id"));
        return Envelope.message("Block deleted");
    }

    @Funq
    public ObjectNode queryBlocks(JsonNode filter) {
        return Envelope.data(blocks.query(filter));
    }

    @Funq
    public ObjectNode createVdag(JsonNode input) {
        return Envelope.message("vDAG created", vdags.create(input));
    }

    @Funq
    public ObjectNode getVdag(JsonNode input) {
        return Envelope.data(vdags.get(FunctionInputs.key(input, "vdag_id")));
    }

    @Funq
    public ObjectNode deleteVdag(JsonNode input) {
        vdags.delete(FunctionInputs.key(input, "vdag_id"));
        return Envelope.message("vDAG deleted");
    }

    @Funq
    public ObjectNode queryVdags(JsonNode filter) {
        return Envelope.data(vdags.query(filter));
    }

    @Funq
    public ObjectNode registerModelPlan(JsonNode input) {
        return PlanAnswers.registered(plans.register(input));
    }
}
