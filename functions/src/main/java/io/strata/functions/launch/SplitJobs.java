package io.strata.functions.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.strata.functions.ControlPlaneConfig;
import io.strata.functions.api.ApiException;
import io.strata.functions.api.Fields;
import io.strata.functions.api.JsonBodies;
import io.strata.functions.registry.TaskTokens;
import io.strata.functions.registry.Tasks;
import io.strata.tables.TaskStatus;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.UUID;

/**
 * {@code start_model_split_job}: checks the request as the seed defines it, writes a pending {@code model_splits} task,
 * and launches its job with the configured launcher. A job that cannot be launched leaves its task marked failed.
 */
@ApplicationScoped
public class SplitJobs {

    private static final Logger LOG = Logger.getLogger(SplitJobs.class);
    private static final List<String> FIELDS = List.of("task_data", "container_image", "storage_size");

    @Inject
    ControlPlaneConfig config;

    @Inject
    Tasks tasks;

    @Inject
    LocalLauncher local;

    @Inject
    KubernetesLauncher kubernetes;

    @Inject
    CurrentVertxRequest currentRequest;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8001")
    int httpPort;

    /** Starts a split job; returns its task id. */
    public String start(JsonNode body) {
        Fields f = Fields.of(JsonBodies.object(body, "a split job request")).onlyThese(FIELDS);
        ObjectNode taskData = f.requiredObject("task_data");
        Fields data = Fields.of(taskData, "task_data.");
        data.requiredString("model_name");
        data.requiredString("model_download_url");
        data.requiredInt("world_size", 1);
        data.requiredObject("model_split_config");
        String image = f.requiredString("container_image");
        if (image.chars().anyMatch(Character::isWhitespace)) {
            throw ApiException.badRequest("field container_image must be an image reference without spaces, got \"" + image + "\"");
        }
        String storageSize = StorageSize.check(f.optionalString("storage_size").orElse(StorageSize.DEFAULT));

        SplitJobLauncher launcher = launcher();
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("container_image", image);
        details.put("storage_size", storageSize);
        String taskId = UUID.randomUUID().toString();
        String token = TaskTokens.newToken();
        SplitJob job = new SplitJob(taskId, token, taskData, image, storageSize, callerBaseUrl());
        launcher.check(job);
        details.setAll(launcher.describe(taskId));
        tasks.createPending(taskId, Tasks.MODEL_SPLITS, taskData, details, token);
        try {
            launcher.launch(job);
        } catch (LaunchException e) {
            LOG.errorf(e, "task %s: launch failed", taskId);
            tasks.finishIfOpen(taskId, TaskStatus.FAILED, null, "launch failed: " + e.getMessage());
            throw new ApiException(e.status(), "could not launch the split job: " + e.getMessage() + " (task " + taskId
                    + " is marked failed)");
        }
        return taskId;
    }

    /**
     * {@code DELETE /task/{id}}: marks an open task failed ("cancelled") and stops its job with the launcher that
     * started it; a finished task is a 409.
     */
    public ObjectNode cancel(String taskId) {
        ObjectNode task = tasks.get(taskId);
        if (!tasks.finishIfOpen(taskId, TaskStatus.FAILED, null, "cancelled by DELETE /task/" + taskId)) {
            throw ApiException.conflict("task " + taskId + " is " + tasks.get(taskId).path("status").asText()
                    + "; only a pending or running task can be cancelled");
        }
        SplitJobLauncher launcher = "kubernetes".equals(task.path("launcher").asText()) ? kubernetes : local;
        try {
            launcher.cancel(taskId);
        } catch (LaunchException e) {
            LOG.warnf("task %s: cancelled, but its job could not be stopped: %s", taskId, e.getMessage());
            throw new ApiException(e.status(), "task " + taskId + " is marked failed (cancelled), but its job could not be"
                    + " stopped: " + e.getMessage());
        }
        return tasks.get(taskId);
    }

    private SplitJobLauncher launcher() {
        return switch (config.launcher()) {
            case local -> local;
            case kubernetes -> kubernetes;
        };
    }

    /** The address this request arrived at, as a URL a process on this machine can call back. */
    private String callerBaseUrl() {
        RoutingContext current = currentRequest.getCurrent();
        SocketAddress address = current == null ? null : current.request().localAddress();
        if (address == null || address.hostAddress() == null) {
            return "http://127.0.0.1:" + httpPort;
        }
        String host = address.hostAddress();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
            host = "127.0.0.1";
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.port();
    }
}
