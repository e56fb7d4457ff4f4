package io.strata.model.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a safetensors file deterministically: header keys sorted, tensor bytes in the same
 * sorted order, no timestamps, so the same tensors always give the same bytes. Tensor data is
 * streamed from {@link Source}s one at a time (memory stays bounded whatever the model size)
 * into a temporary file that is renamed over the target only when complete.
 */
public final class SafetensorsWriter {
    /** Produces one tensor's bytes (row-major, little-endian) on demand. */
    @FunctionalInterface
    public interface Source {
        /** Writes exactly the tensor's byte size to {@code channel}. */
        void writeTo(WritableByteChannel channel) throws IOException;
    }

    private record Pending(SafetensorsDtype dtype, long[] shape, long bytes, Source source) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final TreeMap<String, String> metadata = new TreeMap<>();
    private final TreeMap<String, Pending> tensors = new TreeMap<>();

    public SafetensorsWriter putMetadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /**
     * Adds a tensor.
     *
     * @param shape PyTorch order (outermost first), e.g. {@code [out, in]} for a linear layer's weight
     */
    public SafetensorsWriter addTensor(String name, SafetensorsDtype dtype, long[] shape, Source source) {
        if (name.equals("__metadata__")) {
            throw new IllegalArgumentException("__metadata__ is reserved in safetensors headers");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor " + name + " was already added");
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + name + " has a negative dimension "
                        + Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, d);
        }
        tensors.put(name, new Pending(dtype, shape.clone(),
                Math.multiplyExact(elements, (long) dtype.bytesPerElement()), source));
        return this;
    }

    /** Adds a tensor whose bytes are already in memory (or mapped). */
    public SafetensorsWriter addTensor(String name, SafetensorsDtype dtype, long[] shape, MemorySegment bytes) {
        return addTensor(name, dtype, shape, ch -> {
            ByteBuffer b = bytes.asByteBuffer();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
    }

    /** Bytes of tensor data added so far (the file adds the header). */
    public long dataBytes() {
        long sum = 0;
        for (Pending p : tensors.values()) {
            sum += p.bytes;
        }
        return sum;
    }

    /**
     * Writes the file and returns its size in bytes. Nothing is left at {@code file} (nor
     * beside it) when a source fails or writes the wrong number of bytes.
     */
    public long write(Path file) throws IOException {
        byte[] header = header();
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        boolean done = false;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            head.putLong(header.length).put(header).flip();
            while (head.hasRemaining()) {
                ch.write(head);
            }
            for (Map.Entry<String, Pending> e : tensors.entrySet()) {
                CountingChannel counted = new CountingChannel(ch);
                e.getValue().source.writeTo(counted);
                if (counted.count != e.getValue().bytes) {
                    throw new IllegalStateException("tensor " + e.getKey() + " should be " + e.getValue().bytes
                            + " bytes but its source wrote " + counted.count);
                }
            }
            ch.force(false);
            long size = ch.size();
            readableByAll(tmp);
            done = true;
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return size;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Temporary files are created owner-only; the finished file should read like any other. */
    private static void readableByAll(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the default ACL already lets others read
        }
    }

    /** The JSON header, padded with spaces so the tensor data starts 8-byte aligned, as safetensors does. */
    private byte[] header() throws IOException {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        TreeMap<String, ObjectNode> sorted = new TreeMap<>();
        if (!metadata.isEmpty()) {
            ObjectNode m = JsonNodeFactory.instance.objectNode();
            metadata.forEach(m::put);
            sorted.put("__metadata__", m);
        }
        long offset = 0;
        for (Map.Entry<String, Pending> e : tensors.entrySet()) {
            Pending p = e.getValue();
            ObjectNode t = JsonNodeFactory.instance.objectNode();
            t.put("dtype", p.dtype.name());
            ArrayNode shape = t.putArray("shape");
            for (long d : p.shape) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + p.bytes);
            offset += p.bytes;
            sorted.put(e.getKey(), t);
        }
        sorted.forEach(root::set);
        byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Counts what a source writes, so a wrong-sized tensor is caught instead of shifting every later one. */
    private static final class CountingChannel implements WritableByteChannel {
        private final WritableByteChannel target;
        long count;

        CountingChannel(WritableByteChannel target) {
            this.target = target;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = target.write(src);
            count += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return target.isOpen();
        }

        @Override
        public void close() {
            // the file channel belongs to the writer
        }
    }
}
