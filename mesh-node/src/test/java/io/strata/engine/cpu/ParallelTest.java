package io.strata.engine.cpu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParallelTest {
    @Test
    void everyRowRunsExactlyOnce() {
        Parallel pool = new Parallel(3);
        for (int rows : new int[]{1, 2, 7, 100, 1001, 65536}) {
            for (int minRows : new int[]{1, 5, 64}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(rows);
                pool.forRows(rows, minRows, (from, to) -> {
                    for (int r = from; r < to; r++) {
                        seen.incrementAndGet(r);
                    }
                });
                for (int r = 0; r < rows; r++) {
                    assertEquals(1, seen.get(r), "row " + r + " of " + rows + " (chunks of " + minRows + ")");
                }
            }
        }
    }

    @Test
    void anExceptionInAWorkerReachesTheCallerAndThePoolStaysUsable() {
        Parallel pool = new Parallel(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.forRows(1000, 1, (from, to) -> {
            if (from <= 999 && 999 < to) {
                throw new IllegalStateException("row 999");
            }
        }));
        assertEquals("row 999", e.getMessage());
        AtomicIntegerArray seen = new AtomicIntegerArray(10);
        pool.forRows(10, 1, (from, to) -> {
            for (int r = from; r < to; r++) {
                seen.incrementAndGet(r);
            }
        });
        for (int r = 0; r < 10; r++) {
            assertEquals(1, seen.get(r));
        }
    }

    @Test
    void aParallelForInsideAJobRunsInlineInsteadOfDeadlocking() {
        Parallel pool = new Parallel(2);
        AtomicIntegerArray seen = new AtomicIntegerArray(40 * 40);
        pool.forRows(40, 1, (from, to) -> {
            for (int r = from; r < to; r++) {
                int row = r;
                pool.forRows(40, 1, (f2, t2) -> {
                    for (int c = f2; c < t2; c++) {
                        seen.incrementAndGet(row * 40 + c);
                    }
                });
            }
        });
        for (int i = 0; i < 40 * 40; i++) {
            assertEquals(1, seen.get(i));
        }
    }

    @Test
    void callersOnManyThreadsAllGetTheirWholeRangeDone() throws InterruptedException {
        Parallel pool = new Parallel(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int round = 0; round < 200; round++) {
                        AtomicIntegerArray seen = new AtomicIntegerArray(500);
                        pool.forRows(500, 1, (from, to) -> {
                            for (int r = from; r < to; r++) {
                                seen.incrementAndGet(r);
                            }
                        });
                        for (int r = 0; r < 500; r++) {
                            if (seen.get(r) != 1) {
                                throw new AssertionError("row " + r + " ran " + seen.get(r) + " times");
                            }
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertNull(failure.get());
    }

    @Test
    void aPoolNeedsAtLeastOneThread() {
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
    }
}
