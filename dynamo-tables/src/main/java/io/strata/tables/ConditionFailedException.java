package io.strata.tables;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@link Store#updateIf} found the item but it did not meet the condition (HTTP 409); nothing was written. Carries the
 * item as it was, so the caller can say why (a task already complete, say).
 */
public final class ConditionFailedException extends StoreException {

    private final transient ObjectNode current;

    public ConditionFailedException(String message, ObjectNode current) {
        super(message);
        this.current = current;
    }

    /** The item as the store held it when the condition failed. */
    public ObjectNode current() {
        return current.deepCopy();
    }
}
