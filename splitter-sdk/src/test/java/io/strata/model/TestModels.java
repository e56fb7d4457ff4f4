package io.strata.model;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's real test models (stories260K and friends) in {@code ../shared/models}
 * beside the repository root, or wherever {@code STRATA_MODELS} points. They are never copied
 * into the repository. A missing model fails the test on CI ({@code CI=true}) and skips it
 * elsewhere, so a fresh checkout without the models still builds.
 */
public final class TestModels {
    private TestModels() {
    }

    /** The models folder; aborts (skips) the calling test when absent, fails it on CI. */
    public static Path modelsDir() {
        Path dir = locateModelsDir();
        if (!Files.isDirectory(dir)) {
            missing("the test models folder " + dir + " is missing (set STRATA_MODELS to the folder holding"
                    + " stories260K.gguf)");
        }
        return dir;
    }

    public static Path stories260kGguf() {
        return file("stories260K.gguf");
    }

    public static Path stories260kBin() {
        return file("stories260K.bin");
    }

    public static Path tok512() {
        return file("tok512.bin");
    }

    public static Path referenceGreedy() {
        return file("reference-greedy.json");
    }

    /**
     * The fidelity suite ({@code ../shared/fidelity}: real tokenizer files, chat templates and
     * their reference ids), or wherever {@code STRATA_FIDELITY} points; absent: skipped, or failed on CI.
     */
    public static Path fidelityDir() {
        String env = System.getenv("STRATA_FIDELITY");
        Path dir = env != null && !env.isBlank() ? Path.of(env).toAbsolutePath().normalize()
                : repoRoot().resolve("../shared/fidelity").normalize();
        if (!Files.isRegularFile(dir.resolve("cases.json"))) {
            missing("the fidelity suite " + dir + " is missing (set STRATA_FIDELITY to the folder holding cases.json)");
        }
        return dir;
    }

    /** The repository root: {@code STRATA_REPO_ROOT} (set by surefire), else the nearest folder up with mvnw. */
    public static Path repoRoot() {
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
        Path f = modelsDir().resolve(name);
        if (!Files.isRegularFile(f)) {
            missing("test model " + f + " is missing");
        }
        return f;
    }

    private static Path locateModelsDir() {
        String env = System.getenv("STRATA_MODELS");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        return repoRoot().resolve("../shared/models").normalize();
    }

    private static void missing(String why) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(why);
        }
        Assumptions.abort(why);
    }
}
