package io.strata.tables;

/** A request the store refused; the subclass says which HTTP answer it maps to. */
public abstract class StoreException extends RuntimeException {

    protected StoreException(String message) {
        super(message);
    }

    protected StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
