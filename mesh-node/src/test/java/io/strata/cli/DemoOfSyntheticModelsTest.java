package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.TensorNames;
import io.strata.model.TestModels;
import io.strata.model.gguf.GgufModel;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #9's demo files, made by {@code strata synth} with three layers so they split three ways:
 * a Llama-3.2-style GGUF (θ = 500000, tied classifier, {@code rope_freqs.weight}) and a Q4_K_M
 * mix. {@code strata demo --model FILE --stages 3} serves
 * each from three node processes, and the tokens streamed through the mesh are
 * {@code strata generate}'s greedy tokens for the whole model.
 */
class DemoOfSyntheticModelsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STAGE_LINE = Pattern.compile("stage (\\d+) +layers (\\S+) ");
    private static final String PROMPT = "the cat sat on the mat";
    private static final String MAX_TOKENS = "6";

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "llama3.2-style rope_freqs | llama3.2-1b:dim=64,hidden=256,layers=3,heads=8,kv-heads=4,vocab=512,context=2048"
                    + " | Q8_0 | F32 Q8_0",
            "Q4_K_M mix | tiny:dim=256,hidden=512,layers=3 | Q4_K_M | F32 Q4_K Q6_K"})
    void threeStageDemoStreamsTheWholeModelsGreedyTokens(String label, String shape, String encoding,
                                                        String tensorEncodings) throws Exception {
        Path model = work.resolve("model.gguf");
        GenerateCommandTest.Run synth = GenerateCommandTest.strata("synth", "--shape", shape, "--encoding", encoding,
                "--seed", "3", "--out", model.toString(), "--quiet");
        assertEquals(0, synth.code(), synth.err());
        try (GgufModel file = GgufModel.open(model)) {
            assertEquals(Set.of(tensorEncodings.split(" ")), file.tensors().values().stream()
                    .map(t -> t.encoding().name()).collect(Collectors.toSet()), label + ": the file holds the mix");
            assertEquals(shape.startsWith("llama3"), file.tensors().containsKey(TensorNames.ROPE_FREQS), label);
        }

        GenerateCommandTest.Run generate = GenerateCommandTest.strata("generate", "--model", model.toString(),
                "--prompt", PROMPT, "--max-tokens", MAX_TOKENS, "--temperature", "0", "--json");
        assertEquals(0, generate.code(), generate.err());
        JsonNode whole = JSON.readTree(generate.out());
        assertEquals(Integer.parseInt(MAX_TOKENS), whole.get("tokens").size(), "no early end of text: " + whole);

        List<String> cmd = new ArrayList<>(NodeProcesses.strataCommand());
        cmd.add(1, "-Dstrata.home=" + TestModels.repoRoot());
        cmd.addAll(List.of("demo", "--model", model.toString(), "--stages", "3", "--prompt", PROMPT,
                "--max-tokens", MAX_TOKENS, "--temperature", "0", "--json", "--work-dir", work.resolve("demo").toString()));
        Process demo = new ProcessBuilder(cmd).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = Thread.ofVirtual().start(() -> copy(demo.getErrorStream(), err));
        String out;
        try {
            out = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(demo.waitFor(240, TimeUnit.SECONDS), "the demo finishes");
        } finally {
            demo.destroyForcibly(); // its nodes follow: they watch its pipes
        }
        errReader.join(5000);
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, demo.exitValue(), log);

        JsonNode mesh = JSON.readTree(out);
        assertEquals(whole.get("prompt_tokens"), mesh.get("prompt_tokens"), label);
        assertEquals(whole.get("tokens"), mesh.get("tokens"), label + ": the mesh's tokens are the whole model's");
        assertEquals(whole.get("text"), mesh.get("text"));

        List<String> layers = new ArrayList<>();
        Matcher m = STAGE_LINE.matcher(log);
        while (m.find()) {
            layers.add(m.group(2));
        }
        assertEquals(List.of("0-0", "1-1", "2-2"), layers, "one layer per stage: " + log);
    }

    private static void copy(InputStream in, ByteArrayOutputStream to) {
        try {
            in.transferTo(to);
        } catch (IOException e) {
            // the process went away
        }
    }
}
