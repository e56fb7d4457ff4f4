package io.strata.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Small hand-written tokenizer.json files in the two Llama-family forms; the expected ids are
 * worked out by hand in the comments.
 */
class HuggingFaceTokenizerTest {
    @TempDir
    Path dir;

    /** Llama 3 style: Split(regex) + ByteLevel, ignore_merges, BOS from the post-processor template. */
    private static String byteLevelJson(String regex, boolean ignoreMerges) throws JsonProcessingException {
        return """
                {
                  "version": "1.0",
                  "added_tokens": [
                    {"id": 30, "content": "<|begin_of_text|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": 31, "content": "<|eot_id|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
                  ],
                  "normalizer": null,
                  "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                    {"type": "Split", "pattern": {"Regex": %s}, "behavior": "Isolated", "invert": false},
                    {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}
                  ]},
                  "post_processor": {"type": "Sequence", "processors": [
                    {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
                    {"type": "TemplateProcessing",
                     "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                     "pair": [],
                     "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [30], "tokens": ["<|begin_of_text|>"]}}}
                  ]},
                  "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
                  "model": {
                    "type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                    "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": %s,
                    "vocab": {"h": 0, "e": 1, "l": 2, "o": 3, "Ġ": 4, "w": 5, "r": 6, "d": 7, "he": 8, "ll": 9,
                              "llo": 10, "hello": 11, "Ġw": 12, "or": 13, "Ġwor": 14, "ld": 15, "Ġworld": 16, "el": 17,
                              "2": 18, "0": 19, "4": 20, "20": 21, "202": 22, "Ã": 23, "©": 24, "Ã©": 25, "wd": 26, "24": 27},
                    "merges": ["h e", "l l", "ll o", "he llo", "Ġ w", "o r", "Ġw or", "l d", "Ġwor ld", "e l",
                               "2 0", "2 4", "20 2", "Ã ©"]
                  }
                }
                """.formatted(new ObjectMapper().writeValueAsString(regex), ignoreMerges);
    }

