package io.strata.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * Records a split task's progress in the global task DB: {@code POST <TASK_STATUS_UPDATE_URL>}
 * with {@code {"task_id", "status", "result" (complete only), "error" (failed only),
 * "progress" (running only)}} and the task's own token ({@code STRATA_TASK_TOKEN}) in the
 * {@code X-Strata-Task-Token} header: the control plane lets a job update only its own task,
 * and only forwards (pending → running → complete or failed).
 * Transient failures are retried by the {@link RetryPolicy}; a refusal (4xx other than 429,
 * or {@code success: false}) is a {@link RegistryException} at once.
 */
public final class TaskStatusClient {
    public static final String RUNNING = "running";
    public static final String COMPLETE = "complete";
    public static final String FAILED = "failed";

    private final URI url;
    private final RegistryHttp http;

    /** The header that carries the task token. */
    public static final String TOKEN_HEADER = "X-Strata-Task-Token";

    /** A client sending the token of this process's environment ({@code STRATA_TASK_TOKEN}). */
    public TaskStatusClient(URI url) {
        this(url, RetryPolicy.DEFAULT, System.getenv(SplitterContext.TASK_TOKEN));
    }

    public TaskStatusClient(URI url, RetryPolicy retry) {
        this(url, retry, System.getenv(SplitterContext.TASK_TOKEN));
    }

    public TaskStatusClient(URI url, RetryPolicy retry, String taskTokenOrNull) {
        this.url = SplitterContext.requireHttpUrl("task status URL", url);
        this.http = new RegistryHttp(retry, System.getenv(RegistryHttp.API_TOKEN_VARIABLE),
                taskTokenOrNull == null || taskTokenOrNull.isBlank() ? Map.of() : Map.of(TOKEN_HEADER, taskTokenOrNull));
    }

    /** A client for the job this context describes, with its task token. */
    public static TaskStatusClient of(SplitterContext ctx) {
        return new TaskStatusClient(ctx.taskStatusUpdateUrl(), RetryPolicy.DEFAULT, ctx.environment().get(SplitterContext.TASK_TOKEN));
    }

    public void markRunning(String taskId) throws IOException {
        post(body(taskId, RUNNING));
    }

    /**
     * Reports how far the job is while running: {@code phase} (download, split, upload, register) and either a
     * percentage ({@code done} of 100) or a count ({@code done} of {@code total}, e.g. split 2 of 4).
     */
    public void reportProgress(String taskId, String phase, long done, long total) throws IOException {
        ObjectNode body = body(taskId, RUNNING);
        ObjectNode progress = body.putObject("progress");
        progress.put("phase", phase);
        progress.put("done", done);
        progress.put("total", total);
        if (total > 0) {
            progress.put("percent", Math.min(100, Math.round(100.0 * done / total)));
        }
        post(body);
    }

    public void markComplete(String taskId, Map<String, ?> result) throws IOException {
        ObjectNode body = body(taskId, COMPLETE);
        body.set("result", RegistryHttp.JSON.valueToTree(result == null ? Map.of() : result));
        post(body);
    }

    public void markFailed(String taskId, String error) throws IOException {
        ObjectNode body = body(taskId, FAILED);
        body.put("error", error == null || error.isBlank() ? "failed without an error message" : error);
        post(body);
    }

    private static ObjectNode body(String taskId, String status) {
        if (taskId == null || taskId.isBlank()) {
            throw new IllegalArgumentException("a status update needs a task id");
        }
        ObjectNode body = RegistryHttp.JSON.createObjectNode();
        body.put("task_id", taskId);
        body.put("status", status);
        return body;
    }

    private void post(ObjectNode body) throws IOException {
        http.call("POST", url, body);
    }
}
