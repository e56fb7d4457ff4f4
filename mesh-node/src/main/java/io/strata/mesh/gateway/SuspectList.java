package io.strata.mesh.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Nodes that failed a session recently. New sessions avoid them for a while: the routing table
 * lists a dead node until the cluster notices it is gone, which takes longer than a failover.
 */
final class SuspectList {
    private final Duration ttl;
    private final Map<String, Long> since = new ConcurrentHashMap<>();

    SuspectList(Duration ttl) {
        this.ttl = ttl;
    }

    void add(String nodeId) {
        if (nodeId != null && !nodeId.isEmpty()) {
            since.put(nodeId, System.nanoTime());
        }
    }

    Set<String> current() {
        long now = System.nanoTime();
        since.entrySet().removeIf(e -> now - e.getValue() > ttl.toNanos());
        return since.keySet().stream().collect(Collectors.toUnmodifiableSet());
    }
}
