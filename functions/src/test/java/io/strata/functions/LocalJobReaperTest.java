package io.strata.functions;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.strata.functions.launch.LocalLauncher;
import io.strata.tables.Store;
import io.strata.tables.Tables;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Local tasks whose job process died with an earlier control plane are failed by the reaper, as are jobs past their
 * deadline; tasks of other hosts and live processes are left alone.
 */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class LocalJobReaperTest {

    @Inject
    Store store;

    @Inject
    LocalLauncher launcher;

    private void task(String id, String host, long pid, Instant created) {
        ObjectNode task = JsonNodeFactory.instance.objectNode();
        task.put("task_id", id).put("task_type", "model_splits").put("status", "running").put("launcher", "local")
                .put("job_host", host).put("job_pid", pid).put("created_at", created.toString());
        store.create(Tables.TASKS, task);
    }

    private String status(String id) {
        return store.get(Tables.TASKS, id).orElseThrow().get("status").asText();
    }

    @Test
    void tasksWhoseLocalJobDiedOrOverranAreFailedAndOthersAreLeft() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        long deadPid = finished.pid();
        long livePid = ProcessHandle.current().pid();
        Instant now = Instant.now();
        task("orphan", LocalLauncher.HOST, deadPid, now);
        task("alive", LocalLauncher.HOST, livePid, now);
        task("elsewhere", "another-host.test", deadPid, now);
        task("overran", LocalLauncher.HOST, livePid, now.minus(Duration.ofHours(7)));

        launcher.reap();

        assertEquals("failed", status("orphan"));
        assertTrue(store.get(Tables.TASKS, "orphan").orElseThrow().get("error").asText().contains("local job process " + deadPid + " is gone"));
        assertEquals("running", status("alive"), "a live process keeps its task");
        assertEquals("running", status("elsewhere"), "another host's tasks are its own reaper's");
        assertEquals("failed", status("overran"));
        assertTrue(store.get(Tables.TASKS, "overran").orElseThrow().get("error").asText().contains("past its deadline of PT6H"));
    }
}
