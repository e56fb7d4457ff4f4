package io.strata.tables.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.tables.InvalidQueryException;
import io.strata.tables.TableDefinition;
import io.strata.tables.json.ItemRules;
import io.strata.tables.json.JsonNumbers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a Mongo-style update into an {@link Update}, refusing — before anything is read or written — unknown
 * operators, malformed or overlapping paths, changes to the table's key, and operands of the wrong type.
 *
 * <p>A document without operators (Mongo's "replacement") is refused rather than guessed at: the seed's PUT bodies
 * always use operators, and replacing every field but the key is one {@code $set} away.
 */
public final class UpdateParser {

    private static final List<String> OPERATORS = List.of("$set", "$unset", "$inc", "$push", "$addToSet", "$pull");
    static final String SUPPORTED = String.join(" ", OPERATORS);

    private UpdateParser() {
    }

    public static Update parse(TableDefinition table, JsonNode update) {
        if (update == null || !update.isObject()) {
            throw new InvalidQueryException("update: an update is a JSON object such as {\"$set\": {\"field\": \"value\"}}, got "
                    + (update == null ? "nothing" : update.getNodeType().toString().toLowerCase()));
        }
        if (update.isEmpty()) {
            throw new InvalidQueryException("update: empty — give at least one operator, e.g. {\"$set\": {\"field\": \"value\"}}");
        }
        int size = ItemRules.serializedSize(update);
        if (size > QueryLimits.MAX_UPDATE_BYTES) {
            throw new InvalidQueryException("update: " + size + " bytes of JSON; the limit is " + QueryLimits.MAX_UPDATE_BYTES);
        }
        List<Update.Action> actions = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : update.properties()) {
            String operator = entry.getKey();
            if (!operator.startsWith("$")) {
                throw new InvalidQueryException("update: \"" + operator + "\" is not an operator — Strata does not replace whole items;"
                        + " use {\"$set\": {\"" + operator + "\": ...}} (supported: " + SUPPORTED + ")");
            }
            if (!OPERATORS.contains(operator)) {
                throw new InvalidQueryException("update: unsupported operator " + operator + " — supported: " + SUPPORTED);
            }
            JsonNode fields = entry.getValue();
            if (!fields.isObject() || fields.isEmpty()) {
                throw new InvalidQueryException("update: " + operator + " takes a non-empty object of {\"path\": value}");
            }
            for (Map.Entry<String, JsonNode> field : fields.properties()) {
                Path path = Path.parse(field.getKey(), "update " + operator);
                actions.add(action(operator, path, field.getValue()));
                if (actions.size() > QueryLimits.MAX_UPDATE_PATHS) {
                    throw new InvalidQueryException("update: more than " + QueryLimits.MAX_UPDATE_PATHS + " paths");
                }
            }
        }
        checkPaths(table, actions);
        return new Update(actions);
    }

    private static Update.Action action(String operator, Path path, JsonNode operand) {
        String where = operator + " on \"" + path + "\"";
        return switch (operator) {
            case "$set" -> new Update.SetField(path, ItemRules.canonical(operand, path.toString(), 2));
            case "$unset" -> new Update.UnsetField(path);
            case "$inc" -> {
                if (!operand.isNumber()) {
                    throw new InvalidQueryException("update: " + where + " needs a number, got "
                            + operand.getNodeType().toString().toLowerCase());
                }
                yield new Update.Increment(path, JsonNumbers.value(JsonNumbers.canonical(operand, where), where));
            }
            case "$push" -> new Update.Push(path, values(where, path, operand));
            case "$addToSet" -> new Update.AddToSet(path, values(where, path, operand));
            case "$pull" -> new Update.Pull(path, elementTest(where, operand));
            default -> throw new IllegalStateException(operator);
        };
    }

    /** A single value, or {@code {"$each": [...]}} for several. */
    private static List<JsonNode> values(String where, Path path, JsonNode operand) {
        if (FilterParser.isOperatorObject(operand, path.toString())) {
            JsonNode each = operand.get("$each");
            if (operand.size() != 1 || each == null) {
                throw new InvalidQueryException("update: " + where + " supports only the modifier $each, got "
                        + operand.properties().stream().map(Map.Entry::getKey).toList());
            }
            if (!each.isArray()) {
                throw new InvalidQueryException("update: " + where + ": $each needs an array");
            }
            List<JsonNode> values = new ArrayList<>();
            for (JsonNode value : each) {
                values.add(ItemRules.canonical(value, path.toString(), 3));
            }
            return values;
        }
        return List.of(ItemRules.canonical(operand, path.toString(), 3));
    }

    private static Update.ElementTest elementTest(String where, JsonNode operand) {
        if (FilterParser.isOperatorObject(operand, where)) {
            return new Update.Satisfies(FilterParser.condition(Path.of(Update.Satisfies.ELEMENT), operand));
        }
        if (operand.isObject()) {
            return new Update.ObjectMatches(FilterParser.parse(operand));
        }
        return new Update.EqualTo(ItemRules.canonical(operand, where, 3));
    }

    private static void checkPaths(TableDefinition table, List<Update.Action> actions) {
        for (int i = 0; i < actions.size(); i++) {
            Path path = actions.get(i).path();
            if (path.first().equals(table.partitionKey())) {
                throw new InvalidQueryException("update: \"" + path + "\" would change the key " + table.partitionKey()
                        + " of " + table.name() + "; keys cannot change (create a new item instead)");
            }
            FilterParser.refuseReserved(path, "update");
            for (int j = 0; j < i; j++) {
                Path other = actions.get(j).path();
                if (path.contains(other) || other.contains(path)) {
                    throw new InvalidQueryException("update: paths \"" + other + "\" and \"" + path
                            + "\" overlap; each field may be changed by one operator only");
                }
            }
        }
    }
}
