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

/** A gateway whose only replica of a stage cannot be reached answers 503 in OpenAI's error shape, and says why. */
class UnreachableMeshTest {
    @Test
    void noReachableReplicaIsA503NamingTheFailure() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort(); // closed again: nothing listens there
        }
        RoutingView routing = new RoutingView();
        routing.update(new RoutingTable(1, Map.of("stories260K", new RoutingTable.ModelRoute("stories260K", List.of(
                new RoutingTable.StageRoute("s-0", 0, 5, List.of(new RoutingTable.Endpoint("ghost", "127.0.0.1", dead))))))));
        GatewaySessions sessions = new GatewaySessions();
        GatewayMetrics metrics = new GatewayMetrics();
        GatewayConfig config = new GatewayConfig(WireDType.F32, Duration.ofSeconds(2), Duration.ZERO,
                Duration.ofMillis(300), 2, Duration.ofSeconds(30), 256);
        try (LoadedModel model = ModelLoader.open(TestModels.stories260kGguf(), null);
             TcpTransport transport = TcpTransport.start("127.0.0.1", 0, (f, c) -> sessions.deliver(f))) {
            PipelineClient client = new PipelineClient("gw", new SessionOpen.Hop("", "gw", "127.0.0.1", transport.port()),
                    transport, transport, sessions, routing, config, metrics);
            ServedModel served = new ServedModel("stories260K", model.tokenizer(), model.config().contextLength());
            try (GatewayServer server = GatewayServer.start("127.0.0.1", 0, client, routing, id -> Optional.of(served),
                    metrics, new NodeInfo() {
                        public String nodeId() {
                            return "gw";
                        }

                        public Map<String, Object> health() {
                            return Map.of();
                        }

                        public List<String> plannedModels() {
                            return List.of("stories260K");
                        }

                        public List<StageStats> stages() {
                            return List.of();
                        }
                    })) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"stories260K\", \"prompt\": \"Hi\","
                                + " \"stream\": true}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode(), r.body());
                JsonNode e = new ObjectMapper().readTree(r.body()).get("error");
                assertEquals("service_unavailable", e.get("type").asText());
                assertEquals("service_unavailable", e.get("code").asText());
                assertTrue(e.get("message").asText().contains("ghost"), e.toString());
                assertEquals(0, sessions.active(), "no session is left registered");
            }
        }
    }
}
