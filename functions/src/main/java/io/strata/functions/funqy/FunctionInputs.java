package io.strata.functions.funqy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.Fields;
import io.strata.functions.api.JsonBodies;

/** Reads a function's input: the record key it names, and the update it carries. */
final class FunctionInputs {

    private FunctionInputs() {
    }

    static String key(JsonNode input, String field) {
        return Fields.of(JsonBodies.object(input, "the function input")).requiredString(field);
    }

    static ObjectNode update(JsonNode input) {
        return Fields.of(JsonBodies.object(input, "the function input")).requiredObject("update");
    }
}
