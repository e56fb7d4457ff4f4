package io.strata.engine.gpu;

import io.strata.cuda.CudaContext;
import io.strata.cuda.DeviceBuffer;
import io.strata.cuda.KernelSignature;
import io.strata.cuda.Kernels;
import io.strata.model.TensorEncoding;
import io.strata.model.WeightTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix on the device, byte for byte as the file stores it, with the kernels that read
 * its encoding: the matrix product and, for an embedding table, the row gather.
 */
record DeviceMatrix(String name, DeviceBuffer bytes, int rows, int cols, KernelSignature matmul,
                    KernelSignature embedding) implements AutoCloseable {

    /** Uploads {@code tensor}; an encoding without device kernels is refused naming the tensor and the way out. */
    static DeviceMatrix upload(CudaContext context, WeightTensor tensor) {
        KernelSignature[] kernels = kernelsFor(tensor);
        DeviceBuffer buffer = context.allocate(tensor.byteSize());
        try {
            MemorySegment data = tensor.data();
            if (data.isNative()) {
                buffer.upload(data, 0);
            } else {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment staging = arena.allocate(data.byteSize());
                    staging.copyFrom(data);
                    buffer.upload(staging, 0);
                }
            }
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
        return new DeviceMatrix(tensor.name(), buffer, tensor.rows(), tensor.cols(), kernels[0], kernels[1]);
    }

    private static KernelSignature[] kernelsFor(WeightTensor tensor) {
        TensorEncoding encoding = tensor.encoding();
        return switch (encoding) {
            case F32 -> new KernelSignature[] {Kernels.MATMUL_F32, Kernels.EMBEDDING_F32};
            case F16 -> new KernelSignature[] {Kernels.MATMUL_F16, Kernels.EMBEDDING_F16};
            case BF16 -> new KernelSignature[] {Kernels.MATMUL_BF16, Kernels.EMBEDDING_BF16};
            case Q8_0 -> new KernelSignature[] {Kernels.MATMUL_Q8_0, Kernels.EMBEDDING_Q8_0};
            case Q4_0 -> new KernelSignature[] {Kernels.MATMUL_Q4_0, Kernels.EMBEDDING_Q4_0};
            default -> throw new UnsupportedOperationException("the GPU engine has no kernels for " + encoding
                    + " tensors (" + tensor.name() + "): run this model with --device cpu");
        };
    }

    @Override
    public void close() {
        bytes.close();
    }
}
