package io.strata.split;

/**
 * One stage of a split plan: layers [firstLayer, lastLayer) on a node.
 *
 * @param index             position in the pipeline, from 0
 * @param firstLayer        first layer it runs
 * @param lastLayer         one past the last layer it runs
 * @param node              the node it was planned for
 * @param weightBytes       bytes of weights it holds (embedding and classifier included where they land)
 * @param memoryBytes       memory it needs for weights, KV cache and logits
 * @param secondsPerToken   estimated time per decoded token on its node
 */
public record PlannedStage(int index, int firstLayer, int lastLayer, NodeSpec node, long weightBytes,
                           long memoryBytes, double secondsPerToken) {
    public int layerCount() {
        return lastLayer - firstLayer;
    }
}
