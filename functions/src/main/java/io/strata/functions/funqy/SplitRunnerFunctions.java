package io.strata.functions.funqy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.funqy.Funq;
import io.strata.functions.api.Envelope;
import io.strata.functions.registry.SplitRunners;
import jakarta.inject.Inject;

/** The split runner registry as functions. */
public class SplitRunnerFunctions {

    @Inject
    SplitRunners runners;

    @Funq
    public ObjectNode createSplitRunner(JsonNode input) {
        return Envelope.message("SplitRunner created", runners.create(input));
    }

    @Funq
    public ObjectNode getSplitRunner(JsonNode input) {
        return Envelope.data(runners.get(FunctionInputs.key(input, "split_runner_id")));
    }

    @Funq
    public ObjectNode updateSplitRunner(JsonNode input) {
        runners.update(FunctionInputs.key(input, "split_runner_id"), FunctionInputs.update(input));
        return Envelope.message("SplitRunner updated");
    }

    @Funq
    public ObjectNode deleteSplitRunner(JsonNode input) {
        runners.delete(FunctionInputs.key(input, "split_runner_id"));
        return Envelope.message("SplitRunner deleted");
    }

    @Funq
    public ObjectNode querySplitRunners(JsonNode filter) {
        return Envelope.data(runners.query(filter));
    }
}
