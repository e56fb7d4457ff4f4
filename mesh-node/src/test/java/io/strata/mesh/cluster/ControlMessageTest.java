package io.strata.mesh.cluster;

import io.strata.mesh.NodeAnnouncement;
import io.strata.mesh.RoutingTable;
import io.strata.mesh.membership.NodeStatus;
import io.strata.mesh.placement.PlacementDecision;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlMessageTest {
    static ModelPlan plan() {
        ModelPlan.BlockSpec b = new ModelPlan.BlockSpec("m-split-0-of-1", 0, 1, 0, 5, "file:///x.gguf", "x.gguf",
                "0123", "abcd", 100, 200, new ModelPlan.Replicas(1, 2), "strata.transformer-stage:0.1.0", false);
        return new ModelPlan(1, "m", "m", "src", "llama", 5, "even", 256, List.of(b),
                ModelPlan.VdagSpec.chain("m-vdag", List.of(b.blockId())));
    }

    private static ControlMessage roundTrip(ControlMessage m) {
        return ControlMessage.decode(ControlMessage.encode(m)).orElseThrow();
    }

    @Test
    void everyMessageReadsBackEqual() {
        NodeStatus status = new NodeStatus(new NodeAnnouncement("a", "10.0.0.1", 7000, 8080, "cpu", 1 << 30, 2.5e9,
                Set.of("m-split-0-of-1"), 42), Map.of("m-split-0-of-1", "abcd"),
                Map.of("other", new NodeStatus.BlockFailure("ef01", "SHA-256 mismatch")));
        PlacementDecision decision = new PlacementDecision(7, List.of(plan()),
                List.of(new PlacementDecision.Replica("m", "m-split-0-of-1", "a")),
                List.of(new PlacementDecision.Refusal("n", "n-split-0-of-1", "too big")), List.of("short"));
        RoutingTable table = new RoutingTable(9, Map.of("m", new RoutingTable.ModelRoute("m", List.of(
                new RoutingTable.StageRoute("m-split-0-of-1", 0, 5, List.of(new RoutingTable.Endpoint("a", "10.0.0.1", 7000)))))));
        for (ControlMessage m : List.of(new ControlMessage.Status(status), new ControlMessage.Serve("a", List.of(plan())),
                new ControlMessage.Placed(decision), new ControlMessage.Routed(table))) {
            assertEquals(m, roundTrip(m));
        }
    }

    @Test
    void noiseAndUnknownTypesAreDroppedNotThrown() {
        assertTrue(ControlMessage.decode("\u0000\u0001garbage".getBytes(StandardCharsets.ISO_8859_1)).isEmpty());
        assertTrue(ControlMessage.decode("{\"type\":\"future\",\"body\":{}}".getBytes(StandardCharsets.UTF_8)).isEmpty());
        assertTrue(ControlMessage.decode(new byte[0]).isEmpty());
    }
}
