package io.strata.cuda;

/** One GPU as the driver reports it; {@code freeBytes} is what was free when it was probed. */
public record CudaDevice(int ordinal, String name, int computeMajor, int computeMinor, int multiprocessors,
                         long totalBytes, long freeBytes) {

    /** e.g. {@code cuda:0 NVIDIA H200 (sm_90, 132 SMs, 139.8 GiB, 139.2 GiB free)}. */
    public String describe() {
        return "cuda:%d %s (sm_%d%d, %d SMs, %.1f GiB, %.1f GiB free)".formatted(ordinal, name, computeMajor,
                computeMinor, multiprocessors, totalBytes / (double) (1L << 30), freeBytes / (double) (1L << 30));
    }
}
