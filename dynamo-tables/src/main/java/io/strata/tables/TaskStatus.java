package io.strata.tables;

import java.util.Arrays;

/** The status attribute of a {@link Tables#TASKS} item, stored as its lower-case {@link #value()}. */
public enum TaskStatus {
    PENDING("pending"),
    RUNNING("running"),
    COMPLETE("complete"),
    FAILED("failed");

    private final String value;

    TaskStatus(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** The status whose stored value is {@code value}; anything else is refused with the allowed values. */
    public static TaskStatus of(String value) {
        for (TaskStatus status : values()) {
            if (status.value.equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("task status '" + value + "' is not one of "
                + Arrays.stream(values()).map(TaskStatus::value).toList());
    }
}
