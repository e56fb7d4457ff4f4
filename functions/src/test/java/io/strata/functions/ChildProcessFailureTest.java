package io.strata.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A split job whose process dies before it can report anything still ends as a failed task that points at its log. */
@QuarkusTest
@TestProfile(BrokenClasspathProfile.class)
class ChildProcessFailureTest {

    @Test
    void childThatDiesUnreportedLeavesItsTaskFailedWithItsLog() throws Exception {
        String taskId = SeedExamplesContract.call("POST", "/start_model_split_job", """
                {"task_data": {"model_name": "m", "model_download_url": "https://models.test/m.gguf", "world_size": 1,
                               "model_split_config": {}},
                 "container_image": "strata/splitter:test"}""", 200).get("task_id").asText();
        JsonNode task = TaskPolling.awaitEnd(taskId);
        assertEquals("failed", task.get("status").asText());
        String error = task.get("error").asText();
        assertTrue(error.contains("exited with code 1 without reporting its outcome"), error);
        Path log = Path.of(task.get("job_log").asText());
        assertTrue(error.endsWith(log.toString()), error);
        assertTrue(Files.readString(log).contains("io.strata.sdk.SplitterMain"), "the JVM's own complaint is in the log");
    }
}
