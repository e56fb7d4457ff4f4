package io.strata.mesh.artifacts;

import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.TestModels;
import io.strata.split.ModelFootprint;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlanFile;
import io.strata.split.NodeSpec;
import io.strata.split.SplitPlan;
import io.strata.split.SplitPlanner;
import io.strata.split.SplitStrategy;
import io.strata.split.SplitWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** stories260K split evenly into stages in a folder, with its model plan written beside the splits. */
public final class Stories260kPlan {
    public static final String MODEL_ID = "stories260K";

    private Stories260kPlan() {
    }

    public static ModelPlan write(Path dir, int stages, ModelPlan.Replicas replicas) throws IOException {
        try (LoadedModel model = ModelLoader.open(TestModels.stories260kGguf(), null)) {
            SplitPlan plan = new SplitPlanner(ModelFootprint.of(model), 256).plan(NodeSpec.uniform(stages),
                    SplitStrategy.EVEN);
            List<SplitWriter.WrittenSplit> written = SplitWriter.write(model, plan, MODEL_ID, dir,
                    SplitWriter.Progress.NONE);
            ModelPlan modelPlan = ModelPlanFile.of(MODEL_ID, MODEL_ID, model.source(), "llama", plan, written, replicas);
            ModelPlanFile.write(modelPlan, dir.resolve(MODEL_ID + ModelPlanFile.SUFFIX));
            return modelPlan;
        }
    }

    public static Path planFile(Path dir) {
        return dir.resolve(MODEL_ID + ModelPlanFile.SUFFIX);
    }
}
