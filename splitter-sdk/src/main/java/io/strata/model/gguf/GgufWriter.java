package io.strata.model.gguf;

import io.strata.model.TensorEncoding;
import io.strata.model.WeightTensor;
import io.strata.model.gguf.GgufValue.GgufArray;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a GGUF v3 file: metadata in insertion order, then tensors in insertion order, each
 * aligned and followed by zero padding. The bytes depend only on what was added (no
 * timestamps), so the same inputs give the same MD5 — which is how split reuse is detected.
 *
 * <p>Tensor bytes are streamed from their {@link TensorSource} through a fixed buffer into the
 * file and both digests, so memory use does not grow with the model. The file appears under
 * its name only when complete: it is written to {@code .<name>.partial} beside the target and
 * renamed atomically; on failure the partial file is deleted.
 */
public final class GgufWriter {
    public static final int VERSION = 3;
    private static final int BUFFER_BYTES = 1 << 20;

    /** Writes one tensor's bytes, exactly as many as its encoding and shape need. */
    @FunctionalInterface
    public interface TensorSource {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    /** What {@link #write(Path)} produced: the file, its size and its digests (lower-case hex). */
    public record WrittenFile(Path path, long bytes, String md5Hex, String sha256Hex) {
    }

    private record PendingTensor(String name, TensorEncoding encoding, long[] shape, long byteSize, TensorSource source) {
    }

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Map<String, Boolean> tensorNames = new LinkedHashMap<>();

    public GgufWriter() {
    }

    /**
     * Sets metadata {@code key}; a new key goes last, a replaced key keeps its place.
     *
     * @throws IllegalArgumentException when a value is out of its type's range, or
     *                                  {@code general.alignment} is not a power-of-two integer
     */
    public void put(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("GGUF metadata keys must not be empty");
        }
        checkRange(key, value.type(), value.value(), 0);
        if (key.equals(GgufFile.ALIGNMENT_KEY)) {
            alignmentOf(value);
        }
        metadata.put(key, value);
    }

