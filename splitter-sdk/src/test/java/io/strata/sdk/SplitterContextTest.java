package io.strata.sdk;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitterContextTest {
    private static Map<String, String> env(String... overrides) {
        Map<String, String> env = new HashMap<>(Map.of(
                "TASK_ID", "task-42",
                "TASK_DATA", """
                        {"model_name": "gpt2", "model_download_url": "https://example.com/models/gpt2.gguf",
                         "world_size": 4, "model_split_config": {"split_strategy": "even", "tp_degree": 2}}""",
                "TASK_STATUS_UPDATE_URL", "http://tasks.local:8000/update",
                "MODEL_LAYERS_REGISTRY_URL", "http://registry.local:8002",
                "BLOCK_DB_URL", "https://blocks.local"));
        for (int i = 0; i < overrides.length; i += 2) {
            if (overrides[i + 1] == null) {
                env.remove(overrides[i]);
            } else {
                env.put(overrides[i], overrides[i + 1]);
            }
        }
        return env;
    }

    private static String refusal(String... overrides) {
        return assertThrows(IllegalArgumentException.class, () -> SplitterContext.fromEnvironment(env(overrides)))
                .getMessage();
    }

    @Test
    void readsTheSeedsVariablesAndTaskDataFields() {
        SplitterContext ctx = SplitterContext.fromEnvironment(env());

        assertEquals("task-42", ctx.taskId());
        assertEquals("gpt2", ctx.modelName());
        assertEquals("https://example.com/models/gpt2.gguf", ctx.modelDownloadUrl());
        assertEquals(4, ctx.worldSize());
        assertEquals("even", ctx.modelSplitConfig().get("split_strategy").asText());
        assertEquals(2, ctx.taskData().get("model_split_config").get("tp_degree").asInt());
        assertEquals(URI.create("http://tasks.local:8000/update"), ctx.taskStatusUpdateUrl());
        assertEquals(Optional.of(URI.create("http://registry.local:8002")), ctx.modelLayersRegistryUrl());
        assertEquals(Optional.of(URI.create("https://blocks.local")), ctx.blockDbUrl());
    }

    @Test
    void taskDataHandedOutIsACopy() {
        SplitterContext ctx = SplitterContext.fromEnvironment(env());
        ctx.taskData().put("model_name", "changed");
        ctx.modelSplitConfig().put("tp_degree", 99);
        assertEquals("gpt2", ctx.modelName());
        assertEquals(2, ctx.modelSplitConfig().get("tp_degree").asInt());
    }

    @Test
    void missingTaskIdIsNamed() {
        assertTrue(refusal("TASK_ID", null).contains("TASK_ID is not set"));
        assertTrue(refusal("TASK_ID", "  ").contains("TASK_ID is not set"));
    }

    @Test
    void taskDataMustBeAJsonObject() {
        assertTrue(refusal("TASK_DATA", null).contains("TASK_DATA is not set"));
        String notJson = refusal("TASK_DATA", "{model_name: gpt2");
        assertTrue(notJson.contains("TASK_DATA is not valid JSON") && notJson.contains("line 1"), notJson);
        assertTrue(refusal("TASK_DATA", "[1, 2]").contains("TASK_DATA must be a JSON object, got array"));
        assertTrue(refusal("TASK_DATA", "\"gpt2\"").contains("got string"));
    }

    @Test
    void taskDataFieldsOfTheWrongTypeAreRefusedUpFront() {
        assertTrue(refusal("TASK_DATA", "{\"world_size\": 0}").contains("world_size must be a whole number"));
        assertTrue(refusal("TASK_DATA", "{\"world_size\": 2.5}").contains("world_size"));
        assertTrue(refusal("TASK_DATA", "{\"world_size\": \"4\"}").contains("world_size"));
        assertTrue(refusal("TASK_DATA", "{\"model_name\": 7}").contains("model_name must be a string"));
        assertTrue(refusal("TASK_DATA", "{\"model_split_config\": [1]}").contains("model_split_config must be a JSON object"));
    }

    @Test
    void absentTaskDataFieldsAreRefusedWhenAskedFor() {
        SplitterContext ctx = SplitterContext.fromEnvironment(env("TASK_DATA", "{}"));
        assertTrue(assertThrows(IllegalArgumentException.class, ctx::modelName).getMessage().contains("model_name"));
        assertTrue(assertThrows(IllegalArgumentException.class, ctx::worldSize).getMessage().contains("world_size"));
        assertTrue(ctx.modelSplitConfig().isEmpty());
    }

    @Test
    void urlsMustBeHttpAndOnlyTheStatusUrlIsRequired() {
        assertTrue(refusal("TASK_STATUS_UPDATE_URL", null).contains("TASK_STATUS_UPDATE_URL is not set"));
        String ftp = refusal("TASK_STATUS_UPDATE_URL", "ftp://tasks.local/update");
        assertTrue(ftp.contains("TASK_STATUS_UPDATE_URL must be an http(s) URL") && ftp.contains("ftp://tasks.local"), ftp);
        assertTrue(refusal("MODEL_LAYERS_REGISTRY_URL", "registry.local:8002").contains("MODEL_LAYERS_REGISTRY_URL"));
        assertTrue(refusal("BLOCK_DB_URL", "http://bad host/").contains("BLOCK_DB_URL is not a URL"));

        SplitterContext bare = SplitterContext.fromEnvironment(env("MODEL_LAYERS_REGISTRY_URL", null, "BLOCK_DB_URL", null));
        assertTrue(bare.modelLayersRegistryUrl().isEmpty());
        String why = assertThrows(IllegalArgumentException.class, () -> ModelLayerClient.fromContext(bare)).getMessage();
        assertTrue(why.contains("MODEL_LAYERS_REGISTRY_URL is not set"), why);
    }

    @Test
    void toStringDoesNotLeakTheEnvironment() {
        SplitterContext ctx = SplitterContext.fromEnvironment(env("AWS_SECRET_ACCESS_KEY", "hunter2"));
        assertTrue(!ctx.toString().contains("hunter2"));
        assertEquals("hunter2", ctx.environment().get("AWS_SECRET_ACCESS_KEY"));
    }
}
