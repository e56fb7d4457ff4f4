package io.strata.cli;

/**
 * A mistake the user can fix (a bad flag, a missing file): printed as one line, then the
 * command exits with {@link #exitCode()}.
 */
public class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(String message) {
        this(message, 2);
    }

    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
