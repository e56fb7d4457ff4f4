package io.strata.tables.query;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.List;

/**
 * A parsed Mongo-style update: actions on distinct, non-overlapping paths, applied in order by {@link UpdateApplier}.
 * Values are canonical JSON.
 */
public record Update(List<Action> actions) {

    public Update {
        actions = List.copyOf(actions);
    }

    public sealed interface Action {
        Path path();
    }

    /** {@code $set}: the field becomes the value; missing parent objects are created. */
    public record SetField(Path path, JsonNode value) implements Action {
    }

    /** {@code $unset}: the field is removed if present. */
    public record UnsetField(Path path) implements Action {
    }

    /** {@code $inc}: the number grows by {@code by}; a missing field starts at 0. */
    public record Increment(Path path, BigDecimal by) implements Action {
    }

    /** {@code $push}: the values are appended; a missing field starts empty. */
    public record Push(Path path, List<JsonNode> values) implements Action {
        public Push {
            values = List.copyOf(values);
        }
    }

    /** {@code $addToSet}: each value not already in the array is appended. */
    public record AddToSet(Path path, List<JsonNode> values) implements Action {
        public AddToSet {
            values = List.copyOf(values);
        }
    }

    /** {@code $pull}: array elements that pass the test are removed. */
    public record Pull(Path path, ElementTest test) implements Action {
    }

    /** Which array elements {@code $pull} removes. */
    public sealed interface ElementTest {
    }

    /** Elements equal to the value. */
    public record EqualTo(JsonNode value) implements ElementTest {
    }

    /** Elements meeting an operator condition, e.g. {@code {"$in": ["a", "b"]}}, parsed for {@link #ELEMENT}. */
    public record Satisfies(Filter condition) implements ElementTest {
        public static final String ELEMENT = "element";
    }

    /** Object elements matching a filter, e.g. {@code {"precision": "fp16"}}. */
    public record ObjectMatches(Filter filter) implements ElementTest {
    }
}
