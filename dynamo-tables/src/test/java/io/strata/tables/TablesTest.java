package io.strata.tables;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The five tables and the rules a table definition keeps. */
class TablesTest {

    @Test
    void theFiveTablesHaveTheSeedsKeys() {
        assertEquals(List.of("split_runner_id", "model_layer_hash", "task_id", "block_id", "vdag_id"),
                Tables.all().stream().map(TableDefinition::partitionKey).toList());
        Set<String> names = new HashSet<>();
        Tables.all().forEach(t -> assertTrue(names.add(t.name()), "two tables named " + t.name()));
        assertEquals("strata-tasks", Tables.TASKS.physicalName(Tables.DEFAULT_PREFIX));
        assertEquals(List.of("block_component_uri", "block_model_layer_hash"), Tables.BLOCKS.indexes().getFirst().keyAttributes());
        assertEquals("model_asset_id", Tables.MODEL_LAYERS.indexes().getFirst().partitionKey());
    }

    @Test
    void malformedDefinitionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TableDefinition("Bad Name", "id", List.of(), ""));
        assertThrows(IllegalArgumentException.class, () -> new TableDefinition("ok", "a.b", List.of(), ""));
        assertThrows(IllegalArgumentException.class, () -> new TableDefinition("ok", "id",
                List.of(SecondaryIndex.of("idx", "a"), SecondaryIndex.of("idx", "b")), ""));
        assertThrows(IllegalArgumentException.class, () -> new TableDefinition("ok", "id", List.of(SecondaryIndex.of("idx", "id")), ""));
        assertThrows(IllegalArgumentException.class, () -> new SecondaryIndex("ix", List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> new SecondaryIndex("index", List.of("a", "b", "c")));
    }

    @Test
    void taskStatusesAreTheSeedsLowerCaseWords() {
        assertEquals(List.of("pending", "running", "complete", "failed"), List.of(TaskStatus.values()).stream().map(TaskStatus::value).toList());
        assertEquals(TaskStatus.FAILED, TaskStatus.of("failed"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskStatus.of("done"));
        assertTrue(e.getMessage().contains("pending"), e.getMessage());
    }
}
