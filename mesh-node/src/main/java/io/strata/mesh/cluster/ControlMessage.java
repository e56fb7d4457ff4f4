package io.strata.mesh.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.mesh.RoutingTable;
import io.strata.mesh.membership.NodeStatus;
import io.strata.mesh.placement.PlacementDecision;
import io.strata.split.ModelPlan;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The messages nodes multicast on the cluster channel, and their JSON form: small, infrequent,
 * never on the inference path. A message that does not parse (another version, or noise) is
 * dropped, never fatal.
 */
sealed interface ControlMessage {
    /** A node's heartbeat: its announcement, ready artifacts and refused blocks. */
    record Status(NodeStatus status) implements ControlMessage {
    }

    /** The plans a node was started with; the coordinator serves the union. */
    record Serve(String nodeId, List<ModelPlan> plans) implements ControlMessage {
    }

    /** The coordinator's placement: which node loads which blocks. */
    record Placed(PlacementDecision decision) implements ControlMessage {
    }

    /** The coordinator's routing table. */
    record Routed(RoutingTable table) implements ControlMessage {
    }

    ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static byte[] encode(ControlMessage message) {
        ObjectNode root = JSON.createObjectNode();
        String type = switch (message) {
            case Status s -> "status";
            case Serve s -> "serve";
            case Placed p -> "placed";
            case Routed r -> "routed";
        };
        root.put("type", type);
        root.set("body", JSON.valueToTree(message));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a " + type + " message as JSON", e);
        }
    }

    static Optional<ControlMessage> decode(byte[] bytes) {
        try {
            JsonNode root = JSON.readTree(bytes);
            if (root == null || !root.hasNonNull("type") || !root.hasNonNull("body")) {
                return Optional.empty();
            }
            Class<? extends ControlMessage> type = switch (root.get("type").asText()) {
                case "status" -> Status.class;
                case "serve" -> Serve.class;
                case "placed" -> Placed.class;
                case "routed" -> Routed.class;
                default -> null;
            };
            return type == null ? Optional.empty() : Optional.of(JSON.treeToValue(root.get("body"), type));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
