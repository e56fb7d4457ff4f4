package io.strata.functions.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.Config;
import io.strata.functions.api.ApiException;

import java.util.Map;
import java.util.Set;

/**
 * Turns the {@code cluster_k8s_config} of a request (a kubeconfig as a JSON object) into a Fabric8 {@link Config}.
 * Only inline credentials are accepted: a kubeconfig can name commands to run ({@code exec}, {@code auth-provider})
 * and files to read ({@code client-key}, {@code tokenFile}), and a control plane must not do either on a caller's say.
 */
public final class RequestKubeconfig {

    private static final String FIELD = "cluster_k8s_config";
    private static final Set<String> TOP = Set.of("apiVersion", "kind", "clusters", "contexts", "users",
            "current-context", "preferences");
    private static final Set<String> CLUSTER = Set.of("server", "certificate-authority-data",
            "insecure-skip-tls-verify", "tls-server-name");
    private static final Set<String> USER = Set.of("token", "client-certificate-data", "client-key-data",
            "username", "password");
    private static final Set<String> CONTEXT = Set.of("cluster", "user", "namespace");

    private RequestKubeconfig() {
    }

    public static Config parse(ObjectNode kubeconfig) {
        only(kubeconfig, TOP, FIELD);
        entries(kubeconfig, "clusters", "cluster", CLUSTER);
        entries(kubeconfig, "users", "user", USER);
        entries(kubeconfig, "contexts", "context", CONTEXT);
        Config config;
        try {
            config = Config.fromKubeconfig(kubeconfig.toString());
        } catch (RuntimeException e) {
            throw ApiException.badRequest(FIELD + " is not a usable kubeconfig: " + e.getMessage());
        }
        if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
            throw ApiException.badRequest(FIELD + " names no API server: its current-context must point at a cluster with a server URL");
        }
        // A dead cluster should fail the request in seconds, not after Fabric8's default minutes of retries.
        config.setRequestRetryBackoffLimit(1);
        config.setConnectionTimeout(10_000);
        config.setRequestTimeout(30_000);
        return config;
    }

    private static void entries(ObjectNode kubeconfig, String list, String inner, Set<String> allowed) {
        JsonNode entries = kubeconfig.get(list);
        if (entries == null || entries.isNull()) {
            return;
        }
        if (!entries.isArray()) {
            throw ApiException.badRequest("field " + FIELD + "." + list + " must be a JSON array");
        }
        for (int i = 0; i < entries.size(); i++) {
            String where = FIELD + "." + list + "[" + i + "]";
            JsonNode entry = entries.get(i);
            if (!entry.isObject() || !entry.path(inner).isObject()) {
                throw ApiException.badRequest("field " + where + " must be {\"name\": ..., \"" + inner + "\": {...}}");
            }
            only((ObjectNode) entry.get(inner), allowed, where + "." + inner);
        }
    }

    private static void only(ObjectNode object, Set<String> allowed, String where) {
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (!allowed.contains(field.getKey())) {
                throw ApiException.badRequest("field " + where + "." + field.getKey() + " is not accepted: the control plane"
                        + " takes inline credentials only (" + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }
}
