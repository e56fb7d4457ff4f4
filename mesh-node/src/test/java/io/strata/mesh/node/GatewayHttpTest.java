package io.strata.mesh.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.mesh.gateway.GatewayConfig;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenAI-compatible API, health and metrics of a node, over HTTP, on a three-node mesh in this JVM. */
class GatewayHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern SAMPLE = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_]+=\"[^\"]*\",?)*})? \\S+");

    @TempDir
    static Path dir;
    static InProcessMesh mesh;
    static String base;

    @BeforeAll
    static void startMesh() throws Exception {
        mesh = new InProcessMesh(dir, 3, 3, new ModelPlan.Replicas(1, 1), GatewayConfig.defaults());
        base = "http://127.0.0.1:" + mesh.nodes.get(1).httpPort();
    }

    @AfterAll
    static void stopMesh() {
        if (mesh != null) {
            mesh.close();
        }
    }

    record Response(int status, String contentType, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    static Response post(String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    static Response get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    /** The JSON of every {@code data:} event, checking the framing on the way: events end with a blank line, [DONE] last. */
    static List<JsonNode> events(String body) throws Exception {
        assertTrue(body.endsWith("data: [DONE]\n\n"), "the stream ends with [DONE]: " + body);
        String[] blocks = body.split("\n\n");
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < blocks.length; i++) {
            assertTrue(blocks[i].startsWith("data: ") && !blocks[i].contains("\n"), "one data line per event: " + blocks[i]);
            if (i == blocks.length - 1) {
                assertEquals("data: [DONE]", blocks[i]);
            } else {
                out.add(JSON.readTree(blocks[i].substring(6)));
            }
        }
        return out;
    }

    @Test
    void aStreamedCompletionIsServerSentEventsThatAddUpToTheWholeAnswer() throws Exception {
        String common = "\"model\": \"stories260K\", \"prompt\": \"Once upon a time\", \"max_tokens\": 12, \"temperature\": 0";
        Response whole = post("/v1/completions", "{" + common + "}");
        assertEquals(200, whole.status(), whole.body());
        assertEquals("application/json", whole.contentType());
        JsonNode w = whole.json();
        assertEquals("text_completion", w.get("object").asText());
        assertTrue(w.get("id").asText().startsWith("cmpl-"));
        assertEquals("stories260K", w.get("model").asText());
        assertEquals("length", w.get("choices").get(0).get("finish_reason").asText());
        assertEquals(5, w.get("usage").get("prompt_tokens").asInt());
        assertEquals(12, w.get("usage").get("completion_tokens").asInt());
        assertEquals(17, w.get("usage").get("total_tokens").asInt());

        Response streamed = post("/v1/completions", "{" + common + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}");
        assertEquals(200, streamed.status());
        assertTrue(streamed.contentType().startsWith("text/event-stream"), streamed.contentType());
        List<JsonNode> events = events(streamed.body());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events.size() - 1; i++) {
            JsonNode e = events.get(i);
            assertEquals("text_completion", e.get("object").asText());
            assertEquals(w.get("id").asText().length(), e.get("id").asText().length());
            text.append(e.get("choices").get(0).get("text").asText());
            boolean last = i == events.size() - 2;
            assertEquals(last ? "length" : null, e.get("choices").get(0).get("finish_reason").textValue(), e.toString());
        }
        assertEquals(w.get("choices").get(0).get("text").asText(), text.toString());
        JsonNode usage = events.getLast();
        assertTrue(usage.get("choices").isEmpty());
        assertEquals(w.get("usage"), usage.get("usage"));
    }

    @Test
    void chatCompletionsAnswerAsTheAssistantStreamedAndWhole() throws Exception {
        String common = "\"messages\": [{\"role\": \"system\", \"content\": \"Tell stories.\"},"
                + " {\"role\": \"user\", \"content\": \"A story about a cat\"}], \"max_tokens\": 10, \"temperature\": 0.7,"
                + " \"seed\": 3";
        Response whole = post("/v1/chat/completions", "{" + common + "}"); // no model: the only one served
        assertEquals(200, whole.status(), whole.body());
        JsonNode w = whole.json();
        assertEquals("chat.completion", w.get("object").asText());
        assertEquals("assistant", w.get("choices").get(0).get("message").get("role").asText());
        Response streamed = post("/v1/chat/completions", "{" + common + ", \"stream\": true}");
        List<JsonNode> events = events(streamed.body());
        assertEquals("assistant", events.getFirst().get("choices").get(0).get("delta").get("role").asText());
        StringBuilder text = new StringBuilder();
        for (JsonNode e : events) {
            assertEquals("chat.completion.chunk", e.get("object").asText());
            text.append(e.get("choices").get(0).get("delta").path("content").asText(""));
        }
        assertEquals(w.get("choices").get(0).get("message").get("content").asText(), text.toString(),
                "the same seed gives the same answer streamed or not");
        assertFalse(events.getLast().get("choices").get(0).get("finish_reason").isNull());
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() throws Exception {
        String common = "\"model\": \"stories260K\", \"prompt\": \"Once upon a time\", \"max_tokens\": 40, \"temperature\": 0";
        String full = post("/v1/completions", "{" + common + "}").json().get("choices").get(0).get("text").asText();
        int cut = full.indexOf(' ', full.length() / 2);
        String stop = full.substring(cut, cut + 4);
        for (String stream : List.of("false", "true")) {
            Response r = post("/v1/completions", "{" + common + ", \"stop\": [\"" + stop + "\"], \"stream\": " + stream + "}");
            String text;
            String finish;
            if (stream.equals("true")) {
                StringBuilder sb = new StringBuilder();
                List<JsonNode> events = events(r.body());
                events.forEach(e -> sb.append(e.get("choices").get(0).get("text").asText()));
                text = sb.toString();
                finish = events.getLast().get("choices").get(0).get("finish_reason").asText();
            } else {
                text = r.json().get("choices").get(0).get("text").asText();
                finish = r.json().get("choices").get(0).get("finish_reason").asText();
            }
            assertEquals(full.substring(0, full.indexOf(stop)), text, "stream " + stream);
            assertEquals("stop", finish);
        }
    }

    @Test
    void badRequestsGetOpenAiErrorsWithTheirStatus() throws Exception {
        assertError(post("/v1/completions", "{not json"), 400, "invalid_request_error", null);
        assertError(post("/v1/completions", "{\"model\": \"stories260K\", \"prompt\": \"x\", \"temperature\": 3}"), 400,
                "invalid_request_error", "temperature");
        assertError(post("/v1/completions", "{\"model\": \"stories260K\", \"prompt\": \"x\", \"frobnicate\": 1}"), 400,
                "invalid_request_error", "frobnicate");
        assertError(post("/v1/completions", "{\"model\": \"stories260K\"}"), 400, "invalid_request_error", "prompt");
        assertError(post("/v1/chat/completions", "{\"messages\": []}"), 400, "invalid_request_error", "messages");
        assertError(post("/v1/completions", "{\"model\": \"stories260K\", \"prompt\": [1, 9999]}"), 400,
                "invalid_request_error", "prompt");
        Response unknown = post("/v1/completions", "{\"model\": \"gpt-9\", \"prompt\": \"x\"}");
        assertError(unknown, 404, "invalid_request_error", "model");
        assertEquals("model_not_found", unknown.json().get("error").get("code").asText());
        assertError(get("/v2/everything"), 404, "invalid_request_error", null);
        assertError(get("/v1/completions"), 405, "invalid_request_error", null);
    }

    static void assertError(Response r, int status, String type, String param) throws Exception {
        assertEquals(status, r.status(), r.body());
        assertEquals("application/json", r.contentType());
        JsonNode e = r.json().get("error");
        assertTrue(e.get("message").asText().length() > 5, r.body());
        assertEquals(type, e.get("type").asText());
        assertEquals(param, e.get("param").textValue());
        assertTrue(e.has("code"));
    }

    @Test
    void healthModelsAndMetricsDescribeTheNodeAndItsStages() throws Exception {
        post("/v1/completions", "{\"model\": \"stories260K\", \"prompt\": \"Hi\", \"max_tokens\": 3}");

        JsonNode models = get("/v1/models").json();
        assertEquals("list", models.get("object").asText());
        assertEquals("stories260K", models.get("data").get(0).get("id").asText());

        JsonNode health = get("/health").json();
        assertEquals("ready", health.get("status").asText(), "a member of a three-node view that hears the others");
        assertEquals("n1", health.get("node").asText());
        assertEquals(ProcessHandle.current().pid(), health.get("pid").asLong());
        assertEquals(3, health.get("members").size());
        assertEquals(1, health.get("blocks").size());
        assertEquals("stories260K", health.get("blocks").get(0).get("model").asText());

        JsonNode hm = get("/health/models").json();
        JsonNode model = hm.get("models").get(0);
        assertTrue(model.get("ready").asBoolean());
        Set<String> nodes = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            JsonNode stage = model.get("stages").get(i);
            assertEquals(i, stage.get("stage").asInt());
            assertEquals(1, stage.get("ready_replicas").asInt());
            nodes.add(stage.get("replicas").get(0).get("node_id").asText());
        }
        assertEquals(Set.of("n0", "n1", "n2"), nodes);

        Response metrics = get("/metrics");
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.contentType());
        Set<String> typed = new HashSet<>();
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("# TYPE ")) {
                typed.add(line.split(" ")[2]);
            } else if (!line.startsWith("# HELP ")) {
                assertTrue(SAMPLE.matcher(line).matches(), "a sample line: " + line);
                String family = line.replaceFirst("[{ ].*", "").replaceFirst("_(bucket|sum|count)$", "");
                assertTrue(typed.contains(family) || typed.contains(line.replaceFirst("[{ ].*", "")),
                        "declared before use: " + line);
            }
        }
        String body = metrics.body();
        assertTrue(Pattern.compile("strata_tokens_generated_total\\{node=\"n1\"} [1-9]").matcher(body).find(), body);
        for (String name : List.of("strata_tokens_per_second", "strata_active_sessions", "strata_stage_queue_depth",
                "strata_stage_sessions", "strata_failovers_total", "strata_failover_recovery_seconds_count")) {
            assertTrue(body.contains(name + "{node=\"n1\""), name);
        }
        assertTrue(Pattern.compile("strata_stage_forward_seconds_bucket\\{node=\"n1\",model=\"stories260K\",block=\"[^\"]+\","
                + "stage=\"1\",le=\"\\+Inf\"} [1-9]").matcher(body).find(), body);
        assertTrue(body.contains("strata_requests_total{node=\"n1\",endpoint=\"/v1/completions\",status=\"200\"}"), body);
    }
}
