package io.strata.tables.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.InvalidQueryException;
import io.strata.tables.SecondaryIndex;
import io.strata.tables.TableDefinition;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The rules every stored item follows, in both stores, so an item one store accepts the other accepts too: key and
 * index attributes are non-empty strings, field names are non-empty, numbers are canonical and storable (see
 * {@link JsonNumbers}), nesting and size stay inside DynamoDB's limits with room to spare.
 */
public final class ItemRules {

    /** Hidden attribute the DynamoDB store keeps for optimistic locking; no item, filter or update may name it. */
    public static final String VERSION_ATTRIBUTE = "_strata_version";
    /** Serialized JSON size of an item; DynamoDB allows 400 KB in its own accounting, which can exceed JSON's by ~1.5x. */
    public static final int MAX_ITEM_BYTES = 256 * 1024;
    /** Levels of objects and arrays, the item itself counting as one (DynamoDB: 32). */
    public static final int MAX_DEPTH = 32;
    public static final int MAX_FIELD_NAME_LENGTH = 1024;
    /** UTF-8 bytes of a key or index key value (DynamoDB: 2048 for partition keys, 1024 for sort keys). */
    public static final int MAX_KEY_BYTES = 1024;

    private static final ObjectMapper SIZER = new ObjectMapper();

    private ItemRules() {
    }

    /** A canonical copy of {@code item}, or the first rule it breaks as an {@link InvalidQueryException}. */
    public static ObjectNode checkedItem(TableDefinition table, JsonNode item) {
        if (item == null || !item.isObject()) {
            throw new InvalidQueryException(table.name() + ": an item must be a JSON object, got "
                    + (item == null ? "nothing" : item.getNodeType().toString().toLowerCase()));
        }
        if (item.has(VERSION_ATTRIBUTE)) {
            throw new InvalidQueryException(table.name() + ": attribute " + VERSION_ATTRIBUTE + " is reserved for the store");
        }
        ObjectNode copy = (ObjectNode) canonical(item, "", 1);
        JsonNode key = copy.get(table.partitionKey());
        if (key == null || !key.isTextual()) {
            throw new InvalidQueryException(table.name() + ": item needs its key " + table.partitionKey() + " as a non-empty string");
        }
        checkedKey(table, key.textValue());
        for (SecondaryIndex index : table.indexes()) {
            for (String attribute : index.keyAttributes()) {
                JsonNode value = copy.get(attribute);
                if (value != null && !(value.isTextual() && !value.textValue().isEmpty()
                        && utf8Length(value.textValue()) <= MAX_KEY_BYTES)) {
                    throw new InvalidQueryException(table.name() + ": attribute " + attribute + " keys index " + index.name()
                            + " and must be a non-empty string of at most " + MAX_KEY_BYTES + " bytes (or absent), got "
                            + describe(value));
                }
            }
        }
        int size = serializedSize(copy);
        if (size > MAX_ITEM_BYTES) {
            throw new InvalidQueryException(table.name() + ": item " + key.textValue() + " is " + size
                    + " bytes of JSON; the limit is " + MAX_ITEM_BYTES);
        }
        return copy;
    }

    /** The key itself when it is a non-empty string of at most {@link #MAX_KEY_BYTES} UTF-8 bytes. */
    public static String checkedKey(TableDefinition table, String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidQueryException(table.name() + ": key " + table.partitionKey() + " must be a non-empty string");
        }
        if (utf8Length(key) > MAX_KEY_BYTES) {
            throw new InvalidQueryException(table.name() + ": key " + table.partitionKey() + " is longer than "
                    + MAX_KEY_BYTES + " UTF-8 bytes");
        }
        return key;
    }

    /**
     * A canonical copy of any JSON value: numbers canonical, field names non-empty, nesting within the limit.
     * {@code where} names the value in messages (a dotted path, or empty for the item itself).
     */
    public static JsonNode canonical(JsonNode value, String where, int depth) {
        String here = where.isEmpty() ? "item" : where;
        if (value.isContainerNode() && depth > MAX_DEPTH) {
            throw new InvalidQueryException(here + " nests deeper than " + MAX_DEPTH + " levels of objects and arrays");
        }
        if (value.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                String name = field.getKey();
                if (name.isEmpty() || name.length() > MAX_FIELD_NAME_LENGTH) {
                    throw new InvalidQueryException(here + " has a field name that is empty or longer than "
                            + MAX_FIELD_NAME_LENGTH + " characters");
                }
                copy.set(name, canonical(field.getValue(), where.isEmpty() ? name : where + "." + name, depth + 1));
            }
            return copy;
        }
        if (value.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(value.size());
            int i = 0;
            for (JsonNode element : value) {
                copy.add(canonical(element, here + "[" + i++ + "]", depth + 1));
            }
            return copy;
        }
        if (value.isNumber()) {
            return JsonNumbers.canonical(value, here);
        }
        if (value.isTextual() || value.isBoolean() || value.isNull()) {
            return value;
        }
        throw new InvalidQueryException(here + ": " + value.getNodeType().toString().toLowerCase()
                + " values cannot be stored; use strings, numbers, booleans, null, arrays and objects");
    }

    public static int serializedSize(JsonNode value) {
        try {
            return SIZER.writeValueAsBytes(value).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be serialized", e);
        }
    }

    static String describe(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> value.textValue().isEmpty() ? "an empty string" : "a string that is too long";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> value.getNodeType().toString().toLowerCase();
        };
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
