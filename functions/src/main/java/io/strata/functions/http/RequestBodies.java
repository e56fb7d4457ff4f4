package io.strata.functions.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.functions.api.JsonBodies;
import io.vertx.ext.web.RoutingContext;

/**
 * The request body as JSON, taken from what Vert.x' body handler already read (Funqy makes it read every body, within
 * quarkus.http.limits.max-body-size). Resources read it here rather than through a JAX-RS entity parameter, which
 * waits forever for a body that already arrived when a request says {@code Content-Length: 0}.
 */
final class RequestBodies {

    private RequestBodies() {
    }

    static JsonNode json(RoutingContext request) {
        var body = request.body();
        return body == null || body.isEmpty() ? null : JsonBodies.parse(body.asString());
    }
}
