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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * stories260K cut into 1 to 5 split artifacts and run chained from its model plan is the same
 * model: bit-identical logits at every step, and the reference's greedy tokens.
 */
class SplitModelRunsAsOneUnitTest {
    @TempDir
    Path dir;

    private Path splitInto(LoadedModel model, int stages) throws IOException {
        SplitPlan plan = new SplitPlanner(ModelFootprint.of(model), 512).plan(NodeSpec.uniform(stages), SplitStrategy.EVEN);
        Path out = dir.resolve("stages-" + stages);
        var written = SplitWriter.write(model, plan, "stories260K", out, SplitWriter.Progress.NONE);
        var modelPlan = ModelPlanFile.of("stories260K", "stories260K", model.source(), "llama", plan, written,
                new io.strata.split.ModelPlan.Replicas(1, 1));
        return ModelPlanFile.write(modelPlan, out.resolve("stories260K" + ModelPlanFile.SUFFIX));
    }

    @Test
    void everyStageCountReproducesTheReferenceWithBitIdenticalLogits() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(TestModels.referenceGreedy().toFile()).get("cases");
        try (LoadedModel whole = ModelLoader.open(TestModels.stories260kGguf(), null)) {
            StageEngine one = StageEngines.whole(whole);
            for (int stages = 1; stages <= 5; stages++) {
                Path planFile = splitInto(whole, stages);
                try (LocalPipeline pipeline = LocalPipeline.open(planFile, null)) {
                    assertEquals(stages, pipeline.stages().size());
                    for (JsonNode c : cases) {
                        int[] prompt = ints(c.get("prompt_tokens"));
                        int[] expected = ints(c.get("generated_tokens"));
                        assertArrayEquals(prompt, pipeline.tokenizer().encode(c.get("prompt").asText(), true));
                        int[] got = pipeline.generator()
                                .generate(prompt, expected.length, SamplingParams.greedy(), null).tokens();
                        assertArrayEquals(expected, got, stages + " stages, prompt '" + c.get("prompt").asText() + "'");
                    }
                    assertChainedLogitsBitIdentical(one, pipeline.stages(), ints(cases.get(1).get("prompt_tokens")));
                }
            }
        }
    }

    @Test
    void aHuggingFaceFolderSplitsIntoArtifactsThatRunAsTheSameModel() throws IOException {
        var spec = io.strata.synthetic.SyntheticSpec.of(io.strata.synthetic.SyntheticShape.parse("tiny:layers=4,vocab=512"), 9);
        Path folder = dir.resolve("hf");
        io.strata.synthetic.SyntheticModelGenerator.writeHuggingFace(spec, "BF16", folder, Long.MAX_VALUE, 1,
                io.strata.synthetic.SyntheticProgress.NONE);
        try (LoadedModel whole = ModelLoader.open(folder, null)) {
            Path planFile = splitInto(whole, 3);
            try (LocalPipeline pipeline = LocalPipeline.open(planFile, null)) {
                assertEquals(io.strata.model.RopeLayout.ROTATE_HALF, pipeline.stages().getFirst().config().ropeLayout());
                int[] prompt = whole.tokenizer().encode("the cat sat on the mat", true);
                assertArrayEquals(prompt, pipeline.tokenizer().encode("the cat sat on the mat", true),
                        "the split carries the folder's tokenizer");
                assertChainedLogitsBitIdentical(StageEngines.whole(whole), pipeline.stages(), prompt);
            }
        }
    }

    @Test
    void aLlama31FolderSplitIntoThreeKeepsItsRopeScaling() throws IOException {
        var spec = io.strata.synthetic.SyntheticSpec.of(io.strata.synthetic.SyntheticShape.parse("tiny:layers=4,vocab=512"), 5);
        Path plain = dir.resolve("plain");
        io.strata.synthetic.SyntheticModelGenerator.writeHuggingFace(spec, "F32", plain, Long.MAX_VALUE, 1,
                io.strata.synthetic.SyntheticProgress.NONE);
        Path scaled = dir.resolve("llama31");
        java.nio.file.Files.createDirectories(scaled);
        try (var files = java.nio.file.Files.list(plain)) {
            for (Path f : files.toList()) {
                java.nio.file.Files.copy(f, scaled.resolve(f.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(scaled.resolve("config.json").toFile());
        config.put("rope_theta", 500000.0);
        config.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 32.0).put("low_freq_factor", 1.0)
                .put("high_freq_factor", 4.0).put("original_max_position_embeddings", 16);
        json.writeValue(scaled.resolve("config.json").toFile(), config);
        try (LoadedModel whole = ModelLoader.open(scaled, null); LoadedModel unscaled = ModelLoader.open(plain, null)) {
            int[] prompt = whole.tokenizer().encode("the cat sat on the mat and the dog sat on the log", true);
            StageEngine scaledStage = StageEngines.whole(whole);
            StageEngine plainStage = StageEngines.whole(unscaled);
            EngineSession a = scaledStage.newSession(64);
            EngineSession b = plainStage.newSession(64);
            float[] withScaling = scaledStage.logits(scaledStage.forwardTokens(a, prompt, 0), prompt.length - 1);
            float[] without = plainStage.logits(plainStage.forwardTokens(b, prompt, 0), prompt.length - 1);
            assertFalse(java.util.Arrays.equals(withScaling, without), "llama3 scaling changes the logits");
            Path planFile = splitInto(whole, 3);
            try (LocalPipeline pipeline = LocalPipeline.open(planFile, null)) {
                assertEquals(whole.config().traits(), pipeline.stages().get(1).config().traits(),
                        "the middle split reads the same RoPE scaling back from its keys");
                assertChainedLogitsBitIdentical(StageEngines.whole(whole), pipeline.stages(), prompt);
            }
        }
    }

    /** Prefill then 20 decode steps through both, comparing every logit's bits. */
    private static void assertChainedLogitsBitIdentical(StageEngine whole, List<StageEngine> chain, int[] prompt) {
        EngineSession wholeSession = whole.newSession(64);
        EngineSession[] sessions = chain.stream().map(s -> s.newSession(64)).toArray(EngineSession[]::new);
        int[] tokens = prompt;
        int pos = 0;
        for (int step = 0; step < 20; step++) {
            float[] expected = whole.logits(whole.forwardTokens(wholeSession, tokens, pos), tokens.length - 1);
            float[] hidden = chain.getFirst().forwardTokens(sessions[0], tokens, pos);
            for (int i = 1; i < chain.size(); i++) {
                hidden = chain.get(i).forwardHidden(sessions[i], hidden, tokens.length, pos);
            }
            float[] got = chain.getLast().logits(hidden, tokens.length - 1);
            for (int v = 0; v < expected.length; v++) {
                assertEquals(Float.floatToRawIntBits(expected[v]), Float.floatToRawIntBits(got[v]),
                        "logit " + v + " at step " + step + " over " + chain.size() + " stages");
            }
            pos += tokens.length;
            tokens = new int[] {Sampler.argmax(expected)};
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
