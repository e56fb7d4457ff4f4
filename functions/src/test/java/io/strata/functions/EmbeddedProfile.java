package io.strata.functions;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.strata.model.TestModels;

import java.util.Map;

/**
 * The control plane on the embedded store in a fresh directory, with the local launcher (the defaults), reading local
 * model files from the test models folder only.
 */
public class EmbeddedProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("strata.data-dir", FreshDataDir.create("embedded"),
                "strata.local-launcher.file-roots", TestModels.repoRoot().resolve("../shared/models").normalize().toString());
    }
}
