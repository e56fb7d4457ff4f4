package io.strata.functions.funqy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.funqy.Funq;
import io.strata.functions.api.Envelope;
import io.strata.functions.registry.ModelLayers;
import jakarta.inject.Inject;

/** The model layer registry as functions. */
public class ModelLayerFunctions {

    @Inject
    ModelLayers layers;

    @Funq
    public ObjectNode createModelLayer(JsonNode input) {
        return Envelope.message("ModelLayer created", layers.create(input));
    }

    @Funq
    public ObjectNode getModelLayer(JsonNode input) {
        return Envelope.data(layers.get(FunctionInputs.key(input, "model_layer_hash")));
    }

    @Funq
    public ObjectNode updateModelLayer(JsonNode input) {
        layers.update(FunctionInputs.key(input, "model_layer_hash"), FunctionInputs.update(input));
        return Envelope.message("ModelLayer updated");
    }

    @Funq
    public ObjectNode deleteModelLayer(JsonNode input) {
        layers.delete(FunctionInputs.key(input, "model_layer_hash"));
        return Envelope.message("ModelLayer deleted");
    }

    @Funq
    public ObjectNode queryModelLayers(JsonNode filter) {
        return Envelope.data(layers.query(filter));
    }
}
