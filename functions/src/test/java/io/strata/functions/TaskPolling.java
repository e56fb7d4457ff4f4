package io.strata.functions;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** Follows a task through GET /task/{id} until it is complete or failed, with a bounded wait. */
final class TaskPolling {

    private static final long WAIT_MILLIS = 120_000;

    private TaskPolling() {
    }

    static JsonNode awaitEnd(String taskId) {
        return awaitEnd(taskId, new ArrayList<>());
    }

    /** Also collects every distinct status seen, in order. */
    static JsonNode awaitEnd(String taskId, List<String> seen) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (true) {
            JsonNode task = SeedExamplesContract.call("GET", "/task/" + taskId, null, 200).get("data");
            String status = task.get("status").asText();
            if (seen.isEmpty() || !seen.getLast().equals(status)) {
                seen.add(status);
            }
            if (status.equals("complete") || status.equals("failed")) {
                return task;
            }
            if (System.currentTimeMillis() > deadline) {
                fail("task " + taskId + " still " + status + " after " + WAIT_MILLIS / 1000 + " s: " + task);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
