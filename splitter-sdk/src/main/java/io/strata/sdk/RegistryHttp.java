package io.strata.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sends one JSON request to a control-plane service and unwraps the seed's envelope
 * ({@code {"success": true, "data": ...}} or {@code {"success": false, "error": "..."}}),
 * retrying transient failures: no connection, a reset or timed-out exchange, 429 and 5xx.
 * Any other answer is final.
 */
final class RegistryHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** Environment variable holding the control plane's API token, sent as a bearer token when set. */
    static final String API_TOKEN_VARIABLE = "STRATA_API_TOKEN";

    private final HttpClient client;
    private final RetryPolicy retry;
    private final String apiToken;
    private final Map<String, String> headers;

    RegistryHttp(RetryPolicy retry) {
        this(retry, System.getenv(API_TOKEN_VARIABLE));
    }

    RegistryHttp(RetryPolicy retry, String apiTokenOrNull) {
        this(retry, apiTokenOrNull, Map.of());
    }

    /** {@code headers}: sent with every request (a task's own token, say). */
    RegistryHttp(RetryPolicy retry, String apiTokenOrNull, Map<String, String> headers) {
        this.retry = retry;
        this.headers = Map.copyOf(headers);
        this.apiToken = apiTokenOrNull == null || apiTokenOrNull.isBlank() ? null : apiTokenOrNull;
        this.client = HttpClient.newBuilder()
                // HTTP/1.1 only: the client's h2c upgrade attempt on a POST confuses some servers (Vert.x)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** What the server finally answered: its status and the body as JSON (null when it was not JSON). */
    record Reply(String request, int status, JsonNode json, String text) {
        boolean isEnvelope() {
            return json != null && json.isObject() && json.has("success");
        }
    }

    /** Sends and unwraps: the envelope of a 2xx {@code success: true} answer, or a {@link RegistryException}. */
    ObjectNode call(String method, URI uri, JsonNode body) throws IOException {
        return unwrap(exchange(method, uri, body));
    }

    Reply exchange(String method, URI uri, JsonNode body) throws IOException {
        String request = method + " " + uri;
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .method(method, publisher);
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        if (apiToken != null) {
            builder.header("Authorization", "Bearer " + apiToken);
        }
        headers.forEach(builder::header);
        HttpRequest httpRequest = builder.build();
        String lastProblem = null;
        for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
            if (attempt > 1) {
                retry.sleepAfter(attempt - 1);
            }
            HttpResponse<String> response;
            try {
                response = client.send(httpRequest, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(request + ": interrupted");
            } catch (IOException e) {
                // Refused, reset, timed out: the service may be restarting, so this is worth another try.
                lastProblem = describe(e);
                continue;
            }
            int status = response.statusCode();
            if (status == 429 || status >= 500) {
                lastProblem = "HTTP " + status + serverError(response.body());
                continue;
            }
            return new Reply(request, status, parse(response.body()), response.body());
        }
        throw new IOException(request + ": no answer after " + retry.attempts() + " tries, last: " + lastProblem
                + " — is the service at " + uri.getScheme() + "://" + uri.getAuthority() + " running?");
    }

    ObjectNode unwrap(Reply reply) throws RegistryException {
        if (reply.status() / 100 != 2) {
            throw new RegistryException(reply.request() + ": HTTP " + reply.status() + serverError(reply.text()),
                    reply.status());
        }
        if (!reply.isEnvelope()) {
            throw new RegistryException(reply.request() + ": answered HTTP " + reply.status()
                    + " without the {\"success\": ...} envelope: " + excerpt(reply.text())
                    + " — does the URL point at the registry?", reply.status());
        }
        if (!reply.json().get("success").asBoolean(false)) {
            throw new RegistryException(reply.request() + ": the server said: " + errorText(reply.json()),
                    reply.status());
        }
        return (ObjectNode) reply.json();
    }

    static List<JsonNode> dataList(String request, JsonNode envelope) throws RegistryException {
        JsonNode data = envelope.get("data");
        if (data == null || !data.isArray()) {
            throw new RegistryException(request + ": answered success without a \"data\" list: "
                    + RegistryHttp.excerpt(envelope.toString()), 200);
        }
        List<JsonNode> items = new ArrayList<>(data.size());
        data.forEach(items::add);
        return List.copyOf(items);
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String serverError(String text) {
        JsonNode json = parse(text);
        if (json != null && json.isObject() && json.hasNonNull("error")) {
            return ": " + errorText(json);
        }
        return text == null || text.isBlank() ? "" : ": " + excerpt(text);
    }

    private static String errorText(JsonNode envelope) {
        JsonNode error = envelope.get("error");
        if (error == null || error.isNull()) {
            return "(no error text)";
        }
        return error.isTextual() ? error.asText() : error.toString();
    }

    /** {@code base} + {@code path}, whether or not the base URL was given with a trailing slash. */
    static URI at(URI base, String path) {
        String b = base.toString();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return URI.create(b + path);
    }

    static String excerpt(String text) {
        if (text == null) {
            return "(empty)";
        }
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        String name = e.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            return e.getCause() != null ? name + " (" + describe(e.getCause()) + ")" : name;
        }
        return name + ": " + message;
    }
}
