package io.strata.split;

import java.util.List;

/**
 * The planner's answer: contiguous layer ranges covering the model, one per stage.
 *
 * @param strategy       how it was made
 * @param contextTokens  the context the KV-cache estimate is for
 * @param stages         the stages in pipeline order
 */
public record SplitPlan(SplitStrategy strategy, int contextTokens, List<PlannedStage> stages) {
    public SplitPlan {
        stages = List.copyOf(stages);
    }

    public int worldSize() {
        return stages.size();
    }

    /** The slowest stage's time per token: the pipeline's decode rate for one session is bounded by it. */
    public double bottleneckSecondsPerToken() {
        return stages.stream().mapToDouble(PlannedStage::secondsPerToken).max().orElse(0);
    }

    /** The plan as a fixed-width table for {@code strata split --dry-run}. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-6s %-8s %-7s %-16s %12s %12s %12s%n",
                "stage", "layers", "count", "node", "weights", "memory", "node memory"));
        for (PlannedStage s : stages) {
            boolean bounded = s.node().memoryBytes() < Long.MAX_VALUE / 8;
            sb.append(String.format("%-6d %-8s %-7d %-16s %12s %12s %12s%n",
                    s.index(), s.firstLayer() + "-" + (s.lastLayer() - 1), s.layerCount(), s.node().name(),
                    ByteSizes.human(s.weightBytes()), ByteSizes.human(s.memoryBytes()),
                    bounded ? ByteSizes.human(s.node().memoryBytes()) : "-"));
        }
        return sb.toString();
    }
}
