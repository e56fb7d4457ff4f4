package io.strata.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.TestModels;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every tokenize case of ../shared/fidelity (Llama 3, Qwen3 and Gemma 3 tokenizer.json, their GGUF
 * "gpt2" vocabularies, SentencePiece-converted Llama 2 and Metaspace files, stories260K's GGUF
 * "llama" vocabulary) gives the reference ids: those of Hugging Face tokenizers, or llama.cpp's
 * where the case records them.
 */
class FidelityTokenizeCasesTest {

    @Test
    void everyTokenizeCaseGivesTheReferenceIds() throws Exception {
        Path fidelity = TestModels.fidelityDir();
        Map<String, List<JsonNode>> byModel = new LinkedHashMap<>();
        for (JsonNode c : new ObjectMapper().readTree(fidelity.resolve("cases.json").toFile())) {
            if (c.path("kind").asText().equals("tokenize")) {
                byModel.computeIfAbsent(c.get("model").asText(), m -> new ArrayList<>()).add(c);
            }
        }
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, List<JsonNode>> e : byModel.entrySet()) {
            try (LoadedModel model = ModelLoader.open(fidelity.resolve(e.getKey()), null)) {
                Tokenizer t = model.tokenizer();
                for (JsonNode c : e.getValue()) {
                    int[] got = t.encode(c.get("prompt").asText(), t.addsBos());
                    boolean ok = Arrays.equals(got, ids(c.get("expected_prompt_ids")))
                            || c.has("llamacpp_prompt_ids") && Arrays.equals(got, ids(c.get("llamacpp_prompt_ids")));
                    if (!ok) {
                        wrong.add(c.get("name").asText() + ": got " + Arrays.toString(got) + ", reference "
                                + c.get("expected_prompt_ids"));
                    }
                    checked++;
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(8 * 58, checked, "eight tokenizers, 58 strings each");
    }

    private static int[] ids(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
