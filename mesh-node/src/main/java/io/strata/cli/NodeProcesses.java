package io.strata.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code strata node} child processes, each in its own JVM (this JVM's java, classpath and
 * engine flags), started with {@code --exit-with-stdin}: the pipe to each child's stdin stays
 * open while this process lives, so the children also stop when it dies, even by SIGKILL.
 * Closing stops them cleanly (they leave the cluster), then forcibly after a grace period.
 */
final class NodeProcesses implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile(
            "node (\\S+) listening: http (\\S+):(\\d+), transport (\\S+):(\\d+), pid (\\d+)");

    /** A started node: its process, ports and log. */
    record Child(String nodeId, Process process, String host, int httpPort, int transportPort, Path log) {
        String baseUrl() {
            return "http://" + host + ":" + httpPort;
        }

        long pid() {
            return process.pid();
        }
    }

    private final List<Child> children = new java.util.concurrent.CopyOnWriteArrayList<>(); // started in parallel too
    private final Thread hook = new Thread(this::stopNow, "strata-demo-children");
    private boolean hooked;

    /** The command that runs {@code strata} in a fresh JVM like this one. */
    static List<String> strataCommand() {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC",
                "-Xss4m"));
        String home = System.getProperty("strata.home");
        if (home != null) {
            cmd.add("-Dstrata.home=" + home);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Strata.class.getName()));
        return cmd;
    }

    /**
     * Starts {@code strata node ARGS --exit-with-stdin}, its stderr going to {@code log}, and waits
     * until it listens.
     *
     * @throws IllegalStateException when it exits or stays silent for {@code timeout}; the message ends with its log
     */
    Child start(List<String> nodeArgs, Path log, Duration timeout) throws IOException {
        synchronized (this) {
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(hook);
                hooked = true;
            }
        }
        List<String> cmd = strataCommand();
        cmd.add("node");
        cmd.addAll(nodeArgs);
        cmd.add("--exit-with-stdin");
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        CompletableFuture<Matcher> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("strata-child-stdout-" + p.pid()).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (!ready.isDone() && m.find()) {
                        ready.complete(m);
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
            ready.completeExceptionally(new IllegalStateException("exited with " + exitCode(p)));
        });
        try {
            Matcher m = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Child c = new Child(m.group(1), p, m.group(2), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(5)), log);
            children.add(c);
            return c;
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException("node " + nodeArgs + " did not start (" + (e instanceof TimeoutException
                    ? "silent for " + timeout.toSeconds() + " s" : e.getCause().getMessage()) + "); its log " + log
                    + " ends: " + tail(log));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting a node", e);
        }
    }

    List<Child> children() {
        return List.copyOf(children);
    }

    /** The last lines of a child's log, for error messages. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static String exitCode(Process p) {
        try {
            return String.valueOf(p.waitFor(2, TimeUnit.SECONDS) ? p.exitValue() : "nothing yet");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /** Asks every child to stop (closes its stdin), waits up to 10 s in all, then kills what is left. */
    @Override
    public void close() {
        stopNow();
        if (hooked) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running or has run
            }
            hooked = false;
        }
    }

    private synchronized void stopNow() {
        for (Child c : children) {
            try {
                c.process().getOutputStream().close();
            } catch (IOException e) {
                // already gone
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (Child c : children) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !c.process().waitFor(left, TimeUnit.NANOSECONDS)) {
                    c.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                c.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (Child c : children) {
            try {
                c.process().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        children.clear();
    }
}
