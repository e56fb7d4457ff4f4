package io.strata.mesh.membership;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits, bounded, for a cluster to reach a state; fails with what it last saw. */
public final class Eventually {
    private Eventually() {
    }

    public static void await(Duration limit, BooleanSupplier condition, Supplier<?> lastSeen) {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("not reached within " + limit + "; last seen: " + lastSeen.get());
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
