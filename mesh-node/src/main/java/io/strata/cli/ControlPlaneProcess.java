package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The control plane ({@code functions}' Quarkus application) as a child process on loopback with
 * the embedded store, for {@code strata demo}: its split jobs run the built-in splitter with this
 * JVM's classpath, and it stops when this process stops or dies.
 */
public final class ControlPlaneProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(90);

    private final Process process;
    private final String baseUrl;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ControlPlaneProcess(Process process, String baseUrl, Path log) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.log = log;
    }

    /**
     * Starts it with its store in {@code dataDir}, letting its split jobs read local files under {@code fileRoots} only,
     * and waits until it answers.
     */
    public static ControlPlaneProcess start(Path dataDir, Path log, List<Path> fileRoots) throws IOException, InterruptedException {
        Path jar = runnerJar();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port, "-Dstrata.store=embedded",
                "-Dstrata.data-dir=" + dataDir.toAbsolutePath(),
                "-Dstrata.local-launcher.classpath=" + System.getProperty("java.class.path"),
                "-Dstrata.local-launcher.file-roots=" + String.join(",", fileRoots.stream()
                        .map(root -> root.toAbsolutePath().normalize().toString().replace(",", "\\,")).toList()),
                "-Dstrata.parent-pid=" + ProcessHandle.current().pid(), "-jar", jar.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ControlPlaneProcess cp = new ControlPlaneProcess(p, "http://127.0.0.1:" + port, log);
        long deadline = System.nanoTime() + START.toNanos();
        while (!cp.answers()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                cp.close();
                throw new IllegalStateException("the control plane did not start (" + (p.isAlive() ? "silent for "
                        + START.toSeconds() + " s" : "exited with " + p.exitValue()) + "); its log " + log + " ends: "
                        + NodeProcesses.tail(log));
            }
            Thread.sleep(100);
        }
        return cp;
    }

    public String baseUrl() {
        return baseUrl;
    }

    long pid() {
        return process.pid();
    }

    /** A request with a JSON body (or none); answers the envelope, or fails with the server's error. */
    JsonNode call(String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(r.body());
        if (r.statusCode() / 100 != 2 || !answer.path("success").asBoolean(false)) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": "
                    + answer.path("error").asText(r.body()));
        }
        return answer;
    }

    /**
     * Waits for a split job's task to end; returns its result.
     *
     * @throws IllegalStateException when the task failed (with its error) or did not end in time
     */
    JsonNode awaitTask(String taskId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode task = call("GET", "/task/" + taskId, null).path("data");
            switch (task.path("status").asText()) {
                case "complete" -> {
                    return task.path("result");
                }
                case "failed" -> throw new IllegalStateException("split job " + taskId + " failed: "
                        + task.path("error").asText());
                default -> Thread.sleep(100);
            }
        }
        throw new IllegalStateException("split job " + taskId + " did not finish within " + timeout.toSeconds() + " s");
    }

    private boolean answers() {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/task/-"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 404 || r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The built control plane: functions/target/quarkus-app/quarkus-run.jar in the Strata checkout. */
    private static Path runnerJar() {
        String home = System.getProperty("strata.home", System.getenv("STRATA_REPO_ROOT"));
        List<Path> candidates = new ArrayList<>();
        if (home != null) {
            candidates.add(Path.of(home));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            candidates.add(dir);
        }
        for (Path root : candidates) {
            Path jar = root.resolve("functions/target/quarkus-app/quarkus-run.jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new CliException("the control plane is not built (functions/target/quarkus-app/quarkus-run.jar); "
                + "run ./strata build", 1);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    Path log() {
        return log;
    }
}
