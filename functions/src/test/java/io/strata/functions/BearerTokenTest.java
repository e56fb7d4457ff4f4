package io.strata.functions;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** With strata.api-token set, every request needs the bearer token; a refusal says "unauthorized" and nothing else. */
@QuarkusTest
@TestProfile(TokenProfile.class)
class BearerTokenTest {

    private static final String UNAUTHORIZED = "{\"success\":false,\"error\":\"unauthorized\"}";

    private static Response send(String authorization, String method, String path, String body) {
        var request = given().contentType("application/json");
        if (authorization != null) {
            request = request.header("Authorization", authorization);
        }
        if (body != null) {
            request = request.body(body);
        }
        return request.when().request(method, path);
    }

    @Test
    void requestsWithoutTheRightTokenAreUnauthorizedWhateverTheyAskFor() {
        String[][] requests = {
                {"GET", "/model-layer/anything", null},
                {"POST", "/model-layers", "{}"},
                {"POST", "/queryModelLayers", "{}"},
                {"POST", "/start_model_split_job", "{}"},
                {"POST", "/task-status", "{\"task_id\": \"t\", \"status\": \"running\"}"},
                {"DELETE", "/split-runner/x", null},
                {"GET", "/no-such-path", null},
                {"POST", "/model-layers", "{\"x\": \"" + "a".repeat(2_000_000) + "\"}"},
        };
        String[] wrong = {null, "", "Bearer", "Bearer ", "Bearer wrong", "Basic " + TokenProfile.TOKEN,
                "Bearer " + TokenProfile.TOKEN + "x", "Bearer " + TokenProfile.TOKEN.substring(1), TokenProfile.TOKEN};
        for (String[] r : requests) {
            for (String authorization : wrong) {
                Response response = send(authorization, r[0], r[1], r[2]);
                String what = r[0] + " " + r[1] + " with Authorization " + authorization;
                assertEquals(401, response.statusCode(), what);
                assertEquals(UNAUTHORIZED, response.asString(), what);
                assertEquals("Bearer", response.header("WWW-Authenticate"), what);
            }
        }
    }

    @Test
    void requestsWithTheTokenGoThrough() {
        String bearer = "Bearer " + TokenProfile.TOKEN;
        assertEquals("{\"success\":true,\"data\":[]}", send(bearer, "POST", "/model-layers", "{}").asString());
        assertEquals(200, send("bearer " + TokenProfile.TOKEN, "POST", "/queryModelLayers", "{}").statusCode(),
                "the scheme is case-insensitive");
        Response missing = send(bearer, "GET", "/model-layer/nope", null);
        assertEquals(404, missing.statusCode(), "past the guard, the endpoint answers for itself");
        assertEquals("{\"success\":false,\"error\":\"no model layer with hash nope\"}", missing.asString());
    }
}
