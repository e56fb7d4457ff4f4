package io.strata.tokenizer;

import io.strata.model.ModelFormatException;
import io.strata.model.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Llama2cTokenizerFileTest {
    @TempDir
    Path dir;

    @Test
    void byteTokensSitAtByteValuePlusThree() {
        Tokenizer t = Tokenizers.fromLlama2cFile(TestModels.tok512(), 512);
        assertEquals("<0x0A>", t.piece(10 + 3));
        // No piece " \n" in tok512, so the newline after the dummy-prefix space falls back to its byte.
        assertArrayEquals(new int[] {1, 410, 0x0A + 3}, t.encode("\n", true));
    }

    @Test
    void truncatedFileIsRefusedNamingTheTokenAndFile() throws IOException {
        byte[] whole = Files.readAllBytes(TestModels.tok512());
        Path cut = write("cut.bin", Arrays.copyOf(whole, whole.length - 3));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizers.fromLlama2cFile(cut, 512));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("token 511") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void vocabularyLargerThanTheFileIsRefused() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromLlama2cFile(TestModels.tok512(), 513));
        assertTrue(e.getMessage().contains("token 512 of 513"), e.getMessage());
    }

    @Test
    void vocabularySmallerThanTheFileIsRefused() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromLlama2cFile(TestModels.tok512(), 500));
        assertTrue(e.getMessage().contains("more than 500 tokens"), e.getMessage());
    }

    @Test
    void negativePieceLengthIsRefusedWithItsOffset() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + 1 + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4).putFloat(0).putInt(1).put((byte) 'a').putFloat(0).putInt(-7);
        Path f = write("negative.bin", b.array());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizers.fromLlama2cFile(f, 2));
        assertTrue(e.getMessage().contains("token 1 at byte 13 has length -7"), e.getMessage());
    }

    @Test
    void absurdPieceLengthIsRefused() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4).putFloat(0).putInt(1_000_000_000);
        Path f = write("absurd.bin", b.array());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizers.fromLlama2cFile(f, 1));
        assertTrue(e.getMessage().contains("length 1000000000"), e.getMessage());
    }

    @Test
    void implausibleHeaderAndEmptyFileAreRefused() throws IOException {
        Path empty = write("empty.bin", new byte[0]);
        assertTrue(assertThrows(ModelFormatException.class, () -> Tokenizers.fromLlama2cFile(empty, 1))
                .getMessage().contains("too short"));
        Path json = write("tokenizer.json", "{\"model\": {}}".getBytes(StandardCharsets.UTF_8));
        assertTrue(assertThrows(ModelFormatException.class, () -> Tokenizers.fromLlama2cFile(json, 1))
                .getMessage().contains("max_token_length"));
        Path missing = dir.resolve("missing.bin");
        assertTrue(assertThrows(ModelFormatException.class, () -> Tokenizers.fromLlama2cFile(missing, 1))
                .getMessage().contains("cannot be read"));
        assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromLlama2cFile(TestModels.tok512(), 0));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }
}
