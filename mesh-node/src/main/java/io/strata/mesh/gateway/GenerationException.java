package io.strata.mesh.gateway;

/**
 * A generation that could not be served: the model is not routed, every replica of a stage
 * failed, or a stage refused the request. {@code status} is the HTTP status to answer with.
 */
public final class GenerationException extends Exception {
    private final int status;

    public GenerationException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
