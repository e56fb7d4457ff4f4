package io.strata.mesh;

import java.util.Set;

/**
 * What a node tells the cluster about itself, re-sent whenever it changes: where to reach it,
 * what it can hold, how fast it is, and which blocks it has loaded and verified.
 *
 * @param nodeId             stable id of the node (unique in the cluster)
 * @param host               address other nodes reach it on
 * @param transportPort      port of its activation transport (binary frames)
 * @param httpPort           port of its gateway (OpenAI-compatible API, health, metrics)
 * @param device             "cpu" or a GPU's name
 * @param freeMemoryBytes    memory available for weights and KV caches
 * @param readBytesPerSecond measured weight-streaming speed (decode is memory-bound)
 * @param readyBlocks        block ids loaded, verified and serving
 * @param sequence           increases with every announcement of this node, so stale ones are ignored
 */
public record NodeAnnouncement(String nodeId, String host, int transportPort, int httpPort, String device,
                               long freeMemoryBytes, double readBytesPerSecond, Set<String> readyBlocks,
                               long sequence) {
    public NodeAnnouncement {
        readyBlocks = Set.copyOf(readyBlocks);
    }
}
