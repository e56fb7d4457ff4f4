package io.strata.mesh.gateway;

import io.strata.mesh.pipeline.StageStats;

import java.util.List;
import java.util.Map;

/** What the gateway reports about the node it runs on (health, stages); the node wiring supplies it. */
public interface NodeInfo {
    String nodeId();

    /** Node fields for {@code GET /health}: membership, blocks, routing version. */
    Map<String, Object> health();

    /** Models this node knows plans for (served or not yet ready). */
    List<String> plannedModels();

    /** The stages this node hosts, for the metrics. */
    List<StageStats> stages();
}
