package io.strata.mesh.gateway;

import java.io.IOException;
import java.util.Optional;

/** Finds the tokenizer and limits of a model the mesh serves (from a block this node holds, or the plan's first artifact). */
@FunctionalInterface
public interface ModelCatalog {
    /** The model, loading what is needed; empty when this node knows no plan for it. */
    Optional<ServedModel> find(String modelId) throws IOException;
}
