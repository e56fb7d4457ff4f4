package io.strata.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Every architecture the skeleton expresses, on the fidelity suite's small models (random
 * weights laid out as real checkpoints): greedy decoding gives the reference's tokens (Hugging
 * Face transformers or a float64 NumPy pass), the model split into two stages gives the same,
 * and a session's rows give the same bits batched beside another session as alone.
 */
class ArchitecturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"hf_llama31", "hf_mistral_sw8", "hf_llama_attn_bias", "hf_qwen3", "hf_qwen3_moe",
            "hf_mixtral", "hf_phi3", "hf_gemma2", "hf_gemma3", "gguf_llama_rope_freqs", "gguf_qwen3"})
    void reproducesTheReferenceWholeSplitAndBatched(String caseName) throws IOException {
        Path fidelity = TestModels.fidelityDir();
        JsonNode c = caseNamed(fidelity, caseName);
        int[] prompt = ints(c.get("prompt_ids"));
        int[] expected = ints(c.get("expected_tokens"));
        int[] eos = ints(c.get("eos_ids"));
        try (LoadedModel model = ModelLoader.open(fidelity.resolve(c.get("model").asText()), null)) {
            int layers = model.config().layers();
            GenerationResult whole = new Generator(List.of(StageEngines.whole(model)), eos)
                    .generate(prompt, expected.length, SamplingParams.greedy(), null);
            assertArrayEquals(expected, whole.tokens(), caseName + " whole");
            GenerationResult split = new Generator(List.of(StageEngines.open(model, 0, layers / 2),
                    StageEngines.open(model, layers / 2, layers)), eos)
                    .generate(prompt, expected.length, SamplingParams.greedy(), null);
            assertArrayEquals(expected, split.tokens(), caseName + " in two stages");
            assertBatchedRowsMatchAlone(StageEngines.whole(model), prompt, expected);
        }
    }

    /** The prompt beside the prompt-and-continuation of another session, against each alone. */
    private static void assertBatchedRowsMatchAlone(StageEngine stage, int[] prompt, int[] continuation) {
        int[] other = new int[prompt.length + 4];
        System.arraycopy(prompt, 0, other, 0, prompt.length);
        System.arraycopy(continuation, 0, other, prompt.length, 4);
        float[] aloneA = stage.forwardTokens(stage.newSession(64), prompt, 0);
        float[] aloneB = stage.forwardTokens(stage.newSession(64), other, 0);
        EngineSession a = stage.newSession(64);
        EngineSession b = stage.newSession(64);
        int n = prompt.length + other.length;
        EngineSession[] rows = new EngineSession[n];
        int[] tokens = new int[n];
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            boolean first = i < prompt.length;
            rows[i] = first ? a : b;
            tokens[i] = first ? prompt[i] : other[i - prompt.length];
            positions[i] = first ? i : i - prompt.length;
        }
        float[] batched = stage.forward(rows, tokens, positions);
        int dim = stage.config().dim();
        assertArrayEquals(aloneA, Arrays.copyOfRange(batched, 0, prompt.length * dim), "first session batched");
        assertArrayEquals(aloneB, Arrays.copyOfRange(batched, prompt.length * dim, n * dim), "second session batched");
    }

    private static JsonNode caseNamed(Path fidelity, String name) throws IOException {
        JsonNode root = JSON.readTree(fidelity.resolve("cases.json").toFile());
        JsonNode cases = root.isArray() ? root : root.get("cases");
        for (JsonNode c : cases) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        assertNotNull(null, "cases.json has no case " + name);
        return null;
    }

    private static int[] ints(JsonNode array) {
        List<Integer> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asInt()));
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
