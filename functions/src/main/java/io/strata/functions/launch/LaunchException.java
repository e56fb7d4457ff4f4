package io.strata.functions.launch;

/** A split job that could not be started; {@code status} is the HTTP answer (502 when a cluster refused, else 500). */
public final class LaunchException extends RuntimeException {

    private final int status;

    public LaunchException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
