package io.strata.cuda;

import io.strata.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** An ordered queue of device work; kernels launched on one stream run one after another. */
public final class CudaStream implements AutoCloseable {
    private final MemorySegment handle;
    private boolean destroyed;

    private CudaStream(MemorySegment handle) {
        this.handle = handle;
    }

    /** A stream that does not wait for the legacy default stream. The context must be current. */
    public static CudaStream create() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaException.check(CudaDriver.cuStreamCreate(out, CudaDriver.CU_STREAM_NON_BLOCKING()), "cuStreamCreate");
            return new CudaStream(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    MemorySegment handle() {
        return handle;
    }

    /** Waits until everything queued on this stream has run. */
    public void synchronize() {
        CudaException.check(CudaDriver.cuStreamSynchronize(handle), "cuStreamSynchronize");
    }

    @Override
    public void close() {
        if (!destroyed) {
            destroyed = true;
            CudaException.check(CudaDriver.cuStreamDestroy_v2(handle), "cuStreamDestroy");
        }
    }
}
