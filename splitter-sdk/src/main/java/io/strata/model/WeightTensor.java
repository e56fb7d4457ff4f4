package io.strata.model;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One named tensor of a model, as stored: its encoding and its bytes, usually a slice of a
 * memory-mapped file. Nothing here copies weights onto the heap.
 *
 * <p>{@code shape} is in GGML order: {@code shape[0]} is the contiguous (innermost) dimension.
 * A weight matrix that maps {@code in} inputs to {@code out} outputs has shape {@code [in, out]}:
 * {@code out} rows of {@code in} elements.
 */
public final class WeightTensor {
    private final String name;
    private final TensorEncoding encoding;
    private final long[] shape;
    private final MemorySegment data;

    public WeightTensor(String name, TensorEncoding encoding, long[] shape, MemorySegment data) {
        this.name = name;
        this.encoding = encoding;
        this.shape = shape.clone();
        this.data = data;
        long expected = encoding.byteSize(elements());
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + name + " " + Arrays.toString(shape) + " in " + encoding
                    + " needs " + expected + " bytes but has " + data.byteSize());
        }
    }

    public String name() {
        return name;
    }

    public TensorEncoding encoding() {
        return encoding;
    }

    /** The shape in GGML order (innermost first); a copy. */
    public long[] shape() {
        return shape.clone();
    }

    public int dimensions() {
        return shape.length;
    }

    public long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Length of one row: the innermost dimension. */
    public int cols() {
        return Math.toIntExact(shape[0]);
    }

    /** Number of rows: the product of every dimension but the innermost. */
    public int rows() {
        return Math.toIntExact(elements() / shape[0]);
    }

    /** The stored bytes (read-only view when the source is a read-only mapping). */
    public MemorySegment data() {
        return data;
    }

    public long byteSize() {
        return data.byteSize();
    }

    /**
     * Rows {@code [from, from + count)} as a 2-D tensor of their own, sharing these bytes: one
     * matrix out of a fused projection, or one expert out of a stacked 3-D tensor (whose rows
     * are the experts' rows one expert after another). Every encoding stores rows whole, in blocks
     * that do not cross a row, so a row range is one byte range.
     */
    public WeightTensor rows(String sliceName, long from, long count) {
        long total = elements() / shape[0];
        if (from < 0 || count < 1 || from + count > total) {
            throw new IllegalArgumentException("rows [" + from + ", " + (from + count) + ") are not inside the "
                    + total + " rows of " + this);
        }
        long rowBytes = encoding.byteSize(shape[0]);
        return new WeightTensor(sliceName, encoding, new long[] {shape[0], count},
                data.asSlice(from * rowBytes, count * rowBytes));
    }

    @Override
    public String toString() {
        return name + " " + encoding + " " + Arrays.toString(shape);
    }
}
