package io.strata.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code strata node} in its own JVM: it serves health on its port and leaves cleanly on SIGTERM. */
class NodeCommandTest {
    @TempDir
    Path dir;

    @Test
    void aNonLoopbackBindWithoutASecretIsRefusedInOneLine() {
        String[] args = {"--node-id", "exposed", "--bind", "0.0.0.0"};
        CliException e = assertThrows(CliException.class, () -> NodeCommand.config(new NodeCommand().options().parse(args)));
        assertTrue(e.getMessage().contains("--secret") && !e.getMessage().contains("\n"), e.getMessage());
        String[] sealed = {"--node-id", "sealed", "--secret", "correct horse battery staple",
                "--failure-timeout-ms", "4000", "--idle-timeout-ms", "30000"};
        var config = NodeCommand.config(new NodeCommand().options().parse(sealed));
        assertEquals(java.time.Duration.ofSeconds(4), config.cluster().build().membership().failureTimeout());
        assertEquals(java.time.Duration.ofSeconds(30), config.idleTimeout());
    }

    @Test
    void sigtermLeavesTheClusterAndSaysSo() throws Exception {
        int clusterPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            clusterPort = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(NodeProcesses.strataCommand());
        cmd.addAll(List.of("node", "--node-id", "solo", "--cluster", "solo-" + ProcessHandle.current().pid(),
                "--cluster-port", String.valueOf(clusterPort), "--http-port", "0", "--read-speed", "1e9",
                "--memory", "64m", "--cache-dir", dir.toString()));
        Process node = new ProcessBuilder(cmd).redirectError(dir.resolve("node.log").toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertNotNull(first, "the node printed where it listens");
            Matcher m = Pattern.compile("node solo listening: http 127\\.0\\.0\\.1:(\\d+), transport 127\\.0\\.0\\.1:\\d+, pid "
                    + node.pid()).matcher(first);
            assertTrue(m.find(), first);
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + m.group(1) + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertTrue(health.body().contains("\"members\":[\"solo\"]"), health.body());

            node.toHandle().destroy(); // SIGTERM, leaving our end of its pipes open to read its last words
            String last = out.readLine();
            assertEquals("node solo stopped: left cluster solo-" + ProcessHandle.current().pid() + ", closed 0 session(s)",
                    last);
            assertTrue(node.waitFor(20, TimeUnit.SECONDS));
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    void deviceCudaWithoutAGpuRefusesInOneLineNamingTheReason() {
        io.strata.cuda.CudaProbe probe = io.strata.cuda.CudaProbe.run();
        org.junit.jupiter.api.Assumptions.assumeFalse(probe.usable(), "this machine has a GPU");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = Strata.standard().run(new String[] {"node", "--device", "cuda", "--cache-dir", dir.toString()},
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8), new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(code != 0);
        assertEquals("strata node: --device cuda: cannot run on cuda:0: " + probe.summary() + "\n", message);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
