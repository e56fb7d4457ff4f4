package io.strata.tables;

/**
 * A filter, update, key or item the store will not accept (HTTP 400): unknown operator, malformed path, wrong
 * operand type, a change to the key, a limit passed. The message names the operator, path or field. Thrown before
 * anything is written, so the store is unchanged.
 */
public final class InvalidQueryException extends StoreException {

    public InvalidQueryException(String message) {
        super(message);
    }
}
