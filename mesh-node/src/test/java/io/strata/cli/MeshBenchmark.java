package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.engine.GenerationResult;
import io.strata.engine.LocalPipeline;
import io.strata.engine.SamplingParams;
import io.strata.mesh.transport.Frame;
import io.strata.mesh.transport.PeerAddress;
import io.strata.mesh.transport.TcpTransport;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.split.ModelFootprint;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlanFile;
import io.strata.split.NodeSpec;
import io.strata.split.SplitPlan;
import io.strata.split.SplitPlanner;
import io.strata.split.SplitStrategy;
import io.strata.split.SplitWriter;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Run by hand (not a test): the data plane's figures on a TinyLlama-1.1B-shaped model.
 * <ol>
 *   <li>decode tokens/s of one session: the engine alone in this JVM, one node process serving
 *       the whole model, and three node processes serving one stage each (all on loopback);</li>
 *   <li>the latency a hop adds: PING frames of a hidden state's size (dim × 4 bytes) from this
 *       JVM to a node and back (half the round trip), and, in the running mesh, the time per
 *       token not spent in any stage's forward pass, per hop;</li>
 *   <li>aggregate tokens/s of 8 concurrent sessions against 1, on the 3-stage mesh and on the
 *       single node (the stages batch the sessions waiting for them into one forward pass).</li>
 * </ol>
 * Every process shares this machine's cores; the figures say what one machine does, not a
 * cluster. Make the model first:
 * <pre>strata synth --out ~/.cache/strata/synthetic/tinyllama-1.1b-q8_0.gguf --shape tinyllama-1.1b --encoding Q8_0
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp TEST_AND_RUNTIME_CLASSPATH \
 *     io.strata.cli.MeshBenchmark [MODEL] [decode tokens, 48] [sessions, 8]</pre>
 */
