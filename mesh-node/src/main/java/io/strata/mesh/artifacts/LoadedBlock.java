package io.strata.mesh.artifacts;

import io.strata.model.LoadedModel;
import io.strata.split.ModelPlan;

import java.nio.file.Path;

/**
 * A block whose artifact was verified and opened: ready to be served by a stage. Closing it
 * unmaps the artifact.
 *
 * @param modelId the model the block belongs to
 * @param block   its spec from the plan
 * @param file    the verified artifact on this machine
 * @param model   the opened artifact (its tensors are the block's layers)
 */
public record LoadedBlock(String modelId, ModelPlan.BlockSpec block, Path file, LoadedModel model)
        implements AutoCloseable {
    public String blockId() {
        return block.blockId();
    }

    @Override
    public void close() {
        model.close();
    }
}
