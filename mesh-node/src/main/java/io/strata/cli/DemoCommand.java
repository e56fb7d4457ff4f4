package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.mesh.membership.LoopbackPorts;
import io.strata.split.ByteSizes;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlanFile;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code strata demo}: the whole data plane on one machine. Splits the model (stories260K from
 * the project's models folder unless told otherwise) into N stages, starts N {@code strata node}
 * processes on loopback that form a cluster, waits until the routing table puts every stage on
 * a process of its own, streams a completion through a node's gateway, then prints the plan
 * and each stage's timings from the nodes' metrics. The children stop when the demo ends, is
 * interrupted, or dies.
 *
 * <p>Placement spreads one block per process because each node offers exactly the memory of
 * the largest block: the whole model fits no node, and with equal speeds the coordinator puts
 * each next block on the emptiest node. The node carrying the plan starts last, once the others
 * are members, so the first placement already sees every node.
 */
final class DemoCommand extends OptionsCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration NODE_START = Duration.ofSeconds(60);
    private static final Duration ROUTED = Duration.ofSeconds(90);

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "split a model, serve it from N node processes on loopback, stream a completion";
    }

    @Override
    Options options() {
        return new Options("strata demo [--model PATH] [--stages N] [--prompt TEXT] [--max-tokens N] [options]", """
                Splits the model into N layer-range artifacts with a model plan, starts N mesh
                nodes (strata node, one JVM each) on 127.0.0.1 that serve one stage each, and
                streams a completion through a node's OpenAI-compatible gateway. The default
                model is stories260K.gguf from $STRATA_MODELS or ../shared/models. Node logs go
                to <work-dir>/logs.""")
                .value("model", "PATH", "model to split", "stories260K.gguf from the models folder")
                .value("tokenizer", "PATH", "tokenizer file (llama2.c checkpoints)", null)
                .value("stages", "N", "number of splits, and of node processes", "3")
                .value("prompt", "TEXT", "text to continue", "Once upon a time")
                .value("max-tokens", "N", "most tokens to generate", "120")
                .value("temperature", "T", "0 for greedy decoding", "0.8")
                .value("top-p", "P", "nucleus cut", "0.9")
                .value("seed", "S", "random seed", "42")
                .value("wire-dtype", "TYPE", "hidden states between stages: f32 (exact), f16, bf16, q8", "f32")
                .value("work-dir", "DIR", "where the splits, plan, caches and node logs go", "~/.cache/strata/demo")
                .flag("json", "print one JSON object (as generate --json) instead of streaming");
    }

    @Override
    int run(Options.Parsed o, PrintStream out, PrintStream err) throws Exception {
        Path model = o.has("model") ? Path.of(o.string("model")) : ModelDirectory.file("stories260K.gguf");
        Path tokenizer = o.optional("tokenizer").map(Path::of).orElse(null);
        int stages = o.integer("stages");
        if (stages < 1 || stages > 16) {
            throw new CliException("--stages must be 1-16 (one node process each), got " + stages);
        }
        int maxTokens = o.integer("max-tokens");
        if (maxTokens < 1) {
            throw new CliException("--max-tokens must be ≥ 1, got " + maxTokens);
        }
        float temperature = o.number("temperature");
        float topP = o.number("top-p");
        long seed = o.longValue("seed");
        String wire = o.string("wire-dtype");
        boolean json = o.flag("json");
        Path work = Path.of(o.string("work-dir").replaceFirst("^~", System.getProperty("user.home"))).toAbsolutePath();
        PrintStream info = json ? err : out;

        List<Path> readable = new ArrayList<>(List.of(model.toAbsolutePath().getParent()));
        if (tokenizer != null) {
            readable.add(tokenizer.toAbsolutePath().getParent());
        }
        try (ControlPlaneProcess controlPlane = ControlPlaneProcess.start(work.resolve("control-plane"),
                work.resolve("logs").resolve("control-plane.log"), readable)) {
            info.printf("control plane %s (pid %d, embedded store in %s)%n", controlPlane.baseUrl(), controlPlane.pid(),
                    work.resolve("control-plane"));
            Split split = splitThroughControlPlane(controlPlane, model, tokenizer, stages, work, info);
            return serve(split, o, stages, maxTokens, temperature, topP, seed, wire, json, work, out, info);
        }
    }

    private int serve(Split split, Options.Parsed o, int stages, int maxTokens, float temperature, float topP, long seed,
                      String wire, boolean json, Path work, PrintStream out, PrintStream info) throws Exception {
        long budget = split.plan.blocks().stream().mapToLong(ModelPlan.BlockSpec::memoryBytes).max().orElseThrow();
        try (NodeProcesses nodes = new NodeProcesses()) {
            List<NodeProcesses.Child> children = startNodes(nodes, split, stages, budget, wire, work, info);
            NodeProcesses.Child gateway = children.getFirst();
            JsonNode route = awaitRouted(gateway, split.plan, children);

            ObjectNode request = JSON.createObjectNode();
            request.put("model", split.plan.modelId());
            request.put("prompt", o.string("prompt"));
            request.put("max_tokens", maxTokens);
            request.put("temperature", temperature);
            request.put("top_p", topP);
            request.put("seed", seed);
            if (!json) {
                out.print(o.string("prompt"));
                out.flush();
            }
            CompletionStream.Result result = CompletionStream.run(gateway.baseUrl(), request, piece -> {
                if (!json) {
                    out.print(piece);
                    out.flush();
                }
            });
            JsonNode details = result.details();
            if (json) {
                ObjectNode node = JSON.createObjectNode();
                node.set("prompt_tokens", details.get("prompt_tokens"));
                node.set("tokens", details.get("tokens"));
                node.put("text", result.text());
                node.put("tokens_per_second", details.get("tokens_per_second").asDouble());
                out.println(node);
            } else {
                out.println();
                out.println();
            }
            info.printf(Locale.ROOT, "%d prompt + %d generated tokens through node %s's gateway; decode %.1f tok/s,"
                            + " first token after %.1f ms%n", details.get("prompt_tokens").size(), details.get("tokens").size(),
                    gateway.nodeId(), details.get("tokens_per_second").asDouble(),
                    details.get("time_to_first_token_ms").asDouble());
            printStages(info, split.plan, route, children);
            return 0;
        }
    }

    /** The split model: its plan and where the plan file is. */
    private record Split(ModelPlan plan, Path planFile) {
    }

    /**
     * The split as a user of the control plane makes it: a split job (the built-in splitter in a
     * child JVM), whose result is the model plan; then the plan's blocks and vDAG are registered.
     * Run again, the job finds its layers in the registry by MD5 and marks them reused.
     */
    private static Split splitThroughControlPlane(ControlPlaneProcess cp, Path model, Path tokenizer, int stages,
                                                  Path work, PrintStream info) throws Exception {
        String modelId = SplitCommand.defaultModelId(model);
        ObjectNode config = JSON.createObjectNode();
        config.put("split_strategy", "even");
        config.put("context_tokens", 2048);
        // The control plane's local jobs write only under its own split-work folder.
        config.put("output_dir", work.resolve("control-plane").resolve("split-work").resolve(modelId + "-" + stages).toString());
        if (tokenizer != null) {
            config.put("tokenizer_url", tokenizer.toAbsolutePath().toUri().toString());
        }
        ObjectNode taskData = JSON.createObjectNode();
        taskData.put("model_name", modelId);
        taskData.put("model_download_url", model.toAbsolutePath().toUri().toString());
        taskData.put("world_size", stages);
        taskData.set("model_split_config", config);
        ObjectNode job = JSON.createObjectNode();
        job.set("task_data", taskData);
        job.put("container_image", "strata-splitter:latest");
        String taskId = cp.call("POST", "/start_model_split_job", job).path("task_id").asText();
        info.printf("split job %s: %s into %d stages...%n", taskId, model.getFileName(), stages);
        JsonNode result = cp.awaitTask(taskId, Duration.ofMinutes(30));
        Path planFile = Path.of(result.path("artifact").asText());
        ModelPlan plan = ModelPlanFile.read(planFile);
        cp.call("POST", "/model-plan", JSON.valueToTree(plan));
        int registered = cp.call("POST", "/model-layers", JSON.createObjectNode().put("model_asset_id", modelId))
                .path("data").size();
        info.printf("model plan %s (%d layers → %d splits); %d layers in the registry, %d reused%n", planFile,
                plan.layers(), stages, registered, result.path("reused_layers").asLong());
        info.printf("%-6s %-8s %12s  %-32s %s%n", "split", "layers", "bytes", "md5 (model_layer_hash)", "artifact");
        for (ModelPlan.BlockSpec b : plan.blocks()) {
            info.printf("%-6d %-8s %12s  %-32s %s%s%n", b.rank(), b.firstLayer() + "-" + (b.lastLayer() - 1),
                    ByteSizes.human(b.bytes()), b.modelLayerHash(), b.artifactFile(), b.reused() ? "  (reused)" : "");
        }
        info.println();
        return new Split(plan, planFile);
    }

    private static List<NodeProcesses.Child> startNodes(NodeProcesses nodes, Split split, int count, long budget,
                                                        String wire, Path work, PrintStream info) throws IOException {
        List<Integer> clusterPorts = LoopbackPorts.free(count);
        String peers = String.join(",", clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList());
        String cluster = "strata-demo-" + ProcessHandle.current().pid();
        info.printf("starting %d nodes on 127.0.0.1, %s of memory each (the largest block)...%n", count,
                ByteSizes.human(budget));
        List<NodeProcesses.Child> children = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> args = new ArrayList<>(List.of("--cluster", cluster, "--node-id", "demo-" + i,
                    "--bind", "127.0.0.1", "--cluster-port", String.valueOf(clusterPorts.get(i)), "--peers", peers,
                    "--memory", String.valueOf(budget), "--read-speed", "1e10", "--http-port", "0",
                    "--transport-port", "0", "--cache-dir", work.resolve("cache").resolve("demo-" + i).toString(),
                    "--heartbeat-ms", "500", "--wire-dtype", wire));
            if (i == count - 1) {
                args.addAll(List.of("--plans", split.planFile.toString())); // last: the others are members by now
            }
            children.add(nodes.start(args, work.resolve("logs").resolve("demo-" + i + ".log"), NODE_START));
        }
        for (NodeProcesses.Child c : children) {
            info.printf("  node %s  pid %d  http %s  transport port %d%n", c.nodeId(), c.pid(), c.baseUrl(),
                    c.transportPort());
        }
        return children;
    }

    /** Waits until the model is routed with every stage on a node of its own; returns /health/models' model entry. */
    private static JsonNode awaitRouted(NodeProcesses.Child gateway, ModelPlan plan, List<NodeProcesses.Child> children)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + ROUTED.toNanos();
        String last = "nothing yet";
        while (System.nanoTime() < deadline) {
            for (NodeProcesses.Child c : children) {
                if (!c.process().isAlive()) {
                    throw new CliException("node " + c.nodeId() + " exited (" + c.process().exitValue() + "); its log "
                            + c.log() + " ends: " + NodeProcesses.tail(c.log()), 1);
                }
            }
            try {
                JsonNode health = JSON.readTree(get(gateway.baseUrl() + "/health/models"));
                last = health.toString();
                for (JsonNode m : health.path("models")) {
                    if (m.path("id").asText().equals(plan.modelId()) && m.path("ready").asBoolean()
                            && onOwnNodes(m, plan.blocks().size())) {
                        return m;
                    }
                }
            } catch (IOException e) {
                last = e.getMessage();
            }
            Thread.sleep(200);
        }
        throw new CliException("the mesh did not route every stage of " + plan.modelId() + " to a node of its own within "
                + ROUTED.toSeconds() + " s; last /health/models: " + last + " (node logs: "
                + gateway.log().getParent() + ")", 1);
    }

    private static boolean onOwnNodes(JsonNode model, int stages) {
        JsonNode s = model.path("stages");
        if (s.size() != stages) {
            return false;
        }
        Set<String> nodes = new HashSet<>();
        for (JsonNode stage : s) {
            if (stage.path("replicas").size() != 1 || !nodes.add(stage.path("replicas").get(0).path("node_id").asText())) {
                return false;
            }
        }
        return true;
    }

    private static void printStages(PrintStream info, ModelPlan plan, JsonNode route, List<NodeProcesses.Child> children)
            throws IOException, InterruptedException {
        Map<String, NodeProcesses.Child> byId = new HashMap<>();
        children.forEach(c -> byId.put(c.nodeId(), c));
        info.println("stages (each in its own process; figures from the nodes' /metrics):");
        for (JsonNode stage : route.path("stages")) {
            String nodeId = stage.path("replicas").get(0).path("node_id").asText();
            NodeProcesses.Child c = byId.get(nodeId);
            String block = stage.path("block_id").asText();
            MetricsText m = MetricsText.parse(get(c.baseUrl() + "/metrics"));
            double passes = m.value("strata_stage_forward_seconds_count", "block", block);
            double seconds = m.value("strata_stage_forward_seconds_sum", "block", block);
            double rows = m.value("strata_stage_rows_total", "block", block);
            long pid = JSON.readTree(get(c.baseUrl() + "/health")).path("pid").asLong();
            info.printf(Locale.ROOT, "  stage %d  layers %d-%d  %s  node %s  pid %d  %d passes, %d rows, %.1f ms in all,"
                            + " %.3f ms per pass%n", stage.path("stage").asInt(), stage.path("first_layer").asInt(),
                    stage.path("last_layer").asInt() - 1, block, nodeId, pid, (long) passes, (long) rows, seconds * 1e3,
                    passes > 0 ? seconds * 1e3 / passes : 0);
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }
}
