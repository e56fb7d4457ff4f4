package io.strata.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerHashTest {
    @TempDir
    Path dir;

    @Test
    void matchesThePublishedTestVectors() throws Exception {
        Path abc = Files.writeString(dir.resolve("abc"), "abc", StandardCharsets.US_ASCII);
        // RFC 1321 and FIPS 180-2 test vectors for "abc".
        assertEquals("900150983cd24fb0d6963f7d28e17f72", LayerHash.md5(abc));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", LayerHash.sha256(abc));
    }

    @Test
    void streamingOverSeveralBuffersEqualsHashingTheWholeArray() throws Exception {
        byte[] bytes = new byte[LayerHash.BUFFER_BYTES * 2 + 777];
        new Random(7).nextBytes(bytes);
        Path file = Files.write(dir.resolve("split.gguf"), bytes);

        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes)), LayerHash.md5(file));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), LayerHash.sha256(file));
    }

    @Test
    void missingFileIsRefusedWithItsName() {
        Path missing = dir.resolve("split-3.gguf");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> LayerHash.md5(missing));
        assertTrue(e.getMessage().contains("split-3.gguf"), e.getMessage());
    }
}
