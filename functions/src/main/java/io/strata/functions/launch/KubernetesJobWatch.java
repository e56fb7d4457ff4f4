package io.strata.functions.launch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.strata.functions.registry.Tasks;
import io.strata.tables.TaskStatus;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Follows split-job Jobs (an informer on the Jobs labelled with a task id) and moves their tasks from what the cluster
 * says, whether or not the job could report itself: an active pod makes a pending task running, a succeeded Job
 * completes a task the job left open, and a failed Job (backoff limit, deadline) fails it with the reason of its pod
 * ("OOMKilled, exit code 137", "ImagePullBackOff: ..."). A task already finished by its job is left as it is.
 */
final class KubernetesJobWatch implements ResourceEventHandler<Job>, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KubernetesJobWatch.class);
    /** Every so often the informer replays every Job, so a missed or failed update is retried. */
    private static final long RESYNC_MILLIS = 60_000;

    private final KubernetesClient client;
    private final String namespace;
    private final Tasks tasks;
    private final SharedIndexInformer<Job> informer;

    KubernetesJobWatch(KubernetesClient client, String namespace, Tasks tasks) {
        this.client = client;
        this.namespace = namespace;
        this.tasks = tasks;
        this.informer = client.batch().v1().jobs().inNamespace(namespace).withLabel(KubernetesLauncher.TASK_LABEL)
                .inform(this, RESYNC_MILLIS);
    }

    @Override
    public void onAdd(Job job) {
        follow(job);
    }

    @Override
    public void onUpdate(Job before, Job job) {
        follow(job);
    }

    @Override
    public void onDelete(Job job, boolean finalStateUnknown) {
        String taskId = taskId(job);
        if (taskId != null) {
            finish(taskId, TaskStatus.FAILED, null, "its Job " + job.getMetadata().getName() + " was deleted before the task finished");
        }
    }

    private void follow(Job job) {
        String taskId = taskId(job);
        JobStatus status = job.getStatus();
        if (taskId == null || status == null) {
            return;
        }
        JobCondition failed = condition(status, "Failed");
        if (failed != null) {
            finish(taskId, TaskStatus.FAILED, null, "its Job " + job.getMetadata().getName() + " failed ("
                    + failed.getReason() + (failed.getMessage() == null ? "" : ": " + failed.getMessage()) + ")" + podReasons(taskId));
        } else if (condition(status, "Complete") != null || positive(status.getSucceeded())) {
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            result.put("status", "done");
            result.put("job_name", job.getMetadata().getName());
            result.put("note", "completed by the Job's status; the job did not report a result itself");
            finish(taskId, TaskStatus.COMPLETE, result, null);
        } else if (positive(status.getActive()) || positive(status.getReady())) {
            try {
                if (tasks.markRunningIfPending(taskId)) {
                    LOG.infof("task %s: its Job is running", taskId);
                }
            } catch (RuntimeException e) {
                LOG.warnf("task %s: could not record its Job running: %s", taskId, e.getMessage());
            }
        }
    }

    private void finish(String taskId, TaskStatus status, ObjectNode result, String error) {
        try {
            if (tasks.finishIfOpen(taskId, status, result, error)) {
                LOG.infof("task %s: %s from its Job's status%s", taskId, status.value(), error == null ? "" : ": " + error);
            }
        } catch (RuntimeException e) {
            LOG.warnf("task %s: could not record its Job's end: %s", taskId, e.getMessage());
        }
    }

    /** "; pod p: OOMKilled (exit code 137)" for each failed pod of the task, or "" when none says why. */
    private String podReasons(String taskId) {
        List<String> reasons = new ArrayList<>();
        try {
            for (Pod pod : client.pods().inNamespace(namespace).withLabel(KubernetesLauncher.TASK_LABEL, taskId).list().getItems()) {
                String reason = reason(pod);
                if (reason != null) {
                    reasons.add("pod " + pod.getMetadata().getName() + ": " + reason);
                }
            }
        } catch (KubernetesClientException e) {
            reasons.add("its pods could not be listed: " + e.getMessage());
        }
        return reasons.isEmpty() ? "" : "; " + String.join("; ", reasons);
    }

    static String reason(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        if (pod.getStatus().getContainerStatuses() != null) {
            for (ContainerStatus container : pod.getStatus().getContainerStatuses()) {
                if (container.getState() == null) {
                    continue;
                }
                ContainerStateTerminated ended = container.getState().getTerminated();
                if (ended != null && (ended.getExitCode() == null || ended.getExitCode() != 0)) {
                    return ended.getReason() + " (exit code " + ended.getExitCode() + ")"
                            + (ended.getMessage() == null ? "" : ": " + ended.getMessage());
                }
                ContainerStateWaiting waiting = container.getState().getWaiting();
                if (waiting != null && waiting.getReason() != null && !"ContainerCreating".equals(waiting.getReason())) {
                    return waiting.getReason() + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage());
                }
            }
        }
        if (pod.getStatus().getReason() != null) {
            return pod.getStatus().getReason() + (pod.getStatus().getMessage() == null ? "" : ": " + pod.getStatus().getMessage());
        }
        return null;
    }

    private static JobCondition condition(JobStatus status, String type) {
        if (status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst().orElse(null);
    }

    private static boolean positive(Integer count) {
        return count != null && count > 0;
    }

    private static String taskId(Job job) {
        return job.getMetadata().getLabels() == null ? null : job.getMetadata().getLabels().get(KubernetesLauncher.TASK_LABEL);
    }

    @Override
    public void close() {
        informer.close();
    }
}
