package io.strata.model.gguf;

import io.strata.model.ModelFormatException;
import io.strata.model.TestModels;
import io.strata.model.WeightTensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged headers must give either a file that opens or one ModelFormatException — never an
 * IndexOutOfBounds, NegativeArraySize, OutOfMemoryError or any other throwable.
 */
class GgufFuzzTest {
    private static final int TRUNCATION_SPAN = 8 * 1024;
    private static final int CORRUPTIONS = 2500;
    private static final long[] EXTREMES = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0x7FFF_FFFFL, 0xFFFF_FFFFL,
        0x8000_0000L, 1L << 32, 1L << 40, 13, 31, 33, 99};

    @TempDir
    static Path dir;
    static Path small;

    @BeforeAll
    static void writeSmallFile() throws IOException {
        small = GgufWriterTest.sampleWriter(new LinkedHashMap<>()).write(dir.resolve("small.gguf")).path();
    }

    @Test
    void storiesHeaderTruncatedAnywhereFailsCleanly() throws IOException {
        byte[] file = Files.readAllBytes(TestModels.stories260kGguf());
        int opened = truncations(file, Math.min(TRUNCATION_SPAN, file.length), "stories260K.gguf");
        assertEquals(0, opened, "truncated stories260K.gguf files that opened");
    }

    @Test
    void smallFileWithEveryTypeTruncatedAtEveryLengthFailsCleanly() throws IOException {
        byte[] file = Files.readAllBytes(small);
        long dataEnd;
        try (GgufFile f = GgufFile.open(small)) {
            dataEnd = f.dataOffset() + f.tensorInfos().stream().mapToLong(t -> t.offset() + t.byteSize()).max().orElseThrow();
        }
        // Only lengths that keep every tensor whole open; the padding after the last one is optional.
        int opened = truncations(file, file.length + 1, "small.gguf");
        assertEquals(file.length - dataEnd + 1, opened, "lengths that opened");
    }

    @Test
    void storiesHeaderCorruptedAtRandomOpensOrFailsCleanly() throws IOException {
        Path original = TestModels.stories260kGguf();
        long headerEnd;
        try (GgufFile f = GgufFile.open(original)) {
            headerEnd = f.dataOffset();
        }
        corruptions(Files.readAllBytes(original), (int) headerEnd, 20261125L, "stories260K.gguf");
    }

    @Test
    void smallFileCorruptedAtRandomOpensOrFailsCleanly() throws IOException {
        long headerEnd;
        try (GgufFile f = GgufFile.open(small)) {
            headerEnd = f.dataOffset();
        }
        corruptions(Files.readAllBytes(small), (int) headerEnd, 77L, "small.gguf");
    }

    /** Opens the first {@code n} bytes for every n below {@code limit}, shrinking one file in place; returns how many opened. */
    private static int truncations(byte[] file, int limit, String what) throws IOException {
        Path f = dir.resolve("truncated-" + what);
        Files.write(f, java.util.Arrays.copyOf(file, limit - 1 < file.length ? limit - 1 : file.length));
        int opened = 0;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            for (int length = limit - 1; length >= 0; length--) {
                ch.truncate(length);
                try {
                    opened += tryOpen(f) ? 1 : 0;
                } catch (Throwable t) {
                    fail(what + " truncated to " + length + " bytes threw " + t, t);
                }
            }
        }
        return opened;
    }

    private static void corruptions(byte[] file, int headerEnd, long seed, String what) throws IOException {
        Path f = dir.resolve("corrupt-" + what);
        Files.write(f, file);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            for (int i = 0; i < CORRUPTIONS; i++) {
                long caseSeed = seed + i;
                Random r = new Random(caseSeed);
                byte[] header = java.util.Arrays.copyOf(file, headerEnd);
                ByteBuffer view = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
                int mutations = 1 + r.nextInt(4);
                for (int m = 0; m < mutations; m++) {
                    int at = r.nextInt(headerEnd);
                    int kind = r.nextInt(10);
                    if (kind < 5) {
                        header[at] = (byte) r.nextInt(256);
                    } else if (kind < 7) {
                        header[at] ^= (byte) (1 << r.nextInt(8));
                    } else if (at + 8 <= headerEnd) {
                        long v = kind < 9 ? EXTREMES[r.nextInt(EXTREMES.length)] : r.nextLong();
                        view.putLong(at, v);
                    } else {
                        header[at] = 0;
                    }
                }
                ch.write(ByteBuffer.wrap(header), 0);
                try {
                    tryOpen(f);
                } catch (Throwable t) {
                    fail(what + " corrupted with seed " + caseSeed + " threw " + t, t);
                }
            }
        }
    }

    /** True when the file opened (its tensors then readable end to end), false on a ModelFormatException. */
    private static boolean tryOpen(Path f) {
        try (GgufFile g = GgufFile.open(f)) {
            g.metadata().entries().forEach((k, v) -> v.toString());
            for (WeightTensor t : g.tensors().values()) {
                t.data().get(ValueLayout.JAVA_BYTE, 0);
                t.data().get(ValueLayout.JAVA_BYTE, t.byteSize() - 1);
            }
            return true;
        } catch (ModelFormatException expected) {
            return false;
        }
    }
}
