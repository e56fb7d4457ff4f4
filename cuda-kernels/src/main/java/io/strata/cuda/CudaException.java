package io.strata.cuda;

import io.strata.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A driver call that failed, with the driver's own name for the error (e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}). */
public final class CudaException extends RuntimeException {
    private final int code;
    private final String errorName;

    CudaException(String message) {
        super(message);
        this.code = -1;
        this.errorName = "";
    }

    private CudaException(String call, int code, String errorName, String description) {
        super(call + " failed: " + errorName + " (" + code + ")" + (description.isEmpty() ? "" : ": " + description));
        this.code = code;
        this.errorName = errorName;
    }

    /** The CUresult, or -1 when the failure was not a driver call's (the driver could not be loaded). */
    public int code() {
        return code;
    }

    /** What {@code cuGetErrorName} calls the code, or "" when there was none. */
    public String errorName() {
        return errorName;
    }

    /** Throws unless {@code result} is CUDA_SUCCESS; {@code call} names what was attempted. */
    static void check(int result, String call) {
        if (result != CudaDriver.CUDA_SUCCESS()) {
            throw new CudaException(call, result, describe(result, true), describe(result, false));
        }
    }

    private static String describe(int result, boolean name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int rc = name ? CudaDriver.cuGetErrorName(result, out) : CudaDriver.cuGetErrorString(result, out);
            MemorySegment text = out.get(ValueLayout.ADDRESS, 0);
            if (rc != CudaDriver.CUDA_SUCCESS() || text.equals(MemorySegment.NULL)) {
                return name ? "CUresult " + result : "";
            }
            return text.reinterpret(Long.MAX_VALUE).getString(0);
        }
    }
}
