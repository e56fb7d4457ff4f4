package io.strata.functions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.net.InetAddress;
import java.util.HashMap;

/**
 * Fabric8's mock Kubernetes API server in CRUD mode (objects created are stored and can be read, listed and deleted)
 * on loopback over plain HTTP, and the kubeconfig a request gives to reach it.
 */
final class KubernetesMock implements AutoCloseable {

    private final KubernetesMockServer server;

    private KubernetesMock(KubernetesMockServer server) {
        this.server = server;
    }

    static KubernetesMock start() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return new KubernetesMock(server);
    }

    String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A client for the test's own checks. */
    NamespacedKubernetesClient client() {
        return server.createClient();
    }

    /** A kubeconfig (as JSON) whose current context is this server, with a token and the given namespace. */
    ObjectNode kubeconfig(String namespace) {
        ObjectNode config = new ObjectMapper().createObjectNode();
        config.put("apiVersion", "v1").put("kind", "Config").put("current-context", "test");
        config.putArray("clusters").addObject().put("name", "mock").putObject("cluster").put("server", url());
        config.putArray("users").addObject().put("name", "tester").putObject("user").put("token", "mock-token");
        config.putArray("contexts").addObject().put("name", "test").putObject("context")
                .put("cluster", "mock").put("user", "tester").put("namespace", namespace);
        return config;
    }

    @Override
    public void close() {
        server.destroy();
    }
}
