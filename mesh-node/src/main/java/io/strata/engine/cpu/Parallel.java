package io.strata.engine.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A parallel-for over rows on a fixed set of threads: {@code threads - 1} workers plus the
 * calling thread. One decode step issues ~150 matmuls a few microseconds apart, so workers spin
 * for a short while after each job before parking: waking a parked thread costs more than the
 * work between two matmuls. Rows are handed out in chunks from a shared counter, so a core that
 * another process steals for a moment does not hold the whole step back.
 */
public final class Parallel {
    /** The work for rows {@code [from, to)}. */
    @FunctionalInterface
    public interface RowRange {
        void run(int from, int to);
    }

    private static final Parallel SHARED = new Parallel(Runtime.getRuntime().availableProcessors());
    private static final long SPIN_NANOS = 200_000;
    private static final int CHUNKS_PER_THREAD = 8;

    /** Set on workers, and on a caller while it runs a job: a nested parallel-for runs inline. */
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final Worker[] workers;
    private final ReentrantLock dispatch = new ReentrantLock();
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger unfinished = new AtomicInteger();
    private RowRange body;
    private int rows;
    private int chunk;
    private volatile long generation;
    private volatile Throwable failure;

    /** A pool of {@code threads} threads in all, the caller included. */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a parallel-for needs at least one thread, got " + threads);
        }
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("strata-cpu-" + (i + 1));
            workers[i].thread.start();
        }
    }

    /** The pool of {@link Runtime#availableProcessors()} threads that the engine uses. */
    public static Parallel shared() {
        return SHARED;
    }

    public int threads() {
        return workers.length + 1;
    }

    /**
     * Runs {@code body} over {@code [0, rows)} split into chunks of at least {@code minRows} rows.
     * Returns when every row is done. Runs inline when the work is too small to share, when
     * called from inside a job, or when another thread holds the pool (it does not wait for it).
     */
    public void forRows(int rows, int minRows, RowRange body) {
        if (rows <= 0) {
            return;
        }
        int threads = workers.length + 1;
        if (threads == 1 || rows < 2 * Math.max(1, minRows) || INSIDE.get() || !dispatch.tryLock()) {
            body.run(0, rows);
            return;
        }
        try {
            this.body = body;
            this.rows = rows;
            this.chunk = Math.max(Math.max(1, minRows), ceilDiv(rows, threads * CHUNKS_PER_THREAD));
            this.failure = null;
            nextChunk.set(0);
            unfinished.set(workers.length);
            generation++; // volatile write: publishes the job to the workers
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            INSIDE.set(Boolean.TRUE);
            try {
                runChunks();
            } finally {
                INSIDE.set(Boolean.FALSE);
            }
            int spins = 0;
            while (unfinished.get() != 0) {
                if (++spins < 10_000) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // a worker lost its core; let it have ours
                }
            }
            this.body = null;
            Throwable f = failure;
            if (f != null) {
                if (f instanceof RuntimeException re) {
                    throw re;
                }
                if (f instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(f);
            }
        } finally {
            dispatch.unlock();
        }
    }

    private void runChunks() {
        RowRange b = body;
        int n = rows;
        int c = chunk;
        for (int from = nextChunk.getAndIncrement() * c; from < n; from = nextChunk.getAndIncrement() * c) {
            try {
                b.run(from, Math.min(n, from + c));
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private final class Worker implements Runnable {
        final Thread thread;
        volatile boolean parked;

        Worker(String name) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            INSIDE.set(Boolean.TRUE);
            // Generation 0 means no job yet. Reading the field here instead could skip a job
            // published between the pool's construction and this thread's first instruction.
            long seen = 0;
            while (true) {
                long g = awaitJob(seen);
                seen = g;
                runChunks();
                unfinished.decrementAndGet();
            }
        }

        private long awaitJob(long seen) {
            long spinStart = System.nanoTime();
            int spins = 0;
            while (true) {
                long g = generation;
                if (g != seen) {
                    return g;
                }
                if ((++spins & 63) != 0 || System.nanoTime() - spinStart < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                // Dekker handshake with forRows: either we see the new generation here, or it sees parked.
                parked = true;
                if (generation == seen) {
                    LockSupport.park(this);
                }
                parked = false;
                spinStart = System.nanoTime();
            }
        }
    }
}
