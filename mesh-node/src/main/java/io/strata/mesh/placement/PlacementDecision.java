package io.strata.mesh.placement;

import io.strata.split.ModelPlan;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which node loads which blocks, as the coordinator decided it, with the plans it served so a
 * new coordinator carries on from here.
 *
 * @param version     increases with every decision the cluster sees
 * @param models      the plans being served, in priority order
 * @param replicas    one entry per (block, node) copy
 * @param refusals    models that could not be placed at all, with why and what would fix it
 * @param shortfalls  blocks placed with fewer than their minimum replicas, with why
 */
public record PlacementDecision(long version, List<ModelPlan> models, List<Replica> replicas,
                                List<Refusal> refusals, List<String> shortfalls) {
    public PlacementDecision {
        models = List.copyOf(models);
        replicas = List.copyOf(replicas);
        refusals = List.copyOf(refusals);
        shortfalls = List.copyOf(shortfalls);
    }

    /** A copy of block {@code blockId} of model {@code modelId} on node {@code nodeId}. */
    public record Replica(String modelId, String blockId, String nodeId) {
    }

    /** Model {@code modelId} is not served because block {@code blockId} fits nowhere. */
    public record Refusal(String modelId, String blockId, String reason) {
    }

    public static PlacementDecision empty() {
        return new PlacementDecision(0, List.of(), List.of(), List.of(), List.of());
    }

    /** The specs of the blocks {@code nodeId} should load, in model and rank order. */
    public List<ModelPlan.BlockSpec> blocksFor(String nodeId) {
        Set<String> mine = new HashSet<>();
        for (Replica r : replicas) {
            if (r.nodeId().equals(nodeId)) {
                mine.add(r.blockId());
            }
        }
        return models.stream().flatMap(m -> m.blocks().stream()).filter(b -> mine.contains(b.blockId())).toList();
    }

    /** Nodes holding a copy of {@code blockId}, in the order they were placed. */
    public List<String> nodesFor(String blockId) {
        return replicas.stream().filter(r -> r.blockId().equals(blockId)).map(Replica::nodeId).toList();
    }

    public Optional<ModelPlan.BlockSpec> block(String blockId) {
        return models.stream().flatMap(m -> m.blocks().stream()).filter(b -> b.blockId().equals(blockId)).findFirst();
    }

    /** Same plans (by artifact), same copies, same refusals: a rebalance that changes nothing. */
    public boolean sameAs(PlacementDecision other) {
        return Set.copyOf(replicas).equals(Set.copyOf(other.replicas))
                && artifacts(this).equals(artifacts(other))
                && refusals.equals(other.refusals) && shortfalls.equals(other.shortfalls);
    }

    private static List<String> artifacts(PlacementDecision d) {
        return d.models.stream().flatMap(m -> m.blocks().stream()).map(b -> b.blockId() + "@" + b.sha256()).toList();
    }

    public PlacementDecision withVersion(long newVersion) {
        return new PlacementDecision(newVersion, models, replicas, refusals, shortfalls);
    }
}
