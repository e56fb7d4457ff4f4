package io.strata.model.gguf;

import io.strata.model.ModelFormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Little-endian reads over a mapped GGUF file, each checked against the file's size first, so
 * a truncated or corrupt header becomes a {@link ModelFormatException} naming the offset
 * rather than an IndexOutOfBoundsException from the memory segment.
 */
final class GgufCursor {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Caps on single strings and arrays, far above any real file's (chat templates are kilobytes,
     * vocabularies a few hundred thousand entries), so a corrupt length in a multi-gigabyte file
     * is refused instead of exhausting the heap.
     */
    static final long MAX_STRING_BYTES = 1L << 26;
    static final long MAX_ARRAY_LENGTH = 1L << 24;

    private final Path file;
    private final MemorySegment segment;
    private final long size;
    private long position;

    GgufCursor(Path file, MemorySegment segment) {
        this.file = file;
        this.segment = segment;
        this.size = segment.byteSize();
    }

    long position() {
        return position;
    }

    long remaining() {
        return size - position;
    }

    long size() {
        return size;
    }

    /** A format error at the current position. */
    ModelFormatException error(String problem) {
        return error(position, problem);
    }

    ModelFormatException error(long offset, String problem) {
        return new ModelFormatException(file, "offset " + offset + ": " + problem);
    }

    private void need(long bytes, String what) {
        if (bytes > remaining()) {
            throw error("file ends in the middle of " + what + " (needs " + bytes + " bytes, "
                    + remaining() + " left) — the file is truncated");
        }
    }

    int u8(String what) {
        need(1, what);
        return segment.get(ValueLayout.JAVA_BYTE, position++) & 0xFF;
    }

    int u16(String what) {
        need(2, what);
        int v = segment.get(U16, position) & 0xFFFF;
        position += 2;
        return v;
    }

    int i32(String what) {
        need(4, what);
        int v = segment.get(I32, position);
        position += 4;
        return v;
    }

    long u32(String what) {
        return i32(what) & 0xFFFF_FFFFL;
    }

    long i64(String what) {
        need(8, what);
        long v = segment.get(I64, position);
        position += 8;
        return v;
    }

    /**
     * A uint64 count or length that will size something: refused when even the smallest
     * encoding of that many items ({@code minItemBytes} each) could not fit in the bytes left,
     * so nothing is allocated for a corrupt count.
     */
    long count(String what, long minItemBytes) {
        long start = position;
        long n = i64(what);
        if (n < 0 || (minItemBytes > 0 && n > remaining() / minItemBytes)) {
            throw error(start, what + " is " + Long.toUnsignedString(n) + " but only " + remaining()
                    + " bytes follow — the file is truncated or corrupt");
        }
        return n;
    }

    String string(String what) {
        long start = position;
        long length = count(what + " length", 1);
        if (length > MAX_STRING_BYTES) {
            throw error(start, what + " is " + length + " bytes; no GGUF metadata string is longer than "
                    + MAX_STRING_BYTES + " — the file is corrupt");
        }
        byte[] bytes = segment.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE);
        position += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    void seek(long offset) {
        position = offset;
    }
}
