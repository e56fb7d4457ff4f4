package io.strata.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The committed PTX is what compile-kernels.sh makes from the committed sources. Runs where nvcc is
 * installed (of the release the PTX was made with: another release legitimately writes other PTX);
 * skips elsewhere, since a GPU host needs only the PTX.
 */
class KernelPtxIsCurrentTest {

    @Test
    void committedPtxIsWhatNvccMakesFromTheSources(@TempDir Path out) throws Exception {
        Optional<Path> nvcc = nvcc();
        assumeTrue(nvcc.isPresent(), "nvcc not found (PATH, /usr/local/cuda/bin): staleness not checked here");
        Path sources = Path.of("src/main/cuda");
        String committedRelease = releaseLine(Files.readString(sources.resolve("matmul.ptx")));
        String localRelease = run(List.of(nvcc.get().toString(), "--version"));
        assumeTrue(localRelease.contains(committedRelease.replace("// ", "")),
                "the committed PTX was made by '" + committedRelease + "', this nvcc is another release");

        ProcessBuilder compile = new ProcessBuilder("sh", "compile-kernels.sh", out.toString());
        compile.environment().put("NVCC", nvcc.get().toString());
        Process process = compile.redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), "compile-kernels.sh failed: " + log);

        try (Stream<Path> files = Files.list(sources)) {
            for (Path cu : files.filter(p -> p.toString().endsWith(".cu")).sorted().toList()) {
                String ptx = cu.getFileName().toString().replace(".cu", ".ptx");
                String fresh = Files.readString(out.resolve(ptx));
                if (!fresh.equals(Files.readString(sources.resolve(ptx)))) {
                    fail("src/main/cuda/" + ptx + " is stale; regenerate it with: cuda-kernels/compile-kernels.sh (and commit the result)");
                }
            }
        }
    }

    private static String releaseLine(String ptx) {
        return ptx.lines().filter(l -> l.contains("Cuda compilation tools")).findFirst().orElse("?");
    }

    private static Optional<Path> nvcc() {
        String path = System.getenv().getOrDefault("PATH", "");
        Stream<Path> dirs = Stream.concat(Stream.of(path.split(":")).filter(d -> !d.isBlank()).map(Path::of),
                Stream.of(Path.of("/usr/local/cuda/bin")));
        return dirs.map(d -> d.resolve("nvcc")).filter(Files::isExecutable).findFirst();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        return output;
    }
}
