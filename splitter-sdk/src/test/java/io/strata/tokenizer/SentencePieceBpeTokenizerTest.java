package io.strata.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentencePieceBpeTokenizerTest {
    /**
     * Random vocabularies with many equal scores (and both 0.0 and -0.0) against run.c's rule
     * written out naively: rescan every pair, take the best score, leftmost on ties.
     */
    @Test
    void queuedMergesEqualRunCsRescanningRule() {
        Random random = new Random(42);
        for (int round = 0; round < 40; round++) {
            String alphabet = "ab cd";
            Set<String> pieceSet = new LinkedHashSet<>();
            for (char c : alphabet.toCharArray()) {
                pieceSet.add(String.valueOf(c));
            }
            while (pieceSet.size() < 40) {
                pieceSet.add(randomString(random, alphabet, 2 + random.nextInt(4)));
            }
            List<String> list = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
            list.addAll(pieceSet);
            String[] pieces = list.toArray(String[]::new);
            float[] scores = new float[pieces.length];
            float[] choices = {0.0f, -0.0f, -1f, -2f, -3f};
            for (int i = 3; i < pieces.length; i++) {
                scores[i] = choices[random.nextInt(choices.length)];
            }
            SentencePieceBpeTokenizer t = new SentencePieceBpeTokenizer(pieces, scores, null, 1, 2, 0, true, true, false);
            for (int k = 0; k < 20; k++) {
                String text = randomString(random, alphabet, 1 + random.nextInt(60));
                assertArrayEquals(rescanning(pieces, scores, " " + text), t.encode(text, false), text);
            }
        }
    }

    @Test
    void spacesBecomeMetaspaceInGgufFormAndStayInLlama2cForm() {
        String[] raw = {"<unk>", "<s>", "</s>", " ", "h", "i", " h", " hi"};
        String[] meta = {"<unk>", "<s>", "</s>", "▁", "h", "i", "▁h", "▁hi"};
        float[] scores = {0, 0, 0, 0, 0, 0, -1, -2};
        SentencePieceBpeTokenizer a = new SentencePieceBpeTokenizer(raw, scores, null, 1, 2, 0, true, true, false);
        SentencePieceBpeTokenizer b = new SentencePieceBpeTokenizer(meta, scores, null, 1, 2, 0, true, true, true);
        assertArrayEquals(new int[] {1, 7, 7}, a.encode("hi hi", true));
        assertArrayEquals(new int[] {1, 7, 7}, b.encode("hi hi", true));
        assertEquals("hi hi", b.decode(1, new int[] {7, 7}));
        assertEquals(" hi hi", b.decode(4, new int[] {7, 7}));
    }

    @Test
    void withoutDummyPrefixTheFirstWordHasNoSpace() {
        String[] meta = {"<unk>", "<s>", "</s>", "▁", "h", "i", "▁h", "▁hi", "hi"};
        float[] scores = {0, 0, 0, 0, 0, 0, -1, -2, -3};
        SentencePieceBpeTokenizer t = new SentencePieceBpeTokenizer(meta, scores, null, 1, 2, 0, false, false, true);
        assertArrayEquals(new int[] {1, 8, 7}, t.encode("hi hi", true));
        assertEquals(false, t.addsBos());
        assertEquals("hi hi", t.decode(1, new int[] {8, 7}));
    }

    @Test
    void unknownCharacterWithoutByteTokensBecomesUnk() {
        String[] meta = {"<unk>", "<s>", "</s>", "▁", "h"};
        SentencePieceBpeTokenizer t = new SentencePieceBpeTokenizer(meta, new float[5], null, 1, 2, 0, true, true, true);
        assertArrayEquals(new int[] {1, 3, 4, 0}, t.encode("hé", true));
    }

    @Test
    void controlTokensWrittenInTheTextAreTakenAsTokens() {
        String[] meta = {"<unk>", "<s>", "</s>", "▁", "h", "i", "▁h", "▁hi"};
        float[] scores = {0, 0, 0, 0, 0, 0, -1, -2};
        int[] types = {2, 3, 3, 1, 1, 1, 1, 1};
        SentencePieceBpeTokenizer t = new SentencePieceBpeTokenizer(meta, scores, types, 1, 2, 0, true, true, true);
        // llama.cpp adds the dummy prefix again after a special token.
        assertArrayEquals(new int[] {1, 7, 2, 7}, t.encode("hi</s>hi", true));
        assertEquals("hihi", t.decode(1, new int[] {7, 2, 7}).replace(" ", ""));
    }

    @Test
    void badArgumentsAreRefusedClearly() {
        String[] p = {"<unk>", "<s>"};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SentencePieceBpeTokenizer(p, new float[1], null, 1, -1, 0, true, true, true));
        assertTrue(e.getMessage().contains("score"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SentencePieceBpeTokenizer(p, new float[2], null, 5, -1, 0, true, true, true));
        assertTrue(e.getMessage().contains("bos id 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SentencePieceBpeTokenizer(p, new float[2], new int[] {2, 9}, 1, -1, 0, true, true, true));
        assertTrue(e.getMessage().contains("token type 9"), e.getMessage());
    }

    private static String randomString(Random random, String alphabet, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** llama2.c run.c's encode loop, with ids looked up at the end. */
    private static int[] rescanning(String[] pieces, float[] scores, String text) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 3; i < pieces.length; i++) {
            ids.putIfAbsent(pieces[i], i);
        }
        List<String> symbols = new ArrayList<>();
        for (char c : text.toCharArray()) {
            symbols.add(String.valueOf(c));
        }
        while (true) {
            float best = -1e10f;
            int bestAt = -1;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer id = ids.get(symbols.get(i) + symbols.get(i + 1));
                if (id != null && scores[id] > best) {
                    best = scores[id];
                    bestAt = i;
                }
            }
            if (bestAt < 0) {
                break;
            }
            symbols.set(bestAt, symbols.get(bestAt) + symbols.remove(bestAt + 1));
        }
        return symbols.stream().mapToInt(ids::get).toArray();
    }
}
