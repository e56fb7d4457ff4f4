package io.strata.functions.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads request bodies strictly: one JSON value, no trailing text, no key twice in an object (a second {@code "$set"}
 * would otherwise silently replace the first), decimals kept exactly.
 */
public final class JsonBodies {

    /** Configures a mapper to read the way request bodies are read (also applied to Quarkus' own mapper). */
    public static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    private static final ObjectMapper JSON = configure(new ObjectMapper());

    private JsonBodies() {
    }

    public static ObjectMapper mapper() {
        return JSON;
    }

    /** The body as JSON; an empty body is null (the caller says what it needed). */
    public static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("request body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"));
        }
    }

    /** The body as a JSON object, refusing anything else with the kind of value it was. */
    public static ObjectNode object(JsonNode body, String what) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            throw ApiException.badRequest("request body is empty; " + what + " must be a JSON object");
        }
        if (!body.isObject()) {
            throw ApiException.badRequest(what + " must be a JSON object, got " + Fields.kind(body));
        }
        return (ObjectNode) body;
    }
}
