package io.strata.engine;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's real test models in {@code ../shared/models} beside the repository root,
 * or wherever {@code STRATA_MODELS} points; they are never copied into the repository. A missing
 * model fails the test on CI ({@code CI=true}) and skips it elsewhere. (The same rules as
 * splitter-sdk's TestModels, which mesh-node cannot see without a test-jar.)
 */
final class ModelFiles {
    private ModelFiles() {
    }

    static Path stories260kGguf() {
        return file("stories260K.gguf");
    }

    static Path stories260kBin() {
        return file("stories260K.bin");
    }

    static Path referenceGreedy() {
        return file("reference-greedy.json");
    }

    /** The repository root: {@code STRATA_REPO_ROOT} (set by surefire), else the nearest folder up with mvnw. */
    static Path repoRoot() {
        String env = System.getenv("STRATA_REPO_ROOT");
        if (env != null && !env.isBlank() && Files.isDirectory(Path.of(env))) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw"))) {
                return p;
            }
        }
        return start;
    }

    private static Path file(String name) {
        String env = System.getenv("STRATA_MODELS");
        Path dir = env != null && !env.isBlank()
                ? Path.of(env).toAbsolutePath().normalize()
                : repoRoot().resolve("../shared/models").normalize();
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f)) {
            String why = "test model " + f + " is missing (set STRATA_MODELS to the folder holding stories260K.gguf)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
        return f;
    }
}
