package io.strata.mesh.cluster;

import io.strata.mesh.NodeAnnouncement;
import io.strata.mesh.RoutingTable;
import io.strata.mesh.membership.NodeStatus;
import io.strata.mesh.placement.Placement;
import io.strata.mesh.placement.PlacementDecision;
import io.strata.mesh.placement.RoutingTableBuilder;
import io.strata.split.ModelPlan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the coordinator (the oldest member) computes from what it has heard: the plans to serve,
 * the next placement, the next routing table. Pure functions, so a new coordinator that heard
 * the same things decides the same.
 *
 * <p>Ready blocks and refusals count only for the artifact the plan names now (by SHA-256): a
 * node still holding an older artifact under the same block id is not routed to.
 */
final class Coordinator {
    private Coordinator() {
    }

    /**
     * Plans announced by members (oldest member first) replace the decision's plans of the same
     * model; the decision's other plans stay served even after the member that brought them left.
     * The decision's order comes first, so priorities do not shift under a running cluster.
     */
    static List<ModelPlan> servedPlans(List<String> members, Map<String, List<ModelPlan>> announcedByNode,
                                       PlacementDecision current) {
        Map<String, ModelPlan> announced = new LinkedHashMap<>();
        for (String node : members) {
            for (ModelPlan p : announcedByNode.getOrDefault(node, List.of())) {
                announced.putIfAbsent(p.modelId(), p);
            }
        }
        Map<String, ModelPlan> out = new LinkedHashMap<>();
        for (ModelPlan m : current.models()) {
            out.put(m.modelId(), announced.getOrDefault(m.modelId(), m));
        }
        announced.forEach(out::putIfAbsent);
        return new ArrayList<>(out.values());
    }

    /** The next decision, or empty when placing again changes nothing. */
    static Optional<PlacementDecision> rebalance(List<ModelPlan> plans, List<NodeStatus> live,
                                                 PlacementDecision current) {
        Map<String, String> sha = shaByBlock(plans);
        Map<String, Map<String, String>> failures = new HashMap<>();
        for (NodeStatus s : live) {
            s.failedBlocks().forEach((block, f) -> {
                if (f.sha256().equals(sha.get(block))) {
                    failures.computeIfAbsent(s.nodeId(), k -> new HashMap<>()).put(block, f.reason());
                }
            });
        }
        List<NodeAnnouncement> nodes = live.stream().map(s -> withReadyArtifacts(s, sha)).toList();
        PlacementDecision next = Placement.place(plans, nodes, failures, current);
        return next.sameAs(current) ? Optional.empty() : Optional.of(next.withVersion(nextVersion(current.version())));
    }

    /** The node's announcement with only the ready blocks loaded from the artifact served now. */
    private static NodeAnnouncement withReadyArtifacts(NodeStatus s, Map<String, String> sha) {
        Set<String> blocks = new HashSet<>();
        s.readyArtifacts().forEach((block, artifact) -> {
            if (artifact.equals(sha.get(block)) && s.announcement().readyBlocks().contains(block)) {
                blocks.add(block);
            }
        });
        NodeAnnouncement a = s.announcement();
        return new NodeAnnouncement(a.nodeId(), a.host(), a.transportPort(), a.httpPort(), a.device(),
                a.freeMemoryBytes(), a.readBytesPerSecond(), blocks, a.sequence());
    }

    /** The next routing table, or empty when the routes are unchanged. */
    static Optional<RoutingTable> route(PlacementDecision decision, List<NodeStatus> live, RoutingTable current) {
        Map<String, String> sha = shaByBlock(decision.models());
        List<NodeAnnouncement> ready = new ArrayList<>();
        for (NodeStatus s : live) {
            ready.add(withReadyArtifacts(s, sha));
        }
        RoutingTable built = RoutingTableBuilder.build(0, decision, ready);
        if (built.models().equals(current.models())) {
            return Optional.empty();
        }
        return Optional.of(new RoutingTable(nextVersion(current.version()), built.models()));
    }

    /**
     * Above the last version and at least the wall clock in milliseconds, so that after a network
     * partition heals, the merged coordinator's next publication outranks both sides' earlier ones.
     */
    static long nextVersion(long current) {
        return Math.max(current + 1, System.currentTimeMillis());
    }

    private static Map<String, String> shaByBlock(List<ModelPlan> plans) {
        Map<String, String> sha = new HashMap<>();
        plans.forEach(p -> p.blocks().forEach(b -> sha.put(b.blockId(), b.sha256())));
        return sha;
    }
}
