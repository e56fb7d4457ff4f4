package io.strata.model.hf;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.strata.model.ModelFormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file, memory-mapped read-only: an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then the tensor bytes. Tensors are
 * zero-copy slices of the mapping, valid until {@link #close()}.
 *
 * <p>Everything in the header is checked before a tensor is handed out, so a damaged file fails
 * here with one {@link ModelFormatException} rather than later with an out-of-bounds read.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Real headers are kilobytes to a few megabytes; more means a damaged length field. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path path;
    private final Arena arena;
    private final Map<String, String> metadata;
    private final Map<String, SafetensorsTensor> tensors;

    private SafetensorsFile(Path path, Arena arena, Map<String, String> metadata,
                            Map<String, SafetensorsTensor> tensors) {
        this.path = path;
        this.arena = arena;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /**
     * Maps and validates {@code file}.
     *
     * @throws ModelFormatException when the file is missing, unreadable or not valid safetensors
     */
    public static SafetensorsFile open(Path file) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment whole;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            SafetensorsFile f = parse(file, arena, whole);
            arena = null; // now owned by f
            return f;
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "no such file");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read the file: " + e.getMessage(), e);
        } finally {
            if (arena != null) {
                arena.close();
            }
        }
    }

    private static SafetensorsFile parse(Path file, Arena arena, MemorySegment whole) {
        long size = whole.byteSize();
        if (size < 8) {
            throw new ModelFormatException(file, "file of " + size
                    + " bytes is too short for a safetensors header length (8 bytes) — is it a safetensors file?");
        }
        long headerLen = whole.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw new ModelFormatException(file, "header length " + Long.toUnsignedString(headerLen)
                    + " is absurd (limit " + MAX_HEADER_BYTES + " bytes) — the file is damaged or not safetensors");
        }
        if (headerLen > size - 8) {
            throw new ModelFormatException(file, "header length " + headerLen + " runs past the end of the "
                    + size + "-byte file — the file is truncated");
        }
        byte[] headerBytes = whole.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = JSON.readTree(headerBytes);
        } catch (JacksonException e) {
            throw new ModelFormatException(file, "header is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelFormatException(file, "header cannot be parsed: " + e.getMessage());
        }
        if (header == null || !header.isObject()) {
            throw new ModelFormatException(file, "header must be a JSON object of tensors");
        }
        long dataStart = 8 + headerLen;
        MemorySegment data = whole.asSlice(dataStart);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(METADATA_KEY)) {
                readMetadata(file, e.getValue(), metadata);
            } else {
                entries.add(readEntry(file, e.getKey(), e.getValue(), data.byteSize()));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
        Entry previous = null;
        for (Entry e : entries) {
            if (previous != null && e.begin < previous.end) {
                throw new ModelFormatException(file, "tensors " + previous.name + " [" + previous.begin + ", "
                        + previous.end + ") and " + e.name + " [" + e.begin + ", " + e.end
                        + ") overlap — the header is damaged");
            }
            previous = e;
            tensors.put(e.name, new SafetensorsTensor(e.name, e.dtype, e.shape,
                    data.asSlice(e.begin, e.end - e.begin)));
        }
        return new SafetensorsFile(file, arena, Collections.unmodifiableMap(metadata),
                Collections.unmodifiableMap(tensors));
    }

    private record Entry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> into) {
        if (!node.isObject()) {
            throw new ModelFormatException(file, "header " + METADATA_KEY + " must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new ModelFormatException(file, "header " + METADATA_KEY + "." + e.getKey()
                        + " must be a string, got " + e.getValue().getNodeType());
            }
            into.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static Entry readEntry(Path file, String name, JsonNode node, long dataBytes) {
        if (!node.isObject()) {
            throw new ModelFormatException(file, "tensor " + name + ": header entry must be an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new ModelFormatException(file, "tensor " + name + " has no dtype string");
        }
        String dtypeName = dtypeNode.textValue();
        SafetensorsDtype dtype = SafetensorsDtype.ofHeaderName(dtypeName);
        if (dtype == null) {
            String what = SafetensorsDtype.OTHER_KNOWN.contains(dtypeName) ? "has dtype " : "has unknown dtype ";
            throw new ModelFormatException(file, "tensor " + name + " " + what + dtypeName
                    + " — Strata reads F32, F16 and BF16 (convert the checkpoint to one of them)");
        }
        long[] shape = longs(file, name, node.get("shape"), "shape", -1);
        long[] offsets = longs(file, name, node.get("data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new ModelFormatException(file, "tensor " + name + " has reversed data_offsets [" + begin + ", "
                    + end + "]");
        }
        if (end > dataBytes) {
            throw new ModelFormatException(file, "tensor " + name + " data_offsets [" + begin + ", " + end
                    + "] run past the " + dataBytes + " data bytes — the file is truncated");
        }
        long expected;
        try {
            long elements = 1;
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            expected = Math.multiplyExact(elements, (long) dtype.bytesPerElement());
        } catch (ArithmeticException e) {
            throw new ModelFormatException(file, "tensor " + name + " shape " + java.util.Arrays.toString(shape)
                    + " is too large");
        }
        if (end - begin != expected) {
            throw new ModelFormatException(file, "tensor " + name + " " + dtypeName + " "
                    + java.util.Arrays.toString(shape) + " needs " + expected + " bytes but data_offsets ["
                    + begin + ", " + end + "] hold " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** A JSON array of non-negative integers ({@code length} of them unless -1). */
    private static long[] longs(Path file, String tensor, JsonNode node, String field, int length) {
        if (node == null || !node.isArray()) {
            throw new ModelFormatException(file, "tensor " + tensor + " has no " + field + " array");
        }
        if (length >= 0 && node.size() != length) {
            throw new ModelFormatException(file, "tensor " + tensor + " " + field + " must have " + length
                    + " numbers, has " + node.size());
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new ModelFormatException(file, "tensor " + tensor + " " + field + "[" + i + "] = " + v
                        + " is not an integer");
            }
            out[i] = v.longValue();
            if (out[i] < 0) {
                throw new ModelFormatException(file, "tensor " + tensor + " " + field + "[" + i + "] = " + out[i]
                        + " is negative");
            }
        }
        return out;
    }

    public Path path() {
        return path;
    }

    /** The header's {@code __metadata__} strings; empty when absent. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Every tensor by name, in the order of their bytes in the file; unmodifiable. */
    public Map<String, SafetensorsTensor> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}, or an error naming the file when it has none. */
    public SafetensorsTensor tensor(String name) {
        SafetensorsTensor t = tensors.get(name);
        if (t == null) {
            throw new ModelFormatException(path, "has no tensor " + name);
        }
        return t;
    }

    /** Unmaps the file; its tensors must not be used afterwards. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
