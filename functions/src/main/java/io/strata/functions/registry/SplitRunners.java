package io.strata.functions.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.Config;
import io.strata.functions.ControlPlaneConfig;
import io.strata.functions.api.ApiException;
import io.strata.functions.api.Fields;
import io.strata.functions.api.JsonBodies;
import io.strata.functions.runner.DeployedRunner;
import io.strata.functions.runner.KubeconfigSeal;
import io.strata.functions.runner.RequestKubeconfig;
import io.strata.functions.runner.SplitRunnerDeployer;
import io.strata.tables.NotFoundException;
import io.strata.tables.Store;
import io.strata.tables.Tables;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The split runner registry. Creating a runner deploys it into the cluster its request describes and records where it
 * answers ({@code split_runner_public_url = http://<split_runner_public_host>:<nodePort>}); deleting it removes it from
 * that cluster first. The kubeconfig and the deployment's names are kept for that, but never shown or queryable.
 */
@ApplicationScoped
public class SplitRunners {

    private static final Logger LOG = Logger.getLogger(SplitRunners.class);

    static final String KUBECONFIG = "cluster_k8s_config";
    static final String DEPLOYMENT = "split_runner_deployment";
    /** The kubeconfig as stored: encrypted (see {@link KubeconfigSeal}). */
    static final String KUBECONFIG_SEALED = "cluster_k8s_config_sealed";
    private static final Set<String> HIDDEN = Set.of(KUBECONFIG, KUBECONFIG_SEALED, DEPLOYMENT);
    private static final List<String> CREATE_FIELDS = List.of(KUBECONFIG, "split_runner_public_host",
            "split_runner_metadata", "split_runner_tags");
    private static final List<String> RECORD_FIELDS = List.of("split_runner_id", "split_runner_public_url",
            "split_runner_metadata", "split_runner_public_host", "split_runner_tags", KUBECONFIG_SEALED, DEPLOYMENT);
    /** A host name, IPv4 address or bracketed IPv6 address: what can stand between "http://" and ":port". */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}]");

    @Inject
    Store store;

    @Inject
    SplitRunnerDeployer deployer;

    @Inject
    ControlPlaneConfig config;

    private volatile KubeconfigSeal seal;

    private KubeconfigSeal seal() {
        if (seal == null) {
            seal = KubeconfigSeal.of(config.kubeconfigKey(), config.kubeconfigKeyFile());
        }
        return seal;
    }

    private Config cluster(ObjectNode kubeconfig) {
        return RequestKubeconfig.parse(kubeconfig, config.splitRunner().allowedLocalApiServers().orElse(List.of()));
    }

    /** Deploys and registers a runner; returns its id. */
    public String create(JsonNode body) {
        ObjectNode request = JsonBodies.object(body, "a split runner");
        Fields f = Fields.of(request).onlyThese(CREATE_FIELDS);
        ObjectNode kubeconfig = f.requiredObject(KUBECONFIG);
        String host = host(f.requiredString("split_runner_public_host"));
        ObjectNode metadata = f.optionalObject("split_runner_metadata").orElseGet(JsonNodeFactory.instance::objectNode);
        ArrayNode tags = f.optionalStringArray("split_runner_tags").orElseGet(JsonNodeFactory.instance::arrayNode);
        Config cluster = cluster(kubeconfig);

        String id = UUID.randomUUID().toString();
        DeployedRunner deployed = deployer.deploy(cluster, id);
        ObjectNode record = JsonNodeFactory.instance.objectNode();
        record.put("split_runner_id", id);
        record.put("split_runner_public_url", url(host, deployed.nodePort()));
        record.set("split_runner_metadata", metadata);
        record.put("split_runner_public_host", host);
        record.set("split_runner_tags", tags);
        record.set(KUBECONFIG_SEALED, seal().seal(kubeconfig, id));
        record.set(DEPLOYMENT, JsonBodies.mapper().valueToTree(deployed));
        try {
            store.create(Tables.SPLIT_RUNNERS, record);
        } catch (RuntimeException e) {
            try {
                deployer.undeploy(cluster, deployed);
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        return id;
    }

    /** The runner as the seed shows it: id, public URL, metadata, public host, tags. */
    public ObjectNode get(String id) {
        return visible(record(id));
    }

    /**
     * Applies a Mongo-style update. The id, kubeconfig and deployment cannot change; a new public host moves the public
     * URL with it (same node port) unless the update sets the URL itself.
     */
    public void update(String id, JsonNode update) {
        ObjectNode current = record(id);
        ObjectNode document = JsonBodies.object(update, "the update").deepCopy();
        JsonNode set = document.get("$set");
        if (set != null && set.isObject() && set.has("split_runner_public_host") && !set.has("split_runner_public_url")
                && set.get("split_runner_public_host").isTextual()) {
            int nodePort = current.path(DEPLOYMENT).path("nodePort").asInt();
            ((ObjectNode) set).put("split_runner_public_url", url(host(set.get("split_runner_public_host").textValue()), nodePort));
        }
        ValidatedUpdate.apply(store, Tables.SPLIT_RUNNERS, id, document, "no split runner with id " + id, after -> {
            if (after.has(KUBECONFIG)) {
                throw ApiException.badRequest("field " + KUBECONFIG + " cannot be changed by an update");
            }
            ValidatedUpdate.requireUnchanged(current, after, "split_runner_id", KUBECONFIG_SEALED, DEPLOYMENT);
            check(after);
        });
    }

    /** Removes the runner from its cluster, then from the registry; if the cluster cannot be reached the record stays. */
    public void delete(String id) {
        ObjectNode record = record(id);
        DeployedRunner deployed = JsonBodies.mapper().convertValue(record.get(DEPLOYMENT), DeployedRunner.class);
        deployer.undeploy(cluster(seal().open(record.path(KUBECONFIG_SEALED), id)), deployed);
        try {
            store.delete(Tables.SPLIT_RUNNERS, id);
        } catch (NotFoundException deletedMeanwhile) {
            LOG.debugf("split runner %s was deleted by a concurrent request", id);
        }
    }

    public ArrayNode query(JsonNode filter) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (ObjectNode record : store.query(Tables.SPLIT_RUNNERS, Queries.filter(filter, HIDDEN))) {
            out.add(visible(record));
        }
        return out;
    }

    private ObjectNode record(String id) {
        Optional<ObjectNode> record = store.get(Tables.SPLIT_RUNNERS, id);
        return record.orElseThrow(() -> ApiException.notFound("no split runner with id " + id));
    }

    private static ObjectNode visible(ObjectNode record) {
        ObjectNode shown = record.deepCopy();
        HIDDEN.forEach(shown::remove);
        return shown;
    }

    private static void check(ObjectNode record) {
        Fields f = Fields.of(record).onlyThese(RECORD_FIELDS);
        f.requiredString("split_runner_public_url");
        host(f.requiredString("split_runner_public_host"));
        f.optionalObject("split_runner_metadata");
        f.optionalStringArray("split_runner_tags");
    }

    private static String host(String host) {
        if (!HOST.matcher(host).matches()) {
            throw ApiException.badRequest("field split_runner_public_host must be a host name or IP address (no scheme,"
                    + " port or path), got \"" + (host.length() > 60 ? host.substring(0, 60) + "…" : host) + "\"");
        }
        return host;
    }

    private static String url(String host, int nodePort) {
        return "http://" + host + ":" + nodePort;
    }
}
