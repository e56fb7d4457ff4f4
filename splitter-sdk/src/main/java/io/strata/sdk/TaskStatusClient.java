package io.strata.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * Records a split task's progress in the global task DB: {@code POST <TASK_STATUS_UPDATE_URL>}
 * with {@code {"task_id", "status", "result" (complete only), "error" (failed only)}}.
 * Transient failures are retried by the {@link RetryPolicy}; a refusal (4xx other than 429,
 * or {@code success: false}) is a {@link RegistryException} at once.
 */
public final class TaskStatusClient {
    public static final String RUNNING = "running";
    public static final String COMPLETE = "complete";
    public static final String FAILED = "failed";

    private final URI url;
    private final RegistryHttp http;

    public TaskStatusClient(URI url) {
        this(url, RetryPolicy.DEFAULT);
    }

    public TaskStatusClient(URI url, RetryPolicy retry) {
        this.url = SplitterContext.requireHttpUrl("task status URL", url);
        this.http = new RegistryHttp(retry);
    }

    public void markRunning(String taskId) throws IOException {
        post(body(taskId, RUNNING));
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
