package io.strata.tables.dynamo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.json.JsonNumbers;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON ↔ DynamoDB AttributeValue: objects ↔ M, arrays ↔ L, strings ↔ S, numbers ↔ N (exact decimal text both ways,
 * integers stay integers), booleans ↔ BOOL, null ↔ NULL. Types that Strata never writes but another tool might
 * (B, SS, NS, BS) read as a base64 string and arrays.
 */
public final class AttributeValues {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private AttributeValues() {
    }

    /** Converts canonical JSON (see {@code ItemRules}); numbers keep their exact digits. */
    public static AttributeValue of(JsonNode value) {
        return switch (value.getNodeType()) {
            case OBJECT -> AttributeValue.fromM(map((ObjectNode) value));
            case ARRAY -> {
                List<AttributeValue> list = new ArrayList<>(value.size());
                for (JsonNode element : value) {
                    list.add(of(element));
                }
                yield AttributeValue.fromL(list);
            }
            case STRING -> AttributeValue.fromS(value.textValue());
            case NUMBER -> AttributeValue.fromN(JsonNumbers.text(JsonNumbers.canonical(value, "value")));
            case BOOLEAN -> AttributeValue.fromBool(value.booleanValue());
            case NULL -> AttributeValue.fromNul(true);
            default -> throw new IllegalArgumentException("JSON " + value.getNodeType() + " has no DynamoDB type");
        };
    }

    public static Map<String, AttributeValue> map(ObjectNode object) {
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            map.put(field.getKey(), of(field.getValue()));
        }
        return map;
    }

    public static JsonNode json(AttributeValue value) {
        return switch (value.type()) {
            case M -> object(value.m());
            case L -> {
                ArrayNode array = JSON.arrayNode(value.l().size());
                value.l().forEach(v -> array.add(json(v)));
                yield array;
            }
            case S -> JSON.textNode(value.s());
            case N -> number(value.n());
            case BOOL -> JSON.booleanNode(value.bool());
            case NUL -> JSON.nullNode();
            case B -> JSON.textNode(Base64.getEncoder().encodeToString(value.b().asByteArray()));
            case SS -> {
                ArrayNode array = JSON.arrayNode();
                value.ss().forEach(array::add);
                yield array;
            }
            case NS -> {
                ArrayNode array = JSON.arrayNode();
                value.ns().forEach(n -> array.add(number(n)));
                yield array;
            }
            case BS -> {
                ArrayNode array = JSON.arrayNode();
                for (SdkBytes b : value.bs()) {
                    array.add(Base64.getEncoder().encodeToString(b.asByteArray()));
                }
                yield array;
            }
            case UNKNOWN_TO_SDK_VERSION -> throw new IllegalStateException("DynamoDB returned an attribute of a type this SDK does not know");
        };
    }

    public static ObjectNode object(Map<String, AttributeValue> map) {
        ObjectNode object = JSON.objectNode();
        for (Map.Entry<String, AttributeValue> entry : map.entrySet()) {
            object.set(entry.getKey(), json(entry.getValue()));
        }
        return object;
    }

    private static JsonNode number(String text) {
        return JsonNumbers.canonical(new BigDecimal(text), "number " + text);
    }
}
