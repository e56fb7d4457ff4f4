package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.strata.cli.GenerateCommandTest.strata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code strata bench} on a small synthetic model: it writes the model once, runs, and reports figures that agree. */
class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void textReportHasALinePerPromptLengthAndSessionCount(@TempDir Path cache) {
        GenerateCommandTest.Run run = strata("bench", "--synthetic", "tiny", "--encoding", "F32", "--cache", cache.toString(),
                "--runs", "1", "--prompt-tokens", "5,9", "--sessions", "2", "--decode-tokens", "3", "--bandwidth-buffer", "32m");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("prefill 5 tok"), run.out());
        assertTrue(run.out().contains("prefill 9 tok"), run.out());
        assertTrue(run.out().contains("decode 2 sess"), run.out());
    }

    @Test
    void benchReportsSpeedsAndBandwidthsThatAgreeWithEachOther(@TempDir Path cache) throws Exception {
        GenerateCommandTest.Run run = strata("bench", "--synthetic", "tiny", "--encoding", "Q8_0", "--cache", cache.toString(),
                "--runs", "2", "--prompt-tokens", "8,20", "--sessions", "1,3", "--decode-tokens", "4",
                "--bandwidth-buffer", "32m", "--json");
        assertEquals(0, run.code(), run.err());
        assertTrue(Files.isRegularFile(cache.resolve("tiny-q8_0.gguf")), "the synthetic model is kept in the cache folder");

        JsonNode r = JSON.readTree(run.out());
        assertEquals("Q8_0", r.get("encoding").asText());
        double decode = r.get("decode_tokens_per_second").asDouble();
        double effective = r.get("effective_weight_gb_per_second").asDouble();
        double best = r.get("machine_read_gb_per_second").asDouble();
        double around = r.get("read_around_best_run_gb_per_second").asDouble();
        assertTrue(decode > 0 && r.get("prefill_tokens_per_second").asDouble() > 0, run.out());
        // One prefill figure per prompt length and one aggregate decode figure per session count, in the order asked.
        JsonNode prefill = r.get("prefill");
        assertEquals(2, prefill.size(), run.out());
        assertEquals(8, prefill.get(0).get("prompt_tokens").asInt());
        assertEquals(20, prefill.get(1).get("prompt_tokens").asInt());
        assertEquals(r.get("prefill_tokens_per_second").asDouble(), prefill.get(0).get("tokens_per_second").asDouble(), 1e-9);
        assertTrue(prefill.get(1).get("tokens_per_second").asDouble() > 0, run.out());
        JsonNode sessions = r.get("decode_sessions");
        assertEquals(2, sessions.size(), run.out());
        for (int j = 0; j < 2; j++) {
            JsonNode s = sessions.get(j);
            assertEquals(j == 0 ? 1 : 3, s.get("sessions").asInt());
            assertTrue(s.get("tokens_per_second").asDouble() > 0, run.out());
            assertEquals(s.get("tokens_per_second").asDouble() / s.get("sessions").asInt(),
                    s.get("tokens_per_second_per_session").asDouble(), 0.01, run.out());
        }
        assertTrue(best > 0 && around > 0 && around <= best + 0.01, "the best pass bounds the passes around any run: " + run.out());
        // Rounded to two decimals in the report, hence the tolerances.
        assertEquals(r.get("weight_bytes_per_token").asLong() * decode / 1e9, effective, 0.01, run.out());
        assertEquals(100 * effective / best, r.get("percent_of_read_bandwidth").asDouble(), 0.5, run.out());
        assertEquals(100 * effective / around, r.get("percent_of_read_around_best_run").asDouble(), 0.5, run.out());
        // One line per run on stderr, then the pass after the last run.
        assertEquals(2, run.err().lines().filter(l -> l.startsWith("run ")).count(), run.err());
        assertTrue(run.err().lines().anyMatch(l -> l.startsWith("last read pass ")), run.err());
    }

    @Test
    void badArgumentsGetOneLineAndNoOutput() {
        for (String[] args : new String[][]{
                {"bench", "--synthetic", "tiny", "--runs", "0"},
                {"bench", "--synthetic", "tiny", "--encoding", "Q7_K"},
                {"bench", "--synthetic", "tiny", "--prompt-tokens", "64,x"},
                {"bench", "--synthetic", "tiny", "--sessions", "0,8"},
                {"bench"}}) {
            GenerateCommandTest.Run run = strata(args);
            assertEquals(2, run.code(), String.join(" ", args) + " → " + run.err());
            assertEquals(1, run.err().lines().count(), run.err());
            assertTrue(run.out().isEmpty(), run.out());
        }
    }
}
