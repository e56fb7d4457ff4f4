package io.strata.functions;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The control plane on the embedded store in a fresh directory, with the local launcher (the defaults). */
public class EmbeddedProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("strata.data-dir", FreshDataDir.create("embedded"));
    }
}