    /** Every metadata entry put so far, in order; unmodifiable. */
    public Map<String, GgufValue> metadata() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    /**
     * Adds a tensor whose bytes {@code source} will write when the file is written.
     *
     * @throws IllegalArgumentException for a duplicate or empty name, or a shape that is not
     *                                  1 to 4 positive dimensions of whole blocks
     */
    public void addTensor(String name, TensorEncoding encoding, long[] shape, TensorSource source) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(source, "source");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("tensor names must not be empty");
        }
        if (tensorNames.containsKey(name)) {
            throw new IllegalArgumentException("tensor " + name + " was already added");
        }
        if (shape.length < 1 || shape.length > GgufFile.MAX_DIMS) {
            throw new IllegalArgumentException("tensor " + name + " has " + shape.length
                    + " dimensions; GGUF tensors have 1 to " + GgufFile.MAX_DIMS);
        }
        long elements = 1;
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor " + name + " has a dimension of size " + d);
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (shape[0] % encoding.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + " is " + encoding + " with rows of " + shape[0]
                    + " elements, not a whole number of " + encoding.blockSize() + "-element blocks");
        }
        tensorNames.put(name, Boolean.TRUE);
        tensors.add(new PendingTensor(name, encoding, shape.clone(), encoding.byteSize(elements), source));
    }

    /** Adds a copy of {@code tensor}'s bytes under its own name, encoding and shape. */
    public void addTensor(WeightTensor tensor) {
        MemorySegment data = tensor.data();
        addTensor(tensor.name(), tensor.encoding(), tensor.shape(), out -> copy(data, out));
    }

    /**
     * Writes the file to {@code target} (replacing it), hashing while writing.
     *
     * @throws IOException when writing fails or a source fails; no file is left behind
     */
    public WrittenFile write(Path target) throws IOException {
        Path name = target.getFileName();
        if (name == null) {
            throw new IllegalArgumentException("cannot write a GGUF file to " + target);
        }
        Path partial = target.resolveSibling("." + name + ".partial");
        int alignment = metadata.containsKey(GgufFile.ALIGNMENT_KEY)
                ? alignmentOf(metadata.get(GgufFile.ALIGNMENT_KEY)) : GgufFile.DEFAULT_ALIGNMENT;
        try {
            DigestingChannel out;
            try (FileChannel file = FileChannel.open(partial, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                out = new DigestingChannel(file);
                writeHeader(out, alignment);
                for (PendingTensor t : tensors) {
                    writeTensor(out, t);
                    out.pad(alignment);
                }
                out.flush();
                file.force(true);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new WrittenFile(target, out.count, out.md5Hex(), out.sha256Hex());
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void writeHeader(DigestingChannel out, int alignment) throws IOException {
        out.i32(0x46554747);
        out.i32(VERSION);
        out.i64(tensors.size());
        out.i64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            out.string(e.getKey());
            out.i32(e.getValue().type().id());
            writeValue(out, e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            out.string(t.name());
            out.i32(t.shape().length);
            for (long d : t.shape()) {
                out.i64(d);
            }
            out.i32(t.encoding().ggmlType());
            out.i64(offset);
            offset = GgufFile.alignUp(offset + t.byteSize(), alignment);
        }
        out.pad(alignment);
    }

    private static void writeValue(DigestingChannel out, GgufType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.u8((Integer) v);
            case UINT16, INT16 -> out.u16((Integer) v);
            case INT32 -> out.i32((Integer) v);
            case UINT32 -> out.i32((int) (long) (Long) v);
            case UINT64, INT64 -> out.i64((Long) v);
            case FLOAT32 -> out.i32(Float.floatToRawIntBits((Float) v));
            case FLOAT64 -> out.i64(Double.doubleToRawLongBits((Double) v));
            case BOOL -> out.u8((Boolean) v ? 1 : 0);
            case STRING -> out.string((String) v);
            case ARRAY -> writeArray(out, (GgufArray) v);
        }
    }

    private static void writeArray(DigestingChannel out, GgufArray a) throws IOException {
        out.i32(a.elementType().id());
        int n = a.length();
        out.i64(n);
        switch (a.values()) {
            case int[] ints -> {
                for (int x : ints) {
                    writeValue(out, a.elementType(), x);
                }
            }
            case long[] longs -> {
                for (long x : longs) {
                    writeValue(out, a.elementType(), x);
                }
            }
            case float[] floats -> {
                for (float x : floats) {
                    out.i32(Float.floatToRawIntBits(x));
                }
            }
            case double[] doubles -> {
                for (double x : doubles) {
                    out.i64(Double.doubleToRawLongBits(x));
                }
            }
            case boolean[] bools -> {
                for (boolean x : bools) {
                    out.u8(x ? 1 : 0);
                }
            }
            case String[] strings -> {
                for (String x : strings) {
                    out.string(x);
                }
            }
            case GgufArray[] arrays -> {
                for (GgufArray x : arrays) {
                    writeArray(out, x);
                }
            }
            default -> throw new IllegalStateException("unexpected array storage " + a.values().getClass());
        }
    }

    private static void writeTensor(DigestingChannel out, PendingTensor t) throws IOException {
        BoundedChannel bounded = new BoundedChannel(out, t);
        try {
            t.source().writeTo(bounded);
        } finally {
            bounded.open = false;
        }
        if (bounded.written != t.byteSize()) {
            throw new IOException("tensor " + t.name() + " " + java.util.Arrays.toString(t.shape()) + " in "
                    + t.encoding() + " needs " + t.byteSize() + " bytes but its source wrote " + bounded.written);
        }
    }

    private static void copy(MemorySegment data, WritableByteChannel out) throws IOException {
        long size = data.byteSize();
        for (long at = 0; at < size; at += BUFFER_BYTES) {
            ByteBuffer chunk = data.asSlice(at, Math.min(BUFFER_BYTES, size - at)).asByteBuffer();
            while (chunk.hasRemaining()) {
                out.write(chunk);
            }
        }
    }

    private static int alignmentOf(GgufValue value) {
        Object v = value.value();
        long a = v instanceof Integer i ? i : v instanceof Long l ? l : -1;
        if (a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
            throw new IllegalArgumentException(GgufFile.ALIGNMENT_KEY + " must be a power-of-two integer no larger than"
                    + " 2^30, got " + v);
        }
        return (int) a;
    }

    private static void checkRange(String key, GgufType type, Object v, int depth) {
        switch (type) {
            case UINT8 -> checkInt(key, type, (Integer) v, 0, 0xFF);
            case INT8 -> checkInt(key, type, (Integer) v, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case UINT16 -> checkInt(key, type, (Integer) v, 0, 0xFFFF);
            case INT16 -> checkInt(key, type, (Integer) v, Short.MIN_VALUE, Short.MAX_VALUE);
            case UINT32 -> checkInt(key, type, (Long) v, 0, 0xFFFF_FFFFL);
            case STRING -> checkInt(key, type, ((String) v).length(), 0, GgufCursor.MAX_STRING_BYTES);
            case ARRAY -> {
                GgufArray a = (GgufArray) v;
                if (a.length() > GgufCursor.MAX_ARRAY_LENGTH) {
                    throw new IllegalArgumentException("metadata " + key + " has " + a.length()
                            + " elements; GGUF readers (Strata's included) take at most " + GgufCursor.MAX_ARRAY_LENGTH);
                }
                if (depth >= GgufFile.MAX_ARRAY_NESTING) {
                    throw new IllegalArgumentException("metadata " + key + " nests arrays more than "
                            + GgufFile.MAX_ARRAY_NESTING + " deep");
                }
                switch (a.values()) {
                    case int[] ints -> {
                        for (int x : ints) {
                            checkRange(key, a.elementType(), x, depth);
                        }
                    }
                    case long[] longs -> {
                        for (long x : longs) {
                            checkRange(key, a.elementType(), x, depth);
                        }
                    }
                    case String[] strings -> {
                        for (String s : strings) {
                            Objects.requireNonNull(s, "null string in array " + key);
                            checkRange(key, GgufType.STRING, s, depth);
                        }
                    }
                    case GgufArray[] arrays -> {
                        for (GgufArray x : arrays) {
                            Objects.requireNonNull(x, "null array in array " + key);
                            checkRange(key, GgufType.ARRAY, x, depth + 1);
                        }
                    }
                    default -> {
                    }
                }
            }
            default -> {
            }
        }
    }

    private static void checkInt(String key, GgufType type, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("metadata " + key + ": " + v + " does not fit in " + type);
        }
    }

    /**
     * Buffers writes into the file and feeds every byte to MD5 and SHA-256 on its way out,
     * so the digests cost no second read of a file that may be many gigabytes.
     */
    private static final class DigestingChannel implements WritableByteChannel {
        private static final byte[] ZEROS = new byte[4096];
        private final FileChannel file;
        // A heap buffer: the digests read its array directly (a direct buffer would be copied
        // into the digest in small pieces), and the one copy into the file costs less than that.
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final MessageDigest md5 = digest("MD5");
        private final MessageDigest sha256 = digest("SHA-256");
        long count;

        DigestingChannel(FileChannel file) {
            this.file = file;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            while (src.hasRemaining()) {
                if (!buffer.hasRemaining()) {
                    flush();
                }
                int take = Math.min(buffer.remaining(), src.remaining());
                ByteBuffer part = src.slice(src.position(), take);
                buffer.put(part);
                src.position(src.position() + take);
            }
            count += n;
            return n;
        }

        void u8(int v) throws IOException {
            ensure(1);
            buffer.put((byte) v);
            count += 1;
        }

        void u16(int v) throws IOException {
            ensure(2);
            buffer.putShort((short) v);
            count += 2;
        }

        void i32(int v) throws IOException {
            ensure(4);
            buffer.putInt(v);
            count += 4;
        }

        void i64(long v) throws IOException {
            ensure(8);
            buffer.putLong(v);
            count += 8;
        }

        void string(String s) throws IOException {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            i64(bytes.length);
            write(ByteBuffer.wrap(bytes));
        }

        void pad(int alignment) throws IOException {
            long padding = GgufFile.alignUp(count, alignment) - count;
            while (padding > 0) {
                int n = (int) Math.min(padding, ZEROS.length);
                write(ByteBuffer.wrap(ZEROS, 0, n));
                padding -= n;
            }
        }

        private void ensure(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
        }

        void flush() throws IOException {
            buffer.flip();
            md5.update(buffer.duplicate());
            sha256.update(buffer.duplicate());
            while (buffer.hasRemaining()) {
                file.write(buffer);
            }
            buffer.clear();
        }

        String md5Hex() {
            return HexFormat.of().formatHex(md5.digest());
        }

        String sha256Hex() {
            return HexFormat.of().formatHex(sha256.digest());
        }

        @Override
        public boolean isOpen() {
            return file.isOpen();
        }

        @Override
        public void close() {
            // The writer owns the file; a tensor source closing its channel must not end the file early.
        }

        private static MessageDigest digest(String algorithm) {
            try {
                return MessageDigest.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(algorithm + " is missing from this JDK", e);
            }
        }
    }

    /** What a tensor source sees: refuses bytes beyond the tensor's size as soon as they arrive. */
    private static final class BoundedChannel implements WritableByteChannel {
        private final DigestingChannel out;
        private final PendingTensor tensor;
        long written;
        boolean open = true;

        BoundedChannel(DigestingChannel out, PendingTensor tensor) {
            this.out = out;
            this.tensor = tensor;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
            if (src.remaining() > tensor.byteSize() - written) {
                throw new IOException("tensor " + tensor.name() + " " + java.util.Arrays.toString(tensor.shape())
                        + " in " + tensor.encoding() + " needs " + tensor.byteSize()
                        + " bytes but its source wrote more");
            }
            int n = out.write(src);
            written += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
