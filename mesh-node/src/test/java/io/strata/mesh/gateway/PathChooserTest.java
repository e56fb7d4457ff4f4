package io.strata.mesh.gateway;

import io.strata.mesh.RoutingTable;
import io.strata.mesh.transport.SessionOpen;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PathChooserTest {
    private static final RoutingTable TABLE = new RoutingTable(4, Map.of("m", new RoutingTable.ModelRoute("m", List.of(
            new RoutingTable.StageRoute("m-0", 0, 2, List.of(new RoutingTable.Endpoint("a", "10.0.0.1", 7001))),
            new RoutingTable.StageRoute("m-1", 2, 4, List.of(new RoutingTable.Endpoint("b", "10.0.0.2", 7002),
                    new RoutingTable.Endpoint("c", "10.0.0.3", 7003)))))));

    private static List<String> nodes(Optional<List<SessionOpen.Hop>> path) {
        return path.orElseThrow().stream().map(SessionOpen.Hop::nodeId).toList();
    }

    @Test
    void theFirstReplicaOfEachStageWinsWhenLoadsAreEqual() {
        Optional<List<SessionOpen.Hop>> path = PathChooser.choose(TABLE, "m", Set.of(), n -> 0);
        assertEquals(List.of("a", "b"), nodes(path));
        assertEquals(new SessionOpen.Hop("m-1", "b", "10.0.0.2", 7002), path.get().get(1));
    }

    @Test
    void theLeastLoadedReplicaIsPicked() {
        assertEquals(List.of("a", "c"), nodes(PathChooser.choose(TABLE, "m", Set.of(), n -> n.equals("b") ? 3 : 1)));
    }

    @Test
    void failedNodesAreLeftOutAndAStageWithoutReplicasLeavesNoPath() {
        assertEquals(List.of("a", "c"), nodes(PathChooser.choose(TABLE, "m", Set.of("b"), n -> 0)));
        assertTrue(PathChooser.choose(TABLE, "m", Set.of("b", "c"), n -> 0).isEmpty());
        assertTrue(PathChooser.choose(TABLE, "other", Set.of(), n -> 0).isEmpty());
    }
}
