package io.strata.sdk;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The npm s3rver S3 emulator, started on 127.0.0.1 with a port of its own choosing and one
 * bucket. Its request log is kept so tests can see which S3 calls were made.
 */
final class S3rverProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("S3rver listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final URI endpoint;
    private final List<String> log = new CopyOnWriteArrayList<>();

    private S3rverProcess(Path script, Path dataDir, String bucket) throws Exception {
        process = new ProcessBuilder("node", script.toString(), "--directory", dataDir.toString(),
                "--address", "127.0.0.1", "--port", "0", "--configure-bucket", bucket)
                .redirectErrorStream(true)
                .start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    log.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("s3rver exited before listening: " + log));
        }, "s3rver-log");
        reader.setDaemon(true);
        reader.start();
        try {
            endpoint = URI.create("http://127.0.0.1:" + port.get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Starts s3rver, or skips the test when it is not installed (fails instead under CI=true). */
    static S3rverProcess start(Path dataDir, String bucket) throws Exception {
        Path script = repoRoot().resolve("localstack/node_modules/s3rver/bin/s3rver.js");
        if (!Files.isRegularFile(script)) {
            unavailable(script + " is missing — run `npm ci --prefix localstack` first");
        }
        try {
            return new S3rverProcess(script, dataDir, bucket);
        } catch (IOException e) {
            unavailable("cannot run node for s3rver (" + e.getMessage() + ") — install Node.js 18 or newer");
            throw e;
        }
    }

    private static void unavailable(String why) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(why);
        }
        Assumptions.abort(why);
    }

    private static Path repoRoot() {
        String root = System.getenv("STRATA_REPO_ROOT");
        if (root != null && !root.isBlank()) {
            return Path.of(root);
        }
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("localstack")) ? here : here.getParent();
    }

    URI endpoint() {
        return endpoint;
    }

    /** The request lines s3rver logged so far. */
    List<String> log() {
        return List.copyOf(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
