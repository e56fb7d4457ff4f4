package io.strata.mesh.cluster;

import io.strata.mesh.NodeAnnouncement;
import io.strata.mesh.RoutingTable;
import io.strata.mesh.membership.NodeStatus;
import io.strata.mesh.placement.PlacementDecision;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoordinatorTest {
    private final ModelPlan plan = ControlMessageTest.plan();
    private final String block = plan.blocks().getFirst().blockId();

    private static NodeStatus node(String id, Map<String, String> ready, Map<String, NodeStatus.BlockFailure> failed) {
        return new NodeStatus(new NodeAnnouncement(id, "10.0.0.1", 7000, 8080, "cpu", 1L << 30, 1e9, ready.keySet(), 1),
                ready, failed);
    }

    @Test
    void aNodeReadyWithAnotherArtifactUnderTheSameBlockIdIsNotRouted() {
        PlacementDecision d = new PlacementDecision(1, List.of(plan), List.of(), List.of(), List.of());
        List<NodeStatus> live = List.of(node("old", Map.of(block, "an older sha"), Map.of()),
                node("new", Map.of(block, "abcd"), Map.of()));
        RoutingTable t = Coordinator.route(d, live, RoutingTable.empty()).orElseThrow();
        assertEquals(List.of("new"), t.models().get("m").stages().getFirst().replicas().stream()
                .map(RoutingTable.Endpoint::nodeId).toList());
        assertTrue(Coordinator.route(d, live, t).isEmpty(), "same routes: nothing to publish");
    }

    @Test
    void aRefusalOfAnOlderArtifactDoesNotKeepTheNodeFromTheNewOne() {
        List<NodeStatus> live = List.of(node("a", Map.of(), Map.of(block, new NodeStatus.BlockFailure("old", "bad"))));
        PlacementDecision d = Coordinator.rebalance(List.of(plan), live, PlacementDecision.empty()).orElseThrow();
        assertEquals(List.of("a"), d.nodesFor(block));
        List<NodeStatus> refusedNow = List.of(node("a", Map.of(), Map.of(block, new NodeStatus.BlockFailure("abcd", "bad"))));
        PlacementDecision none = Coordinator.rebalance(List.of(plan), refusedNow, PlacementDecision.empty()).orElseThrow();
        assertTrue(none.nodesFor(block).isEmpty());
        assertTrue(none.refusals().getFirst().reason().contains("node a refused it (bad)"));
    }

    @Test
    void versionsOnlyGrowAndAnUnchangedPlacementIsNotRepublished() {
        List<NodeStatus> live = List.of(node("a", Map.of(), Map.of()));
        PlacementDecision first = Coordinator.rebalance(List.of(plan), live, PlacementDecision.empty()).orElseThrow();
        assertTrue(first.version() > 0);
        assertTrue(Coordinator.rebalance(List.of(plan), live, first).isEmpty());
        assertTrue(Coordinator.nextVersion(Long.MAX_VALUE - 5) > Long.MAX_VALUE - 5);
    }

    @Test
    void aMembersPlanReplacesTheDecisionsAndTheDecisionsOutliveTheirMember() {
        ModelPlan other = new ModelPlan(1, "other", "other", "s", "llama", 5, "even", 256, List.of(
                new ModelPlan.BlockSpec("other-split-0-of-1", 0, 1, 0, 5, "file:///o.gguf", "o.gguf", "1", "2", 1, 1,
                        new ModelPlan.Replicas(1, 1), "c", false)), ModelPlan.VdagSpec.chain("o", List.of("other-split-0-of-1")));
        PlacementDecision d = new PlacementDecision(1, List.of(plan), List.of(), List.of(), List.of());
        List<ModelPlan> served = Coordinator.servedPlans(List.of("b"), Map.of("b", List.of(other)), d);
        assertEquals(List.of("m", "other"), served.stream().map(ModelPlan::modelId).toList());
        assertEquals(Set.of(plan), Set.of(served.getFirst()));
    }
}
