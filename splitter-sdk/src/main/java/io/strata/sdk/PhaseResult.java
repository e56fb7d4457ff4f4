package io.strata.sdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one phase of a {@link ModelSplitter} hands on: the seed's {@code (True, extra)} or
 * {@code (False, error)}.
 */
public sealed interface PhaseResult {

    /** The phase worked; {@code data} goes to the next phase, or, from finish, becomes the task's result. */
    record Success(Map<String, Object> data) implements PhaseResult {
        public Success {
            // A copy that keeps insertion order (the result is read by people) and allows null values (JSON null).
            data = data == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(data));
        }
    }

    /** The phase failed; {@code error} is what the task's record will say. */
    record Failure(String error) implements PhaseResult {
        public Failure {
            if (error == null || error.isBlank()) {
                throw new IllegalArgumentException("a failed phase must say why: the error text is empty");
            }
        }
    }

    static PhaseResult success(Map<String, Object> data) {
        return new Success(data);
    }

    static PhaseResult failure(String error) {
        return new Failure(error);
    }
}
