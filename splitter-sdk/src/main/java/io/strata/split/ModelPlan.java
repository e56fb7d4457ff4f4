package io.strata.split;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * The model plan a split job produces: one block spec per split and one vDAG spec wiring them
 * (the seed's "model plan layout which contains blocks and vDAGs"). Written as JSON beside the
 * artifacts; {@code strata generate --model PLAN} and the mesh read it back.
 *
 * @param planVersion      format version of this document
 * @param modelId          the model asset id the layers belong to (registry's model_asset_id)
 * @param modelName        a human name
 * @param source           the file the splits were cut from
 * @param architecture     the model's family ("llama", "qwen2")
 * @param layers           the model's layer count
 * @param strategy         how the layers were divided
 * @param contextTokens    the context the memory figures are for
 * @param blocks           one per split, in pipeline order
 * @param vdag             the stages and edges that make the model one unit
 */
@JsonPropertyOrder({"plan_version", "model_id", "model_name", "source", "architecture", "layers", "strategy",
        "context_tokens", "blocks", "vdag"})
public record ModelPlan(
        @JsonProperty("plan_version") int planVersion,
        @JsonProperty("model_id") String modelId,
        @JsonProperty("model_name") String modelName,
        @JsonProperty("source") String source,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("layers") int layers,
        @JsonProperty("strategy") String strategy,
        @JsonProperty("context_tokens") int contextTokens,
        @JsonProperty("blocks") List<BlockSpec> blocks,
        @JsonProperty("vdag") VdagSpec vdag) {

    public static final int VERSION = 1;

    /** The same plan with the block of pipeline position {@code rank} run as {@code replicas} copies. */
    public ModelPlan withReplicas(int rank, Replicas replicas) {
        List<BlockSpec> changed = blocks.stream().map(b -> b.rank() == rank ? b.withReplicas(replicas) : b).toList();
        return new ModelPlan(planVersion, modelId, modelName, source, architecture, layers, strategy, contextTokens,
                changed, vdag);
    }

    /**
     * One split as a deployable block.
     *
     * @param blockId           stable id: model id, rank and world size
     * @param rank              position in the pipeline, from 0
     * @param worldSize         number of splits
     * @param firstLayer        first layer held
     * @param lastLayer         one past the last layer held
     * @param artifactUrl       where the artifact can be fetched (file:, http(s): or s3:)
     * @param artifactFile      the artifact's file name, relative to the plan
     * @param modelLayerHash    MD5 of the artifact: the layer registry's key
     * @param sha256            SHA-256 of the artifact, checked before loading
     * @param bytes             artifact size
     * @param memoryBytes       memory a node needs to serve it (weights, KV cache, logits)
     * @param replicas          how many copies to run
     * @param componentUri      the component that serves it
     * @param reused            true when an identical split was already registered and not uploaded again
     */
    @JsonPropertyOrder({"block_id", "rank", "world_size", "first_layer", "last_layer", "artifact_url",
            "artifact_file", "model_layer_hash", "sha256", "bytes", "memory_bytes", "replicas", "component_uri", "reused"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BlockSpec(
            @JsonProperty("block_id") String blockId,
            @JsonProperty("rank") int rank,
            @JsonProperty("world_size") int worldSize,
            @JsonProperty("first_layer") int firstLayer,
            @JsonProperty("last_layer") int lastLayer,
            @JsonProperty("artifact_url") String artifactUrl,
            @JsonProperty("artifact_file") String artifactFile,
            @JsonProperty("model_layer_hash") String modelLayerHash,
            @JsonProperty("sha256") String sha256,
            @JsonProperty("bytes") long bytes,
            @JsonProperty("memory_bytes") long memoryBytes,
            @JsonProperty("replicas") Replicas replicas,
            @JsonProperty("component_uri") String componentUri,
            @JsonProperty("reused") boolean reused) {

        /** The same block, run as {@code replicas} copies. */
        public BlockSpec withReplicas(Replicas replicas) {
            return new BlockSpec(blockId, rank, worldSize, firstLayer, lastLayer, artifactUrl, artifactFile,
                    modelLayerHash, sha256, bytes, memoryBytes, replicas, componentUri, reused);
        }
    }

    /** The seed's scaling parameters: minimum and maximum instances of a block. */
    public record Replicas(@JsonProperty("min") int min, @JsonProperty("max") int max) {
        public Replicas {
            if (min < 1 || max < min) {
                throw new IllegalArgumentException("replicas need 1 <= min <= max, got min " + min + ", max " + max);
            }
        }
    }

    /**
     * The graph that makes the splits one model: stages in order, an edge from each to the next.
     *
     * @param vdagId   stable id of the graph
     * @param stages   block ids in pipeline order
     * @param edges    activation edges (hidden states flow from each stage to the next)
     */
    @JsonPropertyOrder({"vdag_id", "stages", "edges"})
    public record VdagSpec(
            @JsonProperty("vdag_id") String vdagId,
            @JsonProperty("stages") List<String> stages,
            @JsonProperty("edges") List<Edge> edges) {

        public static VdagSpec chain(String vdagId, List<String> stages) {
            List<Edge> edges = new java.util.ArrayList<>();
            for (int i = 0; i + 1 < stages.size(); i++) {
                edges.add(new Edge(stages.get(i), stages.get(i + 1)));
            }
            return new VdagSpec(vdagId, stages, edges);
        }
    }

    public record Edge(@JsonProperty("from") String from, @JsonProperty("to") String to) {
    }
}
