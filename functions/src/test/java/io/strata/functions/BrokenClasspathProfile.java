package io.strata.functions;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The local launcher with a classpath on which the splitter cannot be found: its child JVM dies at once. */
public class BrokenClasspathProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("strata.data-dir", FreshDataDir.create("broken-classpath"),
                "strata.local-launcher.classpath", "/nonexistent/strata-test-classpath");
    }
}
