package io.strata.functions;

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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load benchmark of the control plane on the embedded store, run by hand (not a test): closed-loop clients on
 * loopback send a mix of reads and writes for a fixed time and the run reports throughput and p50/p99 latency.
 *
 * <p>Needs only the JDK, so it runs as a source file:
 * <pre>
 *   ./mvnw -B -q -DskipTests install        # builds functions/target/quarkus-app
 *   java functions/src/test/java/io/strata/functions/ControlPlaneLoadBenchmark.java [--seconds 20] [--clients 16] [--url URL]
 * </pre>
 * Without {@code --url} it starts {@code functions/target/quarkus-app/quarkus-run.jar} itself on a free port with a
 * fresh data directory, and stops it afterwards.
 *
 * <p>The mix: 40% GET /model-layer/{hash}, 15% POST /model-layers (by model asset, 50 layers each), 5% POST /blocks
 * (the SDK's block query), 25% POST /model-layer (a new layer), 15% PUT /model-layer/{hash} ($set). Every write is
 * forced to disk by the embedded store before it is answered.
 */
public final class ControlPlaneLoadBenchmark {

    private static final int PRELOADED_LAYERS = 1000;
    private static final int ASSETS = 20;
    private static final int PRELOADED_BLOCKS = 200;

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger nextLayer = new AtomicInteger(PRELOADED_LAYERS);
    private final AtomicLong errors = new AtomicLong();

    private ControlPlaneLoadBenchmark(URI base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        int seconds = 20;
        int clients = 16;
        String url = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--url" -> url = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --seconds N, --clients N, --url URL");
            }
        }
        Process server = null;
        try {
            if (url == null) {
                int port;
                try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = socket.getLocalPort();
                }
                server = startServer(port);
                url = "http://127.0.0.1:" + port;
            }
            ControlPlaneLoadBenchmark bench = new ControlPlaneLoadBenchmark(URI.create(url));
            bench.awaitReady();
            bench.preload();
            bench.run(clients, seconds);
        } finally {
            if (server != null) {
                server.destroy();
                server.waitFor();
            }
        }
    }

    private static Process startServer(int port) throws IOException {
        Path jar = Path.of("functions/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing — build it with ./mvnw -B -q -DskipTests install");
        }
        Path data = Files.createTempDirectory("strata-bench-");
        Path log = data.resolve("server.log");
        System.out.println("server: " + jar + " on port " + port + ", data " + data + ", log " + log);
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port, "-Dstrata.data-dir=" + data, "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (send("POST", "/model-layers", "{\"model_asset_id\": \"none\"}") == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(base + " did not answer within 60 s");
            }
            Thread.sleep(100);
        }
    }

    private void preload() throws IOException, InterruptedException {
        for (int i = 0; i < PRELOADED_LAYERS; i++) {
            require(send("POST", "/model-layer", layer(i)), "preloading layer " + i);
        }
        for (int i = 0; i < PRELOADED_BLOCKS; i++) {
            require(send("POST", "/block", "{\"block_id\": \"bench-block-" + i + "\", \"block_component_uri\": \"bench-component\","
                    + " \"block_model_layer_hash\": \"" + hash(i) + "\"}"), "preloading block " + i);
        }
    }

    private static void require(int status, String what) {
        if (status != 200) {
            throw new IllegalStateException(what + " answered HTTP " + status);
        }
    }

    private static String hash(int i) {
        return String.format(Locale.ROOT, "%032x", i);
    }

    private static String layer(int i) {
        return "{\"model_layer_hash\": \"" + hash(i) + "\", \"model_asset_id\": \"bench-asset-" + (i % ASSETS) + "\","
                + " \"model_component_registry_uri\": \"bench-component\", \"model_layer_public_url\": \"file:/bench/" + i + ".gguf\","
                + " \"model_layer_metadata\": [{\"format\": \"gguf\"}], \"model_layer_rank\": 0, \"model_world_size\": 1}";
    }

    private int send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** One request of the mix; returns its latency in nanoseconds. */
    private long oneRequest() throws IOException, InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int pick = random.nextInt(100);
        int known = random.nextInt(PRELOADED_LAYERS);
        long start = System.nanoTime();
        int status;
        if (pick < 40) {
            status = send("GET", "/model-layer/" + hash(known), null);
        } else if (pick < 55) {
            status = send("POST", "/model-layers", "{\"model_asset_id\": \"bench-asset-" + random.nextInt(ASSETS) + "\"}");
        } else if (pick < 60) {
            status = send("POST", "/blocks", "{\"block_component_uri\": \"bench-component\", \"block_model_layer_hash\": \""
                    + hash(random.nextInt(PRELOADED_BLOCKS)) + "\"}");
        } else if (pick < 85) {
            status = send("POST", "/model-layer", layer(nextLayer.getAndIncrement()));
        } else {
            status = send("PUT", "/model-layer/" + hash(known), "{\"$set\": {\"model_layer_public_url\": \"file:/bench/v"
                    + random.nextInt(1000) + ".gguf\"}}");
        }
        long took = System.nanoTime() - start;
        if (status != 200) {
            errors.incrementAndGet();
        }
        return took;
    }

    private void run(int clients, int seconds) throws InterruptedException {
        // A short warm-up so the JIT has compiled the request path before we measure it.
        long warmupEnd = System.nanoTime() + Duration.ofSeconds(Math.min(5, Math.max(1, seconds / 4))).toNanos();
        runClients(clients, warmupEnd);
        errors.set(0);
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        List<long[]> perClient = runClients(clients, end);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] all = perClient.stream().flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(all);
        System.out.printf(Locale.ROOT, "%d clients, %.1f s: %d requests, %.0f requests/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms,"
                        + " %d non-200 answers%n", clients, elapsed, all.length, all.length / elapsed,
                percentile(all, 0.50) / 1e6, percentile(all, 0.99) / 1e6, all[all.length - 1] / 1e6, errors.get());
    }

    private List<long[]> runClients(int clients, long endNanos) throws InterruptedException {
        List<long[]> results = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long[][] slot = new long[1][];
            results.add(null);
            int index = c;
            threads.add(Thread.ofPlatform().name("bench-client-" + c).start(() -> {
                long[] latencies = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < endNanos) {
                    try {
                        long took = oneRequest();
                        if (n == latencies.length) {
                            latencies = Arrays.copyOf(latencies, n * 2);
                        }
                        latencies[n++] = took;
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                slot[0] = Arrays.copyOf(latencies, n);
                synchronized (results) {
                    results.set(index, slot[0]);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return results;
    }

    private static double percentile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
