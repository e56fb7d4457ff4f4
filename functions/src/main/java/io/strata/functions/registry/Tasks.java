package io.strata.functions.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.ApiException;
import io.strata.functions.api.Fields;
import io.strata.functions.api.JsonBodies;
import io.strata.tables.NotFoundException;
import io.strata.tables.Store;
import io.strata.tables.Tables;
import io.strata.tables.TaskStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The global task registry: split jobs write their progress here through {@code POST /task-status} (the SDK's
 * TaskStatusClient), and callers follow a task with {@code GET /task/{id}}.
 */
@ApplicationScoped
public class Tasks {

    public static final String MODEL_SPLITS = "model_splits";

    private static final List<String> STATUS_FIELDS = List.of("task_id", "status", "result", "error");

    @Inject
    Store store;

    /** Writes a new pending task and returns it. */
    public ObjectNode createPending(String taskId, String taskType, ObjectNode taskData, ObjectNode details) {
        String now = Instant.now().toString();
        ObjectNode task = JsonNodeFactory.instance.objectNode();
        task.put("task_id", taskId);
        task.put("task_type", taskType);
        task.put("status", TaskStatus.PENDING.value());
        task.set("task_data", taskData);
        task.setAll(details);
        task.put("created_at", now);
        task.put("updated_at", now);
        store.create(Tables.TASKS, task);
        return task;
    }

    /**
     * Applies a status update {@code {"task_id", "status": running|complete|failed, "result"?, "error"?}}: a result
     * only with complete, an error only with failed; what an earlier attempt left (result, error) is cleared.
     */
    public ObjectNode updateStatus(JsonNode body) {
        Fields f = Fields.of(JsonBodies.object(body, "a task status update")).onlyThese(STATUS_FIELDS);
        String taskId = f.requiredString("task_id");
        String statusText = f.requiredString("status");
        TaskStatus status;
        try {
            status = TaskStatus.of(statusText);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field status must be running, complete or failed, got \"" + statusText + "\"");
        }
        if (status == TaskStatus.PENDING) {
            throw ApiException.badRequest("field status must be running, complete or failed; a task is pending only until its job starts");
        }
        Optional<ObjectNode> result = f.optionalObject("result");
        Optional<String> error = f.optionalString("error");
        if (result.isPresent() && status != TaskStatus.COMPLETE) {
            throw ApiException.badRequest("field result is only accepted with status complete");
        }
        if (error.isPresent() && status != TaskStatus.FAILED) {
            throw ApiException.badRequest("field error is only accepted with status failed");
        }
        return setStatus(taskId, status, result.orElse(null), error.orElse(null));
    }

    /** Records a status; the launchers use it for failures they see themselves (a job that could not start). */
    public ObjectNode setStatus(String taskId, TaskStatus status, ObjectNode result, String error) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode set = nodes.objectNode();
        set.put("status", status.value());
        set.put("updated_at", Instant.now().toString());
        ObjectNode unset = nodes.objectNode();
        if (result != null) {
            set.set("result", result);
        } else {
            unset.put("result", "");
        }
        if (error != null) {
            set.put("error", error);
        } else {
            unset.put("error", "");
        }
        ObjectNode update = nodes.objectNode();
        update.set("$set", set);
        update.set("$unset", unset);
        try {
            return store.update(Tables.TASKS, taskId, update);
        } catch (NotFoundException e) {
            throw notFound(taskId);
        }
    }

    public ObjectNode get(String taskId) {
        return store.get(Tables.TASKS, taskId).orElseThrow(() -> notFound(taskId));
    }

    public ArrayNode query(JsonNode filter) {
        return Queries.array(store.query(Tables.TASKS, Queries.filter(filter)));
    }

    private static ApiException notFound(String taskId) {
        return ApiException.notFound("no task with id " + taskId);
    }
}
