package io.strata.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Loads {@code libcuda.so.1} into this class loader, once, so that the generated bindings (which
 * resolve symbols through the loader's lookup) find the driver. The driver ships with the NVIDIA
 * kernel module, not with the toolkit, so it is looked for where drivers install it; a machine without
 * it gets one line saying so instead of a linkage error at the first call.
 */
public final class CudaDriverLibrary {
    /** The driver's soname: only the unversioned {@code libcuda.so} of a toolkit's stubs would link, and not run. */
    public static final String SONAME = "libcuda.so.1";
    /** Names a driver library elsewhere (a container's mounted driver, say). */
    public static final String PATH_VARIABLE = "STRATA_LIBCUDA";

    private static Optional<String> failure;

    private CudaDriverLibrary() {
    }

    /** Empty when the driver is loaded, else the one line that says why it is not. */
    public static synchronized Optional<String> load() {
        if (failure == null) {
            failure = tryLoad();
        }
        return failure;
    }

    /** Loads the driver or throws {@link CudaException} with the reason. */
    public static void require() {
        load().ifPresent(reason -> {
            throw new CudaException(reason);
        });
    }

    private static Optional<String> tryLoad() {
        List<Path> candidates = candidates();
        if (candidates.isEmpty()) {
            return Optional.of("no CUDA driver: " + SONAME + " not found (looked in " + String.join(", ", searchPath())
                    + "; set " + PATH_VARIABLE + " to its path if it is elsewhere)");
        }
        Path found = candidates.getFirst();
        try {
            System.load(found.toString());
            return Optional.empty();
        } catch (UnsatisfiedLinkError e) {
            return Optional.of("no CUDA driver: " + found + " did not load: " + e.getMessage());
        }
    }

    private static List<Path> candidates() {
        List<Path> found = new ArrayList<>();
        String explicit = System.getenv(PATH_VARIABLE);
        if (explicit != null && !explicit.isBlank()) {
            found.add(Path.of(explicit));
            return found;
        }
        for (String dir : searchPath()) {
            Path candidate = Path.of(dir, SONAME);
            if (Files.isRegularFile(candidate)) {
                found.add(candidate);
            }
        }
        return found;
    }

    /** LD_LIBRARY_PATH first (as the dynamic linker would), then where Linux distributions, WSL and GPU operators put it. */
    static List<String> searchPath() {
        Set<String> dirs = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String dir : ld.split(":")) {
                if (!dir.isBlank()) {
                    dirs.add(dir);
                }
            }
        }
        dirs.addAll(List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
                "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib", "/usr/local/cuda/compat"));
        return List.copyOf(dirs);
    }
}
