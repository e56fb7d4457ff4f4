package io.strata.tables.query;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * A parsed Mongo-style filter. Values are canonical JSON (see {@code io.strata.tables.json.JsonNumbers}).
 * {@link FilterParser} builds it; {@link FilterMatcher} evaluates it on an item.
 */
public sealed interface Filter {

    /** All must match; the empty list matches everything (the filter {@code {}}). */
    record And(List<Filter> all) implements Filter {
        public And {
            all = List.copyOf(all);
        }
    }

    /** At least one must match; never empty. */
    record Or(List<Filter> any) implements Filter {
        public Or {
            any = List.copyOf(any);
        }
    }

    /** The negation, produced by {@code $ne} and {@code $nin}. */
    record Not(Filter filter) implements Filter {
    }

    /**
     * Mongo equality: the field equals {@code value}, or holds an array with an element equal to it; {@code null}
     * also matches a missing field.
     */
    record Equals(Path path, JsonNode value) implements Filter {
    }

    /** {@code $in}: {@link Equals} for at least one of the values; an empty list matches nothing. */
    record In(Path path, List<JsonNode> values) implements Filter {
        public In {
            values = List.copyOf(values);
        }
    }

    /** {@code $gt $gte $lt $lte} against a number or a string; fields of another type (arrays too) never match. */
    record Compare(Path path, Comparison op, JsonNode value) implements Filter {
    }

    /** {@code $exists}: the field is present (even if null), or absent. */
    record Exists(Path path, boolean present) implements Filter {
    }

    enum Comparison {
        GT("$gt", ">"), GTE("$gte", ">="), LT("$lt", "<"), LTE("$lte", "<=");

        private final String operator;
        private final String symbol;

        Comparison(String operator, String symbol) {
            this.operator = operator;
            this.symbol = symbol;
        }

        public String operator() {
            return operator;
        }

        /** The comparator in DynamoDB's expression language. */
        public String symbol() {
            return symbol;
        }

        public boolean holds(int order) {
            return switch (this) {
                case GT -> order > 0;
                case GTE -> order >= 0;
                case LT -> order < 0;
                case LTE -> order <= 0;
            };
        }
    }
}
