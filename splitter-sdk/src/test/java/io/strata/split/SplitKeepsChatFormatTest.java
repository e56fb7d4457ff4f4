package io.strata.split;

import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.TestModels;
import io.strata.tokenizer.ChatFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Every split artifact carries the model's chat template, its BOS/EOS text and its stop ids:
 * GGUF sources copy tokenizer.chat_template and the EOS/EOT ids; Hugging Face sources embed
 * tokenizer_config.json and generation_config.json.
 */
class SplitKeepsChatFormatTest {
    @TempDir
    Path dir;

    @Test
    void splitsOfGgufAndHuggingFaceModelsKeepTheWholeModelsChatFormat() throws IOException {
        Path fidelity = TestModels.fidelityDir();
        for (String m : List.of("hf/llama3", "gguf/tok_qwen3.gguf", "hf/llama2")) {
            try (LoadedModel whole = ModelLoader.open(fidelity.resolve(m), null)) {
                ChatFormat expected = whole.chatFormat();
                assertNotNull(expected.template(), m + " carries a template");
                int stages = Math.min(2, whole.config().layers());
                SplitPlan plan = new SplitPlanner(ModelFootprint.of(whole), 256)
                        .plan(NodeSpec.uniform(stages), SplitStrategy.EVEN);
                Path out = dir.resolve(m.replace('/', '_'));
                for (SplitWriter.WrittenSplit w : SplitWriter.write(whole, plan, "m", out, SplitWriter.Progress.NONE)) {
                    try (LoadedModel split = ModelLoader.open(w.file(), null)) {
                        ChatFormat got = split.chatFormat();
                        assertEquals(expected.template(), got.template(), m);
                        assertEquals(expected.bosToken(), got.bosToken(), m);
                        assertEquals(expected.eosToken(), got.eosToken(), m);
                        assertArrayEquals(expected.stopIds(), got.stopIds(), m);
                    }
                }
            }
        }
    }
}
