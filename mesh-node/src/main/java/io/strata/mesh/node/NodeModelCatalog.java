package io.strata.mesh.node;

import io.strata.mesh.artifacts.ArtifactStore;
import io.strata.mesh.artifacts.LoadedBlock;
import io.strata.mesh.cluster.ClusterNode;
import io.strata.mesh.gateway.ModelCatalog;
import io.strata.mesh.gateway.ServedModel;
import io.strata.mesh.pipeline.StageServer;
import io.strata.model.LoadedModel;
import io.strata.split.ModelPlan;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's models on a node: the tokenizer and context length come from a block of the
 * model this node serves (every split carries them), or else from the plan's first artifact,
 * fetched and verified into the cache like any block and kept open.
 */
final class NodeModelCatalog implements ModelCatalog, AutoCloseable {
    private final StageServer stages;
    private final ArtifactStore artifacts;
    private final Map<String, ServedModel> known = new ConcurrentHashMap<>();
    private final Map<String, LoadedBlock> opened = new ConcurrentHashMap<>();
    private volatile ClusterNode cluster;

    NodeModelCatalog(StageServer stages, ArtifactStore artifacts) {
        this.stages = stages;
        this.artifacts = artifacts;
    }

    void cluster(ClusterNode node) {
        this.cluster = node;
    }

    @Override
    public Optional<ServedModel> find(String modelId) throws IOException {
        ServedModel m = known.get(modelId);
        if (m != null) {
            return Optional.of(m);
        }
        Optional<LoadedModel> local = stages.model(modelId);
        if (local.isPresent()) {
            return Optional.of(remember(modelId, local.get()));
        }
        ClusterNode c = cluster;
        if (c == null) {
            return Optional.empty();
        }
        Optional<ModelPlan> plan = c.placement().models().stream().filter(p -> p.modelId().equals(modelId)).findFirst();
        if (plan.isEmpty()) {
            return Optional.empty();
        }
        synchronized (this) {
            if (known.containsKey(modelId)) {
                return Optional.of(known.get(modelId));
            }
            LoadedBlock block = artifacts.load(modelId, plan.get().blocks().getFirst());
            opened.put(modelId, block);
            return Optional.of(remember(modelId, block.model()));
        }
    }

    private ServedModel remember(String modelId, LoadedModel model) {
        ServedModel m = new ServedModel(modelId, model.tokenizer(), model.config().contextLength(),
                model.chatFormat());
        known.put(modelId, m);
        return m;
    }

    @Override
    public void close() {
        opened.values().forEach(LoadedBlock::close);
    }
}
