package io.strata.functions;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The control plane with an API token. */
public class TokenProfile implements QuarkusTestProfile {

    static final String TOKEN = "s3cret-token-for-tests";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("strata.data-dir", FreshDataDir.create("token"), "strata.api-token", TOKEN);
    }
}
