package io.strata.split;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitPlannerTest {
    private static final long MIB = 1 << 20;

    private static ModelFootprint uniformLayers(int layers, long layerBytes, long embedding, long head) {
        long[] bytes = new long[layers];
        Arrays.fill(bytes, layerBytes);
        return new ModelFootprint(bytes, embedding, head, 1024, 4096);
    }

    private static int[] bounds(SplitPlan plan) {
        int[] b = new int[plan.worldSize() + 1];
        for (PlannedStage s : plan.stages()) {
            b[s.index()] = s.firstLayer();
            b[s.index() + 1] = s.lastLayer();
        }
        return b;
    }

    @Test
    void evenPlanGivesTheRemainderToEarlierStages() {
        SplitPlan plan = new SplitPlanner(uniformLayers(5, MIB, MIB, MIB), 256)
                .plan(NodeSpec.uniform(3), SplitStrategy.EVEN);
        assertArrayEquals(new int[] {0, 2, 4, 5}, bounds(plan));
        assertEquals(List.of(2, 2, 1), plan.stages().stream().map(PlannedStage::layerCount).toList());
    }

    @Test
    void moreStagesThanLayersIsRefusedWithWhatWouldFit() {
        var planner = new SplitPlanner(uniformLayers(5, MIB, MIB, MIB), 256);
        var e = assertThrows(IllegalArgumentException.class, () -> planner.plan(NodeSpec.uniform(6), SplitStrategy.EVEN));
        assertTrue(e.getMessage().contains("at most 5 stages"), e.getMessage());
    }

    @Test
    void memoryPlanGivesLayersInProportionToMemory() {
        var model = uniformLayers(12, 100 * MIB, 0, 0);
        var nodes = List.of(new NodeSpec("big", 2000 * MIB, 1e9), new NodeSpec("small", 1000 * MIB, 1e9));
        SplitPlan plan = new SplitPlanner(model, 16).plan(nodes, SplitStrategy.MEMORY);
        assertArrayEquals(new int[] {0, 8, 12}, bounds(plan));
    }

    @Test
    void memoryPlanCountsEmbeddingAndClassifierWhereTheyLand() {
        // a huge embedding on the first node pushes layers to the second
        var model = uniformLayers(10, 100 * MIB, 500 * MIB, 0);
        var nodes = List.of(new NodeSpec("a", 1500 * MIB, 1e9), new NodeSpec("b", 1500 * MIB, 1e9));
        SplitPlan plan = new SplitPlanner(model, 16).plan(nodes, SplitStrategy.MEMORY);
        assertTrue(plan.stages().get(0).layerCount() < plan.stages().get(1).layerCount(), plan.table());
    }

    @Test
    void nodeTooSmallIsRefusedWithTheShortfall() {
        var model = uniformLayers(4, 1000 * MIB, 0, 0);
        var nodes = List.of(new NodeSpec("a", 1500 * MIB, 1e9), new NodeSpec("b", 1500 * MIB, 1e9));
        var e = assertThrows(IllegalArgumentException.class,
                () -> new SplitPlanner(model, 16).plan(nodes, SplitStrategy.MEMORY));
        assertTrue(e.getMessage().contains("no plan fits") && e.getMessage().contains("add memory"), e.getMessage());
    }

    @Test
    void throughputPlanBalancesTheSlowestStage() {
        var model = uniformLayers(9, 100 * MIB, 0, 0);
        var nodes = List.of(new NodeSpec("fast", 1L << 40, 2e9), new NodeSpec("slow", 1L << 40, 1e9));
        SplitPlan plan = new SplitPlanner(model, 16).plan(nodes, SplitStrategy.THROUGHPUT);
        assertArrayEquals(new int[] {0, 6, 9}, bounds(plan));
    }

    @Test
    void minimaxPlansAreOptimalAgainstExhaustiveSearch() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int layers = 2 + random.nextInt(7);
            int n = 1 + random.nextInt(Math.min(4, layers));
            long[] bytes = new long[layers];
            for (int l = 0; l < layers; l++) {
                bytes[l] = (1 + random.nextInt(50)) * MIB;
            }
            var model = new ModelFootprint(bytes, random.nextInt(30) * MIB, random.nextInt(30) * MIB, 0, 0);
            List<NodeSpec> nodes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                nodes.add(new NodeSpec("n" + i, 1L << 40, 1e8 * (1 + random.nextInt(5))));
            }
            SplitPlan plan = new SplitPlanner(model, 1).plan(nodes, SplitStrategy.THROUGHPUT);
            double best = exhaustiveBest(model, nodes, new int[n + 1], 1);
            assertEquals(best, plan.bottleneckSecondsPerToken(), 1e-12, "trial " + trial + "\n" + plan.table());
        }
    }

    /** Every contiguous partition with non-empty stages; returns the least bottleneck. */
    private static double exhaustiveBest(ModelFootprint m, List<NodeSpec> nodes, int[] b, int i) {
        int n = nodes.size();
        if (i == n) {
            b[n] = m.layers();
            if (b[n] <= b[n - 1]) {
                return Double.POSITIVE_INFINITY;
            }
            double worst = 0;
            for (int s = 0; s < n; s++) {
                worst = Math.max(worst, m.bytesReadPerToken(b[s], b[s + 1]) / nodes.get(s).readBytesPerSecond());
            }
            return worst;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int k = b[i - 1] + 1; k < m.layers(); k++) {
            b[i] = k;
            best = Math.min(best, exhaustiveBest(m, nodes, b, i + 1));
        }
        return best;
    }

    @Test
    void sizesParseAndPrint() {
        assertEquals(16L << 30, ByteSizes.parse("16g"));
        assertEquals(512L << 20, ByteSizes.parse("512MiB"));
        assertEquals(1536L << 20, ByteSizes.parse("1.5GB"));
        assertEquals("1.5 GiB", ByteSizes.human(1536L << 20));
        assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("lots"));
    }
}
