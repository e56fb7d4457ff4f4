package io.strata.mesh.gateway;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent-events response as OpenAI streams it: {@code data: <json>} events, each flushed
 * at once, ended by {@code data: [DONE]}. Headers go out with the first event, so an error
 * found before it can still be an ordinary JSON error response.
 */
final class ServerSentEvents {
    static final String DONE = "[DONE]";

    private final HttpExchange exchange;
    private OutputStream out;

    ServerSentEvents(HttpExchange exchange) {
        this.exchange = exchange;
    }

    boolean started() {
        return out != null;
    }

    /** Sends one event; a failure means the client went away. */
    void send(String data) throws IOException {
        if (out == null) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
            exchange.sendResponseHeaders(200, 0);
            out = exchange.getResponseBody();
        }
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    void done() throws IOException {
        send(DONE);
        out.close();
    }
}
