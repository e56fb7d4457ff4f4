package io.strata.engine;

import io.strata.engine.cpu.CpuStageEngine;
import io.strata.model.LoadedModel;

/** Opens the stage engine that runs a layer range of a loaded model; the one place that names a backend. */
public final class StageEngines {
    private StageEngines() {
    }

    /**
     * The engine for layers {@code [first, last)} of {@code model}, reading its weights in place.
     *
     * @throws IllegalArgumentException when the range is empty or outside the model
     * @throws io.strata.model.ModelFormatException when a tensor the range needs is missing or misshapen
     */
    public static StageEngine open(LoadedModel model, int first, int last) {
        return new CpuStageEngine(model, first, last);
    }

    /** The whole model as one stage. */
    public static StageEngine whole(LoadedModel model) {
        return open(model, 0, model.config().layers());
    }
}
