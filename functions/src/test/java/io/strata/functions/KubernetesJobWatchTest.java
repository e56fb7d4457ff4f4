package io.strata.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * With the Kubernetes launcher, the Job's status alone moves its task: active → running, succeeded → complete, failed
 * → failed with the pod's reason; a Job gets the deadline; {@code DELETE /task/{id}} cancels (task failed, Job gone).
 * The Job status is what the kubelet and Job controller would write, set here on Fabric8's mock API server.
 */
@QuarkusTest
@TestProfile(KubernetesLauncherProfile.class)
class KubernetesJobWatchTest {

    private static final String NS = KubernetesLauncherProfile.NAMESPACE;

    @ConfigProperty(name = "strata.kubernetes.master-url")
    String masterUrl;

    private KubernetesClient cluster() {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(masterUrl).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static String start() {
        return SeedExamplesContract.call("POST", "/start_model_split_job", "{\"task_data\": {\"model_name\": \"m\","
                + " \"model_download_url\": \"https://models.test/m.gguf\", \"world_size\": 2, \"model_split_config\": {}},"
                + " \"container_image\": \"registry.test/strata/split-runner:test\"}", 200).get("task_id").asText();
    }

    private static JsonNode task(String taskId) {
        return SeedExamplesContract.call("GET", "/task/" + taskId, null, 200).get("data");
    }

    /** Polls until the task has {@code status}; collects the statuses seen on the way. */
    private static JsonNode awaitStatus(String taskId, String status, List<String> seen) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            JsonNode task = task(taskId);
            String now = task.get("status").asText();
            if (seen.isEmpty() || !seen.getLast().equals(now)) {
                seen.add(now);
            }
            if (now.equals(status)) {
                return task;
            }
            if (System.currentTimeMillis() > deadline) {
                fail("task " + taskId + " is " + now + ", not " + status + ", after 60 s: " + task);
            }
            Thread.sleep(20);
        }
    }

    private static void setStatus(KubernetesClient k8s, String taskId, JobStatusBuilder status) {
        Job job = k8s.batch().v1().jobs().inNamespace(NS).withName("strata-split-" + taskId).get();
        job.setStatus(status.build());
        k8s.batch().v1().jobs().inNamespace(NS).resource(job).updateStatus();
    }

    @Test
    void jobStatusAloneMovesTheTaskFromPendingThroughRunningToComplete() throws Exception {
        String taskId = start();
        List<String> seen = new ArrayList<>();
        try (KubernetesClient k8s = cluster()) {
            Job job = k8s.batch().v1().jobs().inNamespace(NS).withName("strata-split-" + taskId).get();
            assertEquals(6 * 3600L, job.getSpec().getActiveDeadlineSeconds(), "the Job carries the split-job deadline");
            assertEquals("pending", task(taskId).get("status").asText());
            seen.add("pending");
            setStatus(k8s, taskId, new JobStatusBuilder().withActive(1));
            awaitStatus(taskId, "running", seen);
            setStatus(k8s, taskId, new JobStatusBuilder().withSucceeded(1).withConditions(new JobConditionBuilder()
                    .withType("Complete").withStatus("True").build()));
            JsonNode complete = awaitStatus(taskId, "complete", seen);
            assertEquals(List.of("pending", "running", "complete"), seen);
            assertEquals("strata-split-" + taskId, complete.get("result").get("job_name").asText());
        }
    }

    @Test
    void aFailedPodFailsTheTaskWithThePodsReason() throws Exception {
        String taskId = start();
        try (KubernetesClient k8s = cluster()) {
            k8s.pods().inNamespace(NS).resource(new PodBuilder()
                    .withNewMetadata().withName("strata-split-" + taskId + "-x7k2p").addToLabels("strata.io/task-id", taskId).endMetadata()
                    .withNewStatus().withPhase("Failed").addNewContainerStatus().withName("splitter").withNewState()
                    .withNewTerminated().withReason("OOMKilled").withExitCode(137).endTerminated()
                    .endState().endContainerStatus().endStatus()
                    .build()).create();
            setStatus(k8s, taskId, new JobStatusBuilder().withFailed(2).withConditions(new JobConditionBuilder()
                    .withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
                    .withMessage("Job has reached the specified backoff limit").build()));
            JsonNode failed = awaitStatus(taskId, "failed", new ArrayList<>());
            String error = failed.get("error").asText();
            assertTrue(error.contains("BackoffLimitExceeded"), error);
            assertTrue(error.contains("pod strata-split-" + taskId + "-x7k2p: OOMKilled (exit code 137)"), error);
        }
    }

    @Test
    void deleteTaskCancelsItsJob() throws Exception {
        String taskId = start();
        JsonNode cancelled = SeedExamplesContract.call("DELETE", "/task/" + taskId, null, 200).get("data");
        assertEquals("failed", cancelled.get("status").asText());
        assertTrue(cancelled.get("error").asText().contains("cancelled"), cancelled.toString());
        try (KubernetesClient k8s = cluster()) {
            assertNull(k8s.batch().v1().jobs().inNamespace(NS).withName("strata-split-" + taskId).get(), "the Job is deleted");
        }
        JsonNode again = SeedExamplesContract.call("DELETE", "/task/" + taskId, null, 409);
        assertTrue(again.get("error").asText().contains("only a pending or running task can be cancelled"), again.toString());
        assertEquals("failed", task(taskId).get("status").asText(), "the deleted Job does not change the cancelled task");
    }
}
