package io.strata.sdk;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Executor cases that need no child JVM: results that cannot be recorded, and a task DB that is gone. */
class SplitterExecutorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Finishes with something JSON cannot hold. */
    public static class UnwritableResultSplitter implements ModelSplitter {
        public UnwritableResultSplitter(SplitterContext ctx) {
        }

        @Override
        public PhaseResult begin() {
            return PhaseResult.success(Map.of());
        }

        @Override
        public PhaseResult main(Map<String, Object> extra) {
            return PhaseResult.success(extra);
        }

        @Override
        public PhaseResult finish(Map<String, Object> extra) {
            return PhaseResult.success(Map.of("thread", new Object()));
        }
    }

    private static SplitterContext context(String statusUrl) {
        return SplitterContext.fromEnvironment(Map.of("TASK_ID", "t", "TASK_DATA", "{}",
                "TASK_STATUS_UPDATE_URL", statusUrl));
    }

    @Test
    void aResultThatIsNotJsonFailsTheTaskInsteadOfLeavingItRunning() throws Exception {
        try (LoopbackServer taskDb = new LoopbackServer(r -> LoopbackServer.Response.json(200, "{\"success\": true}"))) {
            SplitterContext ctx = context(taskDb.url("/").toString());
            int code = SplitterExecutor.execute(UnwritableResultSplitter.class, ctx,
                    new TaskStatusClient(ctx.taskStatusUpdateUrl(), RetryPolicy.NONE));

            assertEquals(SplitterExecutor.EXIT_FAILED, code);
            var failed = JSON.readTree(taskDb.requests().getLast().body());
            assertEquals("failed", failed.get("status").asText());
            assertTrue(failed.get("error").asText().startsWith("finish failed: its result cannot be written as JSON"));
        }
    }

    @Test
    void aTaskDbThatCannotBeReachedMeansTheSplitterNeverRuns() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        SplitterContext ctx = context("http://127.0.0.1:" + port + "/update");

        int code = SplitterExecutor.execute(UnwritableResultSplitter.class, ctx,
                new TaskStatusClient(ctx.taskStatusUpdateUrl(), new RetryPolicy(2, Duration.ofMillis(5))));

        assertEquals(SplitterExecutor.EXIT_UNRECORDED, code);
    }
}
