package io.strata.functions.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.ApiException;
import io.strata.functions.api.Fields;
import io.strata.functions.api.JsonBodies;
import io.strata.tables.ConditionFailedException;
import io.strata.tables.NotFoundException;
import io.strata.tables.Store;
import io.strata.tables.Tables;
import io.strata.tables.TaskStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The global task registry: split jobs write their progress here through {@code POST /task-status} (the SDK's
 * TaskStatusClient), and callers follow a task with {@code GET /task/{id}}.
 */
@ApplicationScoped
public class Tasks {

    public static final String MODEL_SPLITS = "model_splits";

    private static final List<String> STATUS_FIELDS = List.of("task_id", "status", "result", "error", "progress");
    private static final Set<String> HIDDEN = Set.of(TaskTokens.DIGEST_FIELD);
    /** The states a task may still leave: complete and failed are final. */
    private static final List<String> OPEN = List.of(TaskStatus.PENDING.value(), TaskStatus.RUNNING.value());

    @Inject
    Store store;

    /** Writes a new pending task that only the holder of {@code token} can update; returns it. */
    public ObjectNode createPending(String taskId, String taskType, ObjectNode taskData, ObjectNode details, String token) {
        String now = Instant.now().toString();
        ObjectNode task = JsonNodeFactory.instance.objectNode();
        task.put("task_id", taskId);
        task.put("task_type", taskType);
        task.put("status", TaskStatus.PENDING.value());
        task.set("task_data", taskData);
        task.setAll(details);
        task.put(TaskTokens.DIGEST_FIELD, TaskTokens.digest(token));
        task.put("created_at", now);
        task.put("updated_at", now);
        store.create(Tables.TASKS, task);
        return task;
    }

    /**
     * Applies a job's status update {@code {"task_id", "status": running|complete|failed, "result"? (complete),
     * "error"? (failed), "progress"? (running)}} sent with the task's own token. Tasks move forward only: pending →
     * running → complete or failed; a finished task never changes again (409). What an earlier attempt left (result,
     * error, progress) is cleared.
     */
    public ObjectNode updateStatus(JsonNode body, String token) {
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
        Optional<ObjectNode> progress = f.optionalObject("progress");
        if (result.isPresent() && status != TaskStatus.COMPLETE) {
            throw ApiException.badRequest("field result is only accepted with status complete");
        }
        if (error.isPresent() && status != TaskStatus.FAILED) {
            throw ApiException.badRequest("field error is only accepted with status failed");
        }
        if (progress.isPresent() && status != TaskStatus.RUNNING) {
            throw ApiException.badRequest("field progress is only accepted with status running");
        }
        ObjectNode task = store.get(Tables.TASKS, taskId).orElseThrow(() -> notFound(taskId));
        if (!TaskTokens.matches(token, task.path(TaskTokens.DIGEST_FIELD).textValue())) {
            throw new ApiException(403, token == null
                    ? "task " + taskId + " is updated only by its own job: send its STRATA_TASK_TOKEN in the " + TaskTokens.HEADER + " header"
                    : "the task token sent is not task " + taskId + "'s; a job updates only its own task");
        }
        ObjectNode condition = JsonNodeFactory.instance.objectNode();
        condition.putObject("status").set("$in", JsonBodies.mapper().valueToTree(OPEN));
        condition.put(TaskTokens.DIGEST_FIELD, task.get(TaskTokens.DIGEST_FIELD).textValue());
        return visible(transition(taskId, condition, status, result.orElse(null), error.orElse(null), progress.orElse(null)));
    }

    /**
     * Records what a launcher saw itself (a job that could not start, a pod that failed, a child that died) — if the
     * task is still open; returns whether it was.
     */
    public boolean finishIfOpen(String taskId, TaskStatus status, ObjectNode result, String error) {
        return moveIfIn(taskId, OPEN, status, result, error, null);
    }

    /** Marks a pending task running (a launcher saw its job start); false if it was no longer pending. */
    public boolean markRunningIfPending(String taskId) {
        return moveIfIn(taskId, List.of(TaskStatus.PENDING.value()), TaskStatus.RUNNING, null, null, null);
    }

    /** Notes the local process running the task's job, so a reaper can tell whether it still lives. */
    public void recordJobProcess(String taskId, long pid) {
        ObjectNode update = JsonNodeFactory.instance.objectNode();
        update.putObject("$set").put("job_pid", pid);
        try {
            store.update(Tables.TASKS, taskId, update);
        } catch (NotFoundException e) {
            throw notFound(taskId);
        }
    }

    /** Open (pending or running) tasks of the local launcher on {@code host}. */
    public List<ObjectNode> openLocalTasks(String host) {
        ObjectNode filter = JsonNodeFactory.instance.objectNode();
        filter.put("launcher", "local");
        filter.put("job_host", host);
        filter.putObject("status").set("$in", JsonBodies.mapper().valueToTree(OPEN));
        return store.query(Tables.TASKS, filter);
    }

    private boolean moveIfIn(String taskId, List<String> from, TaskStatus status, ObjectNode result, String error,
                             ObjectNode progress) {
        ObjectNode condition = JsonNodeFactory.instance.objectNode();
        condition.putObject("status").set("$in", JsonBodies.mapper().valueToTree(from));
        try {
            transition(taskId, condition, status, result, error, progress);
            return true;
        } catch (ApiException finished) {
            if (finished.status() == 409) {
                return false;
            }
            throw finished;
        }
    }

    private ObjectNode transition(String taskId, ObjectNode condition, TaskStatus status, ObjectNode result, String error,
                                  ObjectNode progress) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode set = nodes.objectNode();
        set.put("status", status.value());
        set.put("updated_at", Instant.now().toString());
        ObjectNode unset = nodes.objectNode();
        for (var field : new Object[][] {{"result", result}, {"error", error}, {"progress", progress}}) {
            String name = (String) field[0];
            switch (field[1]) {
                case null -> unset.put(name, "");
                case JsonNode node -> set.set(name, node);
                case String text -> set.put(name, text);
                default -> throw new IllegalArgumentException(name);
            }
        }
        ObjectNode update = nodes.objectNode();
        update.set("$set", set);
        update.set("$unset", unset);
        try {
            return store.updateIf(Tables.TASKS, taskId, condition, update);
        } catch (NotFoundException e) {
            throw notFound(taskId);
        } catch (ConditionFailedException e) {
            String now = e.current().path("status").asText();
            throw ApiException.conflict("task " + taskId + " is " + now + (OPEN.contains(now)
                    ? "; it cannot become " + status.value() + " from there"
                    : "; a finished task does not change (start a new split job to try again)"));
        }
    }

    public ObjectNode get(String taskId) {
        return visible(store.get(Tables.TASKS, taskId).orElseThrow(() -> notFound(taskId)));
    }

    public ArrayNode query(JsonNode filter) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        store.query(Tables.TASKS, Queries.filter(filter, HIDDEN)).forEach(task -> out.add(visible(task)));
        return out;
    }

    private static ObjectNode visible(ObjectNode task) {
        task.remove(HIDDEN);
        return task;
    }

    private static ApiException notFound(String taskId) {
        return ApiException.notFound("no task with id " + taskId);
    }
}
