package io.strata.functions.http;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.quarkus.funqy.runtime.ApplicationException;
import io.strata.functions.api.ApiException;
import io.strata.tables.ConditionFailedException;
import io.strata.tables.ContentionException;
import io.strata.tables.DuplicateKeyException;
import io.strata.tables.InvalidQueryException;
import io.strata.tables.NotFoundException;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletionException;

/**
 * What a failure answers: refusals keep their status and message; anything unexpected is a 500 that says only where
 * to look, so internals (table names, stack traces, file paths) stay in the log.
 */
public final class ErrorAnswers {

    private static final Logger LOG = Logger.getLogger(ErrorAnswers.class);

    private ErrorAnswers() {
    }

    public static ApiException of(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof ApplicationException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            // Netty's form and content decoders refuse an oversized chunked body with these, not with a 413.
            if (c instanceof TooLongFrameException || c instanceof HttpPostRequestDecoder.TooLongFormFieldException) {
                return new ApiException(413, "request body too large");
            }
        }
        return switch (t) {
            case ApiException api -> api;
            case DuplicateKeyException e -> ApiException.conflict(e.getMessage());
            case ConditionFailedException e -> ApiException.conflict(e.getMessage());
            case ContentionException e -> new ApiException(503, e.getMessage());
            case NotFoundException e -> ApiException.notFound(e.getMessage());
            case InvalidQueryException e -> ApiException.badRequest(e.getMessage());
            default -> {
                LOG.error("request failed unexpectedly", t);
                yield new ApiException(500, "internal error; the control plane's log has the details");
            }
        };
    }

    /** The message of an HTTP status the framework answered by itself (no exception of ours behind it). */
    public static String forStatus(int status, String method, String path, String bodyLimit) {
        return switch (status) {
            case 400 -> "request body is not valid JSON";
            case 401 -> "unauthorized";
            case 404 -> "no such endpoint: " + method + " " + path;
            case 405 -> "method " + method + " is not allowed on " + path;
            case 413 -> "request body too large: the limit is " + bodyLimit;
            case 415 -> "unsupported content type; send application/json";
            default -> "request failed with HTTP " + status;
        };
    }
}
