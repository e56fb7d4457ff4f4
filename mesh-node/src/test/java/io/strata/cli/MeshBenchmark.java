package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.engine.GenerationResult;
import io.strata.engine.LocalPipeline;
import io.strata.engine.SamplingParams;
import io.strata.mesh.membership.LoopbackPorts;
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

        int rounds = Integer.getInteger("rounds", 5);
        List<Subject> subjects = List.of(
                new Subject("1 node process (whole model)", processes(whole, 1, work), whole, 1),
                new Subject("3 node processes (one stage each)", processes(three, 3, work), three, 3),
                new Subject("3 nodes in this JVM (loopback TCP)", inThisJvm(three, 3, work), three, 3));
        try {
            for (Subject s : subjects) {
                awaitReady(s.gateway(), s.modelId(), s.stages);
                complete(s.gateway(), s.modelId(), prompt, 8); // JIT warm-up in every node
                complete(s.gateway(), s.modelId(), prompt, 8);
            }
            // the machine is shared: alternate the subjects round by round and keep medians
            for (int r = 0; r < rounds; r++) {
                for (Subject s : subjects) {
                    s.single(prompt, tokens);
                }
            }
            for (int r = 0; r < 2; r++) {
                for (Subject s : subjects) {
                    s.concurrent(prompt, tokens, sessions);
                }
            }
            double[] hop = hopLatency(subjects.get(1).nodes.pingPort(), dim * 4);

            Subject one = subjects.get(0);
            Subject mesh = subjects.get(1);
            Subject jvm = subjects.get(2);
            System.out.println();
            System.out.printf("medians of %d alternating rounds (single session), best of 2 (8 sessions)%n", rounds);
            System.out.println("| figure | value | target |");
            System.out.println("| --- | --- | --- |");
            System.out.printf(Locale.ROOT, "| engine alone in one JVM, 1 session | %.2f tok/s | |%n", engine);
            System.out.printf(Locale.ROOT, "| 3 stages chained in one JVM (no transport), 1 session | %.2f tok/s | |%n", chained);
            for (Subject s : subjects) {
                System.out.printf(Locale.ROOT, "| %s, 1 session | %.2f tok/s (decode forward per stage %s ms) | |%n",
                        s.label, median(s.tokensPerSecond), s.forwardMedians());
            }
            System.out.printf(Locale.ROOT, "| 3-stage mesh (processes) / 1 node process | %.3f | ≥ 0.95 |%n",
                    median(mesh.tokensPerSecond) / median(one.tokensPerSecond));
            System.out.printf(Locale.ROOT, "| 3-stage mesh (one JVM) / 1 node process | %.3f | |%n",
                    median(jvm.tokensPerSecond) / median(one.tokensPerSecond));
            System.out.printf(Locale.ROOT, "| hop: PING of %d bytes, half the round trip, median (p90) | %.3f ms (%.3f ms) | ≤ 0.2 ms |%n",
                    dim * 4, hop[0], hop[1]);
            for (Subject s : subjects) {
                System.out.printf(Locale.ROOT, "| %s: (token time − Σ decode forward) per hop | %.3f ms | |%n",
                        s.label, median(s.leftOverPerHop));
            }
            for (Subject s : subjects) {
                System.out.printf(Locale.ROOT, "| %s: %d sessions / 1 session | %.2f / %.2f tok/s = %.2f× | ≥ 3× |%n",
                        s.label, sessions, s.bestConcurrent, median(s.wall), s.bestConcurrent / median(s.wall));
            }
        } finally {
            for (Subject s : subjects) {
                s.nodes.close();
            }
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
    }

    /** One way of serving the model, and what was measured on it. */
    private static final class Subject {
        final String label;
        final Nodes nodes;
        final Path plan;
        final int stages;
        final List<Double> tokensPerSecond = new ArrayList<>();
        final List<Double> wall = new ArrayList<>();
        final List<Double> leftOverPerHop = new ArrayList<>();
        final List<double[]> forward = new ArrayList<>();
        double bestConcurrent;

        Subject(String label, Nodes nodes, Path plan, int stages) {
            this.label = label;
            this.nodes = nodes;
            this.plan = plan;
            this.stages = stages;
        }

        String gateway() {
            return nodes.urls().getFirst();
        }

        String modelId() {
            return ModelPlanFile.read(plan).modelId();
        }

        /** One session: decode tok/s, and per stage the decode forward time (a short and a long run, differenced). */
        void single(int[] prompt, int tokens) throws Exception {
            List<String> urls = nodes.urls();
            List<MetricsText> before = scrape(urls);
            JsonNode shortRun = complete(gateway(), modelId(), prompt, 8);
            List<MetricsText> middle = scrape(urls);
            long start = System.nanoTime();
            JsonNode alone = complete(gateway(), modelId(), prompt, tokens);
            wall.add(tokens * 1e9 / (System.nanoTime() - start));
            List<MetricsText> after = scrape(urls);
            if (shortRun.get("strata").get("tokens").size() != 8) {
                throw new IllegalStateException("the short run stopped early");
            }
            double single = alone.get("strata").get("tokens_per_second").asDouble();
            double[] perStage = new double[urls.size()];
            double sum = 0;
            for (int i = 0; i < urls.size(); i++) {
                double longSum = after.get(i).sum("strata_stage_forward_seconds_sum") - middle.get(i).sum("strata_stage_forward_seconds_sum");
                double shortSum = middle.get(i).sum("strata_stage_forward_seconds_sum") - before.get(i).sum("strata_stage_forward_seconds_sum");
                perStage[i] = (longSum - shortSum) * 1e3 / (tokens - 8);
                sum += perStage[i];
            }
            tokensPerSecond.add(single);
            forward.add(perStage);
            leftOverPerHop.add((1e3 / single - sum) / stages);
            System.out.printf(Locale.ROOT, "%s: 1 session %.2f tok/s, decode forward per stage %s ms%n", label, single,
                    Arrays.toString(Arrays.stream(perStage).map(v -> Math.round(v * 100) / 100.0).toArray()));
        }

        void concurrent(int[] prompt, int tokens, int sessions) throws Exception {
            List<String> urls = nodes.urls();
            long t0 = System.nanoTime();
            int total = 0;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<JsonNode>> runs = new ArrayList<>();
                for (int s = 0; s < sessions; s++) {
                    String via = urls.get(s % urls.size());
                    runs.add(pool.submit(() -> complete(via, modelId(), prompt, tokens)));
                }
                for (Future<JsonNode> f : runs) {
                    total += f.get().get("strata").get("tokens").size();
                }
            }
            double aggregate = total * 1e9 / (System.nanoTime() - t0);
            bestConcurrent = Math.max(bestConcurrent, aggregate);
            System.out.printf(Locale.ROOT, "%s: %d sessions %.2f tok/s in all%n", label, sessions, aggregate);
        }

        String forwardMedians() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < forward.getFirst().length; i++) {
                int stage = i;
                sb.append(i == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.1f",
                        median(forward.stream().map(f -> f[stage]).toList())));
            }
            return sb.toString();
        }
    }

    /** Nodes serving a plan: their gateways' URLs and a transport port to ping. */
    private interface Nodes extends AutoCloseable {
        List<String> urls();

        int pingPort();
    }

    private static Nodes processes(Path plan, int stages, Path work) throws Exception {
        ModelPlan p = ModelPlanFile.read(plan);
        long budget = p.blocks().stream().mapToLong(ModelPlan.BlockSpec::memoryBytes).max().orElseThrow();
        List<Integer> ports = LoopbackPorts.free(stages);
        String peers = String.join(",", ports.stream().map(x -> "127.0.0.1:" + x).toList());
        NodeProcesses nodes = new NodeProcesses();
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
        return new Nodes() {
            public List<String> urls() {
                return children.stream().map(NodeProcesses.Child::baseUrl).toList();
            }

            public int pingPort() {
                return children.getLast().transportPort();
            }

            public void close() {
                nodes.close();
            }
        };
    }

    /** The same nodes in this JVM: the transport still goes over loopback TCP, but code and page tables are shared. */
    private static Nodes inThisJvm(Path plan, int stages, Path work) throws Exception {
        ModelPlan p = ModelPlanFile.read(plan);
        long budget = p.blocks().stream().mapToLong(ModelPlan.BlockSpec::memoryBytes).max().orElseThrow();
        List<Integer> ports = LoopbackPorts.free(stages);
        List<io.strata.mesh.node.MeshNode> nodes = new ArrayList<>();
        for (int i = 0; i < stages; i++) {
            var cluster = io.strata.mesh.cluster.ClusterConfig.builder("bench-jvm-" + ProcessHandle.current().pid(), "j" + i)
                    .bind("127.0.0.1", ports.get(i)).peers(ports.stream().map(x -> "127.0.0.1:" + x).toList())
                    .memoryBytes(budget + (64L << 20)).readBytesPerSecond(1e10).cacheDir(work.resolve("cache"))
                    .plans(i == stages - 1 ? List.of(plan.toString()) : List.of())
                    .heartbeat(Duration.ofMillis(500), 3);
            nodes.add(io.strata.mesh.node.MeshNode.start(new io.strata.mesh.node.NodeConfig(cluster, "127.0.0.1", 0, 0,
                    io.strata.mesh.gateway.GatewayConfig.defaults(), 64, Duration.ofMinutes(10))));
        }
        return new Nodes() {
            public List<String> urls() {
                return nodes.stream().map(n -> "http://127.0.0.1:" + n.httpPort()).toList();
            }

            public int pingPort() {
                return nodes.getLast().transportPort();
            }

            public void close() {
                nodes.reversed().forEach(io.strata.mesh.node.MeshNode::close);
            }
        };
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

    private static JsonNode complete(String gateway, String model, int[] prompt, int tokens) throws Exception {
        ObjectNode r = JSON.createObjectNode();
        r.put("model", model);
        r.putPOJO("prompt", prompt);
        r.put("max_tokens", tokens);
        r.put("temperature", 0);
        r.put("ignore_eos", true);
        r.put("return_details", true);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(r.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static List<MetricsText> scrape(List<String> urls) throws Exception {
        List<MetricsText> out = new ArrayList<>();
        for (String url : urls) {
            out.add(MetricsText.parse(HTTP.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()));
        }
        return out;
    }

    private static void awaitReady(String node, String model, int stages) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            try {
                JsonNode h = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(node + "/health/models"))
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
}
