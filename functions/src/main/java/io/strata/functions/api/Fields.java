package io.strata.functions.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.Optional;

/**
 * Typed reads of a request's fields. Every refusal is a 400 that names the field by its full path
 * ({@code task_data.world_size}) and says what was expected and what came.
 */
public final class Fields {

    private final ObjectNode object;
    private final String prefix;

    private Fields(ObjectNode object, String prefix) {
        this.object = object;
        this.prefix = prefix;
    }

    /** Fields of {@code object}, named {@code prefix + name} in messages (prefix "" or e.g. "task_data."). */
    public static Fields of(ObjectNode object, String prefix) {
        return new Fields(object, prefix);
    }

    public static Fields of(ObjectNode object) {
        return new Fields(object, "");
    }

    public String name(String field) {
        return prefix + field;
    }

    /** Refuses any field not in {@code allowed}, listing the allowed ones. */
    public Fields onlyThese(Collection<String> allowed) {
        for (String field : (Iterable<String>) () -> object.fieldNames()) {
            if (!allowed.contains(field)) {
                throw ApiException.badRequest("unknown field " + name(field) + "; the fields are " + String.join(", ", allowed));
            }
        }
        return this;
    }

    public boolean present(String field) {
        JsonNode value = object.get(field);
        return value != null && !value.isNull();
    }

    public String requiredString(String field) {
        return optionalString(field).orElseThrow(() -> missing(field));
    }

    /** A non-empty string, or empty when the field is absent or null. */
    public Optional<String> optionalString(String field) {
        if (!present(field)) {
            return Optional.empty();
        }
        JsonNode value = object.get(field);
        if (!value.isTextual()) {
            throw wrongType(field, "a string", value);
        }
        if (value.textValue().isBlank()) {
            throw ApiException.badRequest("field " + name(field) + " must not be empty");
        }
        return Optional.of(value.textValue());
    }

    public int requiredInt(String field, int min) {
        if (!present(field)) {
            throw missing(field);
        }
        JsonNode value = object.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw wrongType(field, "an integer", value);
        }
        if (value.intValue() < min) {
            throw ApiException.badRequest("field " + name(field) + " must be at least " + min + ", got " + value.intValue());
        }
        return value.intValue();
    }

    public ObjectNode requiredObject(String field) {
        return optionalObject(field).orElseThrow(() -> missing(field));
    }

    public Optional<ObjectNode> optionalObject(String field) {
        if (!present(field)) {
            return Optional.empty();
        }
        JsonNode value = object.get(field);
        if (!value.isObject()) {
            throw wrongType(field, "a JSON object", value);
        }
        return Optional.of((ObjectNode) value);
    }

    public Optional<ArrayNode> optionalArray(String field) {
        if (!present(field)) {
            return Optional.empty();
        }
        JsonNode value = object.get(field);
        if (!value.isArray()) {
            throw wrongType(field, "a JSON array", value);
        }
        return Optional.of((ArrayNode) value);
    }

    /** An optional array whose every element is a string. */
    public Optional<ArrayNode> optionalStringArray(String field) {
        Optional<ArrayNode> array = optionalArray(field);
        array.ifPresent(a -> {
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).isTextual()) {
                    throw wrongType(field + "[" + i + "]", "a string", a.get(i));
                }
            }
        });
        return array;
    }

    /** An optional array whose every element is a JSON object. */
    public Optional<ArrayNode> optionalObjectArray(String field) {
        Optional<ArrayNode> array = optionalArray(field);
        array.ifPresent(a -> {
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).isObject()) {
                    throw wrongType(field + "[" + i + "]", "a JSON object", a.get(i));
                }
            }
        });
        return array;
    }

    public ApiException missing(String field) {
        return ApiException.badRequest("missing required field " + name(field));
    }

    public ApiException wrongType(String field, String expected, JsonNode got) {
        return ApiException.badRequest("field " + name(field) + " must be " + expected + ", got " + kind(got));
    }

    /** "string \"4\"", "array", "number 4.5": enough to see the mistake, never the whole (possibly huge) value. */
    public static String kind(JsonNode value) {
        if (value == null || value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            String text = value.textValue();
            return "string \"" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "\"";
        }
        if (value.isNumber()) {
            return "number " + value.asText();
        }
        if (value.isBoolean()) {
            return "boolean " + value.asText();
        }
        return value.isArray() ? "an array" : value.isObject() ? "an object" : value.getNodeType().toString().toLowerCase();
    }
}
