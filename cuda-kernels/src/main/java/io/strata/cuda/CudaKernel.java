package io.strata.cuda;

import java.lang.foreign.MemorySegment;

/** A kernel function of a loaded module, with the signature its launches are packed against. */
public record CudaKernel(KernelSignature signature, MemorySegment function) {

    /** Starts packing one launch of this kernel. */
    public KernelLaunch launch() {
        return new KernelLaunch(this);
    }
}
