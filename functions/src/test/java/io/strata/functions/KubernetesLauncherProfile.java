package io.strata.functions;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/** Split jobs as Kubernetes Jobs, on a mock API server started with the control plane. */
public class KubernetesLauncherProfile implements QuarkusTestProfile {

    static final String PUBLIC_URL = "http://control-plane.test:8001";
    static final String NAMESPACE = "splits";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("strata.data-dir", FreshDataDir.create("kubernetes"),
                "strata.launcher", "kubernetes",
                "strata.kubernetes.namespace", NAMESPACE,
                "strata.kubernetes.backoff-limit", "2",
                "strata.kubernetes.ttl-seconds-after-finished", "600",
                "strata.public-url", PUBLIC_URL);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(MockApiServer.class));
    }

    /** Starts the mock API server and points {@code strata.kubernetes.master-url} at it. */
    public static class MockApiServer implements QuarkusTestResourceLifecycleManager {

        private KubernetesMock mock;

        @Override
        public Map<String, String> start() {
            mock = KubernetesMock.start();
            return Map.of("strata.kubernetes.master-url", mock.url());
        }

        @Override
        public void stop() {
            if (mock != null) {
                mock.close();
            }
        }
    }
}
