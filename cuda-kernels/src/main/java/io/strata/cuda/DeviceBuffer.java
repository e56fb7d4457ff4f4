package io.strata.cuda;

import io.strata.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A range of device memory: its address and size, and copies to and from host memory (synchronous). */
public final class DeviceBuffer implements AutoCloseable {
    private final long address;
    private final long bytes;
    private boolean freed;

    private DeviceBuffer(long address, long bytes) {
        this.address = address;
        this.bytes = bytes;
    }

    static DeviceBuffer allocate(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a device buffer needs at least one byte, not " + bytes);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(ValueLayout.JAVA_LONG);
            CudaException.check(CudaDriver.cuMemAlloc_v2(pointer, bytes), "cuMemAlloc(" + bytes + " bytes)");
            return new DeviceBuffer(pointer.get(ValueLayout.JAVA_LONG, 0), bytes);
        }
    }

    /** The CUdeviceptr, as kernels receive it. */
    public long address() {
        return address;
    }

    public long bytes() {
        return bytes;
    }

    /** Copies all of {@code host} to this buffer from byte {@code offset}. */
    public void upload(MemorySegment host, long offset) {
        checkRange(offset, host.byteSize());
        CudaException.check(CudaDriver.cuMemcpyHtoD_v2(address + offset, host, host.byteSize()), "cuMemcpyHtoD");
    }

    public void upload(float[] values, int from, int count, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(ValueLayout.JAVA_FLOAT, count);
            MemorySegment.copy(values, from, staging, ValueLayout.JAVA_FLOAT, 0, count);
            upload(staging, offset);
        }
    }

    public void upload(int[] values, int from, int count, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(ValueLayout.JAVA_INT, count);
            MemorySegment.copy(values, from, staging, ValueLayout.JAVA_INT, 0, count);
            upload(staging, offset);
        }
    }

    public void upload(long[] values, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocateFrom(ValueLayout.JAVA_LONG, values);
            upload(staging, offset);
        }
    }

    /** Copies {@code host.byteSize()} bytes from byte {@code offset} of this buffer into {@code host}. */
    public void download(MemorySegment host, long offset) {
        checkRange(offset, host.byteSize());
        CudaException.check(CudaDriver.cuMemcpyDtoH_v2(host, address + offset, host.byteSize()), "cuMemcpyDtoH");
    }

    public float[] downloadFloats(long offset, int count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(ValueLayout.JAVA_FLOAT, count);
            download(staging, offset);
            return staging.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** Copies {@code count} bytes between device buffers. */
    public void copyFrom(DeviceBuffer source, long sourceOffset, long offset, long count) {
        source.checkRange(sourceOffset, count);
        checkRange(offset, count);
        CudaException.check(CudaDriver.cuMemcpyDtoD_v2(address + offset, source.address + sourceOffset, count), "cuMemcpyDtoD");
    }

    /** Sets every byte to zero. */
    public void clear() {
        CudaException.check(CudaDriver.cuMemsetD8_v2(address, (byte) 0, bytes), "cuMemsetD8");
    }

    private void checkRange(long offset, long count) {
        if (offset < 0 || count < 0 || offset + count > bytes) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + count) + ") outside a device buffer of " + bytes);
        }
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            CudaException.check(CudaDriver.cuMemFree_v2(address), "cuMemFree");
        }
    }
}
