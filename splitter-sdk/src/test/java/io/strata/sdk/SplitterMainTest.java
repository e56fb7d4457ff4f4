package io.strata.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the entry point picks its splitter and what it does when it cannot start; in-process, unlike SplitterMainProcessTest. */
class SplitterMainTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private LoopbackServer taskDb;

    @BeforeEach
    void startTaskDb() {
        taskDb = new LoopbackServer(r -> LoopbackServer.Response.json(200, "{\"success\": true}"));
    }

    @AfterEach
    void stopTaskDb() {
        taskDb.close();
    }

    private Map<String, String> env(String... extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "TASK_ID", "task-9",
                "TASK_DATA", "{\"model_name\": \"m\", \"world_size\": 1}",
                "TASK_STATUS_UPDATE_URL", taskDb.url("/update_task").toString()));
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    private List<JsonNode> statuses() throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (LoopbackServer.Request r : taskDb.requests()) {
            out.add(JSON.readTree(r.body()));
        }
        return out;
    }

    @Test
    void splitterClassMayComeFromTheEnvironment() throws Exception {
        int code = SplitterMain.run(new String[0], env(SplitterMain.SPLITTER_CLASS, ChainingSplitter.class.getName()));

        assertEquals(SplitterExecutor.EXIT_COMPLETE, code);
        assertEquals("complete", statuses().getLast().get("status").asText());
    }

    @Test
    void theArgumentWinsOverTheEnvironment() throws Exception {
        int code = SplitterMain.run(new String[] {MainFailsSplitter.class.getName()},
                env(SplitterMain.SPLITTER_CLASS, ChainingSplitter.class.getName()));

        assertEquals(SplitterExecutor.EXIT_FAILED, code);
        assertTrue(statuses().getLast().get("error").asText().startsWith("main failed:"));
    }

    @Test
    void unknownSplitterClassIsRecordedAsFailedByName() throws Exception {
        int code = SplitterMain.run(new String[] {"io.strata.split.NoSuchSplitter"}, env());

        assertEquals(SplitterExecutor.EXIT_FAILED, code);
        List<JsonNode> statuses = statuses();
        assertEquals(List.of("running", "failed"), statuses.stream().map(s -> s.get("status").asText()).toList());
        String error = statuses.getLast().get("error").asText();
        assertTrue(error.contains("splitter class io.strata.split.NoSuchSplitter not found"), error);
    }

    @Test
    void withoutArgumentOrVariableTheSplitterIsTheTransformerSplitter() {
        assertEquals("io.strata.split.TransformerSplitter", SplitterMain.splitterClass(new String[0], Map.of()));
        assertEquals("io.strata.split.TransformerSplitter",
                SplitterMain.splitterClass(new String[] {" "}, Map.of(SplitterMain.SPLITTER_CLASS, "")));
        assertEquals("a.B", SplitterMain.splitterClass(new String[0], Map.of(SplitterMain.SPLITTER_CLASS, " a.B ")));
    }

    @Test
    void aClassThatIsNotASplitterIsRefusedByName() throws Exception {
        SplitterMain.run(new String[] {String.class.getName()}, env());

        String error = statuses().getLast().get("error").asText();
        assertTrue(error.contains("java.lang.String does not implement io.strata.sdk.ModelSplitter"), error);
    }

    @Test
    void environmentWithoutATaskIdExitsWithTheReasonAndReportsNothing() {
        Map<String, String> env = env();
        env.remove("TASK_ID");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = SplitterMain.run(new String[] {ChainingSplitter.class.getName()}, env);
        } finally {
            System.setErr(original);
        }

        assertEquals(SplitterExecutor.EXIT_BAD_ENVIRONMENT, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("TASK_ID is not set"), err.toString(StandardCharsets.UTF_8));
        assertTrue(taskDb.requests().isEmpty());
    }
}
