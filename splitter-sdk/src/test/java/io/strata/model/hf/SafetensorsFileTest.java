package io.strata.model.hf;

import io.strata.model.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    /** A file with {@code header} as its JSON and {@code dataBytes} bytes after it. */
    private Path file(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        return write(b.array());
    }

    private Path write(byte[] content) throws IOException {
        Path f = Files.createTempFile(dir, "t", ".safetensors");
        Files.write(f, content);
        return f;
    }

    private ModelFormatException refused(Path f, String... mentions) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(f).close());
        assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "mentions '" + m + "': " + e.getMessage());
        }
        return e;
    }

    private static final String GOOD = """
            {"__metadata__":{"format":"pt"},
             "w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},
             "b":{"dtype":"BF16","shape":[4],"data_offsets":[16,24]}}""";

    @Test
    void aWellFormedHandWrittenFileOpens() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file(GOOD, 24))) {
            assertEquals(2, f.tensors().size());
            assertEquals(16, f.tensor("w").data().byteSize());
        }
    }

    @Test
    void aFileShorterThanTheLengthFieldIsRefused() throws IOException {
        refused(write(new byte[5]), "too short");
    }

    @Test
    void aHeaderLengthPastTheEndIsRefused() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(100);
        refused(write(b.array()), "header length 100", "truncated");
    }

    @Test
    void anAbsurdHeaderLengthIsRefused() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
        refused(write(b.array()), "absurd", "18446744073709551615");
        ByteBuffer c = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(200L << 20);
        refused(write(c.array()), "absurd");
    }

    @Test
    void malformedJsonIsRefused() throws IOException {
        refused(file("{\"w\": {\"dtype\": ", 0), "not valid JSON");
        refused(file("[1, 2]", 0), "JSON object");
        refused(file("{} trailing", 0), "JSON");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "JSON");
    }

    @Test
    void offsetsPastTheDataAreRefused() throws IOException {
        refused(file(GOOD, 20), "tensor b", "truncated");
    }

    @Test
    void reversedOffsetsAreRefused() throws IOException {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", 8), "tensor w", "reversed");
    }

    @Test
    void offsetsThatDisagreeWithShapeAndDtypeAreRefused() throws IOException {
        refused(file("{\"w\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16),
                "tensor w", "needs 8 bytes");
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16), "overlap", "a", "b");
    }

    @Test
    void negativeDimensionsAreRefused() throws IOException {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,0]}}", 0), "tensor w", "negative");
    }

    @Test
    void hugeShapesAreRefusedWithoutOverflow() throws IOException {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", 0),
                "tensor w", "too large");
    }

    @Test
    void unsupportedDtypesNameTheTensorAndTheDtype() throws IOException {
        refused(file("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8),
                "tensor ids", "I64", "F32, F16 and BF16");
        refused(file("{\"x\":{\"dtype\":\"Q9\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8), "tensor x", "unknown dtype Q9");
    }

    @Test
    void aMissingFileIsRefusedByName() {
        refused(dir.resolve("absent.safetensors"), "no such file");
    }

    @Test
    void everyTruncationOpensOrIsRefusedCleanly() throws IOException {
        byte[] whole = Files.readAllBytes(file(GOOD, 24));
        int refusedCount = 0;
        for (int len = 0; len < whole.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(whole, len);
            refusedCount += opensOrRefuses(write(cut)) ? 0 : 1;
        }
        assertEquals(whole.length, refusedCount, "every strict prefix loses header or data bytes");
    }

    @Test
    void seededRandomCorruptionsOpenOrAreRefusedCleanly() throws IOException {
        byte[] whole = Files.readAllBytes(file(GOOD, 24));
        SplittableRandom rnd = new SplittableRandom(20240601);
        Path f = dir.resolve("fuzz.safetensors");
        int opened = 0;
        for (int round = 0; round < 600; round++) {
            byte[] bad = whole.clone();
            int edits = 1 + rnd.nextInt(4);
            for (int k = 0; k < edits; k++) {
                int at = rnd.nextInt(bad.length);
                switch (rnd.nextInt(3)) {
                    case 0 -> bad[at] = (byte) rnd.nextInt(256);
                    case 1 -> bad[at] ^= (byte) (1 << rnd.nextInt(8));
                    default -> bad[at] = (byte) "{}[],:\"0123456789-e.".charAt(rnd.nextInt(20));
                }
            }
            Files.write(f, bad);
            opened += opensOrRefuses(f) ? 1 : 0;
        }
        assertTrue(opened < 600, "most corruptions are caught");
    }

    /** True when it opened, false when refused with ModelFormatException; anything else fails the test. */
    private static boolean opensOrRefuses(Path f) {
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            st.tensors().values().forEach(t -> t.data().byteSize());
            return true;
        } catch (ModelFormatException expected) {
            return false;
        } catch (Throwable t) {
            fail("unexpected " + t + " for " + f, t);
            return false;
        }
    }
}
