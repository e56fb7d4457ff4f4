package io.strata.cuda;

import io.strata.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * One launch of a kernel: arguments added in order, each checked against the kernel's signature as it is
 * added, then {@link #run} packs them the way cuLaunchKernel wants (an array of pointers to each value).
 */
public final class KernelLaunch {
    private final CudaKernel kernel;
    private final List<KernelSignature.Param> params;
    private final long[] values;
    private int count;

    KernelLaunch(CudaKernel kernel) {
        this.kernel = kernel;
        this.params = kernel.signature().params();
        this.values = new long[params.size()];
    }

    public KernelLaunch pointer(DeviceBuffer buffer) {
        return add(KernelSignature.Param.POINTER, buffer.address());
    }

    /** A device address inside a buffer, {@code offset} bytes from its start. */
    public KernelLaunch pointer(DeviceBuffer buffer, long offset) {
        if (offset < 0 || offset >= buffer.bytes()) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside a device buffer of " + buffer.bytes());
        }
        return add(KernelSignature.Param.POINTER, buffer.address() + offset);
    }

    public KernelLaunch i32(int value) {
        return add(KernelSignature.Param.INT, value);
    }

    public KernelLaunch f32(float value) {
        return add(KernelSignature.Param.FLOAT, Float.floatToRawIntBits(value));
    }

    private KernelLaunch add(KernelSignature.Param kind, long value) {
        String entry = kernel.signature().entry();
        if (count == params.size()) {
            throw new IllegalArgumentException(entry + " takes " + params.size() + " parameters, not more");
        }
        if (params.get(count) != kind) {
            throw new IllegalArgumentException(entry + " parameter " + count + " is " + params.get(count) + ", not " + kind);
        }
        values[count++] = value;
        return this;
    }

    /** Queues the kernel on {@code stream} with a 1-D block of {@code threads} and a grid of gridX × gridY blocks. */
    public void run(CudaStream stream, int gridX, int gridY, int threads) {
        String entry = kernel.signature().entry();
        if (count != params.size()) {
            throw new IllegalArgumentException(entry + " takes " + params.size() + " parameters, given " + count);
        }
        if (gridX <= 0 || gridY <= 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointers = arena.allocate(ValueLayout.ADDRESS, params.size());
            for (int i = 0; i < params.size(); i++) {
                MemorySegment slot = params.get(i) == KernelSignature.Param.POINTER
                        ? arena.allocateFrom(ValueLayout.JAVA_LONG, values[i])
                        : arena.allocateFrom(ValueLayout.JAVA_INT, (int) values[i]);
                pointers.setAtIndex(ValueLayout.ADDRESS, i, slot);
            }
            CudaException.check(CudaDriver.cuLaunchKernel(kernel.function(), gridX, gridY, 1, threads, 1, 1, 0,
                    stream.handle(), pointers, MemorySegment.NULL), "cuLaunchKernel(" + entry + ")");
        }
    }
}
