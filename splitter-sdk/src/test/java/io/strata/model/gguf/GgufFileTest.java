package io.strata.model.gguf;

import io.strata.model.ModelFormatException;
import io.strata.model.TensorEncoding;
import io.strata.model.TestModels;
import io.strata.model.WeightTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufFileTest {
    @TempDir
    Path dir;

    @Test
    void storiesGgufOpensAsVersion3WithItsMetadataAndTensorTable() {
        try (GgufFile f = GgufFile.open(TestModels.stories260kGguf())) {
            assertEquals(3, f.version());
            assertEquals(32, f.alignment());
            GgufMetadata md = f.metadata();
            assertEquals("llama", md.string("general.architecture"));
            assertEquals(64, md.intValue("llama.embedding_length"));
            assertEquals(172, md.intValue("llama.feed_forward_length"));
            assertEquals(5, md.intValue("llama.block_count"));
            assertEquals(512, md.stringArray("tokenizer.ggml.tokens").length);
            assertEquals("<s>", md.stringArray("tokenizer.ggml.tokens")[1]);
            assertEquals(GgufType.UINT32, md.get("tokenizer.ggml.bos_token_id").orElseThrow().type());
            // the first keys, in file order, as llama.cpp's converter wrote them
            assertEquals(List.of("tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"),
                    md.entries().keySet().stream().limit(3).toList());

            assertEquals(48, f.tensorInfos().size());
            assertEquals(0, f.dataOffset() % 32);
            assertEquals(f.fileSize(), Files.size(TestModels.stories260kGguf()));
            assertShape(f, "token_embd.weight", 64, 512);
            assertShape(f, "output_norm.weight", 64);
            assertShape(f, "blk.0.attn_q.weight", 64, 64);
            assertShape(f, "blk.0.attn_k.weight", 64, 32);
            assertShape(f, "blk.4.ffn_gate.weight", 64, 172);
            assertShape(f, "blk.4.ffn_down.weight", 172, 64);
            for (GgufTensorInfo info : f.tensorInfos()) {
                assertEquals(TensorEncoding.F32, info.encoding());
                assertEquals(0, info.offset() % 32, info.name());
            }
            assertEquals(f.tensorInfos().stream().map(GgufTensorInfo::name).toList(), List.copyOf(f.tensors().keySet()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void tensorsAreReadOnlyMappedSlicesHoldingTheFileBytes() throws IOException {
        Path file = TestModels.stories260kGguf();
        byte[] bytes = Files.readAllBytes(file);
        try (GgufFile f = GgufFile.open(file)) {
            GgufTensorInfo info = f.tensorInfos().stream()
                    .filter(t -> t.name().equals("blk.2.attn_v.weight")).findFirst().orElseThrow();
            WeightTensor t = f.tensor("blk.2.attn_v.weight");
            MemorySegment data = t.data();
            assertTrue(data.isMapped());
            assertTrue(data.isReadOnly());
            assertEquals(info.byteSize(), data.byteSize());
            int start = Math.toIntExact(f.dataOffset() + info.offset());
            assertArrayEquals(java.util.Arrays.copyOfRange(bytes, start, start + (int) info.byteSize()),
                    data.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void closedFileRefusesTensorAccessAndClosesTwiceQuietly() {
        GgufFile f = GgufFile.open(TestModels.stories260kGguf());
        MemorySegment data = f.tensor("output_norm.weight").data();
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_FLOAT, 0));
    }

    @Test
    void missingTensorIsNamed() {
        try (GgufFile f = GgufFile.open(TestModels.stories260kGguf())) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> f.tensor("blk.9.attn_q.weight"));
            assertTrue(e.getMessage().contains("blk.9.attn_q.weight"));
        }
    }

    @Test
    void version2FilesAreRead() throws IOException {
        GgufFile f = open(minimal(2, GgufFile.DEFAULT_ALIGNMENT));
        assertEquals(2, f.version());
        assertEquals(List.of("w"), List.copyOf(f.tensors().keySet()));
        assertArrayEquals(new long[] {4, 2}, f.tensor("w").shape());
        f.close();
    }

    @Test
    void generalAlignmentIsHonoured() throws IOException {
        RawGguf r = RawGguf.header(3, 2, 1).kvUint32("general.alignment", 64)
                .tensorInfo("a", 0, 0, 4).tensorInfo("b", 0, 64, 4).padTo(64).zeros(64 + 16);
        try (GgufFile f = open(r.bytes())) {
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(64, f.tensorInfos().get(1).offset());
        }
    }

    // ---- refusals: each a ModelFormatException naming the file and the place ----

    @Test
    void badMagicIsRefused() throws IOException {
        byte[] b = minimal(3, 32);
        b[0] = 'X';
        assertRefused(b, "not a GGUF file", "offset 0");
    }

    @Test
    void version1IsRefusedClearly() throws IOException {
        assertRefused(RawGguf.header(1, 0, 0).bytes(), "version 1 is not supported", "offset 4");
    }

    @Test
    void unknownVersionIsRefused() throws IOException {
        assertRefused(RawGguf.header(7, 0, 0).bytes(), "unsupported GGUF version 7");
    }

    @Test
    void bigEndianFileIsNamedAsSuch() throws IOException {
        assertRefused(RawGguf.header(0x03000000, 0, 0).bytes(), "big-endian");
    }

    @Test
    void emptyFileIsRefused() throws IOException {
        assertRefused(new byte[0], "too short");
    }

    @Test
    void truncatedHeaderIsRefusedWithItsOffset() throws IOException {
        byte[] full = minimal(3, 32);
        assertRefused(java.util.Arrays.copyOf(full, 30), "offset 8: tensor count is 1 but only 14 bytes follow");
        // the counts fit, but the file stops inside the first value
        assertRefused(java.util.Arrays.copyOf(full, 60), "offset 56", "metadata general.architecture length", "truncated");
    }

    @Test
    void absurdTensorCountIsRefusedBeforeAllocating() throws IOException {
        assertRefused(RawGguf.header(3, 1L << 40, 0).bytes(), "tensor count is 1099511627776");
        assertRefused(RawGguf.header(3, -1, 0).bytes(), "tensor count is 18446744073709551615");
    }

    @Test
    void absurdMetadataCountIsRefused() throws IOException {
        assertRefused(RawGguf.header(3, 0, Integer.MAX_VALUE).bytes(), "metadata entry count");
    }

    @Test
    void absurdStringLengthIsRefused() throws IOException {
        byte[] b = RawGguf.header(3, 0, 1).u64(Long.MAX_VALUE - 3).raw("key".getBytes()).zeros(64).bytes();
        assertRefused(b, "key of metadata entry #0 length is " + (Long.MAX_VALUE - 3), "offset 24");
    }

    @Test
    void absurdArrayLengthIsRefused() throws IOException {
        byte[] b = RawGguf.header(3, 0, 1).string("tokens").u32(GgufType.ARRAY.id())
                .u32(GgufType.STRING.id()).u64(1L << 50).zeros(64).bytes();
        assertRefused(b, "length of array tokens is " + (1L << 50));
    }

    @Test
    void lengthsBeyondAnyRealFileAreRefusedEvenWhenTheBytesExist() throws IOException {
        // an 8-byte element array of 2^24 + 1 entries fits in this 128 MiB sparse file, but no real file has one
        Path f = dir.resolve("big.gguf");
        Files.write(f, RawGguf.header(3, 0, 1).string("huge").u32(GgufType.ARRAY.id())
                .u32(GgufType.UINT64.id()).u64((1L << 24) + 1).bytes());
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[1]), (1L << 27) + 64);
        }
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufFile.open(f));
        assertTrue(e.getMessage().contains("array huge has 16777217 elements; no GGUF metadata array is longer"),
                e.getMessage());
    }

    @Test
    void unknownMetadataTypeIsRefused() throws IOException {
        byte[] b = RawGguf.header(3, 0, 1).string("weird").u32(13).u32(0).bytes();
        assertRefused(b, "metadata weird has unknown value type 13");
    }

    @Test
    void deeplyNestedArraysAreRefused() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).string("deep").u32(GgufType.ARRAY.id());
        for (int i = 0; i < 20; i++) {
            r.u32(GgufType.ARRAY.id()).u64(1);
        }
        assertRefused(r.zeros(64).bytes(), "nests arrays");
    }

    @Test
    void boolOtherThanZeroOrOneIsRefused() throws IOException {
        byte[] b = RawGguf.header(3, 0, 1).string("flag").u32(GgufType.BOOL.id()).u8(7).bytes();
        assertRefused(b, "metadata flag is a bool stored as 7");
    }

    @Test
    void duplicateMetadataKeyIsRefused() throws IOException {
        byte[] b = RawGguf.header(3, 0, 2).kvString("general.name", "a").kvString("general.name", "b").bytes();
        assertRefused(b, "metadata key general.name appears twice");
    }

    @Test
    void badAlignmentIsRefused() throws IOException {
        assertRefused(RawGguf.header(3, 0, 1).kvUint32("general.alignment", 24).bytes(), "general.alignment = 24");
        assertRefused(RawGguf.header(3, 0, 1).kvUint32("general.alignment", 0).bytes(), "general.alignment = 0");
    }

    @Test
    void unknownTensorTypeNamesTheIdTheTensorAndWhatIsSupported() throws IOException {
        byte[] b = RawGguf.header(3, 1, 0).tensorInfo("blk.3.attn_q.weight", 16, 0, 256, 2).padTo(32).zeros(4096).bytes();
        ModelFormatException e = assertRefused(b, "tensor blk.3.attn_q.weight has unknown type 16 (IQ2_XXS)");
        assertTrue(e.getMessage().contains("Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS"), e.getMessage());
        byte[] c = RawGguf.header(3, 1, 0).tensorInfo("x", 99, 0, 4).padTo(32).zeros(16).bytes();
        assertRefused(c, "tensor x has unknown type 99 — Strata reads");
    }

    @Test
    void moreThanFourDimensionsAreRefused() throws IOException {
        byte[] b = RawGguf.header(3, 1, 0).tensorInfo("t", 0, 0, 1, 1, 1, 1, 1).padTo(32).zeros(4).bytes();
        assertRefused(b, "tensor t has 5 dimensions");
    }

    @Test
    void zeroDimensionsAreRefused() throws IOException {
        byte[] b = RawGguf.header(3, 1, 0).tensorInfo("t", 0, 0).padTo(32).zeros(4).bytes();
        assertRefused(b, "tensor t has 0 dimensions");
    }

    @Test
    void zeroOrNegativeSizesAreRefused() throws IOException {
        assertRefused(RawGguf.header(3, 1, 0).tensorInfo("t", 0, 0, 4, 0).padTo(32).bytes(),
                "tensor t has dimension 1 of size 0");
        assertRefused(RawGguf.header(3, 1, 0).tensorInfo("t", 0, 0, -4).padTo(32).bytes(),
                "tensor t has dimension 0 of size 18446744073709551612");
    }

    @Test
    void overflowingShapeIsRefused() throws IOException {
        assertRefused(RawGguf.header(3, 1, 0).tensorInfo("t", 0, 0, 1L << 32, 1L << 32).padTo(32).bytes(),
                "more than 2^63 elements");
        assertRefused(RawGguf.header(3, 1, 0).tensorInfo("t", 0, 0, 1L << 62).padTo(32).bytes(),
                "more than 2^63 bytes");
    }

    @Test
    void partialBlockIsRefused() throws IOException {
        byte[] b = RawGguf.header(3, 1, 0).tensorInfo("q", TensorEncoding.Q8_0.ggmlType(), 0, 48, 2)
                .padTo(32).zeros(200).bytes();
        assertRefused(b, "tensor q is Q8_0 with rows of 48 elements, not a whole number of 32-element blocks");
    }

    @Test
    void tensorDataPastTheEndIsRefused() throws IOException {
        byte[] full = minimal(3, 32);
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 1);
        assertRefused(cut, "tensor w (32 bytes at data offset 0", "runs past the end of the file");
        byte[] far = RawGguf.header(3, 1, 0).tensorInfo("w", 0, Long.MAX_VALUE - 31, 4).padTo(32).zeros(16).bytes();
        assertRefused(far, "tensor w (16 bytes at data offset " + (Long.MAX_VALUE - 31), "runs past the end");
    }

    @Test
    void misalignedTensorOffsetIsRefused() throws IOException {
        byte[] b = RawGguf.header(3, 1, 0).tensorInfo("w", 0, 4, 4).padTo(32).zeros(64).bytes();
        assertRefused(b, "tensor w starts at data offset 4, not a multiple of the alignment 32");
    }

    @Test
    void duplicateTensorNameIsRefused() throws IOException {
        byte[] b = RawGguf.header(3, 2, 0).tensorInfo("w", 0, 0, 4).tensorInfo("w", 0, 32, 4).padTo(32).zeros(64).bytes();
        assertRefused(b, "tensor w appears twice");
    }

    @Test
    void missingFileAndFolderAreRefused() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufFile.open(dir.resolve("nope.gguf")));
        assertTrue(e.getMessage().contains("nope.gguf: no such file"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> GgufFile.open(dir));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
    }

    // ---- helpers ----

    /** A valid file: one key, one F32 tensor "w" of shape [4, 2]. */
    private static byte[] minimal(int version, int alignment) {
        RawGguf r = RawGguf.header(version, 1, 1).kvString("general.architecture", "llama")
                .tensorInfo("w", 0, 0, 4, 2).padTo(alignment);
        ByteBuffer data = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) {
            data.putFloat(i * 0.5f);
        }
        return r.raw(data.array()).bytes();
    }

    private GgufFile open(byte[] bytes) throws IOException {
        Path f = dir.resolve("case.gguf");
        Files.write(f, bytes);
        return GgufFile.open(f);
    }

    private ModelFormatException assertRefused(byte[] bytes, String... fragments) throws IOException {
        Path f = dir.resolve("bad.gguf");
        Files.write(f, bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufFile.open(f).close());
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "expected \"" + fragment + "\" in: " + e.getMessage());
        }
        assertFalse(e.getMessage().contains("null"), e.getMessage());
        return e;
    }

    private static void assertShape(GgufFile f, String name, long... shape) {
        assertArrayEquals(shape, f.tensor(name).shape(), name);
    }
}
