package io.strata.mesh.gateway;

import io.strata.mesh.RoutingTable;
import io.strata.mesh.transport.SessionOpen;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Picks a session's path: one replica per stage, skipping nodes that failed, and among the rest
 * the one this gateway has the fewest sessions on (ties: the routing table's order, which puts
 * whole-model and faster nodes first).
 */
public final class PathChooser {
    private PathChooser() {
    }

    /**
     * @param excluded nodes not to use
     * @param load     sessions this gateway has open through a node
     * @return the path, or empty when the model is not routed or a stage has no usable replica
     */
    public static Optional<List<SessionOpen.Hop>> choose(RoutingTable table, String modelId, Set<String> excluded,
                                                         ToIntFunction<String> load) {
        RoutingTable.ModelRoute route = table.models().get(modelId);
        if (route == null) {
            return Optional.empty();
        }
        List<SessionOpen.Hop> path = new ArrayList<>();
        for (RoutingTable.StageRoute stage : route.stages()) {
            RoutingTable.Endpoint best = null;
            int bestLoad = Integer.MAX_VALUE;
            for (RoutingTable.Endpoint e : stage.replicas()) {
                if (excluded.contains(e.nodeId())) {
                    continue;
                }
                int l = load.applyAsInt(e.nodeId());
                if (l < bestLoad) {
                    best = e;
                    bestLoad = l;
                }
            }
            if (best == null) {
                return Optional.empty();
            }
            path.add(new SessionOpen.Hop(stage.blockId(), best.nodeId(), best.host(), best.transportPort()));
        }
        return Optional.of(path);
    }
}
