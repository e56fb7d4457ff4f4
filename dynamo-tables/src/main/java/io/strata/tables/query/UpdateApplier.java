package io.strata.tables.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.InvalidQueryException;
import io.strata.tables.json.JsonNumbers;
import io.strata.tables.json.JsonOrder;

import java.util.Iterator;

/**
 * Applies an {@link Update} to a copy of an item. Both stores use it (the DynamoDB store inside an optimistic
 * read-modify-write), so an update means the same thing everywhere. The original item is never changed; a type
 * conflict ({@code $inc} on a string, a path through a non-object) is an {@link InvalidQueryException}.
 */
public final class UpdateApplier {

    private UpdateApplier() {
    }

    public static ObjectNode apply(Update update, ObjectNode item) {
        ObjectNode copy = item.deepCopy();
        for (Update.Action action : update.actions()) {
            apply(action, copy);
        }
        return copy;
    }

    private static void apply(Update.Action action, ObjectNode item) {
        Path path = action.path();
        switch (action) {
            case Update.SetField set -> parent(item, path, "$set", true).set(path.last(), set.value().deepCopy());
            case Update.UnsetField unset -> {
                ObjectNode parent = parent(item, path, "$unset", false);
                if (parent != null) {
                    parent.remove(path.last());
                }
            }
            case Update.Increment inc -> {
                ObjectNode parent = parent(item, path, "$inc", true);
                JsonNode current = parent.get(path.last());
                String where = "$inc on \"" + path + "\"";
                if (current != null && !current.isNumber()) {
                    throw conflict(where, "the field holds " + kind(current) + ", not a number");
                }
                var sum = current == null ? inc.by() : JsonNumbers.value(current, where).add(inc.by());
                parent.set(path.last(), JsonNumbers.canonical(sum, where));
            }
            case Update.Push push -> {
                ArrayNode array = array(item, path, "$push", true);
                push.values().forEach(v -> array.add(v.deepCopy()));
            }
            case Update.AddToSet add -> {
                ArrayNode array = array(item, path, "$addToSet", true);
                for (JsonNode value : add.values()) {
                    if (!containsEqual(array, value)) {
                        array.add(value.deepCopy());
                    }
                }
            }
            case Update.Pull pull -> {
                ArrayNode array = array(item, path, "$pull", false);
                if (array != null) {
                    for (Iterator<JsonNode> it = array.iterator(); it.hasNext(); ) {
                        if (passes(pull.test(), it.next())) {
                            it.remove();
                        }
                    }
                }
            }
        }
    }

    private static boolean passes(Update.ElementTest test, JsonNode element) {
        return switch (test) {
            case Update.EqualTo eq -> JsonOrder.equal(element, eq.value());
            case Update.Satisfies s -> FilterMatcher.valueMatches(s.condition(), Update.Satisfies.ELEMENT, element);
            case Update.ObjectMatches m -> element.isObject() && FilterMatcher.matches(m.filter(), element);
        };
    }

    private static boolean containsEqual(ArrayNode array, JsonNode value) {
        for (JsonNode element : array) {
            if (JsonOrder.equal(element, value)) {
                return true;
            }
        }
        return false;
    }

    /** The array at {@code path}; created empty when missing and {@code create}, else null when missing. */
    private static ArrayNode array(ObjectNode item, Path path, String operator, boolean create) {
        ObjectNode parent = parent(item, path, operator, create);
        if (parent == null) {
            return null;
        }
        JsonNode current = parent.get(path.last());
        if (current == null) {
            return create ? parent.putArray(path.last()) : null;
        }
        if (!current.isArray()) {
            throw conflict(operator + " on \"" + path + "\"", "the field holds " + kind(current) + ", not an array");
        }
        return (ArrayNode) current;
    }

    /**
     * The object that holds the path's last segment. Missing objects on the way are created when {@code create}, else
     * the answer is null; a non-object on the way is a conflict either way, except for {@code $unset}-style reads.
     */
    private static ObjectNode parent(ObjectNode item, Path path, String operator, boolean create) {
        ObjectNode node = item;
        for (int i = 0; i < path.length() - 1; i++) {
            String segment = path.segments().get(i);
            JsonNode child = node.get(segment);
            if (child == null) {
                if (!create) {
                    return null;
                }
                child = node.putObject(segment);
            } else if (!child.isObject()) {
                if (!create) {
                    return null;
                }
                throw conflict(operator + " on \"" + path + "\"", "\"" + path.prefix(i + 1) + "\" holds " + kind(child)
                        + "; update paths walk objects only");
            }
            node = (ObjectNode) child;
        }
        return node;
    }

    private static InvalidQueryException conflict(String where, String why) {
        return new InvalidQueryException("update: " + where + ": " + why);
    }

    private static String kind(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> "a " + value.getNodeType().toString().toLowerCase();
        };
    }
}
