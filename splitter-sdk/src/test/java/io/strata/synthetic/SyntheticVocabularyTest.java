package io.strata.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticVocabularyTest {
    @TempDir
    Path dir;

    @Test
    void idsFollowLlamasLayout() {
        SyntheticVocabulary v = SyntheticVocabulary.build(32000, 7);
        assertEquals(32000, v.size());
        assertEquals("<unk>", v.piece(0));
        assertEquals("<s>", v.piece(1));
        assertEquals("</s>", v.piece(2));
        assertEquals("<0x00>", v.piece(3));
        assertEquals("<0x0A>", v.piece(13));
        assertEquals("<0xFF>", v.piece(258));
        int[] types = v.tokenTypes();
        assertEquals(2, types[0]);
        assertEquals(3, types[1]);
        assertEquals(6, types[3 + 200]);
        assertEquals(1, types[259]);
        assertEquals("e", v.piece(32000 - SyntheticVocabulary.ALPHABET.codePointCount(0,
                SyntheticVocabulary.ALPHABET.length()) + 1), "single characters come last, as in Llama");
        assertEquals(new HashSet<>(List.of(v.pieces())).size(), v.size(), "pieces are distinct");
    }

    @Test
    void everyMergedPieceSplitsIntoEarlierPiecesAndScoresByRank() {
        SyntheticVocabulary v = SyntheticVocabulary.build(4000, 3);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < v.size(); i++) {
            ids.put(v.piece(i), i);
        }
        float[] scores = v.scores();
        for (int id = 259; id < 259 + v.mergeCount(); id++) {
            String p = v.piece(id);
            assertEquals(-(id - 259), scores[id]);
            assertTrue(p.indexOf(SyntheticVocabulary.WORD_START, 1) < 0, "▁ only starts a piece: " + p);
            boolean buildable = false;
            for (int at = 1; at < p.length(); at++) {
                Integer l = ids.get(p.substring(0, at));
                Integer r = ids.get(p.substring(at));
                buildable |= l != null && r != null && (l < id || l >= 259 + v.mergeCount())
                        && (r < id || r >= 259 + v.mergeCount());
            }
            assertTrue(buildable, p + " is made of pieces that exist before it");
        }
    }

    @Test
    void sameSeedSameVocabularyOtherSeedAnother() {
        assertArrayEquals(SyntheticVocabulary.build(600, 1).pieces(), SyntheticVocabulary.build(600, 1).pieces());
        assertFalse(java.util.Arrays.equals(SyntheticVocabulary.build(600, 1).pieces(),
                SyntheticVocabulary.build(600, 2).pieces()));
    }

    @Test
    void tooSmallAVocabularyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SyntheticVocabulary.build(300, 1));
    }

    @Test
    void huggingFaceMergesAreRankedByTheMergedPiecesScore() {
        SyntheticVocabulary v = SyntheticVocabulary.build(2000, 9);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < v.size(); i++) {
            ids.put(v.piece(i), i);
        }
        List<String> merges = v.huggingFaceMerges();
        assertTrue(merges.size() >= v.mergeCount());
        int previous = -1;
        Set<String> seen = new HashSet<>();
        for (String m : merges) {
            String[] parts = m.split(" ");
            assertEquals(2, parts.length, m);
            Integer merged = ids.get(parts[0] + parts[1]);
            assertTrue(merged != null && merged >= 259, m + " makes a vocabulary piece");
            assertTrue(merged >= previous, "ranks follow piece order: " + m);
            previous = merged;
            assertTrue(seen.add(m));
        }
    }

    @Test
    void tokenizerJsonHasTheSameVocabularyAsTheGguf() throws IOException {
        SyntheticSpec spec = SyntheticSpec.of(SyntheticShape.TINY, 11);
        SyntheticModelGenerator.writeHuggingFace(spec, "F16", dir, null);
        ObjectMapper json = new ObjectMapper();
        JsonNode tok = json.readTree(dir.resolve("tokenizer.json").toFile());
        SyntheticVocabulary v = SyntheticVocabulary.build(512, 11);
        JsonNode model = tok.get("model");
        assertEquals("BPE", model.get("type").asText());
        assertTrue(model.get("byte_fallback").asBoolean());
        assertEquals(512, model.get("vocab").size());
        for (int id = 0; id < 512; id++) {
            assertEquals(id, model.get("vocab").get(v.piece(id)).asInt(), v.piece(id));
        }
        assertEquals(v.huggingFaceMerges().size(), model.get("merges").size());
        assertEquals(v.huggingFaceMerges().getFirst(), model.get("merges").get(0).asText());
        assertEquals("Prepend", tok.get("normalizer").get("normalizers").get(0).get("type").asText());
        assertEquals(3, tok.get("added_tokens").size());
        JsonNode cfg = json.readTree(dir.resolve("tokenizer_config.json").toFile());
        assertTrue(cfg.get("add_bos_token").asBoolean());
        assertEquals("<s>", cfg.get("bos_token").asText());
        assertEquals("</s>", cfg.get("eos_token").asText());
        JsonNode config = json.readTree(dir.resolve("config.json").toFile());
        assertEquals("float16", config.get("torch_dtype").asText());
    }
}
