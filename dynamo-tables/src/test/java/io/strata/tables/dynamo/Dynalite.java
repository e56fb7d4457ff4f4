package io.strata.tables.dynamo;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The npm DynamoDB emulator {@code dynalite} (localstack/package.json), run in memory on 127.0.0.1 with a free port
 * for one test class. Without {@code localstack/node_modules} or {@code node} the tests are skipped, except under
 * CI=true where they fail with the command that installs it.
 */
public final class Dynalite implements AutoCloseable {

    private final Process process;
    private final int port;
    private final DynamoDbClient client;

    private Dynalite(Process process, int port) {
        this.process = process;
        this.port = port;
        this.client = DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** Why {@link #startIfInstalled()} answered null, for the tests' skip messages; null when it can run. */
    public static String missing() {
        String node = findNode();
        Path cli = repositoryRoot().resolve("localstack/node_modules/dynalite/cli.js");
        if (node != null && Files.isRegularFile(cli)) {
            return null;
        }
        return (node == null ? "node is not on PATH" : cli + " is missing") + " — install the emulators with: npm ci --prefix localstack";
    }

    /**
     * The running emulator, or null when it is not installed — then each test should skip with {@link #missing()}
     * (checked per test so the skips are reported) — except under CI=true, where a missing emulator fails the class.
     */
    static Dynalite startIfInstalled() throws IOException, InterruptedException {
        String missing = missing();
        if (missing != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("DynamoDB tests cannot run: " + missing);
            }
            return null;
        }
        return start();
    }

    static void assumeRunning(Dynalite dynalite) {
        Assumptions.assumeTrue(dynalite != null, () -> "skipping DynamoDB tests: " + missing());
    }

    /** Starts the emulator (check {@link #missing()} first). */
    public static Dynalite start() throws IOException, InterruptedException {
        Path cli = repositoryRoot().resolve("localstack/node_modules/dynalite/cli.js");
        String node = findNode();
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path log = Files.createTempFile("dynalite", ".log");
        log.toFile().deleteOnExit();
        Process process = new ProcessBuilder(node, cli.toString(), "--port", Integer.toString(port), "--host", "127.0.0.1",
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("dynalite did not start listening on 127.0.0.1:" + port + "; its output:\n"
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return new Dynalite(process, port);
    }

    DynamoDbClient client() {
        return client;
    }

    /** Where it listens: http://127.0.0.1:port. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        client.close();
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

    private static String findNode() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    static Path repositoryRoot() {
        String hint = System.getenv("STRATA_REPO_ROOT");
        if (hint != null && Files.isDirectory(Path.of(hint, "dynamo-tables"))) {
            return Path.of(hint);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("dynamo-tables")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
    }
}
