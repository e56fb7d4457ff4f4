package io.strata.mesh.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.TestModels;
import io.strata.tokenizer.ChatFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real chat templates of ../shared/fidelity (Llama 2, Llama 3, Qwen3 ChatML, Gemma 3; from
 * tokenizer_config.json and from GGUF tokenizer.chat_template) render as transformers'
 * apply_chat_template did and tokenize to its reference ids; the template's end-of-turn token
 * becomes a stop id; a template that refuses the messages says why.
 */
class JinjaChatTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Each model opened once for all tests: the real tokenizers take seconds to read. */
    private static final Map<String, LoadedModel> MODELS = new HashMap<>();

    private static LoadedModel model(String relative) {
        return MODELS.computeIfAbsent(relative, r -> ModelLoader.open(TestModels.fidelityDir().resolve(r), null));
    }

    @AfterAll
    static void closeModels() {
        MODELS.values().forEach(LoadedModel::close);
        MODELS.clear();
    }

    @Test
    void everyFidelityChatCaseRendersAndTokenizesAsTransformers() throws Exception {
        Path fidelity = TestModels.fidelityDir();
        int checked = 0;
        for (JsonNode c : JSON.readTree(fidelity.resolve("cases.json").toFile())) {
            if (!c.path("kind").asText().equals("chat")) {
                continue;
            }
            LoadedModel model = model(c.get("model").asText());
            ServedModel served = new ServedModel(c.get("name").asText(), model.tokenizer(), 4096, model.chatFormat());
            assertEquals("model", served.chatTemplateKind(), c.get("name").asText());
            String rendered = served.template().render(messages(c.get("messages")), true);
            assertEquals(c.get("rendered").asText(), rendered, c.get("name").asText());
            int[] expected = JSON.convertValue(c.get("expected_prompt_ids"), int[].class);
            assertArrayEquals(expected, model.tokenizer().encode(rendered, false), c.get("name").asText());
            checked++;
        }
        assertEquals(5, checked, "the suite's five chat cases");
    }

    @Test
    void theTemplatesEndOfTurnTokenStopsGeneration() throws Exception {
        assertStops("hf/llama3", "<|eot_id|>");
        assertStops("gguf/tok_llama3.gguf", "<|eot_id|>");
        assertStops("hf/qwen2", "<|im_end|>");
        assertStops("gguf/tok_qwen3.gguf", "<|im_end|>");
        assertStops("hf/gemma3_tok", "<end_of_turn>");
        assertStops("hf/llama2", "</s>");
    }

    @Test
    void llama3KeepsItsEndOfTextAsWellAsItsEndOfTurn() throws Exception {
        LoadedModel model = model("hf/llama3");
        ServedModel served = new ServedModel("llama3", model.tokenizer(), 4096, model.chatFormat());
        int[] stops = served.stopIds();
        assertTrue(Arrays.stream(stops).anyMatch(id -> id == 128001), Arrays.toString(stops));
        assertTrue(Arrays.stream(stops).anyMatch(id -> id == 128009), Arrays.toString(stops));
    }

    @Test
    void aTemplateThatRefusesTheMessagesSaysWhy() throws Exception {
        LoadedModel model = model("hf/gemma3_tok");
        ServedModel served = new ServedModel("gemma3", model.tokenizer(), 4096, model.chatFormat());
        JinjaChatTemplate.TemplateFailure e = assertThrows(JinjaChatTemplate.TemplateFailure.class,
                () -> served.template().render(List.of(new ChatTemplate.Message("user", "a"),
                        new ChatTemplate.Message("user", "b")), true));
        assertEquals("Conversation roles must alternate user/assistant/user/assistant/...", e.getMessage());
    }

    @Test
    void aTemplateThatCannotRunIsAFailureNotAHalfPrompt() {
        JinjaChatTemplate t = new JinjaChatTemplate("{% for m in messages %}{{ m.content | no_such_filter }}{% endfor %}"
                + "{{ undefined_function(1) }}", "<s>", "</s>");
        JinjaChatTemplate.TemplateFailure e = assertThrows(JinjaChatTemplate.TemplateFailure.class,
                () -> t.render(List.of(new ChatTemplate.Message("user", "hi")), true));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void pythonStringMethodsNamespacesReverseSlicesAndToJsonWorkAsInJinja() {
        JinjaChatTemplate t = new JinjaChatTemplate("{%- set ns = namespace(last=messages|length - 1, n=0) -%}"
                + "{%- for m in messages[::-1] -%}{%- set ns.n = ns.n + 1 -%}"
                + "{{ m.content.split('</think>')[-1].lstrip('\\n').strip() }}|{%- endfor -%}"
                + "{{ ns.last }}{{ ns.n }}{{ messages[0].content.startswith('<think>') }}{{ {'a': [1, 'b']} | tojson }}",
                "", "");
        String out = t.render(List.of(new ChatTemplate.Message("user", "<think>x</think>\n\n first "),
                new ChatTemplate.Message("assistant", "second")), false);
        assertEquals("second|first|12true{\"a\": [1, \"b\"]}", out);
    }

    @Test
    void aModelWithoutTemplateGetsThePlainOne() throws Exception {
        try (LoadedModel model = ModelLoader.open(TestModels.stories260kGguf(), null)) {
            ServedModel served = new ServedModel("stories", model.tokenizer(), 512, model.chatFormat());
            assertEquals("plain", served.chatTemplateKind());
            assertArrayEquals(new int[] {model.tokenizer().eos()}, served.stopIds());
            assertEquals(ChatFormat.plain(model.tokenizer()).eosToken(), model.chatFormat().eosToken());
        }
    }

    private static void assertStops(String modelPath, String endOfTurn) {
        LoadedModel model = model(modelPath);
        ServedModel served = new ServedModel(modelPath, model.tokenizer(), 4096, model.chatFormat());
        int[] ids = model.tokenizer().encode(endOfTurn, false);
        assertEquals(1, ids.length, endOfTurn + " is one token");
        assertTrue(Arrays.stream(served.stopIds()).anyMatch(id -> id == ids[0]),
                modelPath + ": stop ids " + Arrays.toString(served.stopIds()) + " lack " + endOfTurn);
    }

    private static List<ChatTemplate.Message> messages(JsonNode array) {
        List<ChatTemplate.Message> out = new ArrayList<>();
        array.forEach(m -> out.add(new ChatTemplate.Message(m.get("role").asText(), m.get("content").asText())));
        return out;
    }
}
