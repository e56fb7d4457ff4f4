package io.strata.model;

import java.nio.file.Path;

/**
 * A model file that cannot be read as what it claims to be. The message names the file and
 * the problem in one line, so the command line can print it as it is.
 */
public class ModelFormatException extends RuntimeException {
    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
