package io.strata.functions.access;

import io.quarkus.runtime.StartupEvent;
import io.strata.functions.ControlPlaneConfig;
import io.strata.functions.api.Envelope;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * With {@code strata.api-token} set, every request (any path, any method, before its body is read) must carry
 * {@code Authorization: Bearer <token>}; anything else is a 401 that says only "unauthorized". Tokens are compared
 * through their SHA-256 digests in constant time, so neither the content nor the length of the token leaks by timing.
 */
@ApplicationScoped
public class BearerTokenGuard {

    private static final Logger LOG = Logger.getLogger(BearerTokenGuard.class);
    private static final String SCHEME = "bearer ";

    void install(@Observes Router router, ControlPlaneConfig config) {
        Optional<String> token = config.apiToken().filter(t -> !t.isBlank());
        if (token.isEmpty()) {
            return;
        }
        byte[] expected = digest(token.get());
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            if (authorized(context, expected)) {
                context.next();
            } else {
                context.response().setStatusCode(401)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader("WWW-Authenticate", "Bearer")
                        // The body (if any) is left unread; closing the connection is how we are done with it.
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(Envelope.error("unauthorized").toString());
            }
        });
    }

    void warnWhenOpen(@Observes StartupEvent started, ControlPlaneConfig config,
                      @ConfigProperty(name = "quarkus.http.host") Optional<String> host) {
        boolean loopback = host.map(h -> h.equals("127.0.0.1") || h.equals("localhost") || h.equals("::1")).orElse(false);
        if (config.apiToken().filter(t -> !t.isBlank()).isEmpty() && !loopback) {
            LOG.warnf("listening on %s without strata.api-token: anyone who can reach this port can change the registries"
                    + " and start jobs — set STRATA_API_TOKEN", host.orElse("all interfaces"));
        }
    }

    private static boolean authorized(RoutingContext context, byte[] expected) {
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() <= SCHEME.length()
                || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        return MessageDigest.isEqual(expected, digest(header.substring(SCHEME.length()).strip()));
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
