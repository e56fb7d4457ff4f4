package io.strata.mesh.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.strata.mesh.RoutingTable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A node's HTTP gateway: the OpenAI-compatible API ({@code POST /v1/completions},
 * {@code POST /v1/chat/completions}, {@code GET /v1/models}), {@code GET /health} (this node),
 * {@code GET /health/models} (each model's stages and ready replicas) and {@code GET /metrics}
 * (Prometheus text). One virtual thread per request. Errors are OpenAI-shaped JSON with 400,
 * 404, 405 or 503.
 */
public final class GatewayServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GatewayServer.class.getName());
    /** Request bodies larger than this are refused: a prompt, not a file. */
    static final int MAX_BODY = 8 << 20;

    private final HttpServer server;
    private final ExecutorService executor;
    private final PipelineClient client;
    private final RoutingView routing;
    private final GatewayMetrics metrics;
    private final NodeInfo node;
    private final CompletionHandler completions;
    private final ModelCatalog catalog;

    private GatewayServer(HttpServer server, PipelineClient client, RoutingView routing, ModelCatalog catalog,
                          GatewayMetrics metrics, NodeInfo node) {
        this.server = server;
        this.client = client;
        this.routing = routing;
        this.metrics = metrics;
        this.node = node;
        this.catalog = catalog;
        this.completions = new CompletionHandler(client, catalog, this::servedModels);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
    }

    /**
     * Listens on {@code bindHost:port} (port 0: any free one).
     *
     * @throws IOException when the address cannot be bound
     */
    public static GatewayServer start(String bindHost, int port, PipelineClient client, RoutingView routing,
                                      ModelCatalog catalog, GatewayMetrics metrics, NodeInfo node) throws IOException {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bindHost), port), 128);
        } catch (IOException e) {
            throw new IOException("cannot serve HTTP on " + bindHost + ":" + port + " (" + e.getMessage()
                    + "); pick another --http-port", e);
        }
        GatewayServer g = new GatewayServer(http, client, routing, catalog, metrics, node);
        http.start();
        return g;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void dispatch(HttpExchange ex) {
        String path = ex.getRequestURI().getPath();
        String endpoint = switch (path) {
            case "/v1/completions", "/v1/chat/completions", "/v1/models", "/health", "/health/models", "/metrics" -> path;
            default -> "other";
        };
        int status;
        try (ex) {
            try {
                status = route(ex, path);
            } catch (ApiException e) {
                status = e.status();
                sendJson(ex, e.status(), OpenAiShapes.error(e.getMessage(), e.type(), e.param(), e.code()));
            } catch (IOException e) {
                status = 499; // the client went away mid-answer
                LOG.log(System.Logger.Level.DEBUG, node.nodeId() + ": " + path + ": " + e.getMessage());
            } catch (RuntimeException e) {
                status = 500;
                LOG.log(System.Logger.Level.ERROR, node.nodeId() + ": " + path + " failed", e);
                sendJson(ex, 500, OpenAiShapes.error("internal error: " + e, "server_error", null, null));
            }
        } catch (IOException e) {
            status = 499;
        }
        metrics.request(endpoint, status);
    }

    private int route(HttpExchange ex, String path) throws IOException {
        String method = ex.getRequestMethod();
        switch (path) {
            case "/v1/completions", "/v1/chat/completions" -> {
                requireMethod(method, "POST", path);
                return completions.handle(ex, readJson(ex), path.equals("/v1/chat/completions"));
            }
            case "/v1/models" -> {
                requireMethod(method, "GET", path);
                sendJson(ex, 200, OpenAiShapes.modelList(servedModels(), this::chatTemplateKind));
                return 200;
            }
            case "/health" -> {
                requireMethod(method, "GET", path);
                ObjectNode o = OpenAiShapes.JSON.createObjectNode();
                o.put("status", "ok");
                o.put("node", node.nodeId());
                o.put("pid", ProcessHandle.current().pid());
                o.put("gateway_sessions", client.active());
                for (Map.Entry<String, Object> e : node.health().entrySet()) {
                    o.set(e.getKey(), OpenAiShapes.JSON.valueToTree(e.getValue()));
                }
                sendJson(ex, 200, o);
                return 200;
            }
            case "/health/models" -> {
                requireMethod(method, "GET", path);
                sendJson(ex, 200, modelsHealth());
                return 200;
            }
            case "/metrics" -> {
                requireMethod(method, "GET", path);
                byte[] body = metrics.render(node.nodeId(), client.active(), node.stages()).getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
                return 200;
            }
            default -> throw ApiException.notFound("no endpoint " + method + " " + path + "; this gateway serves"
                    + " POST /v1/completions, POST /v1/chat/completions, GET /v1/models, /health, /health/models,"
                    + " /metrics", null, "not_found");
        }
    }

    /** Models the routing table can serve now (every stage has a ready replica). */
    List<String> servedModels() {
        return routing.current().models().keySet().stream().sorted().toList();
    }

    /** Which prompt a chat with the model gets ("model": its own template, "plain"), or null while it cannot be loaded. */
    private String chatTemplateKind(String modelId) {
        try {
            return catalog.find(modelId).map(ServedModel::chatTemplateKind).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private ObjectNode modelsHealth() {
        RoutingTable table = routing.current();
        ObjectNode o = OpenAiShapes.JSON.createObjectNode();
        o.put("routing_version", table.version());
        ArrayNode models = o.putArray("models");
        List<String> ids = new ArrayList<>(table.models().keySet());
        node.plannedModels().stream().filter(m -> !ids.contains(m)).forEach(ids::add);
        ids.sort(String::compareTo);
        for (String id : ids) {
            ObjectNode m = models.addObject();
            m.put("id", id);
            RoutingTable.ModelRoute route = table.models().get(id);
            m.put("ready", route != null);
            ArrayNode stages = m.putArray("stages");
            if (route == null) {
                continue;
            }
            for (int i = 0; i < route.stages().size(); i++) {
                RoutingTable.StageRoute s = route.stages().get(i);
                ObjectNode st = stages.addObject();
                st.put("stage", i);
                st.put("block_id", s.blockId());
                st.put("first_layer", s.firstLayer());
                st.put("last_layer", s.lastLayer());
                st.put("ready_replicas", s.replicas().size());
                ArrayNode replicas = st.putArray("replicas");
                for (RoutingTable.Endpoint e : s.replicas()) {
                    ObjectNode r = replicas.addObject();
                    r.put("node_id", e.nodeId());
                    r.put("host", e.host());
                    r.put("transport_port", e.transportPort());
                }
            }
        }
        return o;
    }

    private static void requireMethod(String method, String expected, String path) {
        if (!method.equals(expected)) {
            throw new ApiException(405, "invalid_request_error", path + " takes " + expected + ", not " + method, null,
                    "method_not_allowed");
        }
    }

    private static JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw ApiException.invalid("the request body is over " + (MAX_BODY >> 20) + " MiB", null);
        }
        try {
            return OpenAiShapes.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("the body is not valid JSON: " + e.getOriginalMessage(), null);
        }
    }

    static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = OpenAiShapes.JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
