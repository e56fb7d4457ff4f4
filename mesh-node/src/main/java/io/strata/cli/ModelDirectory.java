package io.strata.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the project's real test models live: {@code $STRATA_MODELS}, else {@code ../shared/models}
 * beside the Strata checkout (the launcher passes the checkout as {@code strata.home}).
 */
final class ModelDirectory {
    private ModelDirectory() {
    }

    static Path resolve() {
        String env = System.getenv("STRATA_MODELS");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String home = System.getProperty("strata.home", System.getenv().getOrDefault("STRATA_HOME", "."));
        return Path.of(home).toAbsolutePath().normalize().resolveSibling("shared").resolve("models");
    }

    /** A file in the models folder, or a clear error saying where it was looked for. */
    static Path file(String name) {
        Path p = resolve().resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new CliException("default model " + p + " not found; pass --model PATH or set STRATA_MODELS", 1);
        }
        return p;
    }
}
