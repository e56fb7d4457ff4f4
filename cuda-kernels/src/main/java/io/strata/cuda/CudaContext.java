package io.strata.cuda;

import io.strata.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One device's primary context: the context the driver keeps per device and shares with every library in
 * the process (cuCtxCreate_v4 would make a private one, which nothing here needs). A context is current
 * per thread, so a thread calls {@link #bind()} before it allocates, copies or launches.
 */
public final class CudaContext implements AutoCloseable {
    private final int device;
    private final MemorySegment handle;
    private boolean closed;

    private CudaContext(int device, MemorySegment handle) {
        this.device = device;
        this.handle = handle;
    }

    /** Initialises the driver and retains device {@code ordinal}'s primary context, current on this thread. */
    public static CudaContext open(int ordinal) {
        CudaDriverLibrary.require();
        try (Arena arena = Arena.ofConfined()) {
            CudaException.check(CudaDriver.cuInit(0), "cuInit");
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            CudaException.check(CudaDriver.cuDeviceGet(value, ordinal), "cuDeviceGet(" + ordinal + ")");
            int device = value.get(ValueLayout.JAVA_INT, 0);
            MemorySegment context = arena.allocate(ValueLayout.ADDRESS);
            CudaException.check(CudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
            CudaContext opened = new CudaContext(device, context.get(ValueLayout.ADDRESS, 0));
            opened.bind();
            return opened;
        }
    }

    /** The CUdevice this context belongs to. */
    public int device() {
        return device;
    }

    /** Makes this context current on the calling thread. */
    public void bind() {
        CudaException.check(CudaDriver.cuCtxSetCurrent(handle), "cuCtxSetCurrent");
    }

    /** {free, total} bytes of device memory. */
    public long[] memoryInfo() {
        bind();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment total = arena.allocate(ValueLayout.JAVA_LONG);
            CudaException.check(CudaDriver.cuMemGetInfo_v2(free, total), "cuMemGetInfo");
            return new long[] {free.get(ValueLayout.JAVA_LONG, 0), total.get(ValueLayout.JAVA_LONG, 0)};
        }
    }

    /** Allocates {@code bytes} of device memory (uninitialised). */
    public DeviceBuffer allocate(long bytes) {
        bind();
        return DeviceBuffer.allocate(bytes);
    }

    /** Waits for all work on this context. */
    public void synchronize() {
        bind();
        CudaException.check(CudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CudaException.check(CudaDriver.cuDevicePrimaryCtxRelease_v2(device), "cuDevicePrimaryCtxRelease");
        }
    }
}
