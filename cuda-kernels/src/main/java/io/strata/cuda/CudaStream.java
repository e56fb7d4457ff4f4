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

    /** CU_STREAM_DEFAULT: the stream's work is ordered with the legacy stream's, where the synchronous copies run. */
    private static final int ORDERED_WITH_COPIES = 0;

    /**
     * A stream whose kernels run after every synchronous copy issued before them and before every one
     * issued after them, so {@link DeviceBuffer}'s uploads and downloads need no extra synchronisation.
     * The context must be current.
     */
    public static CudaStream create() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaException.check(CudaDriver.cuStreamCreate(out, ORDERED_WITH_COPIES), "cuStreamCreate");
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
