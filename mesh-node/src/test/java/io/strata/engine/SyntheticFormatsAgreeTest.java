package io.strata.engine;

import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.RopeLayout;
import io.strata.model.TensorEncoding;
import io.strata.synthetic.SyntheticModelGenerator;
import io.strata.synthetic.SyntheticProgress;
import io.strata.synthetic.SyntheticShape;
import io.strata.synthetic.SyntheticSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One random model written twice by our generator, as GGUF (adjacent-pair RoPE, the q/k rows
 * permuted as llama.cpp's converter does) and as a Hugging Face folder (rotate-half): the engine
 * must read each in its own layout and compute the same model.
 */
class SyntheticFormatsAgreeTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} GGUF vs {1} safetensors")
    @CsvSource({"F32, F32", "BF16, BF16", "F16, F16"})
    void ggufAndHuggingFaceGiveTheSameLogitsAndTokens(String ggufEncoding, String hfDtype) throws IOException {
        SyntheticSpec spec = SyntheticSpec.of(SyntheticShape.parse("tiny:layers=3,vocab=512"), 42);
        Path gguf = dir.resolve("model.gguf");
        Path hf = dir.resolve("hf");
        SyntheticModelGenerator.writeGguf(spec, TensorEncoding.valueOf(ggufEncoding), gguf, 1, SyntheticProgress.NONE);
        SyntheticModelGenerator.writeHuggingFace(spec, hfDtype, hf, Long.MAX_VALUE, 1, SyntheticProgress.NONE);

        try (LoadedModel a = ModelLoader.open(gguf, null); LoadedModel b = ModelLoader.open(hf, null)) {
            assertEquals(RopeLayout.ADJACENT_PAIRS, a.config().ropeLayout());
            assertEquals(RopeLayout.ROTATE_HALF, b.config().ropeLayout());
            String text = "a b c the quick brown fox";
            int[] prompt = a.tokenizer().encode(text, true);
            assertArrayEquals(prompt, b.tokenizer().encode(text, true), "both vocabularies tokenize alike");

            StageEngine sa = StageEngines.whole(a);
            StageEngine sb = StageEngines.whole(b);
            float[] la = sa.logits(sa.forwardTokens(sa.newSession(64), prompt, 0), prompt.length - 1);
            float[] lb = sb.logits(sb.forwardTokens(sb.newSession(64), prompt, 0), prompt.length - 1);
            double worst = 0;
            double scale = 0;
            for (int i = 0; i < la.length; i++) {
                worst = Math.max(worst, Math.abs(la[i] - lb[i]));
                scale = Math.max(scale, Math.abs(la[i]));
            }
            assertTrue(scale > 1e-3, "logits are not trivially zero");
            assertTrue(worst <= 1e-5, "largest logit difference " + worst);

            int[] ta = new Generator(List.of(sa)).generate(prompt, 40, SamplingParams.greedy(), null).tokens();
            int[] tb = new Generator(List.of(sb)).generate(prompt, 40, SamplingParams.greedy(), null).tokens();
            assertArrayEquals(ta, tb);
        }
    }
}
