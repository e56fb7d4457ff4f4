package io.strata.model.hf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a safetensors file as stored: its shape in PyTorch order (outermost first,
 * the reverse of GGML order) and its bytes, a slice of the file's read-only mapping.
 */
public record SafetensorsTensor(String name, SafetensorsDtype dtype, long[] shape, MemorySegment data) {
    public SafetensorsTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The shape innermost first, as {@link io.strata.model.WeightTensor} wants it. */
    public long[] ggmlShape() {
        long[] r = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            r[i] = shape[shape.length - 1 - i];
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsTensor t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape);
    }
}
