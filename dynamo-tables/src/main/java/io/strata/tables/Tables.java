package io.strata.tables;

import java.util.List;

/** The five tables of the control plane. Terraform, the stores and the functions all read them from here. */
public final class Tables {

    /** The prefix used when nothing else is configured: physical names look like {@code strata-tasks}. */
    public static final String DEFAULT_PREFIX = "strata-";

    public static final TableDefinition SPLIT_RUNNERS = new TableDefinition(
            "split-runners", "split_runner_id", List.of(),
            "Split runner servers deployed on clusters: public host/url, metadata, tags, cluster config.");

    public static final TableDefinition MODEL_LAYERS = new TableDefinition(
            "model-layers", "model_layer_hash",
            List.of(SecondaryIndex.of("model-asset-index", "model_asset_id")),
            "Model layers (splits) keyed by the MD5 of their artifact; looked up by the model asset they came from.");

    public static final TableDefinition TASKS = new TableDefinition(
            "tasks", "task_id", List.of(),
            "Global task registry: task_type, status (pending|running|complete|failed), task_data, result, error, created_at, updated_at.");

    public static final TableDefinition BLOCKS = new TableDefinition(
            "blocks", "block_id",
            List.of(SecondaryIndex.of("component-layer-index", "block_component_uri", "block_model_layer_hash")),
            "Running blocks; found by component URI and the model layer hash they serve.");

    public static final TableDefinition VDAGS = new TableDefinition(
            "vdags", "vdag_id", List.of(),
            "vDAGs: the ordered stages (blocks) that serve a split model as one unit.");

    private static final List<TableDefinition> ALL = List.of(SPLIT_RUNNERS, MODEL_LAYERS, TASKS, BLOCKS, VDAGS);

    private Tables() {
    }

    /** All tables, in a stable order (the generated Terraform follows it). */
    public static List<TableDefinition> all() {
        return ALL;
    }
}
