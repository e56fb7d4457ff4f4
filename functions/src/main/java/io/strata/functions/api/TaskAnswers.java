package io.strata.functions.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The answer to a status update, shared by the REST path and the Funqy function. */
public final class TaskAnswers {

    private TaskAnswers() {
    }

    public static ObjectNode updated(ObjectNode task) {
        ObjectNode answer = Envelope.message("Task updated", task.get("task_id").textValue());
        ((ObjectNode) answer.get("data")).put("status", task.get("status").textValue());
        return answer;
    }
}
