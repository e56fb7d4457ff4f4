package io.strata.functions;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
                "strata.table-prefix", "functions-test-" + System.nanoTime() + "-");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Dynalite.class));
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
        if (findNode() == null) {
            return "node is not on PATH — install Node.js 20+, then: npm ci --prefix localstack";
        }
        if (!Files.isRegularFile(cli())) {
            return cli() + " is missing — install the emulators with: npm ci --prefix localstack";
        }
        return null;
    }

    private static Path cli() {
        return io.strata.model.TestModels.repoRoot().resolve("localstack/node_modules/dynalite/cli.js");
    }

    private static String findNode() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /** Runs dynalite in memory for one start of the control plane. */
    public static class Dynalite implements QuarkusTestResourceLifecycleManager {

        private Process process;

        @Override
        public Map<String, String> start() {
            try {
                int port;
                try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = socket.getLocalPort();
                }
                Path log = Files.createTempFile("dynalite", ".log");
                log.toFile().deleteOnExit();
                process = new ProcessBuilder(findNode(), cli().toString(), "--port", Integer.toString(port),
                        "--host", "127.0.0.1", "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!accepts(port)) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        throw new IllegalStateException("dynalite did not start listening on 127.0.0.1:" + port
                                + "; its output:\n" + Files.readString(log));
                    }
                    Thread.sleep(50);
                }
                Map<String, String> config = new HashMap<>();
                config.put("quarkus.dynamodb.endpoint-override", "http://127.0.0.1:" + port);
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
            if (process == null) {
                return;
            }
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        private static boolean accepts(int port) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        }
    }
}
