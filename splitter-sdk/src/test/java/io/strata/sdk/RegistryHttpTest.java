package io.strata.sdk;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Requests to a control plane that requires its API token carry it; without one configured, none is sent. */
class RegistryHttpTest {
    @Test
    void theApiTokenIsSentAsABearerTokenWhenConfigured() throws Exception {
        try (LoopbackServer server = new LoopbackServer(r -> LoopbackServer.Response.json(200, "{\"success\": true}"))) {
            new RegistryHttp(RetryPolicy.NONE, "s3cret").call("POST", server.url("/task-status"),
                    RegistryHttp.JSON.createObjectNode().put("task_id", "t"));
            new RegistryHttp(RetryPolicy.NONE, null).call("GET", server.url("/task/t"), null);
            assertEquals("Bearer s3cret", server.requests().get(0).authorization());
            assertNull(server.requests().get(1).authorization());
        }
    }
}
