package io.strata.mesh.placement;

import io.strata.mesh.NodeAnnouncement;
import io.strata.mesh.RoutingTable;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.strata.mesh.placement.Plans.model;
import static io.strata.mesh.placement.Plans.node;
import static io.strata.mesh.placement.Plans.ready;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutingTableBuilderTest {
    private final ModelPlan m = model("m", 1, 2, 100, 100);
    private final PlacementDecision decision = new PlacementDecision(3, List.of(m), List.of(), List.of(), List.of());

    @Test
    void onlyNodesThatAnnounceABlockReadyServeIt() {
        List<NodeAnnouncement> live = List.of(ready(node("a", 500, 1), "m-split-0-of-2"),
                ready(node("b", 500, 1), "m-split-1-of-2"), node("c", 500, 9));
        RoutingTable t = RoutingTableBuilder.build(7, decision, live);
        assertEquals(7, t.version());
        List<RoutingTable.StageRoute> stages = t.models().get("m").stages();
        assertEquals(List.of("a"), stages.get(0).replicas().stream().map(RoutingTable.Endpoint::nodeId).toList());
        assertEquals(List.of("b"), stages.get(1).replicas().stream().map(RoutingTable.Endpoint::nodeId).toList());
        assertEquals(2, stages.get(1).firstLayer());
        assertEquals(4, stages.get(1).lastLayer());
    }

    @Test
    void aModelWithAStageNobodyServesYetIsLeftOut() {
        List<NodeAnnouncement> live = List.of(ready(node("a", 500, 1), "m-split-0-of-2"));
        assertTrue(RoutingTableBuilder.build(1, decision, live).models().isEmpty());
    }

    @Test
    void aNodeServingTheWholeModelComesFirstInEveryStage() {
        List<NodeAnnouncement> live = List.of(
                ready(node("fast", 500, 9), "m-split-1-of-2"),
                ready(node("whole", 500, 1), "m-split-0-of-2", "m-split-1-of-2"),
                ready(node("first", 500, 5), "m-split-0-of-2"));
        RoutingTable t = RoutingTableBuilder.build(1, decision, live);
        for (RoutingTable.StageRoute s : t.models().get("m").stages()) {
            assertEquals("whole", s.replicas().getFirst().nodeId(), s.toString());
        }
        assertEquals("fast", t.models().get("m").stages().get(1).replicas().get(1).nodeId(), "then faster nodes");
    }
}
