package io.strata.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The split-job entry point as the container runs it: a separate JVM with the task in its
 * environment, reporting to a loopback task DB that refuses the first update with 503.
 */
class SplitterMainProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final AtomicInteger updates = new AtomicInteger();
    private LoopbackServer taskDb;

    @BeforeEach
    void startTaskDb() {
        taskDb = new LoopbackServer(r -> updates.incrementAndGet() == 1
                ? LoopbackServer.Response.json(503, "{\"success\": false, \"error\": \"task DB restarting\"}")
                : LoopbackServer.Response.json(200, "{\"success\": true, \"updated\": 1}"));
    }

    @AfterEach
    void stopTaskDb() {
        taskDb.close();
    }

    private record Run(int exitCode, String output, List<JsonNode> statuses) {
    }

    private Run runSplitJob(String splitterClass, Map<String, String> envOverrides) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only and a small collector: these JVMs live for a second, so start-up is what counts.
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), SplitterMain.class.getName()));
        if (splitterClass != null) {
            command.add(splitterClass);
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("TASK_") || k.equals(SplitterMain.SPLITTER_CLASS)
                || k.endsWith("_URL"));
        env.put("TASK_ID", "task-7");
        env.put("TASK_DATA", "{\"model_name\": \"stories260K\", \"world_size\": 2}");
        env.put("TASK_STATUS_UPDATE_URL", taskDb.url("/update_task").toString());
        envOverrides.forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        Path output = dir.resolve("child-output.txt");
        Process child = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            fail("the split job did not finish within 60 s:\n" + Files.readString(output));
        }
        List<JsonNode> statuses = new ArrayList<>();
        for (LoopbackServer.Request r : taskDb.requests()) {
            assertEquals("POST", r.method());
            assertEquals("/update_task", r.path());
            statuses.add(JSON.readTree(r.body()));
        }
        return new Run(child.exitValue(), Files.readString(output), statuses);
    }

    /** The status transitions sent, without the progress reports in between. */
    private static List<String> states(Run run) {
        return run.statuses().stream().filter(s -> !s.has("progress")).map(s -> s.get("status").asText()).toList();
    }

    @Test
    void successfulSplitterIsRecordedRunningThenCompleteWithFinishsResult() throws Exception {
        Run run = runSplitJob(ChainingSplitter.class.getName(), Map.of());

        assertEquals(0, run.exitCode(), run.output());
        // The first "running" met a 503 and was sent again.
        assertEquals(List.of("running", "running", "complete"), states(run), run.output());
        JsonNode complete = run.statuses().getLast();
        assertEquals("task-7", complete.get("task_id").asText());
        assertEquals(JSON.readTree("""
                {"model_name": "stories260K", "task": "task-7",
                 "after_main": {"download_path": "/tmp/stories260K.gguf", "splits": ["split-0", "split-1"], "world_size": 2}}"""),
                complete.get("result"));
        assertTrue(!complete.has("error"));
    }

    @Test
    void failingMainIsRecordedAsFailedWithThePhaseAndItsError() throws Exception {
        Run run = runSplitJob(MainFailsSplitter.class.getName(), Map.of());

        assertEquals(SplitterExecutor.EXIT_FAILED, run.exitCode(), run.output());
        assertEquals(List.of("running", "running", "failed"), states(run), run.output());
        JsonNode failed = run.statuses().getLast();
        assertEquals("main failed: model has 0 layers, nothing to split", failed.get("error").asText());
        assertTrue(!failed.has("result"));
    }

    @Test
    void throwingBeginIsRecordedAsFailedWithTheException() throws Exception {
        Run run = runSplitJob(BeginThrowsSplitter.class.getName(), Map.of());

        assertNotEquals(0, run.exitCode(), run.output());
        assertEquals(List.of("running", "running", "failed"), states(run), run.output());
        assertEquals("begin failed: IOException: No space left on device while writing model.gguf",
                run.statuses().getLast().get("error").asText());
    }
}
