package io.strata.split;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.sdk.FileDownloader;
import io.strata.sdk.ModelLayerClient;
import io.strata.sdk.ModelSplitter;
import io.strata.sdk.PhaseResult;
import io.strata.sdk.RegistryException;
import io.strata.sdk.S3Manager;
import io.strata.sdk.SplitterContext;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in splitter: the default entry point of a split-job container. It fetches the model
 * (begin), plans and writes the splits, registers each split's layer in the model-layer
 * registry unless a split with the same MD5 is already there (main), and writes the model plan
 * (finish), whose JSON becomes the task's result.
 *
 * <p>{@code task_data.model_split_config} may say: {@code split_strategy} (even, memory or
 * throughput), {@code nodes} ([{"name", "memory", "gbps"}] for the memory- and throughput-aware
 * strategies), {@code context_tokens}, {@code tokenizer_url} (llama2.c checkpoints),
 * {@code output_dir}, {@code artifact_url_prefix} ({@code s3://bucket/prefix} uploads each new
 * split there; otherwise artifacts stay where they were written and are referred to by
 * {@code file:} URL) and {@code replicas} ({"min", "max"}).
 */
public final class TransformerSplitter implements ModelSplitter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SplitterContext context;
    private final ObjectNode config;
    private final Path workDir;

    public TransformerSplitter(SplitterContext context) {
        this.context = context;
        this.config = context.modelSplitConfig();
        String base = context.environment().getOrDefault("STRATA_SPLIT_WORK_DIR",
                Path.of(System.getProperty("java.io.tmpdir"), "strata-split").toString());
        this.workDir = Path.of(base).resolve(context.taskId().replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    /** Fetches the model (and tokenizer) unless it is already a local file or folder. */
    @Override
    public PhaseResult begin() throws IOException {
        String strategy = config.path("split_strategy").asText("even");
        SplitStrategy.parse(strategyWord(strategy)); // refuse an unknown strategy before downloading gigabytes
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("model_path", fetch(context.modelDownloadUrl(), "model").toString());
        if (config.hasNonNull("tokenizer_url")) {
            data.put("tokenizer_path", fetch(config.get("tokenizer_url").asText(), "tokenizer").toString());
        }
        return PhaseResult.success(data);
    }

    @Override
    public PhaseResult main(Map<String, Object> extra) throws IOException {
        Path modelPath = Path.of((String) extra.get("model_path"));
        Path tokenizer = extra.containsKey("tokenizer_path") ? Path.of((String) extra.get("tokenizer_path")) : null;
        String modelId = context.modelName().replaceAll("[^A-Za-z0-9._-]", "-");
        SplitStrategy strategy = SplitStrategy.parse(strategyWord(config.path("split_strategy").asText("even")));
        int contextTokens = config.path("context_tokens").asInt(2048);
        Path outDir = config.hasNonNull("output_dir") ? Path.of(config.get("output_dir").asText())
                : workDir.resolve("splits").resolve(modelId);
        ModelPlan.Replicas replicas = new ModelPlan.Replicas(config.path("replicas").path("min").asInt(1),
                config.path("replicas").path("max").asInt(1));

        ModelPlan plan;
        try (LoadedModel model = ModelLoader.open(modelPath, tokenizer)) {
            SplitPlan splitPlan = new SplitPlanner(ModelFootprint.of(model), contextTokens).plan(nodes(), strategy);
            List<SplitWriter.WrittenSplit> written = SplitWriter.write(model, splitPlan, modelId, outDir,
                    SplitWriter.Progress.NONE);
            plan = ModelPlanFile.of(modelId, context.modelName(), modelPath, model.config().architecture(),
                    splitPlan, written, replicas);
        }
        plan = publish(plan, outDir);
        Path planFile = ModelPlanFile.write(plan, outDir.resolve(modelId + ModelPlanFile.SUFFIX));
        Map<String, Object> data = new LinkedHashMap<>(extra);
        data.put("plan_path", planFile.toString());
        data.put("output_dir", outDir.toString());
        return PhaseResult.success(data);
    }

    @Override
    public PhaseResult finish(Map<String, Object> extra) throws IOException {
        Path planFile = Path.of((String) extra.get("plan_path"));
        ModelPlan plan = ModelPlanFile.read(planFile);
        long reused = plan.blocks().stream().filter(ModelPlan.BlockSpec::reused).count();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", "done");
        result.put("model_name", context.modelName());
        result.put("world_size", plan.blocks().size());
        result.put("split_strategy", plan.strategy());
        result.put("output_dir", extra.get("output_dir"));
        result.put("artifact", planFile.toString());
        result.put("reused_layers", reused);
        result.put("model_plan_data", JSON.convertValue(plan, Map.class));
        return PhaseResult.success(result);
    }

    /**
     * Registers each split's layer, or finds it already registered (same MD5: same bytes), in
     * which case it is not uploaded again and the plan points at the registered copy.
     */
    private ModelPlan publish(ModelPlan plan, Path outDir) throws IOException {
        Optional<ModelLayerClient> registry = context.modelLayersRegistryUrl().map(ModelLayerClient::new);
        List<ModelPlan.BlockSpec> blocks = new ArrayList<>();
        for (ModelPlan.BlockSpec b : plan.blocks()) {
            Optional<JsonNode> existing = registry.isPresent() ? registry.get().getModelLayer(b.modelLayerHash())
                    : Optional.empty();
            if (existing.isPresent()) {
                blocks.add(withUrl(b, existing.get().path("model_layer_public_url").asText(b.artifactUrl()), true));
                continue;
            }
            String url = upload(outDir.resolve(b.artifactFile()), b.artifactFile()).orElse(b.artifactUrl());
            ModelPlan.BlockSpec published = withUrl(b, url, false);
            if (registry.isPresent()) {
                try {
                    registry.get().createModelLayer(layerRecord(plan, published));
                } catch (RegistryException e) {
                    if (e.status() != 409) {
                        throw e;
                    }
                    published = withUrl(b, url, true); // another job registered the same bytes meanwhile
                }
            }
            blocks.add(published);
        }
        return new ModelPlan(plan.planVersion(), plan.modelId(), plan.modelName(), plan.source(), plan.architecture(),
                plan.layers(), plan.strategy(), plan.contextTokens(), blocks, plan.vdag());
    }

    private static ModelPlan.BlockSpec withUrl(ModelPlan.BlockSpec b, String url, boolean reused) {
        return new ModelPlan.BlockSpec(b.blockId(), b.rank(), b.worldSize(), b.firstLayer(), b.lastLayer(), url,
                b.artifactFile(), b.modelLayerHash(), b.sha256(), b.bytes(), b.memoryBytes(), b.replicas(),
                b.componentUri(), reused);
    }

    /** The registry record of one split, as the seed's schema has it. */
    private static Map<String, Object> layerRecord(ModelPlan plan, ModelPlan.BlockSpec b) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("first_layer", b.firstLayer());
        metadata.put("last_layer", b.lastLayer());
        metadata.put("sha256", b.sha256());
        metadata.put("bytes", b.bytes());
        metadata.put("memory_bytes", b.memoryBytes());
        metadata.put("architecture", plan.architecture());
        metadata.put("format", "gguf");
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("model_layer_hash", b.modelLayerHash());
        record.put("model_asset_id", plan.modelId());
        record.put("model_component_registry_uri", b.componentUri());
        record.put("model_layer_public_url", b.artifactUrl());
        record.put("model_layer_metadata", List.of(metadata));
        record.put("model_layer_rank", b.rank());
        record.put("model_world_size", b.worldSize());
        return record;
    }

    /** Uploads to {@code artifact_url_prefix} when it is an S3 location; empty keeps the local file URL. */
    private Optional<String> upload(Path file, String name) throws IOException {
        if (!config.hasNonNull("artifact_url_prefix")) {
            return Optional.empty();
        }
        URI prefix = URI.create(config.get("artifact_url_prefix").asText());
        if (!"s3".equals(prefix.getScheme()) || prefix.getHost() == null) {
            throw new IllegalArgumentException("artifact_url_prefix must be s3://bucket[/prefix], got " + prefix);
        }
        String keyPrefix = prefix.getPath() == null ? "" : prefix.getPath().replaceAll("^/+|/+$", "");
        String key = keyPrefix.isEmpty() ? name : keyPrefix + "/" + name;
        try (S3Manager s3 = S3Manager.fromEnvironment(context.environment())) {
            s3.uploadFileOrThrow(file, prefix.getHost(), key);
        }
        return Optional.of("s3://" + prefix.getHost() + "/" + key);
    }

    /** A local path or file: URL is used where it is (models are large); anything else is downloaded. */
    private Path fetch(String url, String what) throws IOException {
        if (!url.contains("://") && !url.startsWith("file:")) {
            return existing(Path.of(url), what);
        }
        URI uri = URI.create(url);
        if ("file".equals(uri.getScheme())) {
            return existing(Path.of(uri), what);
        }
        String name = Path.of(uri.getPath() == null || uri.getPath().isEmpty() ? what : uri.getPath()).getFileName().toString();
        if (name.endsWith(".tar.gz") || name.endsWith(".tgz") || name.endsWith(".zip")) {
            throw new IllegalArgumentException(what + " URL " + url + " is an archive; point it at a GGUF file or a "
                    + "llama2.c checkpoint (archives are not unpacked)");
        }
        Files.createDirectories(workDir);
        return new FileDownloader().download(url, workDir.resolve(what + "-" + name), null);
    }

    private static Path existing(Path p, String what) {
        if (!Files.exists(p)) {
            throw new IllegalArgumentException(what + " " + p + " does not exist");
        }
        return p;
    }

    /** The seed's example says "tensor_parallel"; Strata splits layer ranges, so it says what it does. */
    private static String strategyWord(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        if (w.contains("tensor")) {
            throw new IllegalArgumentException("split_strategy " + word + " is not supported: Strata splits by layer "
                    + "ranges (pipeline parallelism); use even, memory or throughput");
        }
        return w;
    }

    private List<NodeSpec> nodes() {
        JsonNode nodes = config.get("nodes");
        if (nodes == null || nodes.isNull()) {
            return NodeSpec.uniform(context.worldSize());
        }
        if (!nodes.isArray() || nodes.size() != context.worldSize()) {
            throw new IllegalArgumentException("model_split_config.nodes must list world_size (" + context.worldSize()
                    + ") nodes, each {\"name\", \"memory\", \"gbps\"}");
        }
        List<NodeSpec> out = new ArrayList<>();
        for (JsonNode n : nodes) {
            out.add(new NodeSpec(n.path("name").asText("node-" + out.size()), ByteSizes.parse(n.path("memory").asText("")),
                    n.path("gbps").asDouble(1) * 1e9));
        }
        return out;
    }
}
