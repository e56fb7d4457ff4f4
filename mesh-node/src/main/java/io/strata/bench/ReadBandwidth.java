package io.strata.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.CyclicBarrier;

/**
 * The machine's memory read bandwidth: a plain vectorised sum over a buffer much larger than
 * the last-level cache, one slice per thread. This is the ceiling a memory-bound decoder can
 * reach, so benchmarks print their effective weight bandwidth beside it.
 */
public final class ReadBandwidth {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private ReadBandwidth() {
    }

    /** Result of a measurement: the best pass in bytes per second, and the buffer it read. */
    public record Measurement(double bytesPerSecond, long bufferBytes, int threads, int passes) {
        public double gigabytesPerSecond() {
            return bytesPerSecond / 1e9;
        }
    }

    /**
     * Reads a {@code bufferBytes} buffer {@code passes} times with {@code threads} threads and
     * returns the best pass (the least disturbed by the rest of the machine).
     */
    public static Measurement measure(long bufferBytes, int threads, int passes) {
        long perThread = (bufferBytes / threads) / (SPECIES.vectorByteSize() * 4L) * (SPECIES.vectorByteSize() * 4L);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(perThread * threads, 4096);
            buffer.fill((byte) 1); // touch every page so the pass measures reads, not page faults
            double best = 0;
            float[] sink = new float[threads];
            for (int p = 0; p < passes; p++) {
                long nanos = timedPass(buffer, perThread, threads, sink);
                best = Math.max(best, perThread * threads / (nanos / 1e9));
            }
            if (Float.isNaN(sink[0])) {
                throw new IllegalStateException("unreachable: keeps the sums alive");
            }
            return new Measurement(best, perThread * threads, threads, passes);
        }
    }

    private static long timedPass(MemorySegment buffer, long perThread, int threads, float[] sink) {
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        CyclicBarrier end = new CyclicBarrier(threads + 1);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            final int id = t;
            workers[t] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    sink[id] += sum(buffer, id * perThread, perThread);
                    end.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        try {
            start.await();
            long t0 = System.nanoTime();
            end.await();
            long elapsed = System.nanoTime() - t0;
            for (Thread w : workers) {
                w.join();
            }
            return elapsed;
        } catch (Exception e) {
            throw new IllegalStateException("bandwidth measurement interrupted", e);
        }
    }

    /** Four independent accumulators so the adds do not wait on each other. */
    private static float sum(MemorySegment segment, long offset, long bytes) {
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        long step = SPECIES.vectorByteSize();
        for (long o = offset, end = offset + bytes; o < end; o += 4 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(SPECIES, segment, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(SPECIES, segment, o + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(SPECIES, segment, o + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(SPECIES, segment, o + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
