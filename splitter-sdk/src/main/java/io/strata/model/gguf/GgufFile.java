package io.strata.model.gguf;

import io.strata.model.ModelFormatException;
import io.strata.model.TensorEncoding;
import io.strata.model.WeightTensor;
import io.strata.model.gguf.GgufValue.GgufArray;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (versions 2 and 3, little-endian) mapped read-only. The header is parsed
 * straight from the mapping and checked entry by entry against the file's size; tensors
 * are slices of the mapping, so weights are never copied onto the heap. Closing unmaps the
 * file: tensors must not be used afterwards.
 */
public final class GgufFile implements AutoCloseable {
    /** "GGUF" read as a little-endian uint32. */
    private static final int MAGIC = 0x46554747;
    public static final int DEFAULT_ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";
    static final int MAX_DIMS = 4;
    /** Deeper nesting than any real file uses; the cap keeps a crafted file from exhausting the stack. */
    static final int MAX_ARRAY_NESTING = 8;
    static final String SUPPORTED_TYPES = "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS";

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final GgufMetadata metadata;
    private final int alignment;
    private final List<GgufTensorInfo> tensorInfos;
    private final long dataOffset;
    private final Map<String, WeightTensor> tensors;
    private boolean closed;

    private GgufFile(Path path, Arena arena, MemorySegment mapping) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        GgufCursor in = new GgufCursor(path, mapping);

