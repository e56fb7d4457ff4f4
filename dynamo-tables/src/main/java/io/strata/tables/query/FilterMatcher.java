package io.strata.tables.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.strata.tables.json.JsonOrder;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates a {@link Filter} on one item, with Mongo's array rules: a path walks objects and crosses arrays by looking
 * into their object elements ({@code model_layer_metadata.precision} reaches every element's {@code precision}), and
 * equality matches an array field when any element is equal. This is the reference both stores answer by: the
 * embedded store directly, the DynamoDB store whenever its expression can only narrow the candidates.
 */
public final class FilterMatcher {

    private FilterMatcher() {
    }

    public static boolean matches(Filter filter, JsonNode item) {
        return switch (filter) {
            case Filter.And and -> and.all().stream().allMatch(f -> matches(f, item));
            case Filter.Or or -> or.any().stream().anyMatch(f -> matches(f, item));
            case Filter.Not not -> !matches(not.filter(), item);
            case Filter.Equals eq -> equalsAny(reach(eq.path(), item), eq.value());
            case Filter.In in -> {
                List<JsonNode> reached = reach(in.path(), item);
                yield in.values().stream().anyMatch(v -> equalsAny(reached, v));
            }
            case Filter.Compare compare -> reach(compare.path(), item).stream().anyMatch(value -> {
                Integer order = JsonOrder.compare(value, compare.value());
                return order != null && compare.op().holds(order);
            });
            case Filter.Exists exists -> reach(exists.path(), item).isEmpty() != exists.present();
        };
    }

    /** Whether one value (an array element, say) meets a condition parsed for the virtual path {@code where}. */
    public static boolean valueMatches(Filter condition, String where, JsonNode value) {
        return matches(condition, JsonNodeFactory.instance.objectNode().set(where, value));
    }

    private static boolean equalsAny(List<JsonNode> reached, JsonNode value) {
        if (reached.isEmpty()) {
            return value.isNull();
        }
        for (JsonNode r : reached) {
            if (JsonOrder.equal(r, value)) {
                return true;
            }
            if (r.isArray()) {
                for (JsonNode element : r) {
                    if (JsonOrder.equal(element, value)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Every value the path reaches; empty when the field is missing. */
    static List<JsonNode> reach(Path path, JsonNode item) {
        List<JsonNode> current = List.of(item);
        for (String segment : path.segments()) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode node : current) {
                if (node.isObject()) {
                    addIfPresent(next, node.get(segment));
                } else if (node.isArray() && node != item) {
                    for (JsonNode element : node) {
                        if (element.isObject()) {
                            addIfPresent(next, element.get(segment));
                        }
                    }
                }
            }
            if (next.isEmpty()) {
                return next;
            }
            current = next;
        }
        return current;
    }

    private static void addIfPresent(List<JsonNode> into, JsonNode value) {
        if (value != null) {
            into.add(value);
        }
    }
}
