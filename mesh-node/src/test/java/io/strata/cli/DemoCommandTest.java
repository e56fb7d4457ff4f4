package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code strata demo}, run as a user runs it (its own JVM, which starts a JVM per node): three
 * node processes serve one stage each, and the completion streamed through the mesh is the
 * independent C engine's greedy continuation.
 */
class DemoCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STAGE_LINE = Pattern.compile(
            "stage (\\d+) +layers \\S+ +(\\S+) +node (\\S+) +pid (\\d+) +(\\d+) passes, (\\d+) rows");

    @TempDir
    Path work;

    @Test
    void threeNodeProcessesServeTheStagesAndTheMeshReproducesTheReferenceTokens() throws Exception {
        TestModels.stories260kGguf(); // skips (fails on CI) without the models
        List<String> cmd = new ArrayList<>(NodeProcesses.strataCommand());
        cmd.add(1, "-Dstrata.home=" + TestModels.repoRoot());
        cmd.addAll(List.of("demo", "--stages", "3", "--prompt", "Once upon a time", "--max-tokens", "196",
                "--temperature", "0", "--json", "--work-dir", work.toString()));
        Process demo = new ProcessBuilder(cmd).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = Thread.ofVirtual().start(() -> copy(demo.getErrorStream(), err));
        String out;
        try {
            out = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(demo.waitFor(180, TimeUnit.SECONDS), "the demo finishes");
        } finally {
            demo.destroyForcibly(); // its nodes follow: they watch its pipes
        }
        errReader.join(5000);
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, demo.exitValue(), log);

        JsonNode got = JSON.readTree(out);
        JsonNode ref = JSON.readTree(TestModels.referenceGreedy().toFile()).get("cases").get(1);
        assertEquals("Once upon a time", ref.get("prompt").asText());
        assertEquals(ref.get("prompt_tokens"), got.get("prompt_tokens"));
        assertEquals(ref.get("generated_tokens"), got.get("tokens"));
        assertTrue(ref.get("text").asText().endsWith(got.get("text").asText()), got.get("text").asText());
        assertTrue(got.get("tokens_per_second").asDouble() > 0);
        assertEquals(Set.of("prompt_tokens", "tokens", "text", "tokens_per_second"), fieldNames(got));

        Set<Long> pids = new HashSet<>();
        Set<String> nodes = new HashSet<>();
        Matcher m = STAGE_LINE.matcher(log);
        int stages = 0;
        while (m.find()) {
            stages++;
            long pid = Long.parseLong(m.group(4));
            assertNotEquals(demo.pid(), pid, "a stage ran in a node process, not in the demo");
            assertNotEquals(ProcessHandle.current().pid(), pid);
            pids.add(pid);
            nodes.add(m.group(3));
            assertTrue(Long.parseLong(m.group(6)) >= 196, "stage " + m.group(1) + " computed every position: " + m.group());
        }
        assertEquals(3, stages, log);
        assertEquals(3, pids.size(), "three distinct processes served the three stages: " + log);
        assertEquals(3, nodes.size());
    }

    @Test
    void nodeAndDemoHaveHelpAndRefuseBadOptionsInOneLine() {
        for (String command : List.of("node", "demo")) {
            GenerateCommandTest.Run help = GenerateCommandTest.strata(command, "--help");
            assertEquals(0, help.code());
            assertTrue(help.out().contains("usage: strata " + command), help.out());
        }
        List<String[]> bad = List.of(
                new String[]{"node", "--wire-dtype", "q4"},
                new String[]{"node", "--memory", "lots"},
                new String[]{"node", "--http-port", "70000"},
                new String[]{"node", "--multicast", "nowhere"},
                new String[]{"demo", "--stages", "0"},
                new String[]{"demo", "--model", "/no/such/model.gguf"});
        for (String[] args : bad) {
            GenerateCommandTest.Run run = GenerateCommandTest.strata(args);
            assertNotEquals(0, run.code(), String.join(" ", args));
            assertEquals(1, run.err().lines().count(), String.join(" ", args) + " → " + run.err());
        }
    }

    private static Set<String> fieldNames(JsonNode o) {
        Set<String> names = new HashSet<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void copy(InputStream in, ByteArrayOutputStream to) {
        try {
            in.transferTo(to);
        } catch (IOException e) {
            // the process went away
        }
    }
}
