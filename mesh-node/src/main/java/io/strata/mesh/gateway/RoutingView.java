package io.strata.mesh.gateway;

import io.strata.mesh.RoutingTable;

import java.time.Duration;

/**
 * The newest routing table this node has heard of, and a way to wait for the next one: after a
 * failure the gateway waits for the coordinator to publish a table that routes around it.
 */
public final class RoutingView {
    private RoutingTable table = RoutingTable.empty();

    /** Takes {@code next} unless it is older than the table held. */
    public synchronized void update(RoutingTable next) {
        if (next.version() >= table.version()) {
            table = next;
            notifyAll();
        }
    }

    public synchronized RoutingTable current() {
        return table;
    }

    /** Waits up to {@code timeout} for a table newer than {@code version}; returns the newest either way. */
    public synchronized RoutingTable awaitNewer(long version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (table.version() <= version) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return table;
    }
}
