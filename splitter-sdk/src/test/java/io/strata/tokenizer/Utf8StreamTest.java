package io.strata.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Streaming token bytes never splits a character, whatever the byte boundaries. */
class Utf8StreamTest {
    @Test
    void charactersFedByteByByteComeOutWhole() {
        byte[] all = "a é 世 🙂 z".getBytes(StandardCharsets.UTF_8);
        Utf8Stream s = new Utf8Stream();
        StringBuilder out = new StringBuilder();
        for (byte b : all) {
            String piece = s.push(new byte[] {b});
            assertEquals(-1, piece.indexOf('\uFFFD'), "no replacement character mid-stream");
            out.append(piece);
        }
        out.append(s.flush());
        assertEquals("a é 世 🙂 z", out.toString());
    }

    @Test
    void anIncompleteSequenceAtTheEndIsFlushedAsAReplacement() {
        Utf8Stream s = new Utf8Stream();
        assertEquals("", s.push(new byte[] {(byte) 0xE4, (byte) 0xB8}));
        assertEquals("\uFFFD", s.flush());
    }
}
