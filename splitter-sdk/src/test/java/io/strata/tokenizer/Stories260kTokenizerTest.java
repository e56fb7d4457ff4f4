package io.strata.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.TestModels;
import io.strata.model.gguf.GgufFile;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stories260K vocabulary, from tok512.bin and from the GGUF, against llama2.c's run.c. */
class Stories260kTokenizerTest {
    private static final String MULTI_BYTE = "héllo wörld — 世界 🙂";

    private static Tokenizer fromLlama2c() {
        return Tokenizers.fromLlama2cFile(TestModels.tok512(), 512);
    }

    private static Tokenizer fromGguf() {
        try (GgufFile gguf = GgufFile.open(TestModels.stories260kGguf())) {
            return Tokenizers.fromGguf(gguf.metadata());
        }
    }

    @Test
    void llama2cFileEncodesThePromptAsRunCDoes() {
        Tokenizer t = fromLlama2c();
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, t.encode("Once upon a time", true));
        assertArrayEquals(new int[] {403, 407, 261, 378}, t.encode("Once upon a time", false));
        assertArrayEquals(new int[] {1}, t.encode("", true));
        assertArrayEquals(new int[0], t.encode("", false));
        assertEquals(1, t.bos());
        assertEquals(2, t.eos());
        assertEquals(512, t.vocabSize());
        assertTrue(t.addsBos());
        assertEquals(" Once", t.piece(403));
    }

    @Test
    void ggufVocabularyEncodesThePromptAsRunCDoes() {
        Tokenizer t = fromGguf();
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, t.encode("Once upon a time", true));
        assertArrayEquals(new int[] {1}, t.encode("", true));
        assertEquals(1, t.bos());
        assertEquals(2, t.eos());
        assertEquals(512, t.vocabSize());
        assertEquals("▁Once", t.piece(403));
    }

    @Test
    void ggufAndLlama2cVocabulariesGiveTheSameIdsAndText() throws IOException {
        Tokenizer bin = fromLlama2c();
        Tokenizer gguf = fromGguf();
        String story = reference().path("cases").path(0).path("text").asText();
        for (String text : new String[] {story, MULTI_BYTE, "  two  spaces ", "\n\nnewlines\n", "Tom's dog!"}) {
            int[] a = bin.encode(text, true);
            assertArrayEquals(a, gguf.encode(text, true), text);
            int[] rest = Arrays.copyOfRange(a, 1, a.length);
            assertEquals(bin.decode(1, rest), gguf.decode(1, rest), text);
        }
    }

    @Test
    void generatedTokensOfTheEmptyPromptDecodeToTheReferenceText() throws IOException {
        JsonNode c = reference().path("cases").path(0);
        assertEquals("", c.path("prompt").asText());
        int[] generated = ints(c.path("generated_tokens"));
        for (Tokenizer t : new Tokenizer[] {fromLlama2c(), fromGguf()}) {
            assertEquals(c.path("text").asText(), t.decode(1, generated));
        }
    }

    /** run.c prints the prompt's pieces too, so the reference text is the prompt followed by the continuation. */
    @Test
    void referenceTextOfAPromptIsThePromptFollowedByItsContinuation() throws IOException {
        JsonNode c = reference().path("cases").path(1);
        int[] prompt = ints(c.path("prompt_tokens"));
        int[] generated = ints(c.path("generated_tokens"));
        String expected = c.path("text").asText();
        for (Tokenizer t : new Tokenizer[] {fromLlama2c(), fromGguf()}) {
            assertArrayEquals(prompt, t.encode(c.path("prompt").asText(), true));
            assertEquals(expected, c.path("prompt").asText() + t.decode(prompt[prompt.length - 1], generated));
            int[] all = new int[prompt.length - 1 + generated.length];
            System.arraycopy(prompt, 1, all, 0, prompt.length - 1);
            System.arraycopy(generated, 0, all, prompt.length - 1, generated.length);
            assertEquals(expected, t.decode(1, all));
        }
    }

    @Test
    void multiByteTextRoundTripsThroughByteFallback() throws CharacterCodingException {
        for (Tokenizer t : new Tokenizer[] {fromLlama2c(), fromGguf()}) {
            int[] ids = t.encode(MULTI_BYTE, true);
            int[] rest = Arrays.copyOfRange(ids, 1, ids.length);
            assertTrue(Arrays.stream(rest).anyMatch(id -> id >= 3 && id < 259), "expected byte-fallback tokens");
            assertEquals(MULTI_BYTE, t.decode(1, rest));

            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            boolean someTokenIsPartOfACharacter = false;
            int prev = 1;
            for (int id : rest) {
                byte[] b = t.decodeBytes(prev, id);
                someTokenIsPartOfACharacter |= !isWholeUtf8(b);
                joined.writeBytes(b);
                prev = id;
            }
            assertTrue(someTokenIsPartOfACharacter, "the text should need bytes joined across tokens");
            assertArrayEquals(MULTI_BYTE.getBytes(StandardCharsets.UTF_8), joined.toByteArray());
        }
    }

    @Test
    void controlTokensDecodeToNothingAndTheSpaceAfterBosIsDropped() {
        Tokenizer t = fromLlama2c();
        assertEquals(0, t.decodeBytes(0, 1).length);
        assertEquals(0, t.decodeBytes(5, 2).length);
        assertEquals("Once", new String(t.decodeBytes(1, 403), StandardCharsets.UTF_8));
        assertEquals(" Once", new String(t.decodeBytes(378, 403), StandardCharsets.UTF_8));
        assertEquals("\n", new String(t.decodeBytes(1, 13), StandardCharsets.UTF_8));
        // the model may sample an id its tokenizer lacks (a padded embedding): no text, no abort
        assertEquals(0, t.decodeBytes(1, 512).length);
        assertEquals("", t.decode(1, new int[] {512, 100_000}));
        assertThrows(IllegalArgumentException.class, () -> t.decodeBytes(1, -1));
        assertThrows(IllegalArgumentException.class, () -> t.piece(-1));
    }

    @Test
    void longTextEncodesAndRoundTrips() throws IOException {
        Tokenizer t = fromGguf();
        String story = reference().path("cases").path(0).path("text").asText();
        String text = (story + "\n").repeat(200) + "x".repeat(20_000);
        int[] ids = t.encode(text, true);
        assertEquals(text, t.decode(1, Arrays.copyOfRange(ids, 1, ids.length)));
    }

    private static boolean isWholeUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static JsonNode reference() throws IOException {
        return new ObjectMapper().readTree(TestModels.referenceGreedy().toFile());
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        assertFalse(out.length == 0);
        return out;
    }
}
