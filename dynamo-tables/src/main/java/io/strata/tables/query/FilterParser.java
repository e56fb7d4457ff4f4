package io.strata.tables.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.tables.InvalidQueryException;
import io.strata.tables.json.ItemRules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a Mongo-style filter into a {@link Filter}, refusing (with {@link InvalidQueryException} naming the operator or
 * path) anything it does not support, so no store ever sees a filter it would have to guess about.
 */
public final class FilterParser {

    static final String SUPPORTED = "$eq $ne $in $nin $gt $gte $lt $lte $exists, and $and $or at the top";

    private int conditions;

    private FilterParser() {
    }

    /** Parses a whole filter; {@code null} or {@code {}} matches every item. */
    public static Filter parse(JsonNode filter) {
        if (filter == null || filter.isNull() || filter.isMissingNode()) {
            return new Filter.And(List.of());
        }
        if (!filter.isObject()) {
            throw new InvalidQueryException("filter: a filter is a JSON object such as {\"field\": \"value\"}, got "
                    + filter.getNodeType().toString().toLowerCase());
        }
        int size = ItemRules.serializedSize(filter);
        if (size > QueryLimits.MAX_FILTER_BYTES) {
            throw new InvalidQueryException("filter: " + size + " bytes of JSON; the limit is " + QueryLimits.MAX_FILTER_BYTES);
        }
        return new FilterParser().document(filter, 0);
    }

    /**
     * Parses the condition on one path, as it appears under a field name: a literal (equality) or an object of
     * operators. {@code $pull} uses it to test array elements.
     */
    public static Filter condition(Path path, JsonNode condition) {
        return new FilterParser().condition(path, condition, path.toString());
    }

    private Filter document(JsonNode filter, int depth) {
        if (depth > QueryLimits.MAX_FILTER_DEPTH) {
            throw new InvalidQueryException("filter: $and/$or nest deeper than " + QueryLimits.MAX_FILTER_DEPTH + " levels");
        }
        List<Filter> all = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : filter.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.startsWith("$")) {
                all.add(switch (name) {
                    case "$and" -> new Filter.And(branches(name, value, depth));
                    case "$or" -> new Filter.Or(branches(name, value, depth));
                    default -> throw new InvalidQueryException("filter: unsupported operator " + name
                            + " at the top level — supported: " + SUPPORTED);
                });
            } else {
                Path path = Path.parse(name, "filter");
                refuseReserved(path, "filter");
                all.add(condition(path, value, name));
            }
        }
        return all.size() == 1 ? all.getFirst() : new Filter.And(all);
    }

    private List<Filter> branches(String operator, JsonNode value, int depth) {
        if (!value.isArray() || value.isEmpty()) {
            throw new InvalidQueryException("filter: " + operator + " takes a non-empty array of filters");
        }
        List<Filter> branches = new ArrayList<>();
        for (JsonNode branch : value) {
            if (!branch.isObject()) {
                throw new InvalidQueryException("filter: every element of " + operator + " must be a filter object, got "
                        + branch.getNodeType().toString().toLowerCase());
            }
            branches.add(document(branch, depth + 1));
        }
        return branches;
    }

    private Filter condition(Path path, JsonNode condition, String where) {
        if (!isOperatorObject(condition, where)) {
            count(1);
            return new Filter.Equals(path, literal(condition, where));
        }
        List<Filter> all = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : condition.properties()) {
            String operator = entry.getKey();
            JsonNode operand = entry.getValue();
            String at = operator + " on \"" + where + "\"";
            all.add(switch (operator) {
                case "$eq" -> {
                    count(1);
                    yield new Filter.Equals(path, literal(operand, where));
                }
                case "$ne" -> {
                    count(1);
                    yield new Filter.Not(new Filter.Equals(path, literal(operand, where)));
                }
                case "$in" -> in(path, operand, at, where);
                case "$nin" -> new Filter.Not(in(path, operand, at, where));
                case "$gt", "$gte", "$lt", "$lte" -> {
                    if (!(operand.isNumber() || operand.isTextual())) {
                        throw new InvalidQueryException("filter: " + at + " needs a number or a string, got "
                                + operand.getNodeType().toString().toLowerCase());
                    }
                    count(1);
                    yield new Filter.Compare(path, comparison(operator), literal(operand, where));
                }
                case "$exists" -> {
                    if (!operand.isBoolean()) {
                        throw new InvalidQueryException("filter: " + at + " needs true or false, got "
                                + operand.getNodeType().toString().toLowerCase());
                    }
                    count(1);
                    yield new Filter.Exists(path, operand.booleanValue());
                }
                default -> throw new InvalidQueryException("filter: unsupported operator " + operator + " on \"" + where
                        + "\" — supported: " + SUPPORTED);
            });
        }
        return all.size() == 1 ? all.getFirst() : new Filter.And(all);
    }

    private Filter.In in(Path path, JsonNode operand, String at, String where) {
        if (!operand.isArray()) {
            throw new InvalidQueryException("filter: " + at + " needs an array of values, got "
                    + operand.getNodeType().toString().toLowerCase());
        }
        count(operand.size());
        List<JsonNode> values = new ArrayList<>();
        for (JsonNode value : operand) {
            if (isOperatorObject(value, where)) {
                throw new InvalidQueryException("filter: " + at + " takes plain values, not operators");
            }
            values.add(literal(value, where));
        }
        return new Filter.In(path, values);
    }

    /** An object whose keys start with '$' holds operators; mixing operators and fields is refused as ambiguous. */
    static boolean isOperatorObject(JsonNode value, String where) {
        if (!value.isObject() || value.isEmpty()) {
            return false;
        }
        int operators = 0;
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            if (field.getKey().startsWith("$")) {
                operators++;
            }
        }
        if (operators != 0 && operators != value.size()) {
            throw new InvalidQueryException("filter: the condition on \"" + where
                    + "\" mixes operators and field names; use either {\"$op\": value} or a plain value");
        }
        return operators != 0;
    }

    static void refuseReserved(Path path, String where) {
        if (path.first().equals(ItemRules.VERSION_ATTRIBUTE)) {
            throw new InvalidQueryException(where + ": path \"" + path + "\" names an attribute reserved for the store");
        }
    }

    private static JsonNode literal(JsonNode value, String where) {
        return ItemRules.canonical(value, where, 1);
    }

    private static Filter.Comparison comparison(String operator) {
        for (Filter.Comparison c : Filter.Comparison.values()) {
            if (c.operator().equals(operator)) {
                return c;
            }
        }
        throw new IllegalStateException(operator);
    }

    private void count(int n) {
        conditions += n;
        if (conditions > QueryLimits.MAX_FILTER_CONDITIONS) {
            throw new InvalidQueryException("filter: more than " + QueryLimits.MAX_FILTER_CONDITIONS
                    + " conditions (each $in/$nin value counts as one)");
        }
    }
}
