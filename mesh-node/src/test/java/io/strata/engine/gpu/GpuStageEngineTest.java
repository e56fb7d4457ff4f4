package io.strata.engine.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.cuda.CudaProbe;
import io.strata.engine.EngineSession;
import io.strata.engine.GenerationResult;
import io.strata.engine.Generator;
import io.strata.engine.SamplingParams;
import io.strata.engine.StageEngine;
import io.strata.engine.cpu.CpuStageEngine;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.TensorEncoding;
import io.strata.model.TestModels;
import io.strata.synthetic.SyntheticModelGenerator;
import io.strata.synthetic.SyntheticProgress;
import io.strata.synthetic.SyntheticShape;
import io.strata.synthetic.SyntheticSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The GPU stage against the reference and against the CPU engine: the same greedy tokens as llama2.c
 * whole, split into GPU stages and mixed with a CPU stage; chained GPU stages bit-identical to the whole
 * model on the GPU; a row's bits independent of its batch and of prefill versus decode; logits within
 * 1e-3 of the CPU's, relative to their range, in every encoding (random synthetic weights: their
 * greedy tokens may tie, so tokens are compared on the trained reference model only). Runs only where the probe finds a GPU.
 */
class GpuStageEngineTest {
    private static final int EOS = 2;
    private static final double CPU_TOLERANCE = 1e-3;

    @TempDir
    Path dir;

    @BeforeEach
    void needsAGpu() {
        CudaProbe probe = CudaProbe.run();
        assumeTrue(probe.usable(), probe.summary());
    }

    @Test
    void gpuReproducesLlama2cGreedyTokensWholeSplitAndMixedWithACpuStage() throws IOException {
        try (LoadedModel model = ModelLoader.open(TestModels.stories260kGguf(), null)) {
            List<List<StageEngine>> layouts = List.of(
                    List.of(new GpuStageEngine(model, 0, 5, 0)),
                    List.of(new GpuStageEngine(model, 0, 2, 0), new GpuStageEngine(model, 2, 5, 0)),
                    List.of(new GpuStageEngine(model, 0, 2, 0), new GpuStageEngine(model, 2, 3, 0), new GpuStageEngine(model, 3, 5, 0)),
                    List.of(new CpuStageEngine(model, 0, 2), new GpuStageEngine(model, 2, 5, 0)));
            JsonNode reference = new ObjectMapper().readTree(TestModels.referenceGreedy().toFile());
            for (List<StageEngine> stages : layouts) {
                Generator generator = new Generator(stages, EOS);
                for (JsonNode c : reference.get("cases")) {
                    int[] expected = ints(c.get("generated_tokens"));
                    GenerationResult result = generator.generate(ints(c.get("prompt_tokens")), expected.length,
                            SamplingParams.greedy(), null);
                    assertArrayEquals(expected, result.tokens(), stages + ", prompt \"" + c.get("prompt").asText() + "\"");
                }
                stages.forEach(StageEngine::close);
            }
        }
    }

    @Test
    void chainedGpuStagesGiveTheWholeModelsBitsAndPrefillEqualsDecode() throws IOException {
        try (LoadedModel model = ModelLoader.open(TestModels.stories260kGguf(), null);
             GpuStageEngine whole = new GpuStageEngine(model, 0, 5, 0);
             GpuStageEngine a = new GpuStageEngine(model, 0, 3, 0);
             GpuStageEngine b = new GpuStageEngine(model, 3, 5, 0)) {
            int[] prompt = {1, 403, 407, 261, 378, 104, 280};
            float[] wholeHidden = whole.forwardTokens(whole.newSession(64), prompt, 0);
            float[] split = b.forwardHidden(b.newSession(64), a.forwardTokens(a.newSession(64), prompt, 0), prompt.length, 0);
            assertArrayEquals(wholeHidden, split, "chained stages");

            EngineSession one = whole.newSession(64);
            float[] last = null;
            for (int i = 0; i < prompt.length; i++) {
                last = whole.forwardTokens(one, new int[] {prompt[i]}, i);
            }
            int dim = model.config().dim();
            assertArrayEquals(Arrays.copyOfRange(wholeHidden, (prompt.length - 1) * dim, prompt.length * dim), last,
                    "prefill vs decode");
        }
    }

    @Test
    void aRowHasTheSameBitsInABatchOfSessionsAsAlone() throws IOException {
        try (LoadedModel model = ModelLoader.open(TestModels.stories260kGguf(), null);
             GpuStageEngine engine = new GpuStageEngine(model, 0, 5, 0)) {
            int[] p1 = {1, 403, 407, 261};
            int[] p2 = {1, 104, 280};
            EngineSession s1 = engine.newSession(32);
            EngineSession s2 = engine.newSession(32);
            float[] alone1 = engine.forwardTokens(s1, p1, 0);
            float[] alone2 = engine.forwardTokens(s2, p2, 0);
            EngineSession b1 = engine.newSession(32);
            EngineSession b2 = engine.newSession(32);
            EngineSession[] rows = {b1, b1, b1, b1, b2, b2, b2};
            int[] tokens = {1, 403, 407, 261, 1, 104, 280};
            int[] positions = {0, 1, 2, 3, 0, 1, 2};
            float[] batch = engine.forward(rows, tokens, positions);
            int dim = model.config().dim();
            assertArrayEquals(alone1, Arrays.copyOfRange(batch, 0, 4 * dim));
            assertArrayEquals(alone2, Arrays.copyOfRange(batch, 4 * dim, 7 * dim));
            float[][] both = engine.logits(batch, new int[] {3, 6});
            assertArrayEquals(engine.logits(alone1, 3), both[0]);
            assertArrayEquals(engine.logits(alone2, 2), both[1]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    void gpuLogitsAgreeWithTheCpuInEveryEncoding(String encoding) throws IOException {
        SyntheticSpec spec = SyntheticSpec.of(SyntheticShape.parse("tiny:layers=3,vocab=512"), 42);
        Path gguf = dir.resolve("model.gguf");
        SyntheticModelGenerator.writeGguf(spec, TensorEncoding.valueOf(encoding), gguf, 1, SyntheticProgress.NONE);
        try (LoadedModel model = ModelLoader.open(gguf, null);
             GpuStageEngine gpu = new GpuStageEngine(model, 0, model.config().layers(), 0)) {
            CpuStageEngine cpu = new CpuStageEngine(model, 0, model.config().layers());
            int[] prompt = model.tokenizer().encode("a b c the quick brown fox", true);
            float[] lg = gpu.logits(gpu.forwardTokens(gpu.newSession(64), prompt, 0), prompt.length - 1);
            float[] lc = cpu.logits(cpu.forwardTokens(cpu.newSession(64), prompt, 0), prompt.length - 1);
            double worst = 0;
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (int i = 0; i < lc.length; i++) {
                worst = Math.max(worst, Math.abs(lg[i] - lc[i]));
                min = Math.min(min, lc[i]);
                max = Math.max(max, lc[i]);
            }
            assertTrue(max - min > 1e-3, "logits are not trivially flat");
            assertTrue(worst <= CPU_TOLERANCE * (max - min), encoding + ": largest difference " + worst
                    + " against a range of " + (max - min));
        }
    }

    private static int[] ints(JsonNode array) {
        List<Integer> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asInt()));
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
