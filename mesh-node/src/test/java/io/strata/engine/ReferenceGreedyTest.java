package io.strata.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.TestModels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The engine against an independent implementation: greedy decoding of the real stories260K
 * model must give exactly the token ids llama2.c's run.c gave (reference-greedy.json), from
 * either file format, whole or split into stages.
 */
class ReferenceGreedyTest {
    private static final int EOS = 2;

    @Test
    void ggufModelReproducesLlama2cGreedyTokens() throws IOException {
        try (LoadedModel model = ModelLoader.open(TestModels.stories260kGguf(), null)) {
            assertReproducesReference(List.of(StageEngines.whole(model)));
        }
    }

    @Test
    void llama2cCheckpointReproducesLlama2cGreedyTokens() throws IOException {
        try (LoadedModel model = ModelLoader.open(TestModels.stories260kBin(), null)) {
            assertReproducesReference(List.of(StageEngines.whole(model)));
        }
    }

    @Test
    void modelSplitIntoThreeStagesReproducesLlama2cGreedyTokens() throws IOException {
        try (LoadedModel model = ModelLoader.open(TestModels.stories260kGguf(), null)) {
            assertReproducesReference(List.of(StageEngines.open(model, 0, 2), StageEngines.open(model, 2, 3),
                    StageEngines.open(model, 3, 5)));
        }
    }

    private static void assertReproducesReference(List<StageEngine> stages) throws IOException {
        JsonNode reference = new ObjectMapper().readTree(TestModels.referenceGreedy().toFile());
        Generator generator = new Generator(stages, EOS);
        for (JsonNode c : reference.get("cases")) {
            int[] prompt = ints(c.get("prompt_tokens"));
            int[] expected = ints(c.get("generated_tokens"));
            GenerationResult result = generator.generate(prompt, expected.length, SamplingParams.greedy(), null);
            assertArrayEquals(expected, result.tokens(), "prompt \"" + c.get("prompt").asText() + "\"");
            assertEquals(GenerationResult.StopReason.MAX_TOKENS, result.stopReason());
        }
    }

    private static int[] ints(JsonNode array) {
        List<Integer> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asInt()));
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

}
