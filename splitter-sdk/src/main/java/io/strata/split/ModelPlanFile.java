package io.strata.split;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds, writes and reads model plans ({@link ModelPlan}) as JSON files, and checks that a
 * plan read back describes a whole model: contiguous layer ranges from 0 to the layer count.
 */
public final class ModelPlanFile {
    /** The component that serves Strata splits: the mesh node's transformer stage. */
    public static final String COMPONENT_URI = "strata.transformer-stage:0.1.0";
    public static final String SUFFIX = ".plan.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ModelPlanFile() {
    }

    /** A plan for splits just written to disk: artifact URLs are the files' {@code file:} URIs. */
    public static ModelPlan of(String modelId, String modelName, Path source, String architecture, SplitPlan plan,
                               List<SplitWriter.WrittenSplit> written, ModelPlan.Replicas replicas) {
        List<ModelPlan.BlockSpec> blocks = new ArrayList<>();
        for (SplitWriter.WrittenSplit w : written) {
            PlannedStage s = w.stage();
            blocks.add(new ModelPlan.BlockSpec(blockId(modelId, s.index(), plan.worldSize()), s.index(),
                    plan.worldSize(), s.firstLayer(), s.lastLayer(), w.file().toAbsolutePath().toUri().toString(),
                    w.file().getFileName().toString(), w.md5(), w.sha256(), w.bytes(), s.memoryBytes(), replicas,
                    COMPONENT_URI, false));
        }
        List<String> stages = blocks.stream().map(ModelPlan.BlockSpec::blockId).toList();
        int layers = plan.stages().getLast().lastLayer();
        return new ModelPlan(ModelPlan.VERSION, modelId, modelName, source.toString(), architecture, layers,
                plan.strategy().word(), plan.contextTokens(), blocks,
                ModelPlan.VdagSpec.chain(modelId + "-vdag-" + plan.worldSize(), stages));
    }

    public static String blockId(String modelId, int rank, int worldSize) {
        return modelId + "-split-" + rank + "-of-" + worldSize;
    }

    public static String toJson(ModelPlan plan) {
        try {
            return JSON.writeValueAsString(plan);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("model plan cannot be written as JSON", e);
        }
    }

    /** Writes the plan atomically (temporary name, then rename). */
    public static Path write(ModelPlan plan, Path target) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".partial");
        Files.writeString(tmp, toJson(plan) + "\n");
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** True when {@code path} looks like a model plan (by name or by its first bytes). */
    public static boolean looksLikePlan(Path path) {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        if (path.getFileName().toString().endsWith(SUFFIX)) {
            return true;
        }
        try (var in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(64);
            String s = new String(head, java.nio.charset.StandardCharsets.UTF_8).stripLeading();
            return s.startsWith("{") && s.contains("\"plan_version\"");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads and checks a plan: blocks in rank order, contiguous layers from 0 to the model's
     * layer count, a vDAG that names the blocks in order.
     */
    public static ModelPlan read(Path path) {
        ModelPlan plan;
        try {
            plan = JSON.readValue(path.toFile(), ModelPlan.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": not a readable model plan (" + firstLine(e.getMessage()) + ")");
        }
        if (plan.blocks() == null || plan.blocks().isEmpty()) {
            throw new IllegalArgumentException(path + ": model plan has no blocks");
        }
        int next = 0;
        for (int i = 0; i < plan.blocks().size(); i++) {
            ModelPlan.BlockSpec b = plan.blocks().get(i);
            if (b.rank() != i || b.worldSize() != plan.blocks().size()) {
                throw new IllegalArgumentException(path + ": block " + b.blockId() + " says rank " + b.rank() + " of "
                        + b.worldSize() + " but is block " + i + " of " + plan.blocks().size());
            }
            if (b.firstLayer() != next || b.lastLayer() <= b.firstLayer()) {
                throw new IllegalArgumentException(path + ": block " + b.blockId() + " covers layers [" + b.firstLayer()
                        + ", " + b.lastLayer() + ") but the previous block ended at " + next);
            }
            next = b.lastLayer();
        }
        if (next != plan.layers()) {
            throw new IllegalArgumentException(path + ": blocks cover " + next + " of the model's " + plan.layers() + " layers");
        }
        if (plan.vdag() == null || !plan.vdag().stages().equals(plan.blocks().stream().map(ModelPlan.BlockSpec::blockId).toList())) {
            throw new IllegalArgumentException(path + ": the vDAG's stages do not name the blocks in order");
        }
        return plan;
    }

    /**
     * Where a block's artifact is on this machine: a {@code file:} URL if it exists, else the
     * artifact file beside the plan (plans travel with their artifacts).
     */
    public static Path localArtifact(Path planFile, ModelPlan.BlockSpec block) {
        Path beside = planFile.toAbsolutePath().resolveSibling(block.artifactFile());
        if (Files.isRegularFile(beside)) {
            return beside;
        }
        if (block.artifactUrl() != null && block.artifactUrl().startsWith("file:")) {
            Path p = Path.of(URI.create(block.artifactUrl()));
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException(planFile + ": artifact of " + block.blockId() + " is neither beside the plan ("
                + beside + ") nor at " + block.artifactUrl() + "; fetch it first");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
