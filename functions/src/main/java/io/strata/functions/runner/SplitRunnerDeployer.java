package io.strata.functions.runner;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.strata.functions.ControlPlaneConfig;
import io.strata.functions.api.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deploys a split runner server into a cluster: a one-replica Deployment of the configured image and a NodePort
 * Service in front of it, both labelled with the runner's id. Cluster failures are 502s that name the API server.
 */
@ApplicationScoped
public class SplitRunnerDeployer {

    public static final String ID_LABEL = "strata.io/split-runner-id";

    @Inject
    ControlPlaneConfig config;

    public DeployedRunner deploy(Config cluster, String runnerId) {
        ControlPlaneConfig.SplitRunner settings = config.splitRunner();
        String namespace = cluster.getNamespace() == null || cluster.getNamespace().isBlank()
                ? settings.defaultNamespace() : cluster.getNamespace();
        String name = "strata-split-runner-" + runnerId;
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "strata-split-runner");
        labels.put("app.kubernetes.io/managed-by", "strata-control-plane");
        labels.put(ID_LABEL, runnerId);

        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("SPLIT_RUNNER_ID", runnerId, null));
        config.publicUrl().ifPresent(url -> env.add(new EnvVar("STRATA_CONTROL_PLANE_URL", url, null)));

        DeploymentBuilder deployment = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector().addToMatchLabels(ID_LABEL, runnerId).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("split-runner")
                .withImage(settings.image())
                .addNewPort().withName("http").withContainerPort(settings.containerPort()).endPort()
                .withEnv(env)
                // TCP probes: with an API token set every HTTP path answers 401, so an accepting port is what "up" means.
                .withNewReadinessProbe().withNewTcpSocket().withNewPort("http").endTcpSocket().withPeriodSeconds(5).endReadinessProbe()
                .withNewLivenessProbe().withNewTcpSocket().withNewPort("http").endTcpSocket()
                .withInitialDelaySeconds(20).withPeriodSeconds(10).endLivenessProbe()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec();

        Service service = new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                .withType("NodePort")
                .addToSelector(ID_LABEL, runnerId)
                .addNewPort()
                .withName("http")
                .withPort(settings.containerPort())
                .withTargetPort(new IntOrString(settings.containerPort()))
                .withNodePort(settings.nodePort().isPresent() ? settings.nodePort().getAsInt() : null)
                .endPort()
                .endSpec()
                .build();

        try (KubernetesClient client = client(cluster)) {
            Deployment created = client.apps().deployments().inNamespace(namespace).resource(deployment.build()).create();
            Service exposed;
            try {
                exposed = client.services().inNamespace(namespace).resource(service).create();
            } catch (KubernetesClientException e) {
                client.apps().deployments().inNamespace(namespace).withName(created.getMetadata().getName()).delete();
                throw e;
            }
            Integer nodePort = exposed.getSpec().getPorts().getFirst().getNodePort();
            DeployedRunner deployed = new DeployedRunner(namespace, name, name, nodePort == null ? 0 : nodePort);
            if (nodePort == null) {
                remove(client, deployed);
                throw new ApiException(502, "the cluster at " + cluster.getMasterUrl() + " assigned no NodePort to service "
                        + name + "; set strata.split-runner.node-port to choose one");
            }
            return deployed;
        } catch (KubernetesClientException e) {
            throw unreachable(cluster, "deploy the split runner", e);
        }
    }

    /** Removes what {@link #deploy} created; objects already gone are fine. */
    public void undeploy(Config cluster, DeployedRunner deployed) {
        try (KubernetesClient client = client(cluster)) {
            remove(client, deployed);
        } catch (KubernetesClientException e) {
            throw unreachable(cluster, "remove the split runner", e);
        }
    }

    private static void remove(KubernetesClient client, DeployedRunner deployed) {
        client.services().inNamespace(deployed.namespace()).withName(deployed.service()).delete();
        client.apps().deployments().inNamespace(deployed.namespace()).withName(deployed.deployment()).delete();
    }

    private static KubernetesClient client(Config cluster) {
        return new KubernetesClientBuilder().withConfig(cluster).build();
    }

    private static ApiException unreachable(Config cluster, String action, KubernetesClientException e) {
        return new ApiException(502, "could not " + action + " on the cluster at " + cluster.getMasterUrl() + ": "
                + (e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage()), e);
    }
}
