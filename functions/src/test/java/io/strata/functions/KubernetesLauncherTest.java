package io.strata.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.functions.registry.TaskTokens;
import io.strata.tables.Store;
import io.strata.tables.Tables;
import jakarta.inject.Inject;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@code strata.launcher=kubernetes}: a split job becomes a batch/v1 Job on the (mock) cluster, as the seed describes. */
@QuarkusTest
@TestProfile(KubernetesLauncherProfile.class)
class KubernetesLauncherTest {

    @Inject
    Store store;


    @ConfigProperty(name = "strata.kubernetes.master-url")
    String masterUrl;

    private KubernetesClient cluster() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(masterUrl).build()).build();
    }

    @Test
    void splitJobRunsAsAJobWithTheSeedsEnvironmentVolumeAndLabels() throws Exception {
        String taskData = "{\"model_name\": \"gpt2\", \"model_download_url\": \"https://example.com/models/gpt2.gguf\","
                + " \"world_size\": 4, \"model_split_config\": {\"split_strategy\": \"even\"}}";
        JsonNode started = SeedExamplesContract.call("POST", "/start_model_split_job", "{\"task_data\": " + taskData
                + ", \"container_image\": \"myregistry/model-split-job:latest\", \"storage_size\": \"2Gi\"}", 200);
        String taskId = started.get("task_id").asText();

        JsonNode task = SeedExamplesContract.call("GET", "/task/" + taskId, null, 200).get("data");
        assertEquals("pending", task.get("status").asText(), "the job reports running itself");
        assertEquals("kubernetes", task.get("launcher").asText());
        assertEquals("strata-split-" + taskId, task.get("job_name").asText());
        assertEquals(KubernetesLauncherProfile.NAMESPACE, task.get("job_namespace").asText());

        try (KubernetesClient k8s = cluster()) {
            Job job = k8s.batch().v1().jobs().inNamespace(KubernetesLauncherProfile.NAMESPACE).withName("strata-split-" + taskId).get();
            assertNotNull(job, "the Job is in the cluster");
            assertEquals(taskId, job.getMetadata().getLabels().get("strata.io/task-id"));
            assertEquals(taskId, job.getSpec().getTemplate().getMetadata().getLabels().get("strata.io/task-id"));
            assertEquals(2, job.getSpec().getBackoffLimit());
            assertEquals(600, job.getSpec().getTtlSecondsAfterFinished());
            assertEquals("Never", job.getSpec().getTemplate().getSpec().getRestartPolicy());

            Container container = job.getSpec().getTemplate().getSpec().getContainers().getFirst();
            assertEquals("myregistry/model-split-job:latest", container.getImage());
            Map<String, String> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
            String token = env.remove("STRATA_TASK_TOKEN");
            assertEquals(store.get(Tables.TASKS, taskId).orElseThrow().get(TaskTokens.DIGEST_FIELD).asText(), TaskTokens.digest(token),
                    "the Job holds its own task's token; the task only its digest");
            String url = KubernetesLauncherProfile.PUBLIC_URL;
            assertEquals(Map.of("TASK_ID", taskId,
                    "TASK_DATA", SeedExamplesContract.json(taskData).toString(),
                    "TASK_STATUS_UPDATE_URL", url + "/task-status",
                    "MODEL_LAYERS_REGISTRY_URL", url,
                    "BLOCK_DB_URL", url,
                    "STRATA_SPLIT_WORK_DIR", "/work"), env);
            assertEquals(SeedExamplesContract.json(taskData), SeedExamplesContract.json(env.get("TASK_DATA")));

            List<Volume> volumes = job.getSpec().getTemplate().getSpec().getVolumes();
            assertEquals(1, volumes.size());
            assertEquals(new Quantity("2Gi"), volumes.getFirst().getEmptyDir().getSizeLimit());
            assertEquals("/work", container.getVolumeMounts().getFirst().getMountPath());
            assertEquals(volumes.getFirst().getName(), container.getVolumeMounts().getFirst().getName());
            assertEquals(new Quantity("2Gi"), container.getResources().getRequests().get("ephemeral-storage"));
        }
    }

    @Test
    void storageSizeDefaultsToOneGibibyte() {
        String taskId = SeedExamplesContract.call("POST", "/startModelSplitJob", "{\"task_data\": {\"model_name\": \"m\","
                + " \"model_download_url\": \"https://example.com/m.gguf\", \"world_size\": 1, \"model_split_config\": {}},"
                + " \"container_image\": \"img:1\"}", 200).get("task_id").asText();
        try (KubernetesClient k8s = cluster()) {
            Job job = k8s.batch().v1().jobs().inNamespace(KubernetesLauncherProfile.NAMESPACE).withName("strata-split-" + taskId).get();
            assertEquals(new Quantity("1Gi"), job.getSpec().getTemplate().getSpec().getVolumes().getFirst().getEmptyDir().getSizeLimit());
            assertNull(job.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                    .filter(e -> e.getName().equals("STRATA_API_TOKEN")).findFirst().orElse(null), "no token configured, none passed");
        }
    }
}
