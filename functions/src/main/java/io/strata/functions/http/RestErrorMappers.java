package io.strata.functions.http;

import io.strata.functions.api.ApiException;
import io.strata.functions.api.Envelope;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure of a REST resource as the seed's error envelope with its status. */
public class RestErrorMappers {

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    String bodyLimit;

    @ServerExceptionMapper
    public Response framework(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        return answer(status, ErrorAnswers.forStatus(status, request.method().name(), request.path(), bodyLimit));
    }

    @ServerExceptionMapper
    public Response failure(Exception e) {
        ApiException answer = ErrorAnswers.of(e);
        return answer(answer.status(), answer.getMessage());
    }

    static Response answer(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(Envelope.error(message)).build();
    }
}
