package io.strata.model.gguf;

import io.strata.model.TensorEncoding;
import io.strata.model.TestModels;
import io.strata.model.WeightTensor;
import io.strata.model.gguf.GgufValue.GgufArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufWriterTest {
    @TempDir
    Path dir;

    /** One entry of every GGUF value type, arrays of every element type, and nested arrays. */
    static Map<String, GgufValue> everyMetadataType() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("t.uint8", new GgufValue(GgufType.UINT8, 200));
        m.put("t.int8", new GgufValue(GgufType.INT8, -5));
        m.put("t.uint16", new GgufValue(GgufType.UINT16, 60000));
        m.put("t.int16", new GgufValue(GgufType.INT16, -300));
        m.put("t.uint32", new GgufValue(GgufType.UINT32, 4_000_000_000L));
        m.put("t.int32", new GgufValue(GgufType.INT32, -7));
        m.put("t.float32", new GgufValue(GgufType.FLOAT32, 1.5f));
        m.put("t.bool", new GgufValue(GgufType.BOOL, true));
        m.put("t.string", new GgufValue(GgufType.STRING, "héllo ✓ world"));
        m.put("t.uint64", new GgufValue(GgufType.UINT64, -1L));
        m.put("t.int64", new GgufValue(GgufType.INT64, Long.MIN_VALUE));
        m.put("t.float64", new GgufValue(GgufType.FLOAT64, Math.PI));
        m.put("a.uint8", array(GgufType.UINT8, new int[] {0, 255, 7}));
        m.put("a.int8", array(GgufType.INT8, new int[] {-128, 127}));
        m.put("a.uint16", array(GgufType.UINT16, new int[] {65535}));
        m.put("a.int16", array(GgufType.INT16, new int[] {-32768, 1}));
        m.put("a.uint32", array(GgufType.UINT32, new long[] {0xFFFF_FFFFL, 3}));
        m.put("a.int32", array(GgufType.INT32, new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}));
        m.put("a.float32", array(GgufType.FLOAT32, new float[] {-0.0f, Float.NaN, 1e-30f}));
        m.put("a.bool", array(GgufType.BOOL, new boolean[] {true, false, true}));
        m.put("a.string", array(GgufType.STRING, new String[] {"", "▁the", "<0x0A>"}));
        m.put("a.uint64", array(GgufType.UINT64, new long[] {-1L}));
        m.put("a.int64", array(GgufType.INT64, new long[] {Long.MAX_VALUE, -2}));
        m.put("a.float64", array(GgufType.FLOAT64, new double[] {Double.MIN_VALUE, -1e300}));
        m.put("a.empty", array(GgufType.INT32, new int[0]));
        m.put("a.nested", array(GgufType.ARRAY, new GgufArray[] {
            new GgufArray(GgufType.INT32, new int[] {1, 2}),
            new GgufArray(GgufType.STRING, new String[] {"x"}),
            new GgufArray(GgufType.ARRAY, new GgufArray[] {new GgufArray(GgufType.FLOAT32, new float[] {2f})})}));
        return m;
    }

    /** A shape per encoding (two rows of one block for those not listed); Q4_0's 54 bytes make the writer pad before the next tensor. */
    static final Map<TensorEncoding, long[]> SHAPES = Map.of(
            TensorEncoding.F32, new long[] {8, 3},
            TensorEncoding.F16, new long[] {16, 2},
            TensorEncoding.BF16, new long[] {5},
            TensorEncoding.Q8_0, new long[] {64, 2},
            TensorEncoding.Q4_0, new long[] {32, 3, 1, 1});

    static long[] shapeOf(TensorEncoding e) {
        return SHAPES.getOrDefault(e, new long[] {e.blockSize(), 2});
    }

    static byte[] randomBytes(long seed, long n) {
        byte[] b = new byte[Math.toIntExact(n)];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A writer holding every metadata type and one random tensor per encoding. */
    static GgufWriter sampleWriter(Map<String, byte[]> tensorBytes) {
        GgufWriter w = new GgufWriter();
        everyMetadataType().forEach(w::put);
        int seed = 0;
        for (TensorEncoding e : TensorEncoding.values()) {
            long[] shape = shapeOf(e);
            long elements = 1;
            for (long d : shape) {
                elements *= d;
            }
            byte[] bytes = randomBytes(seed++, e.byteSize(elements));
            String name = "t." + e.name().toLowerCase();
            tensorBytes.put(name, bytes);
            w.addTensor(name, e, shape, out -> out.write(ByteBuffer.wrap(bytes)));
        }
        return w;
    }

    @Test
    void everyMetadataTypeAndEncodingRoundTrips() throws IOException {
        Map<String, byte[]> tensorBytes = new LinkedHashMap<>();
        GgufWriter.WrittenFile written = sampleWriter(tensorBytes).write(dir.resolve("all.gguf"));
        try (GgufFile f = GgufFile.open(written.path())) {
            assertEquals(3, f.version());
            assertEquals(everyMetadataType(), f.metadata().entries());
            assertEquals(List.copyOf(tensorBytes.keySet()), List.copyOf(f.tensors().keySet()));
            for (TensorEncoding e : TensorEncoding.values()) {
                WeightTensor t = f.tensor("t." + e.name().toLowerCase());
                assertEquals(e, t.encoding());
                assertArrayEquals(shapeOf(e), t.shape());
                assertArrayEquals(tensorBytes.get(t.name()), t.data().toArray(ValueLayout.JAVA_BYTE), t.name());
            }
            for (GgufTensorInfo info : f.tensorInfos()) {
                assertEquals(0, info.offset() % 32, info.name());
            }
        }
    }

    @Test
    void reportedSizeAndDigestsAreThoseOfTheWrittenBytes() throws Exception {
        GgufWriter.WrittenFile written = sampleWriter(new LinkedHashMap<>()).write(dir.resolve("d.gguf"));
        byte[] bytes = Files.readAllBytes(written.path());
        assertEquals(bytes.length, written.bytes());
        assertEquals(hex("MD5", bytes), written.md5Hex());
        assertEquals(hex("SHA-256", bytes), written.sha256Hex());
    }

    @Test
    void sameInputsGiveTheSameBytes() throws IOException {
        GgufWriter.WrittenFile a = sampleWriter(new LinkedHashMap<>()).write(dir.resolve("a.gguf"));
        GgufWriter.WrittenFile b = sampleWriter(new LinkedHashMap<>()).write(dir.resolve("b.gguf"));
        assertEquals(a.md5Hex(), b.md5Hex());
        assertArrayEquals(Files.readAllBytes(a.path()), Files.readAllBytes(b.path()));
    }

    @Test
    void rewritingStoriesGgufReproducesItByteForByte() throws Exception {
        Path original = TestModels.stories260kGguf();
        GgufWriter.WrittenFile copy;
        try (GgufFile f = GgufFile.open(original)) {
            GgufWriter w = new GgufWriter();
            f.metadata().entries().forEach(w::put);
            f.tensors().values().forEach(w::addTensor);
            copy = w.write(dir.resolve("copy.gguf"));
        }
        assertEquals(hex("SHA-256", Files.readAllBytes(original)), copy.sha256Hex());
        assertEquals(Files.size(original), copy.bytes());
    }

    @Test
    void alignmentFromMetadataIsUsed() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("general.alignment", GgufValue.ofUint32(64));
        w.addTensor("a", TensorEncoding.F32, new long[] {3}, out -> out.write(ByteBuffer.allocate(12)));
        w.addTensor("b", TensorEncoding.F32, new long[] {3}, out -> out.write(ByteBuffer.allocate(12)));
        try (GgufFile f = GgufFile.open(w.write(dir.resolve("a64.gguf")).path())) {
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(64, f.tensorInfos().get(1).offset());
        }
    }

    @Test
    void failingSourceLeavesNoFileAndKeepsTheOldOne() throws IOException {
        Path target = dir.resolve("model.gguf");
        GgufWriter w = new GgufWriter();
        w.addTensor("ok", TensorEncoding.F32, new long[] {4}, out -> out.write(ByteBuffer.allocate(16)));
        w.addTensor("bad", TensorEncoding.F32, new long[] {1 << 20}, out -> {
            out.write(ByteBuffer.allocate(1 << 21));
            throw new IOException("disk on fire");
        });
        IOException e = assertThrows(IOException.class, () -> w.write(target));
        assertEquals("disk on fire", e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }

        Files.writeString(target, "previous");
        assertThrows(IOException.class, () -> w.write(target));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
        assertEquals("previous", Files.readString(target));
    }

    @Test
    void sourceWritingTooFewOrTooManyBytesIsRefused() throws IOException {
        GgufWriter few = new GgufWriter();
        few.addTensor("w", TensorEncoding.F32, new long[] {4, 2}, out -> out.write(ByteBuffer.allocate(31)));
        IOException e = assertThrows(IOException.class, () -> few.write(dir.resolve("few.gguf")));
        assertTrue(e.getMessage().contains("tensor w [4, 2] in F32 needs 32 bytes but its source wrote 31"), e.getMessage());

        GgufWriter many = new GgufWriter();
        many.addTensor("w", TensorEncoding.Q8_0, new long[] {32}, out -> out.write(ByteBuffer.allocate(35)));
        e = assertThrows(IOException.class, () -> many.write(dir.resolve("many.gguf")));
        assertTrue(e.getMessage().contains("needs 34 bytes but its source wrote more"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void badArgumentsAreRefusedWhenAdded() {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.put("x", new GgufValue(GgufType.UINT8, 300)));
        assertThrows(IllegalArgumentException.class, () -> w.put("x", GgufValue.ofArray(
                new GgufArray(GgufType.INT8, new int[] {1, 200}))));
        assertThrows(IllegalArgumentException.class, () -> w.put("general.alignment", GgufValue.ofUint32(48)));
        assertThrows(IllegalArgumentException.class, () -> w.put("", GgufValue.ofBool(true)));
        GgufWriter.TensorSource none = out -> { };
        w.addTensor("t", TensorEncoding.F32, new long[] {1}, none);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", TensorEncoding.F32, new long[] {1}, none));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", TensorEncoding.Q4_0, new long[] {16}, none));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("z", TensorEncoding.F32, new long[] {0}, none));
        assertThrows(IllegalArgumentException.class,
                () -> w.addTensor("d", TensorEncoding.F32, new long[] {1, 1, 1, 1, 1}, none));
    }

    @Test
    void replacingAKeyKeepsItsPlace() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("a", GgufValue.ofInt32(1));
        w.put("b", GgufValue.ofInt32(2));
        w.put("a", GgufValue.ofInt32(3));
        try (GgufFile f = GgufFile.open(w.write(dir.resolve("k.gguf")).path())) {
            assertEquals(List.of("a", "b"), List.copyOf(f.metadata().entries().keySet()));
            assertEquals(3, f.metadata().intValue("a"));
            assertEquals(0, f.tensors().size());
        }
    }

    private static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    private static GgufValue array(GgufType type, Object values) {
        return GgufValue.ofArray(new GgufArray(type, values));
    }
}
