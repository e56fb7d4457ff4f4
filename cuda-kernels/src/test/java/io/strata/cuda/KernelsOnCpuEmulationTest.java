package io.strata.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA C sources compiled for the CPU against src/test/emulation (blocks in turn, a block's threads
 * as threads, barriers for __syncthreads and warp shuffles) and run against the same math in double:
 * their indexing, block layouts and fold trees are checked where there is no GPU. Needs g++ (C++20);
 * skips without it. What only a device shows (its memory model, FMA contraction, JIT) is
 * KernelsMatchHostMathTest's.
 */
class KernelsOnCpuEmulationTest {

    @Test
    void kernelsComputeTheirMathOnTheCpuEmulation(@TempDir Path dir) throws Exception {
        Optional<Path> gxx = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(d -> !d.isBlank()).map(d -> Path.of(d, "g++")).filter(Files::isExecutable).findFirst();
        assumeTrue(gxx.isPresent(), "g++ not found: the kernels' CPU emulation is not checked here");
        Path binary = dir.resolve("kernels_on_cpu");
        String compiled = run(List.of(gxx.get().toString(), "-std=c++20", "-O1", "-pthread", "-w",
                "-I", "src/test/emulation", "-I", "src/main/cuda", "-o", binary.toString(),
                "src/test/emulation/kernels_on_cpu.cpp"), 0);
        assertTrue(Files.isExecutable(binary), compiled);
        String output = run(List.of(binary.toString()), 0);
        assertTrue(output.contains("all kernels agree with the host"), output);
    }

    private static String run(List<String> command, int expectedExit) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(expectedExit, process.waitFor(), String.join(" ", command) + ":\n" + output);
        return output;
    }
}
