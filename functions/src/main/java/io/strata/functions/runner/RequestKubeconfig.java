package io.strata.functions.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.Config;
import io.strata.functions.api.ApiException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
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

    /**
     * The kubeconfig as a Fabric8 config. Its API server must not be on loopback, link-local (the cloud metadata
     * service lives there) or the wildcard address, unless its host is one of {@code allowedLocalHosts}: a request must
     * not aim the control plane at services on its own host.
     */
    public static Config parse(ObjectNode kubeconfig, Collection<String> allowedLocalHosts) {
        only(kubeconfig, TOP, FIELD);
        entries(kubeconfig, "clusters", "cluster", CLUSTER);
        entries(kubeconfig, "users", "user", USER);
        entries(kubeconfig, "contexts", "context", CONTEXT);
        String server = server(kubeconfig);
        requireRemote(URI.create(server).getHost(), allowedLocalHosts);
        Config config;
        try {
            config = Config.fromKubeconfig(kubeconfig.toString());
        } catch (RuntimeException e) {
            throw ApiException.badRequest(FIELD + " is not a usable kubeconfig: " + e.getMessage());
        }
        if (config.getMasterUrl() == null || !config.getMasterUrl().startsWith(server.endsWith("/") ? server : server + "/")
                && !config.getMasterUrl().equals(server)) {
            // Fabric8 falls back to in-cluster defaults; a request must never aim us at our own cluster by omission.
            throw ApiException.badRequest(FIELD + " could not be read as naming the API server " + server);
        }
        // A dead cluster should fail the request in seconds, not after Fabric8's default minutes of retries.
        config.setRequestRetryBackoffLimit(1);
        config.setConnectionTimeout(10_000);
        config.setRequestTimeout(30_000);
        return config;
    }

    private static void requireRemote(String host, Collection<String> allowedLocalHosts) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (allowedLocalHosts.contains(bare) || allowedLocalHosts.contains(host)) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
        } catch (UnknownHostException e) {
            throw ApiException.badRequest(FIELD + ": the API server host " + host + " does not resolve");
        }
        for (InetAddress address : addresses) {
            if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()) {
                throw ApiException.badRequest(FIELD + ": the API server " + host + " is a " + (address.isLinkLocalAddress()
                        ? "link-local" : "loopback or wildcard") + " address (" + address.getHostAddress() + "); the control"
                        + " plane connects only to remote clusters unless strata.split-runner.allowed-local-api-servers names the host");
            }
        }
    }

    /** The server URL of the cluster that the current context names; everything on that path must be there. */
    private static String server(ObjectNode kubeconfig) {
        String current = kubeconfig.path("current-context").asText("");
        if (current.isBlank()) {
            throw ApiException.badRequest(FIELD + " has no current-context: name the context (cluster, user, namespace) to deploy with");
        }
        JsonNode context = named(kubeconfig, "contexts", current, "context");
        String clusterName = context.path("cluster").asText("");
        JsonNode cluster = named(kubeconfig, "clusters", clusterName, "cluster");
        String server = cluster.path("server").asText("");
        if (server.isBlank()) {
            throw ApiException.badRequest(FIELD + ": cluster " + clusterName + " has no server URL");
        }
        URI uri;
        try {
            uri = new URI(server);
        } catch (URISyntaxException e) {
            throw ApiException.badRequest(FIELD + ": cluster " + clusterName + " server is not a URL: " + e.getMessage());
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
            throw ApiException.badRequest(FIELD + ": cluster " + clusterName + " server must be an http(s) URL with a host, got \""
                    + server + "\"");
        }
        return server;
    }

    private static JsonNode named(ObjectNode kubeconfig, String list, String name, String inner) {
        for (JsonNode entry : kubeconfig.path(list)) {
            if (name.equals(entry.path("name").asText(null))) {
                return entry.path(inner);
            }
        }
        throw ApiException.badRequest(FIELD + " has no entry named \"" + name + "\" in " + list);
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
