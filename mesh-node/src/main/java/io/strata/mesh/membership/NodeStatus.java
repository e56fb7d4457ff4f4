package io.strata.mesh.membership;

import io.strata.mesh.NodeAnnouncement;

import java.util.Map;

/**
 * What a node multicasts about itself on every heartbeat: its announcement, which artifact each
 * ready block was loaded from, and the blocks it refused with why (a hash mismatch, a download
 * error), so the coordinator routes only to the artifact it placed and places refused blocks elsewhere.
 *
 * <p>Artifacts are named by SHA-256 because a block id alone does not pin its content: a model
 * re-split the same number of ways keeps its block ids.
 *
 * @param announcement   the shared contract: address, capacity, speed, ready blocks, sequence
 * @param readyArtifacts block id → SHA-256 of the artifact it was loaded from, for every ready block
 * @param failedBlocks   block id → the artifact that failed and why
 */
public record NodeStatus(NodeAnnouncement announcement, Map<String, String> readyArtifacts,
                         Map<String, BlockFailure> failedBlocks) {
    public NodeStatus {
        readyArtifacts = readyArtifacts == null ? Map.of() : Map.copyOf(readyArtifacts);
        failedBlocks = failedBlocks == null ? Map.of() : Map.copyOf(failedBlocks);
    }

    /** A block this node will not serve: the artifact it was given and the reason. */
    public record BlockFailure(String sha256, String reason) {
    }

    public String nodeId() {
        return announcement.nodeId();
    }
}
