package io.strata.mesh.pipeline;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations counted into fixed buckets, as a Prometheus histogram: cumulative counts per upper
 * bound, a count and a sum. Lock-free; safe to record from any thread.
 */
public final class LatencyHistogram {
    /** Upper bounds in seconds: 100 µs to 10 s, about three per decade. */
    public static final double[] BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10};

    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length + 1);
    private final LongAdder sumNanos = new LongAdder();

    public void record(long nanos) {
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < BOUNDS.length && seconds > BOUNDS[i]) {
            i++;
        }
        counts.incrementAndGet(i);
        sumNanos.add(nanos);
    }

    /** A consistent-enough copy for one scrape. */
    public Snapshot snapshot() {
        long[] cumulative = new long[BOUNDS.length + 1];
        long running = 0;
        for (int i = 0; i < cumulative.length; i++) {
            running += counts.get(i);
            cumulative[i] = running;
        }
        return new Snapshot(cumulative, running, sumNanos.sum() / 1e9);
    }

    /**
     * @param cumulative observations at or below each bound; the last entry is +Inf (all of them)
     * @param count      observations in all
     * @param sumSeconds their total
     */
    public record Snapshot(long[] cumulative, long count, double sumSeconds) {
        public double meanSeconds() {
            return count == 0 ? 0 : sumSeconds / count;
        }
    }
}
