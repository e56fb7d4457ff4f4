package io.strata.mesh.placement;

import io.strata.mesh.NodeAnnouncement;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.strata.mesh.placement.Plans.MIB;
import static io.strata.mesh.placement.Plans.model;
import static io.strata.mesh.placement.Plans.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementTest {
    private static PlacementDecision place(List<ModelPlan> models, List<NodeAnnouncement> nodes) {
        return Placement.place(models, nodes, PlacementDecision.empty());
    }

    /** Memory each node holds under {@code d}, checked against what it announced. */
    private static void assertFits(PlacementDecision d, List<NodeAnnouncement> nodes) {
        for (NodeAnnouncement n : nodes) {
            long held = d.blocksFor(n.nodeId()).stream().mapToLong(ModelPlan.BlockSpec::memoryBytes).sum();
            assertTrue(held <= n.freeMemoryBytes(), n.nodeId() + " holds " + held + " of " + n.freeMemoryBytes());
        }
        Set<PlacementDecision.Replica> unique = new HashSet<>(d.replicas());
        assertEquals(unique.size(), d.replicas().size(), "no node holds two copies of a block");
    }

    @Test
    void aBlockGoesOnlyWhereItsMemoryFits() {
        List<NodeAnnouncement> nodes = List.of(node("small", 100, 50), node("large", 1000, 1));
        PlacementDecision d = place(List.of(model("m", 1, 1, 500)), nodes);
        assertEquals(List.of("large"), d.nodesFor("m-split-0-of-1"), "the faster node is too small");
        assertFits(d, nodes);
    }

    @Test
    void whatANodeAlreadyHoldsCountsAgainstItsMemory() {
        List<NodeAnnouncement> nodes = List.of(node("a", 600, 1), node("b", 600, 1));
        PlacementDecision d = place(List.of(model("m", 1, 1, 400, 400)), nodes);
        assertEquals(1, d.blocksFor("a").size());
        assertEquals(1, d.blocksFor("b").size());
        assertTrue(d.refusals().isEmpty());
    }

    @Test
    void minimumReplicasGoOnDistinctNodes() {
        List<NodeAnnouncement> nodes = List.of(node("a", 100, 1), node("b", 100, 1), node("c", 100, 1));
        PlacementDecision d = place(List.of(model("m", 2, 2, 80)), nodes);
        List<String> copies = d.nodesFor("m-split-0-of-1");
        assertEquals(2, copies.size());
        assertEquals(2, Set.copyOf(copies).size());
        assertTrue(d.shortfalls().isEmpty());
    }

    @Test
    void extraReplicasGrowToTheMaximumWhereMemoryAllows() {
        List<NodeAnnouncement> four = List.of(node("a", 100, 1), node("b", 100, 1), node("c", 100, 1), node("d", 50, 1));
        assertEquals(3, place(List.of(model("m", 1, 3, 80)), four).nodesFor("m-split-0-of-1").size(),
                "three fit, the maximum is three");
        List<NodeAnnouncement> two = List.of(node("a", 100, 1), node("b", 100, 1), node("d", 50, 1));
        PlacementDecision d = place(List.of(model("m", 1, 3, 80)), two);
        assertEquals(2, d.nodesFor("m-split-0-of-1").size(), "only two have room");
        assertTrue(d.shortfalls().isEmpty(), "above the minimum of one");
    }

    @Test
    void fewerNodesThanTheMinimumIsPlacedAndReportedAsAShortfall() {
        PlacementDecision d = place(List.of(model("m", 2, 3, 80)), List.of(node("a", 100, 1)));
        assertEquals(List.of("a"), d.nodesFor("m-split-0-of-1"));
        assertEquals(1, d.shortfalls().size());
        assertTrue(d.shortfalls().getFirst().contains("1 of its minimum 2"), d.shortfalls().getFirst());
        assertTrue(d.refusals().isEmpty());
    }

    @Test
    void aModelThatFitsOneNodeRunsWholeOnItEvenWhenOthersAreFaster() {
        List<NodeAnnouncement> nodes = List.of(node("big", 1000, 1), node("fast1", 150, 20), node("fast2", 150, 20),
                node("fast3", 150, 20));
        PlacementDecision d = place(List.of(model("m", 1, 1, 100, 100, 100)), nodes);
        assertEquals(3, d.blocksFor("big").size(), "all three stages on one node: no hops " + d.replicas());
        assertEquals(3, d.replicas().size());
    }

    @Test
    void ofSeveralNodesThatFitTheWholeModelTheFastestTakesIt() {
        List<NodeAnnouncement> nodes = List.of(node("slow", 1000, 1), node("quick", 1000, 5));
        PlacementDecision d = place(List.of(model("m", 1, 1, 100, 100)), nodes);
        assertEquals(2, d.blocksFor("quick").size());
    }

    @Test
    void copiesOfAWholeModelAreWholeCopies() {
        List<NodeAnnouncement> nodes = List.of(node("a", 1000, 1), node("b", 1000, 1), node("c", 1000, 1));
        PlacementDecision d = place(List.of(model("m", 2, 2, 100, 200, 100)), nodes);
        List<String> holders = nodes.stream().map(NodeAnnouncement::nodeId).filter(n -> !d.blocksFor(n).isEmpty()).toList();
        assertEquals(2, holders.size());
        for (String n : holders) {
            assertEquals(3, d.blocksFor(n).size(), n + " holds a whole copy");
        }
    }

    @Test
    void aModelTooBigForAnyOneNodeIsSplitAcrossThem() {
        List<NodeAnnouncement> nodes = List.of(node("a", 250, 1), node("b", 250, 1), node("c", 250, 1));
        PlacementDecision d = place(List.of(model("m", 1, 1, 200, 200, 200)), nodes);
        for (NodeAnnouncement n : nodes) {
            assertEquals(1, d.blocksFor(n.nodeId()).size());
        }
    }

    @Test
    void aBlockThatFitsNowhereRefusesItsWholeModelWithTheReasonAndTheFix() {
        List<NodeAnnouncement> nodes = List.of(node("a", 300, 1), node("b", 300, 1));
        PlacementDecision d = place(List.of(model("huge", 1, 1, 100, 900), model("ok", 1, 1, 100)), nodes);
        assertEquals(1, d.refusals().size());
        PlacementDecision.Refusal r = d.refusals().getFirst();
        assertEquals("huge", r.modelId());
        assertEquals("huge-split-1-of-2", r.blockId());
        assertTrue(r.reason().contains("block huge-split-1-of-2 (layers 2-3) needs 900.0 MiB"), r.reason());
        assertTrue(r.reason().contains("node a has 300.0 MiB free of 300.0 MiB"), r.reason());
        assertTrue(r.reason().contains("strata split --stages"), r.reason());
        assertTrue(d.nodesFor("huge-split-0-of-2").isEmpty(), "the block that would fit is not placed alone");
        assertEquals(1, d.nodesFor("ok-split-0-of-1").size(), "the other model is still served");
    }

    @Test
    void withNoNodesEveryModelIsRefusedSayingSo() {
        PlacementDecision d = place(List.of(model("m", 1, 1, 10)), List.of());
        assertTrue(d.refusals().getFirst().reason().contains("no node has announced itself yet"));
    }

    @Test
    void aBlockANodeRefusedIsPlacedElsewhere() {
        List<NodeAnnouncement> nodes = List.of(node("a", 1000, 10), node("b", 1000, 1));
        Map<String, Map<String, String>> failed = Map.of("a", Map.of("m-split-0-of-1", "SHA-256 mismatch"));
        PlacementDecision d = Placement.place(List.of(model("m", 1, 1, 100)), nodes, failed, PlacementDecision.empty());
        assertEquals(List.of("b"), d.nodesFor("m-split-0-of-1"));
        PlacementDecision none = Placement.place(List.of(model("m", 1, 1, 100)), List.of(nodes.getFirst()), failed,
                PlacementDecision.empty());
        assertTrue(none.refusals().getFirst().reason().contains("node a refused it (SHA-256 mismatch)"),
                none.refusals().getFirst().reason());
    }

    @Test
    void everyModelGetsItsMinimumBeforeAnyGetsExtras() {
        List<NodeAnnouncement> nodes = List.of(node("a", 100, 1), node("b", 100, 1));
        // "first" could fill both nodes with copies; "second" needs one of them
        PlacementDecision d = place(List.of(model("first", 1, 2, 80), model("second", 1, 1, 80)), nodes);
        assertEquals(1, d.nodesFor("first-split-0-of-1").size());
        assertEquals(1, d.nodesFor("second-split-0-of-1").size());
        assertTrue(d.refusals().isEmpty());
    }

    @Test
    void fasterNodesTakeMoreBlocksSoNoNodeIsTheBottleneck() {
        NodeAnnouncement fast = node("fast", 350, 3);
        NodeAnnouncement slow = node("slow", 350, 1);
        ModelPlan m = model("m", 1, 1, 100, 100, 100, 100); // 400 MiB: no node holds it whole
        PlacementDecision d = place(List.of(m), List.of(fast, slow));
        assertEquals(3, d.blocksFor("fast").size());
        assertEquals(1, d.blocksFor("slow").size());
        // the slowest stage is as fast as the best of all 2^4 assignments that fit
        double best = Double.MAX_VALUE;
        for (int mask = 0; mask < 16; mask++) {
            int onFast = Integer.bitCount(mask);
            if (onFast * 100 > 350 || (4 - onFast) * 100 > 350) {
                continue;
            }
            best = Math.min(best, Math.max(onFast * 80 * MIB / 3e9, (4 - onFast) * 80 * MIB / 1e9));
        }
        assertEquals(best, Math.max(seconds(d, m, fast), seconds(d, m, slow)), best * 1e-9);
    }

    private static double seconds(PlacementDecision d, ModelPlan m, NodeAnnouncement n) {
        return d.blocksFor(n.nodeId()).stream().mapToLong(ModelPlan.BlockSpec::bytes).sum() / n.readBytesPerSecond();
    }

    @Test
    void whenANodeLeavesOnlyItsBlocksMove() {
        List<NodeAnnouncement> nodes = new ArrayList<>(List.of(node("a", 300, 1), node("b", 300, 2),
                node("c", 300, 1), node("d", 300, 1.5)));
        List<ModelPlan> models = List.of(model("x", 1, 2, 100, 120, 90), model("y", 1, 1, 150, 140));
        PlacementDecision before = place(models, nodes);
        assertTrue(before.refusals().isEmpty(), before.refusals().toString());
        String leaving = "b";
        nodes.removeIf(n -> n.nodeId().equals(leaving));
        PlacementDecision after = Placement.place(models, nodes, before);
        assertEquals(before.version() + 1, after.version());
        for (PlacementDecision.Replica r : before.replicas()) {
            if (!r.nodeId().equals(leaving)) {
                assertTrue(after.replicas().contains(r), "kept in place: " + r);
            }
        }
        for (ModelPlan m : models) {
            for (ModelPlan.BlockSpec b : m.blocks()) {
                assertTrue(after.nodesFor(b.blockId()).size() >= b.replicas().min(), b.blockId() + " still served");
            }
        }
        assertFits(after, nodes);
    }

    @Test
    void whenANodeJoinsNothingMovesAndItOnlyTakesNewCopies() {
        List<NodeAnnouncement> nodes = new ArrayList<>(List.of(node("a", 300, 1), node("b", 300, 1)));
        List<ModelPlan> models = List.of(model("x", 1, 3, 100, 120), model("y", 1, 1, 150));
        PlacementDecision before = place(models, nodes);
        nodes.add(node("c", 1000, 10)); // big and fast: a fresh placement would put x whole there
        PlacementDecision after = Placement.place(models, nodes, before);
        assertTrue(after.replicas().containsAll(before.replicas()), "existing copies stay: " + after.replicas());
        assertFits(after, nodes);
        assertEquals(2, after.blocksFor("c").stream().filter(b -> b.blockId().startsWith("x-")).count(),
                "the new node takes a whole extra copy of x");
    }

    @Test
    void whenEveryCopyOfAStageDiesTheOtherStagesStayLoadedAndTheModelReturnsWhenANodeJoins() {
        List<NodeAnnouncement> nodes = new ArrayList<>(List.of(node("a", 250, 1), node("b", 250, 1), node("c", 250, 1)));
        List<ModelPlan> models = List.of(model("m", 1, 1, 200, 200, 200));
        PlacementDecision before = place(models, nodes);
        String lost = before.nodesFor("m-split-1-of-3").getFirst();
        nodes.removeIf(n -> n.nodeId().equals(lost));

        PlacementDecision down = Placement.place(models, nodes, before);
        for (PlacementDecision.Replica r : before.replicas()) {
            if (!r.nodeId().equals(lost)) {
                assertTrue(down.replicas().contains(r), "a survivor keeps its block: " + r + " in " + down.replicas());
            }
        }
        assertTrue(down.nodesFor("m-split-1-of-3").isEmpty(), "the lost stage fits nowhere else");
        assertEquals(1, down.refusals().size());
        assertTrue(down.refusals().getFirst().reason().contains("other blocks stay loaded"), down.refusals().toString());

        nodes.add(node("d", 250, 1));
        PlacementDecision back = Placement.place(models, nodes, down);
        assertTrue(back.replicas().containsAll(down.replicas()), "nothing moves when the model returns");
        assertEquals(List.of("d"), back.nodesFor("m-split-1-of-3"), "the newcomer takes the lost stage");
        assertTrue(back.refusals().isEmpty(), back.refusals().toString());
    }

    @Test
    void aNewModelWithABlockThatFitsNowhereStillHoldsNoMemory() {
        List<NodeAnnouncement> nodes = List.of(node("a", 250, 1), node("b", 250, 1));
        PlacementDecision d = place(List.of(model("m", 1, 1, 200, 200, 200)), nodes);
        assertTrue(d.replicas().isEmpty(), "never served: refused whole " + d.replicas());
        assertEquals(1, d.refusals().size());
    }

    @Test
    void aNodesOwnLoadedBlocksCountAsItsOwnWhenThePreviousDecisionForgotThem() {
        // the previous decision lost track (a model that went down, a new coordinator): b still has block 2 loaded
        List<NodeAnnouncement> nodes = List.of(node("a", 250, 1), Plans.ready(node("b", 250, 1), "m-split-2-of-3"),
                node("c", 250, 1));
        PlacementDecision d = place(List.of(model("m", 1, 1, 200, 200, 200)), nodes);
        assertEquals(List.of("b"), d.nodesFor("m-split-2-of-3"), "b keeps what it has loaded: " + d.replicas());
        assertFits(d, nodes);
    }

    @Test
    void aReturningNodeTakesNothingBackFromTheNodesThatHeldItsBlocks() {
        List<NodeAnnouncement> nodes = new ArrayList<>(List.of(node("a", 250, 1), node("b", 250, 1), node("c", 250, 1),
                node("d", 250, 1)));
        List<ModelPlan> models = List.of(model("m", 1, 1, 200, 200, 200));
        PlacementDecision first = place(models, nodes);
        String leaving = first.replicas().getFirst().nodeId();
        NodeAnnouncement gone = nodes.stream().filter(n -> n.nodeId().equals(leaving)).findFirst().orElseThrow();
        nodes.remove(gone);
        PlacementDecision without = Placement.place(models, nodes, first);
        nodes.add(gone);
        PlacementDecision rejoined = Placement.place(models, nodes, without);
        assertTrue(rejoined.sameAs(without), "no reshuffle on rejoin: " + without.replicas() + " vs "
                + rejoined.replicas());
        PlacementDecision again = Placement.place(models, nodes, rejoined);
        assertTrue(again.sameAs(rejoined), "and placing again is a fixed point (no flapping)");
    }

    @Test
    void anUnchangedClusterGivesTheSameDecision() {
        List<NodeAnnouncement> nodes = List.of(node("a", 300, 1), node("b", 300, 2), node("c", 300, 1));
        List<ModelPlan> models = List.of(model("x", 1, 2, 100, 120, 90), model("y", 2, 2, 150));
        PlacementDecision first = place(models, nodes);
        PlacementDecision again = Placement.place(models, nodes, first);
        assertTrue(again.sameAs(first), first.replicas() + " vs " + again.replicas());
    }

    @Test
    void randomClustersNeverOverfillANodeAndAlwaysMeetMinimumsWhenTheyPlace() {
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            List<NodeAnnouncement> nodes = new ArrayList<>();
            for (int i = random.nextInt(1, 6); i > 0; i--) {
                nodes.add(node("n" + i, random.nextLong(50, 800), 0.5 + random.nextDouble() * 4));
            }
            List<ModelPlan> models = new ArrayList<>();
            for (int m = random.nextInt(1, 4); m > 0; m--) {
                long[] sizes = random.longs(random.nextInt(1, 5), 10, 300).toArray();
                int min = random.nextInt(1, 3);
                models.add(model("m" + m, min, min + random.nextInt(0, 3), sizes));
            }
            PlacementDecision d = place(models, nodes);
            assertFits(d, nodes);
            Map<String, Integer> copies = new HashMap<>();
            d.replicas().forEach(r -> copies.merge(r.blockId(), 1, Integer::sum));
            for (ModelPlan m : models) {
                boolean refused = d.refusals().stream().anyMatch(r -> r.modelId().equals(m.modelId()));
                for (ModelPlan.BlockSpec b : m.blocks()) {
                    int n = copies.getOrDefault(b.blockId(), 0);
                    if (refused) {
                        assertEquals(0, n, "a refused model holds no memory");
                    } else {
                        assertTrue(n >= 1 && n <= b.replicas().max(), b.blockId() + " has " + n);
                        assertTrue(n >= b.replicas().min() || d.shortfalls().stream().anyMatch(s -> s.contains(b.blockId())));
                    }
                }
            }
        }
    }
}
