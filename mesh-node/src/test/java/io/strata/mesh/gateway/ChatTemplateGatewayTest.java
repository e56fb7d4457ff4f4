package io.strata.mesh.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.mesh.RoutingTable;
import io.strata.mesh.pipeline.StageStats;
import io.strata.mesh.transport.SessionOpen;
import io.strata.mesh.transport.TcpTransport;
import io.strata.mesh.transport.WireDType;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.TestModels;
import io.strata.tokenizer.ChatFormat;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Over HTTP: a chat whose messages the model's template refuses is one 400 naming the
 * template's reason, before anything reaches the mesh; /v1/models says which prompt each model
 * gets (its own template, or the plain one).
 */
class ChatTemplateGatewayTest {
    private static final String STRICT = "{% for m in messages %}{% if m.role == 'system' %}"
            + "{{ raise_exception('System role not supported') }}{% endif %}{{ m.content }}{% endfor %}";

    @Test
    void aRefusingTemplateIsOne400AndModelsNameTheirTemplateKind() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        RoutingView routing = new RoutingView();
        routing.update(new RoutingTable(1, Map.of(
                "strict", route("strict", dead), "stories260K", route("stories260K", dead))));
        GatewaySessions sessions = new GatewaySessions();
        GatewayMetrics metrics = new GatewayMetrics();
        GatewayConfig config = new GatewayConfig(WireDType.F32, Duration.ofSeconds(2), Duration.ZERO,
                Duration.ofMillis(300), 2, Duration.ofSeconds(30), 256);
        try (LoadedModel model = ModelLoader.open(TestModels.stories260kGguf(), null);
             TcpTransport transport = TcpTransport.start("127.0.0.1", 0, (f, c) -> sessions.deliver(f))) {
            PipelineClient client = new PipelineClient("gw", new SessionOpen.Hop("", "gw", "127.0.0.1", transport.port()),
                    transport, transport, sessions, routing, config, metrics);
            ChatFormat plain = model.chatFormat();
            ServedModel strict = new ServedModel("strict", model.tokenizer(), 512,
                    new ChatFormat(STRICT, plain.bosToken(), plain.eosToken(), plain.stopIds()));
            ServedModel stories = new ServedModel("stories260K", model.tokenizer(), 512, plain);
            Map<String, ServedModel> catalog = Map.of("strict", strict, "stories260K", stories);
            try (GatewayServer server = GatewayServer.start("127.0.0.1", 0, client, routing,
                    id -> Optional.ofNullable(catalog.get(id)), metrics, node())) {
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"strict\", \"messages\": ["
                                + "{\"role\": \"system\", \"content\": \"Be brief.\"},"
                                + "{\"role\": \"user\", \"content\": \"Hi\"}]}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(400, r.statusCode(), r.body());
                JsonNode e = new ObjectMapper().readTree(r.body()).get("error");
                assertEquals("invalid_request_error", e.get("type").asText());
                assertEquals("messages", e.get("param").asText());
                assertTrue(e.get("message").asText().contains("System role not supported"), e.toString());
                assertEquals(0, sessions.active(), "nothing reached the mesh");

                HttpResponse<String> models = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/models")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, models.statusCode(), models.body());
                Map<String, String> kinds = new java.util.TreeMap<>();
                new ObjectMapper().readTree(models.body()).get("data")
                        .forEach(m -> kinds.put(m.get("id").asText(), m.get("chat_template").asText()));
                assertEquals(Map.of("strict", "model", "stories260K", "plain"), kinds);
            }
        }
    }

    private static RoutingTable.ModelRoute route(String id, int port) {
        return new RoutingTable.ModelRoute(id, List.of(new RoutingTable.StageRoute("s-0", 0, 5,
                List.of(new RoutingTable.Endpoint("ghost", "127.0.0.1", port)))));
    }

    private static NodeInfo node() {
        return new NodeInfo() {
            public String nodeId() {
                return "gw";
            }

            public Map<String, Object> health() {
                return Map.of();
            }

            public List<String> plannedModels() {
                return List.of("strict", "stories260K");
            }

            public List<StageStats> stages() {
                return List.of();
            }
        };
    }
}