        this.version = readPreamble(in);
        long tensorCount = in.count("tensor count", 32);
        long kvCount = in.count("metadata entry count", 13);
        this.metadata = new GgufMetadata(path, readMetadata(in, kvCount));
        this.alignment = alignmentOf(metadata);
        this.tensorInfos = readTensorInfos(in, tensorCount);
        this.dataOffset = alignUp(in.position(), alignment);
        this.tensors = sliceTensors(in);
    }

    /**
     * Maps and parses {@code file}.
     *
     * @throws ModelFormatException when the file cannot be read or is not a valid GGUF v2/v3 file
     */
    public static GgufFile open(Path file) {
        if (Files.isDirectory(file)) {
            throw new ModelFormatException(file, "is a folder, not a GGUF file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new GgufFile(file, arena, mapping);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new ModelFormatException(file, "no such file", e);
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(file, "cannot read the file: " + e, e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** 2 or 3. */
    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Alignment of tensor data in bytes: {@code general.alignment}, or 32. */
    public int alignment() {
        return alignment;
    }

    /** The tensor table in file order; unmodifiable. */
    public List<GgufTensorInfo> tensorInfos() {
        return tensorInfos;
    }

    /** Absolute file offset where tensor data starts; tensor offsets are relative to it. */
    public long dataOffset() {
        return dataOffset;
    }

    /** Size of the mapped file in bytes. */
    public long fileSize() {
        return mapping.byteSize();
    }

    /** The tensor called {@code name}, a zero-copy slice of the mapping. */
    public WeightTensor tensor(String name) {
        WeightTensor t = tensors.get(name);
        if (t == null) {
            throw new ModelFormatException(path, "has no tensor " + name);
        }
        return t;
    }

    /** Every tensor in file order; unmodifiable. */
    public Map<String, WeightTensor> tensors() {
        return tensors;
    }

    /** Unmaps the file. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    private static int readPreamble(GgufCursor in) {
        if (in.size() < 4) {
            throw in.error(0, "file is " + in.size() + " bytes long, too short to be a GGUF file");
        }
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw in.error(0, "not a GGUF file (it starts with bytes " + hex(magic) + ", GGUF files start with \"GGUF\")");
        }
        int version = in.i32("version");
        if (version == 2 || version == 3) {
            return version;
        }
        if (version == 1) {
            throw in.error(4, "GGUF version 1 is not supported (Strata reads versions 2 and 3) — "
                    + "re-convert the model with a current llama.cpp");
        }
        int swapped = Integer.reverseBytes(version);
        if (swapped >= 1 && swapped <= 3) {
            throw in.error(4, "this is a big-endian GGUF file; Strata reads little-endian files only");
        }
        throw in.error(4, "unsupported GGUF version " + Integer.toUnsignedString(version)
                + " (Strata reads versions 2 and 3)");
    }

    private static Map<String, GgufValue> readMetadata(GgufCursor in, long count) {
        Map<String, GgufValue> entries = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            long at = in.position();
            String key = in.string("key of metadata entry #" + i);
            if (entries.containsKey(key)) {
                throw in.error(at, "metadata key " + key + " appears twice");
            }
            GgufType type = readType(in, "metadata " + key);
            entries.put(key, new GgufValue(type, readValue(in, type, key, 0)));
        }
        return entries;
    }

    private static GgufType readType(GgufCursor in, String what) {
        long at = in.position();
        int id = in.i32("value type of " + what);
        GgufType type = GgufType.ofId(id);
        if (type == null) {
            throw in.error(at, what + " has unknown value type " + Integer.toUnsignedString(id)
                    + " (GGUF value types are 0 to 12)");
        }
        return type;
    }

    private static Object readValue(GgufCursor in, GgufType type, String key, int depth) {
        String what = "metadata " + key;
        return switch (type) {
            case UINT8 -> in.u8(what);
            case INT8 -> (int) (byte) in.u8(what);
            case UINT16 -> in.u16(what);
            case INT16 -> (int) (short) in.u16(what);
            case UINT32 -> in.u32(what);
            case INT32 -> in.i32(what);
            case UINT64, INT64 -> in.i64(what);
            case FLOAT32 -> Float.intBitsToFloat(in.i32(what));
            case FLOAT64 -> Double.longBitsToDouble(in.i64(what));
            case BOOL -> readBool(in, what);
            case STRING -> in.string(what);
            case ARRAY -> readArray(in, key, depth);
        };
    }

    private static boolean readBool(GgufCursor in, String what) {
        long at = in.position();
        int b = in.u8(what);
        if (b > 1) {
            throw in.error(at, what + " is a bool stored as " + b + "; GGUF bools are 0 or 1");
        }
        return b == 1;
    }

    private static GgufArray readArray(GgufCursor in, String key, int depth) {
        if (depth >= MAX_ARRAY_NESTING) {
            throw in.error("metadata " + key + " nests arrays more than " + MAX_ARRAY_NESTING + " deep");
        }
        GgufType element = readType(in, "elements of metadata " + key);
        long minBytes = switch (element) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> element.fixedSize();
        };
        long at = in.position();
        long length = in.count("length of array " + key, minBytes);
        if (length > GgufCursor.MAX_ARRAY_LENGTH) {
            throw in.error(at, "array " + key + " has " + length + " elements; no GGUF metadata array is longer than "
                    + GgufCursor.MAX_ARRAY_LENGTH + " — the file is corrupt");
        }
        int n = (int) length;
        String what = "array " + key;
        Object values = switch (element) {
            case UINT8, INT8, UINT16, INT16, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (Integer) readValue(in, element, key, depth);
                }
                yield a;
            }
            case UINT32, UINT64, INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (Long) readValue(in, element, key, depth);
                }
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Float.intBitsToFloat(in.i32(what));
                }
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Double.longBitsToDouble(in.i64(what));
                }
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readBool(in, what);
                }
                yield a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.string(what);
                }
                yield a;
            }
            case ARRAY -> {
                GgufArray[] a = new GgufArray[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readArray(in, key, depth + 1);
                }
                yield a;
            }
        };
        return new GgufArray(element, values);
    }

    private int alignmentOf(GgufMetadata md) {
        if (!md.has(ALIGNMENT_KEY)) {
            return DEFAULT_ALIGNMENT;
        }
        Object v = md.get(ALIGNMENT_KEY).orElseThrow().value();
        long a = v instanceof Integer i ? i : v instanceof Long l ? l : -1;
        if (a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
            throw new ModelFormatException(path, "metadata " + ALIGNMENT_KEY + " = " + v
                    + " is not a power-of-two integer no larger than 2^30");
        }
        return (int) a;
    }

    private static List<GgufTensorInfo> readTensorInfos(GgufCursor in, long count) {
        List<GgufTensorInfo> infos = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            long at = in.position();
            String name = in.string("name of tensor #" + i);
            if (seen.put(name, Boolean.TRUE) != null) {
                throw in.error(at, "tensor " + name + " appears twice");
            }
            long dimsAt = in.position();
            long dims = in.u32("dimension count of tensor " + name);
            if (dims < 1 || dims > MAX_DIMS) {
                throw in.error(dimsAt, "tensor " + name + " has " + dims + " dimensions; GGUF tensors have 1 to "
                        + MAX_DIMS);
            }
            long[] shape = new long[(int) dims];
            long elements = 1;
            for (int d = 0; d < dims; d++) {
                long dimAt = in.position();
                shape[d] = in.i64("shape of tensor " + name);
                if (shape[d] <= 0) {
                    throw in.error(dimAt, "tensor " + name + " has dimension " + d + " of size "
                            + Long.toUnsignedString(shape[d]) + "; sizes must be positive");
                }
                try {
                    elements = Math.multiplyExact(elements, shape[d]);
                } catch (ArithmeticException e) {
                    throw in.error(dimAt, "tensor " + name + " has more than 2^63 elements");
                }
            }
            long typeAt = in.position();
            int typeId = in.i32("type of tensor " + name);
            TensorEncoding encoding = TensorEncoding.ofGgmlType(typeId);
            if (encoding == null) {
                throw in.error(typeAt, "tensor " + name + " has unknown type " + Integer.toUnsignedString(typeId)
                        + ggmlTypeName(typeId) + " — Strata reads " + SUPPORTED_TYPES);
            }
            if (shape[0] % encoding.blockSize() != 0) {
                throw in.error(dimsAt, "tensor " + name + " is " + encoding + " with rows of " + shape[0]
                        + " elements, not a whole number of " + encoding.blockSize() + "-element blocks");
            }
            long byteSize;
            try {
                byteSize = encoding.byteSize(elements);
            } catch (ArithmeticException e) {
                throw in.error(dimsAt, "tensor " + name + " would need more than 2^63 bytes");
            }
            long offset = in.i64("data offset of tensor " + name);
            infos.add(new GgufTensorInfo(name, encoding, shape, offset, byteSize));
        }
        return Collections.unmodifiableList(infos);
    }

    private Map<String, WeightTensor> sliceTensors(GgufCursor in) {
        long size = mapping.byteSize();
        long dataBytes = size - dataOffset;
        Map<String, WeightTensor> out = new LinkedHashMap<>();
        for (GgufTensorInfo info : tensorInfos) {
            long offset = info.offset();
            if (offset < 0 || offset % alignment != 0) {
                throw new ModelFormatException(path, "tensor " + info.name() + " starts at data offset "
                        + Long.toUnsignedString(offset) + ", not a multiple of the alignment " + alignment);
            }
            if (dataBytes < 0 || offset > dataBytes || info.byteSize() > dataBytes - offset) {
                throw new ModelFormatException(path, "tensor " + info.name() + " (" + info.byteSize()
                        + " bytes at data offset " + offset + ", data starting at file offset " + dataOffset
                        + ") runs past the end of the file (" + size + " bytes) — the file is truncated");
            }
            MemorySegment slice = mapping.asSlice(dataOffset + offset, info.byteSize());
            out.put(info.name(), new WeightTensor(info.name(), info.encoding(), info.shape(), slice));
        }
        return Collections.unmodifiableMap(out);
    }

    static long alignUp(long position, long alignment) {
        long rem = position % alignment;
        return rem == 0 ? position : position + (alignment - rem);
    }

    private static String hex(int littleEndian) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02x", (littleEndian >>> (8 * i)) & 0xFF));
        }
        return sb.toString();
    }

    /** GGML's names for the types Strata does not read, so the error says what the file holds. */
    private static final String[] GGML_TYPE_NAMES = {
        "F32", "F16", "Q4_0", "Q4_1", null, null, "Q5_0", "Q5_1", "Q8_0", "Q8_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",
        "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M",
        "BF16", null, null, null, "TQ1_0", "TQ2_0", null, null, null, "MXFP4"
    };

    private static String ggmlTypeName(int id) {
        return id >= 0 && id < GGML_TYPE_NAMES.length && GGML_TYPE_NAMES[id] != null
                ? " (" + GGML_TYPE_NAMES[id] + ")" : "";
    }
}
