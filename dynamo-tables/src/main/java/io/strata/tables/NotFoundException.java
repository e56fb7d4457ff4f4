package io.strata.tables;

/** {@link Store#update} or {@link Store#delete} named a key that has no item (HTTP 404). */
public final class NotFoundException extends StoreException {

    public NotFoundException(String message) {
        super(message);
    }
}
