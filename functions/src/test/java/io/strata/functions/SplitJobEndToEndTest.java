package io.strata.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import io.strata.model.TestModels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /start_model_split_job} with the local launcher splits the real stories260K end to end: a child JVM runs
 * the built-in splitter, which reports to this control plane, registers its layers here and returns the model plan.
 */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class SplitJobEndToEndTest {

    private static final int WORLD_SIZE = 2;

    @Inject
    ControlPlaneConfig config;

    private String start(Path outputDir) {
        String body = """
                {
                  "task_data": {
                    "model_name": "stories260K",
                    "model_download_url": "%s",
                    "world_size": %d,
                    "model_split_config": {"split_strategy": "even", "output_dir": "%s"}
                  },
                  "container_image": "strata/splitter:test"
                }""".formatted(TestModels.stories260kGguf().toUri(), WORLD_SIZE, outputDir);
        JsonNode started = SeedExamplesContract.call("POST", "/start_model_split_job", body, 200);
        assertTrue(started.get("success").asBoolean(), started.toString());
        return started.get("task_id").asText();
    }

    @Test
    void stories260kIsSplitRegisteredAndReusedBySecondJob() throws Exception {
        Path out = config.dataDir().resolve("split-work").resolve("end-to-end");
        String first = start(out.resolve("first"));
        JsonNode pending = SeedExamplesContract.call("GET", "/task/" + first, null, 200).get("data");
        assertEquals("1Gi", pending.get("storage_size").asText(), "storage_size defaults to 1Gi");
        List<String> seen = new ArrayList<>();
        JsonNode task = TaskPolling.awaitEnd(first, seen);
        assertEquals("complete", task.get("status").asText(), task.toString());
        assertTrue(List.of(List.of("pending", "running", "complete"), List.of("running", "complete"), List.of("complete"))
                .contains(seen), "statuses seen in order: " + seen);
        assertFalse(task.has("error"), task.toString());

        JsonNode result = task.get("result");
        assertEquals(0, result.get("reused_layers").asInt());
        assertEquals(WORLD_SIZE, result.get("world_size").asInt());
        JsonNode blocks = result.get("model_plan_data").get("blocks");
        assertEquals(WORLD_SIZE, blocks.size());
        for (int rank = 0; rank < WORLD_SIZE; rank++) {
            JsonNode block = blocks.get(rank);
            Path artifact = Path.of(URI.create(block.get("artifact_url").asText()));
            String md5 = md5(artifact);
            assertEquals(md5, block.get("model_layer_hash").asText(), "the plan names the artifact by its MD5");
            JsonNode layer = SeedExamplesContract.call("GET", "/model-layer/" + md5, null, 200).get("data");
            assertEquals(rank, layer.get("model_layer_rank").asInt());
            assertEquals(WORLD_SIZE, layer.get("model_world_size").asInt());
            assertEquals("stories260K", layer.get("model_asset_id").asText());
            assertEquals(artifact.toUri().toString(), layer.get("model_layer_public_url").asText());
        }
        String vdagId = result.get("registered").get("vdag_id").asText();
        JsonNode vdag = SeedExamplesContract.call("GET", "/vdag/" + vdagId, null, 200).get("data");
        assertEquals(WORLD_SIZE, vdag.get("stages").size(), "the job registered its vDAG itself");
        for (JsonNode blockId : vdag.get("stages")) {
            SeedExamplesContract.call("GET", "/block/" + blockId.asText(), null, 200);
        }
        JsonNode registered = SeedExamplesContract.call("POST", "/model-layers",
                "{\"model_asset_id\": \"stories260K\"}", 200).get("data");
        assertEquals(WORLD_SIZE, registered.size());

        String second = start(out.resolve("second"));
        JsonNode again = TaskPolling.awaitEnd(second);
        assertEquals("complete", again.get("status").asText(), again.toString());
        assertEquals(WORLD_SIZE, again.get("result").get("reused_layers").asInt());
        assertEquals(WORLD_SIZE, SeedExamplesContract.call("POST", "/model-layers",
                "{\"model_asset_id\": \"stories260K\"}", 200).get("data").size(), "nothing registered twice");
        for (int rank = 0; rank < WORLD_SIZE; rank++) {
            assertEquals(blocks.get(rank).get("model_layer_hash"),
                    again.get("result").get("model_plan_data").get("blocks").get(rank).get("model_layer_hash"));
        }
    }

    private static String md5(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
