package io.strata.mesh.membership;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The latest status heard from each node: newer sequences replace older ones, nodes that left
 * the view are forgotten, and a node not heard from for {@code staleAfter} counts as unhealthy
 * (it is still in the view, but hung or cut off) until it speaks again.
 */
public final class AnnouncementBoard {
    private record Heard(NodeStatus status, long atNanos) {
    }

    private final Duration staleAfter;
    private final LongSupplier nanoClock;
    private final Map<String, Heard> latest = new HashMap<>();

    public AnnouncementBoard(Duration staleAfter) {
        this(staleAfter, System::nanoTime);
    }

    AnnouncementBoard(Duration staleAfter, LongSupplier nanoClock) {
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("the staleness limit must be positive, got " + staleAfter);
        }
        this.staleAfter = staleAfter;
        this.nanoClock = nanoClock;
    }

    /**
     * Records {@code status} unless an equal or newer sequence from that node is already here.
     *
     * @return true when it changed what the node is known to offer (not just a repeated heartbeat),
     *         or when the node was stale or unknown before
     */
    public synchronized boolean offer(NodeStatus status) {
        Heard before = latest.get(status.nodeId());
        long now = nanoClock.getAsLong();
        if (before != null && before.status().announcement().sequence() >= status.announcement().sequence()) {
            return false;
        }
        latest.put(status.nodeId(), new Heard(status, now));
        return before == null || stale(before, now) || !sameOffer(before.status(), status);
    }

    /** Forgets nodes no longer in the view; returns true when any was forgotten. */
    public synchronized boolean retainOnly(Collection<String> members) {
        return latest.keySet().retainAll(Set.copyOf(members));
    }

    /** Statuses of nodes heard from recently, by node id. */
    public synchronized List<NodeStatus> live() {
        long now = nanoClock.getAsLong();
        return latest.values().stream().filter(h -> !stale(h, now)).map(Heard::status)
                .sorted(Comparator.comparing(NodeStatus::nodeId)).toList();
    }

    /** The latest status of every node in the board, quiet ones included, by node id. */
    public synchronized List<NodeStatus> all() {
        return latest.values().stream().map(Heard::status).sorted(Comparator.comparing(NodeStatus::nodeId)).toList();
    }

    /** Node ids in the board that have gone quiet. */
    public synchronized Set<String> stale() {
        long now = nanoClock.getAsLong();
        Set<String> out = new TreeSet<>();
        latest.forEach((id, h) -> {
            if (stale(h, now)) {
                out.add(id);
            }
        });
        return out;
    }

    public synchronized Optional<NodeStatus> get(String nodeId) {
        return Optional.ofNullable(latest.get(nodeId)).map(Heard::status);
    }

    private boolean stale(Heard h, long now) {
        return now - h.atNanos() > staleAfter.toNanos();
    }

    /** Everything but the sequence: a heartbeat repeating itself is not news. */
    private static boolean sameOffer(NodeStatus a, NodeStatus b) {
        var x = a.announcement();
        var y = b.announcement();
        return x.host().equals(y.host()) && x.transportPort() == y.transportPort() && x.httpPort() == y.httpPort()
                && x.device().equals(y.device()) && x.freeMemoryBytes() == y.freeMemoryBytes()
                && Double.compare(x.readBytesPerSecond(), y.readBytesPerSecond()) == 0
                && x.readyBlocks().equals(y.readyBlocks()) && a.readyArtifacts().equals(b.readyArtifacts())
                && a.failedBlocks().equals(b.failedBlocks());
    }
}
