package io.strata.functions.http;

import io.strata.functions.api.ApiException;
import io.strata.functions.api.Envelope;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers in the envelope what no resource answers: failures of the Funqy functions and of the body reader (an
 * oversized body is a 413 before any code of ours runs), and paths nothing serves.
 */
@ApplicationScoped
public class RouterAnswers {

    /** After Quarkus' default route (order 10 000), where REST resources and Funqy functions live. */
    private static final int AFTER_EVERYTHING = 30_000;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    String bodyLimit;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
        router.route().order(AFTER_EVERYTHING).handler(this::unserved);
    }

    private void failed(RoutingContext context) {
        HttpServerResponse response = context.response();
        if (response.ended() || response.headWritten()) {
            return;
        }
        int status;
        String message;
        Throwable failure = context.failure();
        if (failure instanceof HttpException http) {
            status = http.getStatusCode();
            message = ErrorAnswers.forStatus(status, context.request().method().name(), context.request().path(), bodyLimit);
        } else if (failure != null) {
            ApiException answer = ErrorAnswers.of(failure);
            status = answer.status();
            message = answer.getMessage();
        } else {
            status = context.statusCode() > 0 ? context.statusCode() : 500;
            message = ErrorAnswers.forStatus(status, context.request().method().name(), context.request().path(), bodyLimit);
        }
        if (status == 413) {
            message = ErrorAnswers.forStatus(413, context.request().method().name(), context.request().path(), bodyLimit);
            // The rest of the body was never read; closing is the only way to be done with it.
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        send(response, status, message);
    }

    private void unserved(RoutingContext context) {
        send(context.response(), 404, ErrorAnswers.forStatus(404, context.request().method().name(), context.request().path(), bodyLimit));
    }

    static void send(HttpServerResponse response, int status, String message) {
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Envelope.error(message).toString());
    }
}
