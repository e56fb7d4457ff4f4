package io.strata.split;

/**
 * A node a stage may run on, as the planner sees it.
 *
 * @param name                 how the plan refers to it
 * @param memoryBytes          memory available for weights, KV cache and activations
 * @param readBytesPerSecond   how fast it streams weights (decode is memory-bound, so this is its speed)
 */
public record NodeSpec(String name, long memoryBytes, double readBytesPerSecond) {
    public NodeSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a node needs a name");
        }
        if (memoryBytes <= 0) {
            throw new IllegalArgumentException("node " + name + ": memory must be positive, got " + memoryBytes);
        }
        if (!(readBytesPerSecond > 0) || Double.isInfinite(readBytesPerSecond)) {
            throw new IllegalArgumentException("node " + name + ": speed must be a positive number, got " + readBytesPerSecond);
        }
    }

    /** {@code n} identical nodes with unbounded memory: a plain world size. */
    public static java.util.List<NodeSpec> uniform(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("the number of stages must be at least 1, got " + n);
        }
        java.util.List<NodeSpec> nodes = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            nodes.add(new NodeSpec("stage-" + i, Long.MAX_VALUE / 4, 1e9));
        }
        return nodes;
    }
}
