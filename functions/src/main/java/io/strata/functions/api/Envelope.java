package io.strata.functions.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The seed's response envelope: {@code {"success": true, "data": ...}} (or {@code "task_id"} for a started split job)
 * and {@code {"success": false, "error": "..."}}.
 */
public final class Envelope {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Envelope() {
    }

    public static ObjectNode data(JsonNode data) {
        ObjectNode envelope = NODES.objectNode();
        envelope.put("success", true);
        envelope.set("data", data);
        return envelope;
    }

    /** {@code {"success": true, "data": {"message": ..., "id": ...}}}, as the seed answers a create. */
    public static ObjectNode message(String message, String id) {
        ObjectNode data = NODES.objectNode();
        data.put("message", message);
        if (id != null) {
            data.put("id", id);
        }
        return data(data);
    }

    public static ObjectNode message(String message) {
        return message(message, null);
    }

    public static ObjectNode taskStarted(String taskId) {
        ObjectNode envelope = NODES.objectNode();
        envelope.put("success", true);
        envelope.put("task_id", taskId);
        return envelope;
    }

    public static ObjectNode error(String message) {
        ObjectNode envelope = NODES.objectNode();
        envelope.put("success", false);
        envelope.put("error", message);
        return envelope;
    }
}
