package io.strata.tables;

/**
 * An update gave up because other writers kept changing the same item (HTTP 503): nothing was written by this call,
 * and sending it again is safe.
 */
public final class ContentionException extends StoreException {

    public ContentionException(String message) {
        super(message);
    }
}
