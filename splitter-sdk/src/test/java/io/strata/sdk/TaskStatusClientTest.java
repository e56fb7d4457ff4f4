package io.strata.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskStatusClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(5));

    @Test
    void eachStatusCarriesOnlyItsOwnFields() throws Exception {
        try (LoopbackServer taskDb = new LoopbackServer(r -> LoopbackServer.Response.json(200, "{\"success\": true}"))) {
            TaskStatusClient client = new TaskStatusClient(taskDb.url("/tasks/update"), FAST);

            client.markRunning("t-1");
            client.markComplete("t-1", Map.of("model_plan", Map.of("stages", 2)));
            client.markFailed("t-1", "main failed: out of disk");

            JsonNode running = JSON.readTree(taskDb.requests().get(0).body());
            JsonNode complete = JSON.readTree(taskDb.requests().get(1).body());
            JsonNode failed = JSON.readTree(taskDb.requests().get(2).body());
            assertEquals(JSON.readTree("{\"task_id\": \"t-1\", \"status\": \"running\"}"), running);
            assertEquals(JSON.readTree("{\"task_id\": \"t-1\", \"status\": \"complete\", \"result\": {\"model_plan\": {\"stages\": 2}}}"), complete);
            assertEquals(JSON.readTree("{\"task_id\": \"t-1\", \"status\": \"failed\", \"error\": \"main failed: out of disk\"}"), failed);
            assertTrue(taskDb.requests().stream().allMatch(r -> r.method().equals("POST") && r.path().equals("/tasks/update")));
        }
    }

    @Test
    void tooManyRequestsIsRetriedUntilAccepted() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (LoopbackServer taskDb = new LoopbackServer(r -> calls.incrementAndGet() <= 2
                ? LoopbackServer.Response.json(429, "{\"success\": false, \"error\": \"slow down\"}")
                : LoopbackServer.Response.json(200, "{\"success\": true}"))) {
            new TaskStatusClient(taskDb.url("/"), FAST).markRunning("t-2");
            assertEquals(3, taskDb.requests().size());
        }
    }

    @Test
    void aRefusalIsNotRetriedAndSaysWhy() {
        try (LoopbackServer taskDb = new LoopbackServer(r -> LoopbackServer.Response.json(400,
                "{\"success\": false, \"error\": \"unknown status 'complete' for task t-3 in state pending\"}"))) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> new TaskStatusClient(taskDb.url("/"), FAST).markComplete("t-3", Map.of()));
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains("unknown status 'complete'"), e.getMessage());
            assertEquals(1, taskDb.requests().size());
        }
    }

    @Test
    void persistentServerErrorsGiveUpAfterThePolicysTries() {
        try (LoopbackServer taskDb = new LoopbackServer(r -> LoopbackServer.Response.json(502, ""))) {
            Exception e = assertThrows(java.io.IOException.class,
                    () -> new TaskStatusClient(taskDb.url("/"), FAST).markRunning("t-4"));
            assertTrue(e.getMessage().contains("4 tries") && e.getMessage().contains("HTTP 502"), e.getMessage());
            assertEquals(4, taskDb.requests().size());
        }
    }

    @Test
    void backoffDoublesFromTheFirstDelay() {
        RetryPolicy policy = new RetryPolicy(6, Duration.ofMillis(200));
        assertEquals(Duration.ofMillis(200), policy.delayAfter(1));
        assertEquals(Duration.ofMillis(400), policy.delayAfter(2));
        assertEquals(Duration.ofMillis(3200), policy.delayAfter(5));
        assertEquals(RetryPolicy.MAX_DELAY, new RetryPolicy(40, Duration.ofSeconds(1)).delayAfter(30));
        assertFalse(assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO))
                .getMessage().isBlank());
    }
}
