package io.strata.mesh;

import java.util.List;
import java.util.Map;

/**
 * Where each stage of each served model runs: published by the coordinator, read by every
 * gateway and stage. A stage with several replicas can be served by any of them; the gateway
 * picks one per session and fails over to another.
 *
 * @param version increases with every publication, so a node keeps only the newest
 * @param models  by model id
 */
public record RoutingTable(long version, Map<String, ModelRoute> models) {
    public RoutingTable {
        models = Map.copyOf(models);
    }

    public static RoutingTable empty() {
        return new RoutingTable(0, Map.of());
    }

    /** One model's pipeline: its stages in order. */
    public record ModelRoute(String modelId, List<StageRoute> stages) {
        public ModelRoute {
            stages = List.copyOf(stages);
        }
    }

    /** One stage: the block it runs, its layers, and the nodes serving it. */
    public record StageRoute(String blockId, int firstLayer, int lastLayer, List<Endpoint> replicas) {
        public StageRoute {
            replicas = List.copyOf(replicas);
        }
    }

    /** A node serving a stage, reached over the activation transport. */
    public record Endpoint(String nodeId, String host, int transportPort) {
    }
}
