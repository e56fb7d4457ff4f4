package io.strata.functions.launch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.quarkus.runtime.StartupEvent;
import io.strata.functions.ControlPlaneConfig;
import io.strata.functions.registry.Tasks;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a split job as a {@code batch/v1} Job: the request's container image with the split job's environment, pointed
 * at {@code strata.public-url}, labelled with its task id.
 *
 * <p>Its work volume is an {@code emptyDir} with {@code sizeLimit = storage_size}, and the container requests that much
 * ephemeral storage so it is scheduled where the space is. Not a PersistentVolumeClaim: the volume is scratch space for
 * the download and the splits on their way to the registry (TransformerSplitter uploads them to
 * {@code artifact_url_prefix}), so it should live and die with the pod; a PVC would need a StorageClass and would
 * outlive the Job until someone deleted it.
 */
@ApplicationScoped
public class KubernetesLauncher implements SplitJobLauncher {

    public static final String TASK_LABEL = "strata.io/task-id";
    static final String WORK_MOUNT = "/work";

    @Inject
    ControlPlaneConfig config;

    @Inject
    Tasks tasks;

    private KubernetesClient client;
    private String namespace;
    private KubernetesJobWatch watch;

    /** With this launcher configured, the Jobs' status drives their tasks from the start. */
    void watchJobs(@Observes StartupEvent startup) {
        if (config.launcher() == ControlPlaneConfig.LauncherKind.kubernetes) {
            startWatch();
        }
    }

    private synchronized void startWatch() {
        if (watch == null) {
            watch = new KubernetesJobWatch(client(), namespace(), tasks);
        }
    }

    /** Deletes the task's Job and its pods (the caller has already marked the task failed). */
    @Override
    public void cancel(String taskId) {
        try {
            client().batch().v1().jobs().inNamespace(namespace()).withName(jobName(taskId))
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        } catch (KubernetesClientException e) {
            throw new LaunchException(502, "the Kubernetes API at " + client().getMasterUrl() + " did not delete Job "
                    + jobName(taskId) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ObjectNode describe(String taskId) {
        ObjectNode where = JsonNodeFactory.instance.objectNode();
        where.put("launcher", "kubernetes");
        where.put("job_name", jobName(taskId));
        where.put("job_namespace", namespace());
        return where;
    }

    @Override
    public void launch(SplitJob job) {
        String publicUrl = config.publicUrl().orElseThrow(() -> new LaunchException(500,
                "strata.public-url is not set — a Job in the cluster needs a URL at which it can reach this control plane", null));
        Job resource = job(job, publicUrl);
        try {
            client().batch().v1().jobs().inNamespace(namespace()).resource(resource).create();
        } catch (KubernetesClientException e) {
            throw new LaunchException(502, "the Kubernetes API at " + client().getMasterUrl() + " refused Job "
                    + jobName(job.taskId()) + ": " + (e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage()), e);
        }
    }

    Job job(SplitJob job, String publicUrl) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "strata-split-job");
        labels.put("app.kubernetes.io/managed-by", "strata-control-plane");
        labels.put(TASK_LABEL, job.taskId());

        List<EnvVar> env = new ArrayList<>();
        SplitJobEnvironment.of(job, publicUrl).forEach((name, value) -> env.add(new EnvVar(name, value, null)));
        env.add(new EnvVar(SplitJobEnvironment.WORK_DIR, WORK_MOUNT, null));
        if (config.apiToken().isPresent()) {
            env.add(new EnvVarBuilder().withName(SplitJobEnvironment.API_TOKEN)
                    .withNewValueFrom().withNewSecretKeyRef("api-token", config.kubernetes().apiTokenSecret(), false)
                    .endValueFrom().build());
        }
        Quantity size = new Quantity(job.storageSize());
        return new JobBuilder()
                .withNewMetadata().withName(jobName(job.taskId())).withNamespace(namespace()).withLabels(labels).endMetadata()
                .withNewSpec()
                .withBackoffLimit(config.kubernetes().backoffLimit())
                .withActiveDeadlineSeconds(config.splitJobDeadline().toSeconds())
                .withTtlSecondsAfterFinished(config.kubernetes().ttlSecondsAfterFinished())
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("splitter")
                .withImage(job.containerImage())
                .withEnv(env)
                .addNewVolumeMount().withName("work").withMountPath(WORK_MOUNT).endVolumeMount()
                .withNewResources().addToRequests("ephemeral-storage", size).endResources()
                .endContainer()
                .addNewVolume().withName("work").withNewEmptyDir().withSizeLimit(size).endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    static String jobName(String taskId) {
        return "strata-split-" + taskId;
    }

    private synchronized KubernetesClient client() {
        if (client == null) {
            ControlPlaneConfig.Kubernetes settings = config.kubernetes();
            Config clientConfig = settings.masterUrl()
                    .map(url -> new ConfigBuilder(Config.empty()).withMasterUrl(url).build())
                    .orElseGet(() -> Config.autoConfigure(null));
            namespace = settings.namespace().orElse(clientConfig.getNamespace() == null ? "default" : clientConfig.getNamespace());
            client = new KubernetesClientBuilder().withConfig(clientConfig).build();
        }
        return client;
    }

    private synchronized String namespace() {
        client();
        return namespace;
    }

    @PreDestroy
    synchronized void close() {
        if (watch != null) {
            watch.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
