package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A streamed {@code POST /v1/completions} against a Strata gateway, read event by event: each
 * piece of text goes to a callback as it arrives; the last event's {@code "strata"} details
 * (token ids, speed, failovers) are kept.
 */
final class CompletionStream {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the stream delivered: the whole text, why it finished, and Strata's details. */
    record Result(String text, String finishReason, JsonNode details) {
    }

    private CompletionStream() {
    }

    static Result run(String baseUrl, ObjectNode request, Consumer<String> onText) throws IOException {
        request.put("stream", true);
        request.put("return_details", true);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString())).build();
        HttpResponse<Stream<String>> response;
        try {
            response = http.send(req, HttpResponse.BodyHandlers.ofLines());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() != 200) {
                String body = String.join("\n", lines.toList());
                throw new IOException("the gateway answered " + response.statusCode() + ": " + errorMessage(body));
            }
            StringBuilder text = new StringBuilder();
            String finish = null;
            JsonNode details = null;
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (!line.startsWith("data: ")) {
                    continue;
                }
                String data = line.substring(6);
                if (data.equals("[DONE]")) {
                    break;
                }
                JsonNode event = JSON.readTree(data);
                if (event.has("error")) {
                    throw new IOException("the generation failed: " + event.get("error").path("message").asText());
                }
                JsonNode choice = event.path("choices").path(0);
                String piece = choice.path("text").asText("");
                if (!piece.isEmpty()) {
                    text.append(piece);
                    onText.accept(piece);
                }
                if (choice.hasNonNull("finish_reason")) {
                    finish = choice.get("finish_reason").asText();
                }
                if (event.has("strata")) {
                    details = event.get("strata");
                }
            }
            return new Result(text.toString(), finish, details);
        }
    }

    private static String errorMessage(String body) {
        try {
            return JSON.readTree(body).path("error").path("message").asText(body);
        } catch (IOException e) {
            return body;
        }
    }
}
