package io.strata.functions.access;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.Map;

/**
 * Without an API token the control plane listens on 127.0.0.1 only: an open registry that can start jobs should not be
 * reachable from the network by default. Any explicit {@code quarkus.http.host} (properties, -D, env) wins, because
 * this source's ordinal is below all of them.
 */
public class LoopbackWithoutToken implements ConfigSourceFactory {

    static final int ORDINAL = 50;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue token = context.getValue("strata.api-token");
        if (token != null && token.getValue() != null && !token.getValue().isBlank()) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(Map.of("quarkus.http.host", "127.0.0.1"), "strata-loopback-without-token", ORDINAL));
    }
}
