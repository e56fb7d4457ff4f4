package io.strata.tables;

/** {@link Store#create} found an item with the same key (HTTP 409). */
public final class DuplicateKeyException extends StoreException {

    public DuplicateKeyException(String message) {
        super(message);
    }
}
