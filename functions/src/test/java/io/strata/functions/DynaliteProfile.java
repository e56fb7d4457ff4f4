package io.strata.functions;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.strata.model.TestModels;
import io.strata.tables.dynamo.Dynalite;
import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The control plane on DynamoDB as emulated by the npm {@code dynalite} (localstack/package.json), started on 127.0.0.1
 * with a free port through Quarkus' DynamoDB client ({@code quarkus.dynamodb.endpoint-override}). Test classes using it
 * are enabled by {@link #available()}: without {@code localstack/node_modules} or {@code node} they are skipped, except
 * under CI=true where the check fails with the command that installs them.
 */
public class DynaliteProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("strata.store", "dynamodb",
                "strata.data-dir", FreshDataDir.create("dynalite"),
                "strata.table-prefix", "functions-test-" + System.nanoTime() + "-",
                "strata.local-launcher.file-roots", TestModels.repoRoot().resolve("../shared/models").normalize().toString());
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(DynaliteResource.class));
    }

    /** For {@code @EnabledIf}: true when dynalite can run here; fails on CI when it cannot. */
    public static boolean available() {
        String why = missing();
        if (why == null) {
            return true;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail("DynamoDB tests cannot run: " + why);
        }
        return false;
    }

    private static String missing() {
        return Dynalite.missing();
    }

    /** Runs dynalite in memory for one start of the control plane. */
    public static class DynaliteResource implements QuarkusTestResourceLifecycleManager {

        private Dynalite dynalite;

        @Override
        public Map<String, String> start() {
            try {
                dynalite = Dynalite.start();
                Map<String, String> config = new HashMap<>();
                config.put("quarkus.dynamodb.endpoint-override", dynalite.endpoint().toString());
                config.put("quarkus.dynamodb.aws.region", "us-east-1");
                config.put("quarkus.dynamodb.aws.credentials.type", "static");
                config.put("quarkus.dynamodb.aws.credentials.static-provider.access-key-id", "test");
                config.put("quarkus.dynamodb.aws.credentials.static-provider.secret-access-key", "test");
                return config;
            } catch (IOException e) {
                throw new IllegalStateException("could not start dynalite: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting dynalite", e);
            }
        }

        @Override
        public void stop() {
            if (dynalite != null) {
                dynalite.close();
            }
        }
    }
}
