package io.strata.mesh.cluster;

import io.strata.bench.ReadBandwidth;

import java.lang.management.ManagementFactory;

/**
 * What this node offers, as announced: memory from the configuration or the operating system's
 * free memory (container limits included, as the JVM reports them), and speed from the
 * configuration or one short read-bandwidth measurement at start (decode is memory-bound, so
 * read bandwidth is the speed that matters).
 */
record NodeResources(String device, long memoryBytes, double readBytesPerSecond) {
    /** Small enough to take a fraction of a second, large enough to leave the caches behind. */
    static final long PROBE_BYTES = 64L << 20;

    static NodeResources of(ClusterConfig config) {
        long memory = config.memoryBytes() > 0 ? config.memoryBytes() : freeMemory();
        double speed = config.readBytesPerSecond() > 0 ? config.readBytesPerSecond() : measuredSpeed();
        return new NodeResources(config.device(), memory, speed);
    }

    private static long freeMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long free = os.getFreeMemorySize();
            if (free > 0) {
                return free;
            }
        }
        return Runtime.getRuntime().maxMemory();
    }

    private static double measuredSpeed() {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        return ReadBandwidth.measure(PROBE_BYTES, threads, 3).bytesPerSecond();
    }
}
