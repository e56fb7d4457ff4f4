package io.strata.functions.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.ApiException;
import io.strata.functions.api.JsonBodies;

import java.util.Map;
import java.util.Set;

/**
 * Mongo-style filters as they arrive in a request body. An empty body means "everything"; the store's parser refuses
 * unknown operators and malformed paths. Filters may not look at hidden fields (a kubeconfig must not be
 * guessable by matching on it).
 */
final class Queries {

    private Queries() {
    }

    static ObjectNode filter(JsonNode body) {
        return body == null ? JsonNodeFactory.instance.objectNode() : JsonBodies.object(body, "a query filter");
    }

    static ObjectNode filter(JsonNode body, Set<String> hidden) {
        ObjectNode filter = filter(body);
        refuseHidden(filter, hidden);
        return filter;
    }

    private static void refuseHidden(JsonNode filter, Set<String> hidden) {
        if (filter.isArray()) {
            filter.forEach(f -> refuseHidden(f, hidden));
            return;
        }
        if (!filter.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> field : filter.properties()) {
            String name = field.getKey();
            if (name.equals("$and") || name.equals("$or")) {
                refuseHidden(field.getValue(), hidden);
            } else if (!name.startsWith("$")) {
                String top = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
                if (hidden.contains(top)) {
                    throw ApiException.badRequest("field " + top + " cannot be queried");
                }
            }
        }
    }

    static ArrayNode array(Iterable<ObjectNode> items) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        items.forEach(out::add);
        return out;
    }
}
