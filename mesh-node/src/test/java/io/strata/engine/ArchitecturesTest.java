package io.strata.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.TestModels;
import io.strata.split.ModelFootprint;
import io.strata.split.ModelPlanFile;
import io.strata.split.NodeSpec;
import io.strata.split.SplitPlan;
import io.strata.split.SplitPlanner;
import io.strata.split.SplitStrategy;
import io.strata.split.SplitWriter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every architecture the skeleton expresses, on the fidelity suite's small models (random
 * weights laid out as real checkpoints): greedy decoding gives the reference's tokens (Hugging
 * Face transformers or a float64 NumPy pass), the model split into two stages gives the same,
 * in one process and as written split artifacts (GGUF keys carrying every difference), and a
 * session's rows give the same bits batched beside another session as alone.
 */
class ArchitecturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"hf_llama31", "hf_mistral_sw8", "hf_llama_attn_bias", "hf_qwen3", "hf_qwen3_moe",
            "hf_mixtral", "hf_phi3", "hf_gemma2", "hf_gemma3", "hf_gpt2", "hf_gptneox", "gguf_llama_rope_freqs", "gguf_qwen3"})
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
            try (LocalPipeline artifacts = LocalPipeline.open(splitInto(model, 2, caseName), null)) {
                assertEquals(model.config(), artifacts.stages().getLast().config(),
                        "the split artifacts read back the model's configuration, traits included");
                GenerationResult fromArtifacts = new Generator(artifacts.stages(), eos)
                        .generate(prompt, expected.length, SamplingParams.greedy(), null);
                assertArrayEquals(expected, fromArtifacts.tokens(), caseName + " from two split artifacts");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void stackedExpertTensorsRunAsTheSameModelAsOneMatrixPerExpert() throws IOException {
        Path fidelity = TestModels.fidelityDir();
        JsonNode c = caseNamed(fidelity, "hf_mixtral");
        int[] prompt = ints(c.get("prompt_ids"));
        try (LoadedModel perExpert = ModelLoader.open(fidelity.resolve(c.get("model").asText()), null);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            LoadedModel stacked = withStackedExperts(perExpert, arena);
            assertTrue(stacked.tensors().containsKey(io.strata.model.TensorNames.ffnGateExperts(0)));
            StageEngine a = StageEngines.whole(perExpert);
            StageEngine b = StageEngines.whole(stacked);
            float[] expected = a.logits(a.forwardTokens(a.newSession(32), prompt, 0), prompt.length - 1);
            float[] got = b.logits(b.forwardTokens(b.newSession(32), prompt, 0), prompt.length - 1);
            assertArrayEquals(expected, got, "llama.cpp's ffn_*_exps layout gives the same logits");
        }
    }

    /** The model with each layer's experts stacked into llama.cpp's 3-D {@code ffn_*_exps} tensors. */
    private static LoadedModel withStackedExperts(LoadedModel model, java.lang.foreign.Arena arena) {
        io.strata.model.ArchitectureTraits a = model.config().traits();
        java.util.Map<String, io.strata.model.WeightTensor> tensors = new java.util.LinkedHashMap<>();
        for (var e : model.tensors().entrySet()) {
            if (!e.getKey().matches("blk\\.\\d+\\.ffn_(gate|up|down)\\.\\d+\\.weight")) {
                tensors.put(e.getKey(), e.getValue());
            }
        }
        for (int l = 0; l < model.config().layers(); l++) {
            String[] kinds = {"gate", "up", "down"};
            for (String kind : kinds) {
                List<io.strata.model.WeightTensor> parts = new ArrayList<>();
                for (int x = 0; x < a.experts(); x++) {
                    parts.add(model.tensor("blk." + l + ".ffn_" + kind + "." + x + ".weight"));
                }
                long bytes = parts.stream().mapToLong(io.strata.model.WeightTensor::byteSize).sum();
                java.lang.foreign.MemorySegment data = arena.allocate(bytes, 64);
                long at = 0;
                for (var part : parts) {
                    java.lang.foreign.MemorySegment.copy(part.data(), 0, data, at, part.byteSize());
                    at += part.byteSize();
                }
                long[] shape = parts.getFirst().shape();
                String name = "blk." + l + ".ffn_" + kind + "_exps.weight";
                tensors.put(name, new io.strata.model.WeightTensor(name, parts.getFirst().encoding(),
                        new long[] {shape[0], shape[1], a.experts()}, data));
            }
        }
        return new LoadedModel() {
            @Override
            public Path source() {
                return model.source();
            }

            @Override
            public String format() {
                return model.format();
            }

            @Override
            public io.strata.model.ModelConfig config() {
                return model.config();
            }

            @Override
            public io.strata.tokenizer.Tokenizer tokenizer() {
                return model.tokenizer();
            }

            @Override
            public java.util.Map<String, io.strata.model.WeightTensor> tensors() {
                return tensors;
            }

            @Override
            public void close() {
            }
        };
    }

    /** Writes the model as split artifacts (GGUF, whatever the source format) and returns their plan. */
    private Path splitInto(LoadedModel model, int stages, String id) throws IOException {
        SplitPlan plan = new SplitPlanner(ModelFootprint.of(model), 256).plan(NodeSpec.uniform(stages), SplitStrategy.EVEN);
        Path out = dir.resolve(id);
        var written = SplitWriter.write(model, plan, id, out, SplitWriter.Progress.NONE);
        var modelPlan = ModelPlanFile.of(id, id, model.source(), model.config().architecture(), plan, written,
                new io.strata.split.ModelPlan.Replicas(1, 1));
        return ModelPlanFile.write(modelPlan, out.resolve(id + ModelPlanFile.SUFFIX));
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
