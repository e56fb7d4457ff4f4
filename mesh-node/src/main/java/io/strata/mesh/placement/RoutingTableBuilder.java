package io.strata.mesh.placement;

import io.strata.mesh.NodeAnnouncement;
import io.strata.mesh.RoutingTable;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlan.BlockSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routing table the coordinator publishes: for each served model, each stage's replicas
 * are the live nodes that announce the block READY (fetched, verified, loaded), never nodes
 * merely assigned it. A model appears only when every stage has at least one replica, so a
 * gateway can trust that any model in the table can be served.
 *
 * <p>Replicas are ordered so that taking the first of every stage is the best pipeline: nodes
 * serving the whole model first (no hops), then faster nodes, then by id.
 */
public final class RoutingTableBuilder {
    private RoutingTableBuilder() {
    }

    public static RoutingTable build(long version, PlacementDecision decision, List<NodeAnnouncement> live) {
        Map<String, RoutingTable.ModelRoute> models = new LinkedHashMap<>();
        for (ModelPlan model : decision.models()) {
            List<NodeAnnouncement> wholeModel = live.stream()
                    .filter(n -> model.blocks().stream().allMatch(b -> n.readyBlocks().contains(b.blockId()))).toList();
            Comparator<NodeAnnouncement> order = Comparator
                    .comparing((NodeAnnouncement n) -> !wholeModel.contains(n))
                    .thenComparing(Comparator.comparingDouble(NodeAnnouncement::readBytesPerSecond).reversed())
                    .thenComparing(NodeAnnouncement::nodeId);
            List<RoutingTable.StageRoute> stages = new ArrayList<>();
            for (BlockSpec b : model.blocks()) {
                List<RoutingTable.Endpoint> replicas = live.stream()
                        .filter(n -> n.readyBlocks().contains(b.blockId()))
                        .sorted(order)
                        .map(n -> new RoutingTable.Endpoint(n.nodeId(), n.host(), n.transportPort()))
                        .toList();
                if (replicas.isEmpty()) {
                    stages = null;
                    break;
                }
                stages.add(new RoutingTable.StageRoute(b.blockId(), b.firstLayer(), b.lastLayer(), replicas));
            }
            if (stages != null) {
                models.put(model.modelId(), new RoutingTable.ModelRoute(model.modelId(), stages));
            }
        }
        return new RoutingTable(version, models);
    }
}
