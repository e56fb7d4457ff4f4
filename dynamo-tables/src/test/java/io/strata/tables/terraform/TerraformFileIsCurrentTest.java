package io.strata.tables.terraform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.tables.TableDefinition;
import io.strata.tables.Tables;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The committed Terraform is exactly what the table definitions generate, so the tables are never written twice. */
class TerraformFileIsCurrentTest {

    @Test
    void committedTerraformMatchesTheTableDefinitions() throws Exception {
        Path file = TerraformGenerator.repositoryRoot().resolve(TerraformGenerator.FILE);
        String expected = TerraformGenerator.generate(Tables.all());
        if (!Files.isRegularFile(file)) {
            fail(file + " is missing; generate it with: " + TerraformGenerator.REGENERATE);
        }
        String committed = Files.readString(file, StandardCharsets.UTF_8);
        if (!committed.equals(expected)) {
            fail(TerraformGenerator.FILE + " differs from what io.strata.tables.Tables generates; regenerate it with: "
                    + TerraformGenerator.REGENERATE + " (and commit the result)");
        }
    }

    @Test
    void everyTableBecomesAnOnDemandTableWithItsKeysAndIndexes() throws Exception {
        JsonNode root = new ObjectMapper().readTree(TerraformGenerator.generate(Tables.all()));
        JsonNode resources = root.at("/resource/aws_dynamodb_table");
        assertEquals(Tables.all().size(), resources.size());
        for (TableDefinition table : Tables.all()) {
            JsonNode resource = resources.get(table.name().replace('-', '_'));
            assertEquals("${var.table_prefix}" + table.name(), resource.get("name").textValue());
            assertEquals("PAY_PER_REQUEST", resource.get("billing_mode").textValue());
            assertEquals(table.partitionKey(), resource.get("hash_key").textValue());
            assertEquals(table.keyAttributes().size(), resource.get("attribute").size(), "Terraform wants exactly the key attributes");
            assertEquals(table.indexes().size(), resource.path("global_secondary_index").size());
        }
        JsonNode blocksIndex = resources.at("/blocks/global_secondary_index/0");
        assertEquals("block_component_uri", blocksIndex.get("hash_key").textValue());
        assertEquals("block_model_layer_hash", blocksIndex.get("range_key").textValue());
        assertEquals("model_asset_id", resources.at("/model_layers/global_secondary_index/0/hash_key").textValue());
        assertTrue(root.at("/variable/table_prefix/default").isTextual());
    }

    @Test
    void generationIsDeterministic() {
        assertEquals(TerraformGenerator.generate(Tables.all()), TerraformGenerator.generate(Tables.all()));
    }
}
