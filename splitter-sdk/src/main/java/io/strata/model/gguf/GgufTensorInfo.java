package io.strata.model.gguf;

import io.strata.model.TensorEncoding;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a GGUF file's tensor table.
 *
 * @param name     the tensor's name as stored
 * @param encoding its element encoding
 * @param shape    dimensions in GGML order (innermost first); a copy is kept and returned
 * @param offset   where its bytes start, relative to {@link GgufFile#dataOffset()}
 * @param byteSize how many bytes it occupies
 */
public record GgufTensorInfo(String name, TensorEncoding encoding, long[] shape, long offset, long byteSize) {
    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(encoding, "encoding");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && encoding == t.encoding
                && Arrays.equals(shape, t.shape) && offset == t.offset && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, encoding, Arrays.hashCode(shape), offset, byteSize);
    }

    @Override
    public String toString() {
        return name + " " + encoding + " " + Arrays.toString(shape) + " @" + offset + " (" + byteSize + " bytes)";
    }
}
