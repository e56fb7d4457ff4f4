package io.strata.functions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A new, empty data directory for one start of the control plane, so no test sees another's records. */
final class FreshDataDir {

    private FreshDataDir() {
    }

    static String create(String name) {
        try {
            Path base = Path.of("target", "test-data");
            Files.createDirectories(base);
            return Files.createTempDirectory(base.toAbsolutePath(), name + "-").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
