package io.strata.engine.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A parallel-for over rows on a fixed set of threads: {@code threads - 1} workers plus the
 * calling thread. One decode step issues ~150 matmuls a few microseconds apart, so workers spin
 * for a short while after each job before parking: waking a parked thread costs more than the
 * work between two matmuls.
 *
 * <p>Rows are handed out in chunks from a shared counter, and a job is finished when all its
 * chunks are, not when every worker has checked in: the caller never waits for a worker that the
 * operating system has not scheduled yet (on a busy machine it simply does the chunks itself).
 */
public final class Parallel {
    /** The work for rows {@code [from, to)}. */
    @FunctionalInterface
    public interface RowRange {
        void run(int from, int to);
    }

    private static final Parallel SHARED = new Parallel(Runtime.getRuntime().availableProcessors());
    private static final long SPIN_NANOS = 200_000;
    /**
     * Few, long chunks: the quantised kernels stream each chunk's rows from separate parts of it,
     * and the hardware prefetcher needs long streams (16 chunks per thread left ~35 KB streams;
     * 2 measured +12% decode for Q8_0 and Q4_0 on the 1.1B shape, F32 unchanged), while two per
     * thread still let a thread that got its core back take over another's work.
     */
    private static final int CHUNKS_PER_THREAD = 2;

    /** Set on workers, and on a caller while it runs a job: a nested parallel-for runs inline. */
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /** One call of {@link #forRows}: its chunks, which thread takes which, and how many are done. */
    private static final class Job {
        final RowRange body;
        final int rows;
        final int chunk;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(RowRange body, int rows, int chunk) {
            this.body = body;
            this.rows = rows;
            this.chunk = chunk;
            this.chunks = (rows + chunk - 1) / chunk;
        }

        /** Takes chunks until none are left. */
        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                int from = c * chunk;
                try {
                    body.run(from, Math.min(rows, from + chunk));
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private final Worker[] workers;
    private final ReentrantLock dispatch = new ReentrantLock();
    /** The latest job; it stays published when finished, and a late worker finds no chunk left in it. */
    private volatile Job job;

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
            Job j = new Job(body, rows, Math.max(Math.max(1, minRows), ceilDiv(rows, threads * CHUNKS_PER_THREAD)));
            job = j; // volatile write: publishes the job to the workers
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            INSIDE.set(Boolean.TRUE);
            try {
                j.work();
            } finally {
                INSIDE.set(Boolean.FALSE);
            }
            int spins = 0;
            while (j.done.get() < j.chunks) { // only chunks another thread is in the middle of
                if (++spins < 10_000) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // that thread lost its core; let it have ours
                }
            }
            Throwable f = j.failure;
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
            Job seen = null;
            while (true) {
                seen = awaitJob(seen);
                seen.work();
            }
        }

        private Job awaitJob(Job seen) {
            long spinStart = System.nanoTime();
            int spins = 0;
            while (true) {
                Job j = job;
                if (j != seen) {
                    return j;
                }
                if ((++spins & 63) != 0 || System.nanoTime() - spinStart < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                // Dekker handshake with forRows: either we see the new job here, or it sees parked.
                parked = true;
                if (job == seen) {
                    LockSupport.park(this);
                }
                parked = false;
                spinStart = System.nanoTime();
            }
        }
    }
}
