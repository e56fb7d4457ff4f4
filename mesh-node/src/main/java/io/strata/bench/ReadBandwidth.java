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
 *
 * <p>Each pass reads the buffer twice, once as one sequential stream per thread and once as two
 * (the two halves of the thread's slice side by side), and counts the faster: which of the two
 * a machine serves better differs, and the ceiling should be the best plain read it can do.
 *
 * <p>A shared machine's bandwidth swings from one minute to the next, so a benchmark should keep
 * a {@link Probe} open and take passes between its own runs rather than measure once up front.
 */
public final class ReadBandwidth {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final long STEP = SPECIES.vectorByteSize();

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
        try (Probe probe = new Probe(bufferBytes, threads)) {
            for (int p = 0; p < passes; p++) {
                probe.pass();
            }
            return probe.best();
        }
    }

    /** A buffer kept allocated (and its pages touched) so that passes can be taken whenever wanted. */
    public static final class Probe implements AutoCloseable {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment buffer;
        private final long perThread;
        private final int threads;
        private final float[] sink;
        private double best;
        private int passes;

        public Probe(long bufferBytes, int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("a read pass needs at least one thread, got " + threads);
            }
            this.threads = threads;
            // Whole groups of eight vectors per thread, so a slice splits into two equal streams of four-vector steps.
            this.perThread = (bufferBytes / threads) / (STEP * 8) * (STEP * 8);
            if (perThread == 0) {
                throw new IllegalArgumentException("read buffer of " + bufferBytes + " bytes is too small for "
                        + threads + " threads");
            }
            this.buffer = arena.allocate(perThread * threads, 4096);
            this.sink = new float[threads];
            buffer.fill((byte) 1); // touch every page so a pass measures reads, not page faults
            warmUp();
        }

        /**
         * Many short sums over a cache-sized piece, so the JIT compiles both loops before the first
         * timed pass: a handful of long passes alone may still run interpreted or in C1 code, above
         * all while the compiler is busy with a model's kernels.
         */
        private void warmUp() {
            // 20,000 calls over 16 KiB: enough calls and loop turns for C2, about 10 ms (nodes measure at start).
            long piece = Math.min(perThread, 16 * 1024) / (STEP * 8) * (STEP * 8);
            for (int i = 0; i < 20_000; i++) {
                sink[0] += sum(buffer, 0, piece) + sumTwoStreams(buffer, 0, piece);
            }
        }

        /** One pass in each pattern; returns the faster one's bytes per second, and keeps the best so far. */
        public double pass() {
            double oneStream = bytes() / (timedPass(false) / 1e9);
            double twoStreams = bytes() / (timedPass(true) / 1e9);
            double fastest = Math.max(oneStream, twoStreams);
            best = Math.max(best, fastest);
            passes++;
            if (Float.isNaN(sink[0])) {
                throw new IllegalStateException("unreachable: keeps the sums alive");
            }
            return fastest;
        }

        /** The best pass taken so far. */
        public Measurement best() {
            return new Measurement(best, bytes(), threads, passes);
        }

        private long bytes() {
            return perThread * threads;
        }

        /**
         * Nanoseconds from the first thread's start to the last one's end. Each thread reads the clock
         * itself: on a machine with no spare core the thread that starts the pass may be scheduled only
         * after the readers are done, and its own clock would then time nothing.
         */
        private long timedPass(boolean twoStreams) {
            CyclicBarrier start = new CyclicBarrier(threads);
            long[] began = new long[threads];
            long[] ended = new long[threads];
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                final int id = t;
                workers[t] = Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        began[id] = System.nanoTime();
                        long from = id * perThread;
                        sink[id] += twoStreams ? sumTwoStreams(buffer, from, perThread) : sum(buffer, from, perThread);
                        ended[id] = System.nanoTime();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            try {
                for (Thread w : workers) {
                    w.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("bandwidth measurement interrupted", e);
            }
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int t = 0; t < threads; t++) {
                first = Math.min(first, began[t]);
                last = Math.max(last, ended[t]);
            }
            return Math.max(1, last - first);
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /** Four independent accumulators so the adds do not wait on each other. */
    private static float sum(MemorySegment segment, long offset, long bytes) {
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (long o = offset, end = offset + bytes; o < end; o += 4 * STEP) {
            a0 = a0.add(FloatVector.fromMemorySegment(SPECIES, segment, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(SPECIES, segment, o + STEP, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(SPECIES, segment, o + 2 * STEP, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(SPECIES, segment, o + 3 * STEP, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }

    /** The same sum over the two halves of the range side by side: two sequential streams. */
    private static float sumTwoStreams(MemorySegment segment, long offset, long bytes) {
        long half = bytes / 2;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (long o = offset, end = offset + half; o < end; o += 2 * STEP) {
            a0 = a0.add(FloatVector.fromMemorySegment(SPECIES, segment, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(SPECIES, segment, o + STEP, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(SPECIES, segment, o + half, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(SPECIES, segment, o + half + STEP, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
