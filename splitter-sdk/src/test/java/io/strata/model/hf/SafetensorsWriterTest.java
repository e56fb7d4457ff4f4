package io.strata.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    private static MemorySegment bytes(int n, int salt) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + salt);
        }
        return MemorySegment.ofArray(b);
    }

    private static SafetensorsWriter sample() {
        return new SafetensorsWriter()
                .putMetadata("format", "pt")
                .addTensor("b.weight", SafetensorsDtype.F16, new long[] {3, 5}, bytes(30, 1))
                .addTensor("a.weight", SafetensorsDtype.F32, new long[] {2, 3}, bytes(24, 2))
                .addTensor("c.bias", SafetensorsDtype.BF16, new long[] {7}, bytes(14, 3))
                .addTensor("empty", SafetensorsDtype.F32, new long[] {0, 4}, bytes(0, 0));
    }

    @Test
    void writtenTensorsReadBackWithTheirDtypeShapeAndBytes() throws IOException {
        Path f = dir.resolve("m.safetensors");
        long size = sample().write(f);
        assertEquals(Files.size(f), size);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertEquals(List.of("a.weight", "b.weight", "c.bias", "empty"), new ArrayList<>(st.tensors().keySet()));
            SafetensorsTensor b = st.tensor("b.weight");
            assertEquals(SafetensorsDtype.F16, b.dtype());
            assertArrayEquals(new long[] {3, 5}, b.shape());
            assertArrayEquals(new long[] {5, 3}, b.ggmlShape());
            assertArrayEquals(bytes(30, 1).toArray(ValueLayout.JAVA_BYTE), b.data().toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(bytes(24, 2).toArray(ValueLayout.JAVA_BYTE),
                    st.tensor("a.weight").data().toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(bytes(14, 3).toArray(ValueLayout.JAVA_BYTE),
                    st.tensor("c.bias").data().toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, st.tensor("empty").data().byteSize());
            assertTrue(st.tensor("a.weight").data().isReadOnly(), "tensors are views of a read-only mapping");
        }
    }

    @Test
    void sameTensorsGiveTheSameBytesWhateverTheOrderAdded() throws IOException {
        Path one = dir.resolve("one.safetensors");
        Path two = dir.resolve("two.safetensors");
        sample().write(one);
        new SafetensorsWriter()
                .addTensor("empty", SafetensorsDtype.F32, new long[] {0, 4}, bytes(0, 0))
                .addTensor("c.bias", SafetensorsDtype.BF16, new long[] {7}, bytes(14, 3))
                .addTensor("a.weight", SafetensorsDtype.F32, new long[] {2, 3}, bytes(24, 2))
                .addTensor("b.weight", SafetensorsDtype.F16, new long[] {3, 5}, bytes(30, 1))
                .putMetadata("format", "pt")
                .write(two);
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));
    }

    @Test
    void headerKeysAreSortedAndDataStartsEightByteAligned() throws IOException {
        Path f = dir.resolve("m.safetensors");
        sample().write(f);
        byte[] all = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8);
        JsonNode header = new ObjectMapper().readTree(new String(all, 8, (int) n));
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        assertEquals(List.of("__metadata__", "a.weight", "b.weight", "c.bias", "empty"), keys);
    }

    @Test
    void aFailingSourceLeavesNoFileBehind() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafetensorsWriter w = sample().addTensor("d", SafetensorsDtype.F32, new long[] {4}, ch -> {
            throw new IOException("disk on fire");
        });
        assertThrows(IOException.class, () -> w.write(f));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "neither the target nor the temporary file remains");
        }
    }

    @Test
    void aSourceWritingTheWrongSizeIsRefusedAndLeavesNoFile() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Files.writeString(f, "previous");
        SafetensorsWriter w = new SafetensorsWriter().addTensor("short", SafetensorsDtype.F32, new long[] {4},
                ch -> ch.write(ByteBuffer.allocate(12)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.write(f));
        assertTrue(e.getMessage().contains("short"), e.getMessage());
        assertEquals("previous", Files.readString(f), "the old file is untouched");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(1, left.count());
        }
    }

    @Test
    void duplicateAndReservedNamesAreRefused() {
        SafetensorsWriter w = sample();
        assertThrows(IllegalArgumentException.class,
                () -> w.addTensor("a.weight", SafetensorsDtype.F32, new long[] {1}, bytes(4, 0)));
        assertThrows(IllegalArgumentException.class,
                () -> w.addTensor("__metadata__", SafetensorsDtype.F32, new long[] {1}, bytes(4, 0)));
        assertFalse(w.dataBytes() == 0);
    }
}