    /** TinyLlama / Llama 2 style: byte_fallback, Prepend("▁") + Replace(" ", "▁"), merges as pairs. */
    private static String sentencePieceJson(String normalizer, String preTokenizer, String extraMerge) {
        StringBuilder bytes = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            bytes.append(String.format("\"<0x%02X>\": %d, ", b, b + 3));
        }
        return """
                {
                  "version": "1.0",
                  "added_tokens": [
                    {"id": 0, "content": "<unk>", "special": true},
                    {"id": 1, "content": "<s>", "special": true},
                    {"id": 2, "content": "</s>", "special": true}
                  ],
                  "normalizer": %s,
                  "pre_tokenizer": %s,
                  "post_processor": {"type": "TemplateProcessing",
                    "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                    "pair": [],
                    "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
                  "decoder": {"type": "Sequence", "decoders": [
                    {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
                    {"type": "ByteFallback"}, {"type": "Fuse"},
                    {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
                  "model": {
                    "type": "BPE", "dropout": null, "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": true,
                    "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, %s
                              "▁": 259, "h": 260, "i": 261, "t": 262, "e": 263, "r": 264, "▁h": 265, "▁hi": 266,
                              "▁t": 267, "he": 268, "▁the": 269, "re": 270, "▁there": 271},
                    "merges": [["▁", "h"], ["▁h", "i"], ["▁", "t"], ["h", "e"], ["▁t", "he"], ["r", "e"], ["▁the", "re"]%s]
                  }
                }
                """.formatted(normalizer, preTokenizer, bytes, extraMerge);
    }

    private static final String PREPEND_REPLACE = """
            {"type": "Sequence", "normalizers": [
              {"type": "Prepend", "prepend": "▁"},
              {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}""";
    private static final String METASPACE_FIRST =
            "{\"type\": \"Metaspace\", \"replacement\": \"▁\", \"prepend_scheme\": \"first\", \"split\": false}";

    private static final String CONFIG = """
            {"add_bos_token": true, "add_eos_token": false,
             "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false, "normalized": false},
             "eos_token": "</s>", "unk_token": "<unk>"}""";

    @Test
    void byteLevelMergesByRankAndMatchesSpecialTokens() throws IOException {
        Tokenizer t = Tokenizers.fromHuggingFace(write("tokenizer.json",
                byteLevelJson(ByteLevelBpeTokenizer.LLAMA3_PATTERN, true)), null);
        assertInstanceOf(ByteLevelBpeTokenizer.class, t);
        // "hello": h·e (rank 0) before e·l (rank 9) → he l l o → he ll o → he llo → hello.
        // " world": Ġ·w, o·r, Ġw·or, l·d, Ġwor·ld → Ġworld.
        assertArrayEquals(new int[] {30, 11, 16}, t.encode("hello world", true));
        assertEquals(30, t.bos());
        assertTrue(t.addsBos());
        assertEquals(-1, t.eos());
        // "hel": h·e outranks e·l, so [he, l], not [h, el].
        assertArrayEquals(new int[] {8, 2}, t.encode("hel", false));
        // "lll": the two l·l pairs tie; the leftmost merges.
        assertArrayEquals(new int[] {9, 2}, t.encode("lll", false));
        // "é" is bytes C3 A9, written "Ã©".
        assertArrayEquals(new int[] {25}, t.encode("é", false));
        assertArrayEquals(new int[] {11, 31, 11}, t.encode("hello<|eot_id|>hello", false));
        assertEquals("hello world", t.decode(-1, new int[] {30, 11, 16, 31}));
        assertEquals("é", t.decode(-1, new int[] {25}));
        assertEquals(2, t.decodeBytes(-1, 25).length);
        assertEquals(32, t.vocabSize());
    }

    @Test
    void byteLevelUsesTheFilesRegex() throws IOException {
        // Llama 3 cuts digits in threes: "202" + "4" → 202 (2·0 then 20·2), 4.
        Tokenizer llama3 = Tokenizers.fromHuggingFace(write("llama3.json",
                byteLevelJson(ByteLevelBpeTokenizer.LLAMA3_PATTERN, true)), null);
        assertArrayEquals(new int[] {22, 20}, llama3.encode("2024", false));
        // Qwen2 cuts every digit.
        Tokenizer qwen2 = Tokenizers.fromHuggingFace(write("qwen2.json",
                byteLevelJson(ByteLevelBpeTokenizer.QWEN2_PATTERN, true)), null);
        assertArrayEquals(new int[] {18, 19, 18, 20}, qwen2.encode("2024", false));
        // GPT-2 keeps "2024" whole: 2·0 (rank 10) → 20 2 4; 2·4 (11) beats 20·2 (12) → 20 24.
        Tokenizer gpt2 = Tokenizers.fromHuggingFace(write("gpt2.json",
                byteLevelJson(ByteLevelBpeTokenizer.GPT2_PATTERN, true)), null);
        assertArrayEquals(new int[] {21, 27}, gpt2.encode("2024", false));
    }

    @Test
    void ignoreMergesTakesAWholeWordPieceAsItIs() throws IOException {
        Tokenizer with = Tokenizers.fromHuggingFace(write("a.json",
                byteLevelJson(ByteLevelBpeTokenizer.LLAMA3_PATTERN, true)), null);
        Tokenizer without = Tokenizers.fromHuggingFace(write("b.json",
                byteLevelJson(ByteLevelBpeTokenizer.LLAMA3_PATTERN, false)), null);
        assertArrayEquals(new int[] {26}, with.encode("wd", false));
        assertArrayEquals(new int[] {5, 7}, without.encode("wd", false));
    }

    @Test
    void byteLevelConfigNamesEosAndCanTurnBosOff() throws IOException {
        Path json = write("tokenizer.json", byteLevelJson(ByteLevelBpeTokenizer.LLAMA3_PATTERN, true));
        Path config = write("tokenizer_config.json",
                "{\"add_bos_token\": false, \"bos_token\": \"<|begin_of_text|>\", \"eos_token\": \"<|eot_id|>\"}");
        Tokenizer t = Tokenizers.fromHuggingFace(json, config);
        assertEquals(31, t.eos());
        assertEquals(30, t.bos());
        assertEquals(false, t.addsBos());
    }

    @Test
    void sentencePieceStyleMergesByRankWithByteFallback() throws IOException {
        Tokenizer t = Tokenizers.fromHuggingFace(
                write("tokenizer.json", sentencePieceJson(PREPEND_REPLACE, "null", "")),
                write("tokenizer_config.json", CONFIG));
        assertInstanceOf(SentencePieceBpeTokenizer.class, t);
        assertEquals(1, t.bos());
        assertEquals(2, t.eos());
        assertTrue(t.addsBos());
        // "▁hi▁there": ▁·h, ▁h·i, ▁·t, h·e, ▁t·he, r·e, ▁the·re → ▁hi ▁there.
        assertArrayEquals(new int[] {1, 266, 271}, t.encode("hi there", true));
        // é has no piece: bytes C3 A9 → <0xC3> (3 + 0xC3) <0xA9> (3 + 0xA9).
        int[] ids = t.encode("hé", true);
        assertArrayEquals(new int[] {1, 265, 3 + 0xC3, 3 + 0xA9}, ids);
        assertEquals("hé", t.decode(1, new int[] {265, 3 + 0xC3, 3 + 0xA9}));
        // The Prepend normalizer runs on every run of text, after special tokens too, and always.
        assertArrayEquals(new int[] {1, 266, 2, 266}, t.encode("hi</s>hi", true));
        assertArrayEquals(new int[] {1, 259, 266}, t.encode(" hi", true));
    }

    @Test
    void metaspaceFirstPrefixesOnlyTheStartAndNotTwice() throws IOException {
        Tokenizer t = Tokenizers.fromHuggingFace(
                write("tokenizer.json", sentencePieceJson("null", METASPACE_FIRST, "")), null);
        assertEquals(1, t.bos());
        assertEquals(2, t.eos());
        assertArrayEquals(new int[] {1, 266, 271}, t.encode("hi there", true));
        // No prefix after the special token: h, i stay apart.
        assertArrayEquals(new int[] {1, 2, 260, 261}, t.encode("</s>hi", true));
        // The text already starts with a space: no second one.
        assertArrayEquals(new int[] {1, 266}, t.encode(" hi", true));
    }

    @Test
    void unsupportedModelTypesAreRefusedByName() throws IOException {
        for (String type : new String[] {"WordPiece", "Unigram"}) {
            Path f = write(type + ".json", "{\"model\": {\"type\": \"" + type + "\", \"vocab\": {}}}");
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizers.fromHuggingFace(f, null));
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(type), e.getMessage());
        }
    }

    @Test
    void malformedFilesAreRefusedClearly() throws IOException {
        Path broken = write("broken.json", "{\"model\": {\"type\": \"BPE\", ");
        assertTrue(assertThrows(ModelFormatException.class, () -> Tokenizers.fromHuggingFace(broken, null))
                .getMessage().contains("not valid JSON"));

        Path noModel = write("nomodel.json", "{\"version\": \"1.0\"}");
        assertTrue(assertThrows(ModelFormatException.class, () -> Tokenizers.fromHuggingFace(noModel, null))
                .getMessage().contains("no \"model\""));

        Path missingPiece = write("missing.json", sentencePieceJson(PREPEND_REPLACE, "null", ", [\"x\", \"y\"]"));
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromHuggingFace(missingPiece, null));
        assertTrue(e.getMessage().startsWith(missingPiece.toString()) && e.getMessage().contains("merge #7")
                && e.getMessage().contains("\"x\""), e.getMessage());

        Path badMerge = write("badmerge.json", byteLevelJson(ByteLevelBpeTokenizer.GPT2_PATTERN, false)
                .replace("\"Ã ©\"]", "\"Ã©\"]"));
        assertTrue(assertThrows(ModelFormatException.class, () -> Tokenizers.fromHuggingFace(badMerge, null))
                .getMessage().contains("merges[13]"));

        Path hugeId = write("hugeid.json", byteLevelJson(ByteLevelBpeTokenizer.GPT2_PATTERN, false)
                .replace("\"24\": 27", "\"24\": 2000000000"));
        assertTrue(assertThrows(ModelFormatException.class, () -> Tokenizers.fromHuggingFace(hugeId, null))
                .getMessage().contains("2000000000"));

        Path plainBpe = write("plain.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}");
        assertTrue(assertThrows(ModelFormatException.class, () -> Tokenizers.fromHuggingFace(plainBpe, null))
                .getMessage().contains("ByteLevel"));

        Path missing = dir.resolve("absent.json");
        assertTrue(assertThrows(ModelFormatException.class, () -> Tokenizers.fromHuggingFace(missing, null))
                .getMessage().contains("cannot be read"));
    }

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }
}
