package io.strata.engine;

import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.SplitPlace;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlanFile;
import io.strata.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model run in one process: one stage for a model file or folder, or every split of a
 * model plan chained in order (the splits must give the same tokens as the whole model).
 */
public final class LocalPipeline implements AutoCloseable {
    private final List<LoadedModel> models;
    private final List<StageEngine> stages;

    private LocalPipeline(List<LoadedModel> models, List<StageEngine> stages) {
        this.models = models;
        this.stages = stages;
    }

    /** Opens a model file, a Hugging Face folder or a model plan ({@code *.plan.json}). */
    public static LocalPipeline open(Path path, Path tokenizer) {
        if (ModelPlanFile.looksLikePlan(path)) {
            return openPlan(path);
        }
        LoadedModel model = ModelLoader.open(path, tokenizer);
        try {
            if (model.splitPlace().isPresent()) {
                SplitPlace p = model.splitPlace().get();
                throw new IllegalArgumentException(path + " is split " + p.index() + " of " + p.worldSize()
                        + " of " + p.modelId() + "; run its model plan instead");
            }
            return new LocalPipeline(List.of(model), List.of(StageEngines.whole(model)));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static LocalPipeline openPlan(Path planFile) {
        ModelPlan plan = ModelPlanFile.read(planFile);
        List<LoadedModel> models = new ArrayList<>();
        List<StageEngine> stages = new ArrayList<>();
        try {
            for (ModelPlan.BlockSpec block : plan.blocks()) {
                Path artifact = ModelPlanFile.localArtifact(planFile, block);
                long size = Files.size(artifact);
                if (size != block.bytes()) {
                    throw new IllegalArgumentException(artifact + " has " + size + " bytes but the plan says "
                            + block.bytes() + "; it is not the artifact the plan was made with");
                }
                LoadedModel model = ModelLoader.open(artifact, null);
                models.add(model);
                SplitPlace place = model.splitPlace().orElseThrow(() -> new IllegalArgumentException(
                        artifact + " is not a split artifact"));
                if (place.firstLayer() != block.firstLayer() || place.endLayer() != block.lastLayer()) {
                    throw new IllegalArgumentException(artifact + " holds layers [" + place.firstLayer() + ", "
                            + place.endLayer() + ") but the plan's block " + block.blockId() + " says ["
                            + block.firstLayer() + ", " + block.lastLayer() + ")");
                }
                stages.add(StageEngines.open(model, place.firstLayer(), place.endLayer()));
            }
            return new LocalPipeline(models, stages);
        } catch (java.io.IOException e) {
            models.forEach(LoadedModel::close);
            throw new java.io.UncheckedIOException(e);
        } catch (RuntimeException e) {
            models.forEach(LoadedModel::close);
            throw e;
        }
    }

    public List<StageEngine> stages() {
        return stages;
    }

    /** The tokenizer of the first stage (every split carries the model's tokenizer). */
    public Tokenizer tokenizer() {
        return models.getFirst().tokenizer();
    }

    public LoadedModel firstModel() {
        return models.getFirst();
    }

    /**
     * A generator over the stages that stops at the model's end-of-sequence ids: the tokenizer's
     * EOS, a GGUF file's end-of-turn id, every id of generation_config.json's eos_token_id.
     */
    public Generator generator() {
        return new Generator(stages, firstModel().chatFormat().stopIds());
    }

    @Override
    public void close() {
        stages.forEach(StageEngine::close);
        models.forEach(LoadedModel::close);
    }
}
