package io.strata.sdk;

import java.io.IOException;

/**
 * A control-plane service (task DB, model-layer registry, block DB) answered, but said no: a
 * non-2xx status or {@code {"success": false, "error": ...}}. The message carries the
 * request and the server's own error text; {@link #status()} is the HTTP status.
 */
public class RegistryException extends IOException {
    private final int status;

    public RegistryException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
