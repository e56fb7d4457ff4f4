package io.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.TensorEncoding;
import io.strata.synthetic.SyntheticModelGenerator;
import io.strata.synthetic.SyntheticProgress;
import io.strata.synthetic.SyntheticShape;
import io.strata.synthetic.SyntheticSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model larger than the JVM's whole heap still generates and splits: the weights stay in the mapped
 * file. (The full 1.1B F32 model with -Xmx512m is the same run at full size; see
 * docs/benchmarks.md. Here: TinyLlama-1.1B's width with two layers, ~0.6 GB, under -Xmx192m.)
 */
class WeightsAreMappedNotCopiedTest {
    @TempDir
    Path dir;

    private static final long HEAP = 192L << 20;

    private Path modelSeveralTimesTheHeap() throws Exception {
        Path model = dir.resolve("wide.gguf");
        SyntheticModelGenerator.writeGguf(SyntheticSpec.of(SyntheticShape.parse("tinyllama-1.1b:layers=2"), 3),
                TensorEncoding.F32, model, 2, SyntheticProgress.NONE);
        assertTrue(Files.size(model) > 3 * HEAP, "the model is several times the heap");
        return model;
    }

    /** Runs {@code strata ARGS} in a child JVM with the small heap; returns its stdout. */
    private static String strataWithSmallHeap(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + (HEAP >> 20) + "m", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Strata.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertEquals(0, p.waitFor(), err);
        return out;
    }

    @Test
    void aModelLargerThanTheHeapSplitsInAChildJvm() throws Exception {
        Path model = modelSeveralTimesTheHeap();
        Path out = dir.resolve("splits");
        strataWithSmallHeap("split", "--model", model.toString(), "--stages", "2", "--out", out.toString());
        var plan = new ObjectMapper().readTree(out.resolve("wide.plan.json").toFile());
        assertEquals(2, plan.get("blocks").size());
        long bytes = 0;
        for (var block : plan.get("blocks")) {
            Path artifact = out.resolve(block.get("artifact_file").asText());
            assertEquals(block.get("bytes").asLong(), Files.size(artifact));
            assertEquals(block.get("model_layer_hash").asText(), io.strata.sdk.LayerHash.md5(artifact));
            bytes += Files.size(artifact);
        }
        assertTrue(bytes > 3 * HEAP, "the splits together are several times the heap too");
    }

    @Test
    void aModelLargerThanTheHeapGeneratesInAChildJvm() throws Exception {
        Path model = modelSeveralTimesTheHeap();
        String out = strataWithSmallHeap("generate", "--model", model.toString(), "--prompt", "hello",
                "--max-tokens", "3", "--temperature", "0", "--json");
        var json = new ObjectMapper().readTree(out);
        assertEquals(3, json.get("tokens").size(), out);

        // and it computes what an unconstrained run computes
        var inProcess = GenerateCommandTest.strata("generate", "--model", model.toString(), "--prompt", "hello",
                "--max-tokens", "3", "--temperature", "0", "--json");
        assertEquals(json.get("tokens"), new ObjectMapper().readTree(inProcess.out()).get("tokens"));
    }
}
