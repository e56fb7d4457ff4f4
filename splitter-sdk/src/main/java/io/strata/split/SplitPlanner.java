package io.strata.split;

import java.util.ArrayList;
import java.util.List;

/**
 * Divides a model's layers into contiguous stages, one per node, by a {@link SplitStrategy}.
 *
 * <p>Memory-aware and throughput-aware planning are the same search with different costs: a
 * dynamic programme over "the first k layers on the first i nodes" that minimises the worst
 * stage (its memory use relative to its node's memory, or its time per token), so the answer
 * is optimal for contiguous pipelines, not a greedy approximation. Nodes keep the order given.
 */
public final class SplitPlanner {
    private final ModelFootprint model;
    private final int contextTokens;

    public SplitPlanner(ModelFootprint model, int contextTokens) {
        if (contextTokens <= 0) {
            throw new IllegalArgumentException("context must be at least 1 token, got " + contextTokens);
        }
        this.model = model;
        this.contextTokens = contextTokens;
    }

    public SplitPlan plan(List<NodeSpec> nodes, SplitStrategy strategy) {
        int n = nodes.size();
        int layers = model.layers();
        if (n == 0) {
            throw new IllegalArgumentException("a plan needs at least one node or stage");
        }
        if (n > layers) {
            throw new IllegalArgumentException("cannot split " + layers + " layers into " + n
                    + " stages: every stage needs a layer, so at most " + layers + " stages fit");
        }
        int[] bounds = switch (strategy) {
            case EVEN -> evenBounds(n, layers);
            case MEMORY -> minimaxBounds(nodes, this::memoryCost);
            case THROUGHPUT -> minimaxBounds(nodes, this::timeCostWithinMemory);
        };
        List<PlannedStage> stages = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            stages.add(stage(i, bounds[i], bounds[i + 1], nodes.get(i)));
        }
        refuseIfAnyStageDoesNotFit(stages);
        return new SplitPlan(strategy, contextTokens, stages);
    }

    private PlannedStage stage(int i, int first, int last, NodeSpec node) {
        return new PlannedStage(i, first, last, node, model.weightBytes(first, last),
                model.memoryBytes(first, last, contextTokens),
                model.bytesReadPerToken(first, last) / node.readBytesPerSecond());
    }

    /** Equal layer counts; the first {@code layers % n} stages take one more. */
    static int[] evenBounds(int n, int layers) {
        int[] bounds = new int[n + 1];
        int base = layers / n;
        int extra = layers % n;
        for (int i = 0; i < n; i++) {
            bounds[i + 1] = bounds[i] + base + (i < extra ? 1 : 0);
        }
        return bounds;
    }

    @FunctionalInterface
    private interface StageCost {
        double of(NodeSpec node, int first, int last);
    }

    private double memoryCost(NodeSpec node, int first, int last) {
        return (double) model.memoryBytes(first, last, contextTokens) / node.memoryBytes();
    }

    private double timeCostWithinMemory(NodeSpec node, int first, int last) {
        long need = model.memoryBytes(first, last, contextTokens);
        double time = model.bytesReadPerToken(first, last) / node.readBytesPerSecond();
        // Over memory: still ordered (so a refusal can name the least-bad plan) but above any fitting plan.
        return need <= node.memoryBytes() ? time : 1e12 * ((double) need / node.memoryBytes());
    }

    /** best[i][k]: the least possible worst-stage cost of layers [0,k) on nodes [0,i). */
    private int[] minimaxBounds(List<NodeSpec> nodes, StageCost cost) {
        int n = nodes.size();
        int layers = model.layers();
        double[][] best = new double[n + 1][layers + 1];
        int[][] cut = new int[n + 1][layers + 1];
        for (double[] row : best) {
            java.util.Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        best[0][0] = 0;
        for (int i = 1; i <= n; i++) {
            NodeSpec node = nodes.get(i - 1);
            // node i-1 takes layers [a, k); leave at least one layer for each later node
            for (int k = i; k <= layers - (n - i); k++) {
                for (int a = i - 1; a < k; a++) {
                    if (best[i - 1][a] == Double.POSITIVE_INFINITY) {
                        continue;
                    }
                    double worst = Math.max(best[i - 1][a], cost.of(node, a, k));
                    if (worst < best[i][k]) {
                        best[i][k] = worst;
                        cut[i][k] = a;
                    }
                }
            }
        }
        int[] bounds = new int[n + 1];
        bounds[n] = layers;
        for (int i = n; i > 0; i--) {
            bounds[i - 1] = cut[i][bounds[i]];
        }
        return bounds;
    }

    private void refuseIfAnyStageDoesNotFit(List<PlannedStage> stages) {
        for (PlannedStage s : stages) {
            if (s.memoryBytes() > s.node().memoryBytes()) {
                long need = model.memoryBytes(0, model.layers(), contextTokens);
                long have = stages.stream().mapToLong(x -> x.node().memoryBytes()).sum();
                throw new IllegalArgumentException(String.format(
                        "no plan fits: stage %d (layers %d-%d) needs %s but node %s has %s; the whole model needs "
                                + "about %s for a %d-token context and the %d nodes have %s together — add memory or "
                                + "nodes, or plan for a shorter context",
                        s.index(), s.firstLayer(), s.lastLayer() - 1, ByteSizes.human(s.memoryBytes()),
                        s.node().name(), ByteSizes.human(s.node().memoryBytes()), ByteSizes.human(need),
                        contextTokens, stages.size(), ByteSizes.human(have)));
            }
        }
    }
}
