package io.strata.engine.gpu;

import io.strata.cuda.CudaContext;
import io.strata.cuda.DeviceBuffer;

/** A device buffer that grows to the largest request seen, for per-batch activations. */
final class DeviceScratch implements AutoCloseable {
    private final CudaContext context;
    private DeviceBuffer buffer;

    DeviceScratch(CudaContext context) {
        this.context = context;
    }

    /** A buffer of at least {@code bytes}; its contents are undefined after growing. */
    DeviceBuffer atLeast(long bytes) {
        if (buffer == null || buffer.bytes() < bytes) {
            if (buffer != null) {
                buffer.close();
            }
            long size = Math.max(bytes, buffer == null ? 0 : buffer.bytes() * 2);
            buffer = context.allocate(Math.max(size, 16));
        }
        return buffer;
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
        }
    }
}