public final class MeshBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args.length > 0 ? args[0]
                : System.getProperty("user.home") + "/.cache/strata/synthetic/tinyllama-1.1b-q8_0.gguf");
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 48;
        int sessions = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path work = Path.of(System.getProperty("user.home"), ".cache", "strata", "bench-mesh");
        int[] prompt = new int[8];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 1 + (i * 7919) % 31000;
        }
        System.out.printf("model %s, %d decode tokens per session, %d cores%n", model, tokens,
                Runtime.getRuntime().availableProcessors());

        Path whole = wholeModelPlan(model, work);
        Path three = split(model, 3, work);
        int dim;
        double engine;
        try (LocalPipeline local = LocalPipeline.open(model, null)) {
            dim = local.stages().getFirst().config().dim();
            local.generator().generate(prompt, 8, SamplingParams.greedy(), null); // JIT warm-up
            GenerationResult r = local.generator().generate(prompt, tokens, SamplingParams.greedy(), null);
            engine = r.decodeTokensPerSecond();
        }
        System.out.printf(Locale.ROOT, "engine alone (this JVM): %.2f tok/s%n", engine);
        double chained;
        try (LocalPipeline local = LocalPipeline.open(three, null)) {
            local.generator().generate(prompt, 8, SamplingParams.greedy(), null);
            GenerationResult r = local.generator().generate(prompt, tokens, SamplingParams.greedy(), null);
            chained = r.decodeTokensPerSecond();
            StringBuilder st = new StringBuilder();
            for (long ns : r.stageNanos()) {
                st.append(String.format(Locale.ROOT, " %.2f", ns / 1e6 / (tokens + 1)));
            }
            System.out.printf(Locale.ROOT, "3 stages chained in this JVM: %.2f tok/s; ms per token per stage:%s%n", chained, st);
        }
        if (args.length > 3 && args[3].equals("engine-only")) {
            return;
        }

        Figures one = measure(whole, 1, prompt, tokens, sessions, dim, work);
        Figures mesh = measure(three, 3, prompt, tokens, sessions, dim, work);

        System.out.println();
        System.out.println("| figure | value | target |");
        System.out.println("| --- | --- | --- |");
        System.out.printf(Locale.ROOT, "| engine alone, 1 session | %.2f tok/s | |%n", engine);
        System.out.printf(Locale.ROOT, "| 1 node process (whole model), 1 session | %.2f tok/s | |%n", one.single);
        System.out.printf(Locale.ROOT, "| 3 node processes (3 stages), 1 session | %.2f tok/s | |%n", mesh.single);
        System.out.printf(Locale.ROOT, "| 3-stage mesh / 1 node | %.3f | ≥ 0.95 |%n", mesh.single / one.single);
        System.out.printf(Locale.ROOT, "| 3-stage mesh / engine alone | %.3f | |%n", mesh.single / engine);
        System.out.printf(Locale.ROOT, "| hop: ping of %d bytes, half the round trip, median (p90) | %.3f ms (%.3f ms) | ≤ 0.2 ms |%n",
                dim * 4, mesh.hopMedianMs, mesh.hopP90Ms);
        System.out.printf(Locale.ROOT, "| hop in the running mesh: (token time − Σ decode forward) / 3 hops | %.3f ms | |%n",
                mesh.overheadPerHopMs);
        System.out.printf(Locale.ROOT, "| 1 node: token time − decode forward (its one hop, to itself) | %.3f ms | |%n",
                one.overheadPerHopMs);
        System.out.printf(Locale.ROOT, "| 1 node: %d sessions / 1 session, aggregate | %.2f / %.2f tok/s = %.2f× | |%n",
                sessions, one.concurrent, one.singleWall, one.concurrent / one.singleWall);
        System.out.printf(Locale.ROOT, "| 3-stage mesh: %d sessions / 1 session, aggregate | %.2f / %.2f tok/s = %.2f× | ≥ 3× |%n",
                sessions, mesh.concurrent, mesh.singleWall, mesh.concurrent / mesh.singleWall);
    }

    /**
     * @param single      decode tok/s of one session (after its first token)
     * @param singleWall  one session's tokens over its whole request time (prefill included), as the concurrent figure
     * @param concurrent  all sessions' tokens over the wall time of running them together
     */
    private record Figures(double single, double singleWall, double concurrent, double hopMedianMs, double hopP90Ms,
                           double overheadPerHopMs) {
    }

    private static Figures measure(Path plan, int stages, int[] prompt, int tokens, int sessions, int dim, Path work)
            throws Exception {
        ModelPlan p = ModelPlanFile.read(plan);
        long budget = p.blocks().stream().mapToLong(ModelPlan.BlockSpec::memoryBytes).max().orElseThrow();
        List<Integer> ports = freePorts(stages);
        String peers = String.join(",", ports.stream().map(x -> "127.0.0.1:" + x).toList());
        try (NodeProcesses nodes = new NodeProcesses()) {
            List<NodeProcesses.Child> children = new ArrayList<>();
            for (int i = 0; i < stages; i++) {
                List<String> a = new ArrayList<>(List.of("--cluster", "bench-" + ProcessHandle.current().pid() + "-" + stages,
                        "--node-id", "b" + i, "--cluster-port", String.valueOf(ports.get(i)), "--peers", peers,
                        "--memory", String.valueOf(budget + (64L << 20)), "--read-speed", "1e10", "--http-port", "0",
                        "--cache-dir", work.resolve("cache").toString(), "--heartbeat-ms", "500"));
                if (i == stages - 1) {
                    a.addAll(List.of("--plans", plan.toString()));
                }
                children.add(nodes.start(a, work.resolve("logs/b" + stages + "-" + i + ".log"), Duration.ofSeconds(120)));
            }
            NodeProcesses.Child gateway = children.getFirst();
            awaitReady(gateway, p.modelId(), stages);
            complete(gateway, p.modelId(), prompt, 8); // JIT warm-up in every node
            complete(gateway, p.modelId(), prompt, 8);

            // decode-only figures: a short and a long run; their differences leave out the prompt's pass
            List<MetricsText> before = scrape(children);
            JsonNode shortRun = complete(gateway, p.modelId(), prompt, 8);
            List<MetricsText> middle = scrape(children);
            long start = System.nanoTime();
            JsonNode alone = complete(gateway, p.modelId(), prompt, tokens);
            double singleWall = tokens * 1e9 / (System.nanoTime() - start);
            List<MetricsText> after = scrape(children);
            double single = alone.get("strata").get("tokens_per_second").asDouble();
            double forwardMs = 0;
            StringBuilder perStage = new StringBuilder();
            for (int i = 0; i < children.size(); i++) {
                double longSum = after.get(i).sum("strata_stage_forward_seconds_sum") - middle.get(i).sum("strata_stage_forward_seconds_sum");
                double shortSum = middle.get(i).sum("strata_stage_forward_seconds_sum") - before.get(i).sum("strata_stage_forward_seconds_sum");
                double ms = (longSum - shortSum) * 1e3 / (tokens - 8);
                perStage.append(String.format(Locale.ROOT, " %.2f", ms));
                forwardMs += ms;
            }
            double tokenMs = 1e3 / single;
            double overheadPerHop = stages > 1 ? (tokenMs - forwardMs) / stages : tokenMs - forwardMs;
            System.out.printf(Locale.ROOT, "%d stage(s): 1 session %.2f tok/s (%.2f ms/token; decode forward per stage (ms):%s;"
                    + " left over per hop %.3f ms)%n", stages, single, tokenMs, perStage, overheadPerHop);
            if (shortRun.get("strata").get("tokens").size() != 8) {
                throw new IllegalStateException("the short run stopped early");
            }

            long t0 = System.nanoTime();
            int total = 0;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<JsonNode>> runs = new ArrayList<>();
                for (int s = 0; s < sessions; s++) {
                    NodeProcesses.Child via = children.get(s % children.size());
                    runs.add(pool.submit(() -> complete(via, p.modelId(), prompt, tokens)));
                }
                for (Future<JsonNode> f : runs) {
                    total += f.get().get("strata").get("tokens").size();
                }
            }
            double concurrent = total * 1e9 / (System.nanoTime() - t0);
            System.out.printf(Locale.ROOT, "%d stage(s): %d sessions %.2f tok/s in all (1 session %.2f tok/s wall)%n",
                    stages, sessions, concurrent, singleWall);

            double[] hop = hopLatency(children.getLast().transportPort(), dim * 4);
            return new Figures(single, singleWall, concurrent, hop[0], hop[1], overheadPerHop);
        }
    }

    /** Half the round trip of PING frames of {@code bytes} bytes to a node: median and p90 in ms. */
    private static double[] hopLatency(int port, int bytes) throws Exception {
        try (TcpTransport t = TcpTransport.start("127.0.0.1", 0, (Frame f, io.strata.mesh.transport.Connection c) -> {
        })) {
            PeerAddress node = new PeerAddress("127.0.0.1", port);
            for (int i = 0; i < 2000; i++) {
                t.ping(node, bytes, Duration.ofSeconds(5)); // warm-up: JIT on both ends
            }
            int n = 5000;
            long[] halves = new long[n];
            for (int i = 0; i < n; i++) {
                halves[i] = t.ping(node, bytes, Duration.ofSeconds(5)).toNanos() / 2;
            }
            Arrays.sort(halves);
            return new double[]{halves[n / 2] / 1e6, halves[n * 9 / 10] / 1e6};
        }
    }

    private static JsonNode complete(NodeProcesses.Child gateway, String model, int[] prompt, int tokens) throws Exception {
        ObjectNode r = JSON.createObjectNode();
        r.put("model", model);
        r.putPOJO("prompt", prompt);
        r.put("max_tokens", tokens);
        r.put("temperature", 0);
        r.put("ignore_eos", true);
        r.put("return_details", true);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(r.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static List<MetricsText> scrape(List<NodeProcesses.Child> children) throws Exception {
        List<MetricsText> out = new ArrayList<>();
        for (NodeProcesses.Child c : children) {
            out.add(MetricsText.parse(HTTP.send(HttpRequest.newBuilder(URI.create(c.baseUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()));
        }
        return out;
    }

    private static void awaitReady(NodeProcesses.Child node, String model, int stages) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            try {
                JsonNode h = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/health/models"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode m : h.get("models")) {
                    if (m.get("id").asText().equals(model) && m.get("ready").asBoolean() && m.get("stages").size() == stages) {
                        return;
                    }
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the mesh did not get ready; see the logs under ~/.cache/strata/bench-mesh/logs");
    }

    /** A one-block plan whose artifact is the model file itself (no copy: the node verifies and maps it in place). */
    private static Path wholeModelPlan(Path model, Path work) throws Exception {
        String name = model.getFileName().toString().replaceAll("\\.gguf$", "");
        Path dir = work.resolve(name + "-whole");
        Path planFile = dir.resolve("bench" + ModelPlanFile.SUFFIX);
        if (Files.isRegularFile(planFile)) {
            return planFile;
        }
        Files.createDirectories(dir);
        io.strata.mesh.artifacts.ArtifactDigest digest = io.strata.mesh.artifacts.ArtifactDigest.of(model);
        try (LoadedModel m = ModelLoader.open(model, null)) {
            int layers = m.config().layers();
            String blockId = "bench-whole";
            ModelPlan.BlockSpec block = new ModelPlan.BlockSpec(blockId, 0, 1, 0, layers, model.toUri().toString(),
                    model.getFileName().toString(), digest.md5(), digest.sha256(), digest.bytes(),
                    digest.bytes() + (256L << 20), new ModelPlan.Replicas(1, 1), ModelPlanFile.COMPONENT_URI, false);
            ModelPlanFile.write(new ModelPlan(ModelPlan.VERSION, "bench", "bench", model.toString(),
                    m.config().architecture(), layers, "whole", 2048, List.of(block),
                    ModelPlan.VdagSpec.chain("bench", List.of(blockId))), planFile);
        }
        return planFile;
    }

    /** Splits the model into {@code stages} (once; reused while the files are there) and returns the plan. */
    private static Path split(Path model, int stages, Path work) throws Exception {
        Path dir = work.resolve(model.getFileName().toString().replaceAll("\\.gguf$", "") + "-split-" + stages);
        Path planFile = dir.resolve("bench" + ModelPlanFile.SUFFIX);
        if (Files.isRegularFile(planFile)) {
            return planFile;
        }
        Files.createDirectories(dir);
        try (LoadedModel m = ModelLoader.open(model, null)) {
            SplitPlan plan = new SplitPlanner(ModelFootprint.of(m), 2048).plan(NodeSpec.uniform(stages), SplitStrategy.EVEN);
            List<SplitWriter.WrittenSplit> written = SplitWriter.write(m, plan, "bench", dir, SplitWriter.Progress.NONE);
            ModelPlanFile.write(ModelPlanFile.of("bench", "bench", model, m.config().architecture(), plan, written,
                    new ModelPlan.Replicas(1, 1)), planFile);
        }
        return planFile;
    }

    private static List<Integer> freePorts(int n) throws Exception {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return held.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
