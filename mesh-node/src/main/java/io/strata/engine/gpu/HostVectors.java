package io.strata.engine.gpu;

import io.strata.model.WeightTensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Norm weights and biases (one row, tiny) decoded to floats on the host before they go to the device. */
final class HostVectors {
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private HostVectors() {
    }

    static float[] read(WeightTensor tensor, int n) {
        if (tensor.elements() != n) {
            throw new IllegalArgumentException("tensor " + tensor + " should hold " + n + " values");
        }
        MemorySegment data = tensor.data();
        float[] v = new float[n];
        switch (tensor.encoding()) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    v[i] = data.get(FLOAT_LE, 4L * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    v[i] = Float.float16ToFloat(data.get(SHORT_LE, 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    v[i] = Float.intBitsToFloat((data.get(SHORT_LE, 2L * i) & 0xffff) << 16);
                }
            }
            default -> throw new UnsupportedOperationException("the GPU engine reads vector " + tensor.name()
                    + " only in F32, F16 or BF16, not " + tensor.encoding() + ": run this model with --device cpu");
        }
        return v;
    }
}
