package io.strata.tokenizer;

import io.strata.model.ModelFormatException;
import io.strata.model.gguf.GgufMetadata;
import io.strata.model.gguf.GgufType;
import io.strata.model.gguf.GgufValue;
import io.strata.model.gguf.GgufValue.GgufArray;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "gpt2" vocabularies written as GGUF metadata, and the refusals of what Strata does not read. */
class GgufVocabularyTest {
    private static final Path SOURCE = Path.of("tiny.gguf");
    private static final String[] TOKENS = {"h", "e", "l", "o", "Ġ", "w", "r", "d", "he", "ll", "llo", "hello",
            "Ġw", "or", "Ġwor", "ld", "Ġworld", "2", "0", "4", "20", "202", "24", "wd",
            "<|begin_of_text|>", "<|im_start|>"};
    private static final String[] MERGES = {"h e", "l l", "ll o", "he llo", "Ġ w", "o r", "Ġw or", "l d", "Ġwor ld",
            "2 0", "2 4", "20 2"};

    private static Map<String, GgufValue> gpt2(String pre) {
        int[] types = new int[TOKENS.length];
        java.util.Arrays.fill(types, TokenType.NORMAL);
        types[24] = TokenType.CONTROL;
        types[25] = TokenType.CONTROL;
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.ofString("gpt2"));
        if (pre != null) {
            m.put("tokenizer.ggml.pre", GgufValue.ofString(pre));
        }
        m.put("tokenizer.ggml.tokens", GgufValue.ofArray(new GgufArray(GgufType.STRING, TOKENS)));
        m.put("tokenizer.ggml.token_type", GgufValue.ofArray(new GgufArray(GgufType.INT32, types)));
        m.put("tokenizer.ggml.merges", GgufValue.ofArray(new GgufArray(GgufType.STRING, MERGES)));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(24));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(25));
        return m;
    }

    private static Tokenizer build(Map<String, GgufValue> m) {
        return Tokenizers.fromGguf(new GgufMetadata(SOURCE, m));
    }

    @Test
    void gpt2VocabularyPicksThePreTokenizerByName() {
        // Llama 3: "202" + "4"; Qwen2: one digit each; GPT-2: "2024" whole → 20 then 2·4 beats 20·2.
        assertArrayEquals(new int[] {21, 19}, build(gpt2("llama-bpe")).encode("2024", false));
        assertArrayEquals(new int[] {17, 18, 17, 19}, build(gpt2("qwen2")).encode("2024", false));
        assertArrayEquals(new int[] {20, 22}, build(gpt2("default")).encode("2024", false));
        assertArrayEquals(new int[] {20, 22}, build(gpt2(null)).encode("2024", false));
    }

    @Test
    void llama3VocabularyAddsBosIgnoresMergesAndMatchesControlTokens() {
        Tokenizer t = build(gpt2("llama-bpe"));
        assertInstanceOf(ByteLevelBpeTokenizer.class, t);
        assertTrue(t.addsBos());
        assertArrayEquals(new int[] {24, 11, 16}, t.encode("hello world", true));
        assertArrayEquals(new int[] {23}, t.encode("wd", false));
        assertArrayEquals(new int[] {25, 11}, t.encode("<|im_start|>hello", false));
        assertEquals("hello world", t.decode(24, new int[] {24, 11, 16, 25}));
        assertEquals(false, build(gpt2("qwen2")).addsBos());
        assertArrayEquals(new int[] {5, 7}, build(gpt2("qwen2")).encode("wd", false));
    }

    @Test
    void addBosTokenKeyOverridesTheDefault() {
        Map<String, GgufValue> m = gpt2("qwen2");
        m.put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true));
        assertTrue(build(m).addsBos());
    }

    @Test
    void unknownPreTokenizerIsRefusedByName() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> build(gpt2("mystery-pre")));
        assertTrue(e.getMessage().startsWith("tiny.gguf") && e.getMessage().contains("mystery-pre"), e.getMessage());
    }

    @Test
    void unsupportedTokenizerModelIsRefusedByName() {
        Map<String, GgufValue> m = gpt2(null);
        m.put("tokenizer.ggml.model", GgufValue.ofString("bert"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> build(m));
        assertTrue(e.getMessage().contains("\"bert\""), e.getMessage());
    }

    @Test
    void mergeOfAMissingPieceIsRefused() {
        Map<String, GgufValue> m = gpt2(null);
        m.put("tokenizer.ggml.merges", GgufValue.ofArray(new GgufArray(GgufType.STRING, new String[] {"h e", "q z"})));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> build(m));
        assertTrue(e.getMessage().contains("merge #1") && e.getMessage().contains("\"q\""), e.getMessage());
    }

    @Test
    void llamaVocabularyWithMismatchedScoresIsRefused() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        m.put("tokenizer.ggml.tokens", GgufValue.ofArray(new GgufArray(GgufType.STRING, new String[] {"<unk>", "a"})));
        m.put("tokenizer.ggml.scores", GgufValue.ofArray(new GgufArray(GgufType.FLOAT32, new float[] {0f})));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> build(m));
        assertTrue(e.getMessage().contains("tokenizer.ggml.scores has 1 entries"), e.getMessage());
        m.remove("tokenizer.ggml.model");
        assertTrue(assertThrows(ModelFormatException.class, () -> build(m)).getMessage()
                .contains("no tokenizer.ggml.model"));
    }
}
