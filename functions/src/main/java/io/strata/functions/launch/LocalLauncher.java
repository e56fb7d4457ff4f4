package io.strata.functions.launch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.ControlPlaneConfig;
import io.strata.functions.registry.Tasks;
import io.strata.sdk.SplitterMain;
import io.strata.tables.TaskStatus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built-in splitter ({@code io.strata.split.TransformerSplitter} through {@link SplitterMain}) as a child JVM
 * on this machine, reporting to this control plane on the address it was called at. Its output goes to
 * {@code <data-dir>/tasks/<task id>.log}, its splits under {@code <data-dir>/split-work/<task id>} (so their
 * {@code file:} URLs stay valid). A child that exits without having reported completion or failure (killed, crashed,
 * could not reach us) leaves its task marked failed, and children still running at shutdown are stopped.
 *
 * <p>The classpath is {@code strata.local-launcher.classpath}, else this JVM's: under tests that is the test
 * classpath; in the packaged control plane ({@code quarkus-run.jar}) the libraries beside it.
 */
@ApplicationScoped
public class LocalLauncher implements SplitJobLauncher {

    private static final Logger LOG = Logger.getLogger(LocalLauncher.class);
    static final String SPLITTER = "io.strata.split.TransformerSplitter";
    /** Which machine's processes a local task's job is among (several control planes may share a DynamoDB store). */
    public static final String HOST = hostName();
    private static final Duration REAP_EVERY = Duration.ofSeconds(30);

    @Inject
    ControlPlaneConfig config;

    @Inject
    Tasks tasks;

    /** Children still running, and the end of their exit handling (which a shutdown waits for). */
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private ScheduledExecutorService reaper;

    @Override
    public ObjectNode describe(String taskId) {
        ObjectNode where = JsonNodeFactory.instance.objectNode();
        where.put("launcher", "local");
        where.put("job_host", HOST);
        where.put("job_log", logFile(taskId).toString());
        return where;
    }

    /** Refuses jobs that would read outside the configured file roots or write outside the work root. */
    @Override
    public void check(SplitJob job) {
        new LocalJobPaths(workRoot(), config.localLauncher().fileRoots().orElse(List.of())).check(job.taskData());
    }

    private Path workRoot() {
        return config.dataDir().resolve("split-work");
    }

    @Override
    public void launch(SplitJob job) {
        Path log = logFile(job.taskId());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : config.localLauncher().jvmOptions().trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.add("-cp");
        command.add(classpath());
        command.add(SplitterMain.class.getName());
        command.add(SPLITTER);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(SplitJobEnvironment.of(job, job.callerBaseUrl()));
            builder.environment().put(SplitJobEnvironment.WORK_DIR, workRoot().toString());
            config.apiToken().ifPresent(token -> builder.environment().put(SplitJobEnvironment.API_TOKEN, token));
            Process process = builder.start();
            LOG.infof("task %s: split job started as process %d, log %s", job.taskId(), process.pid(), log);
            CompletableFuture<Void> handled = new CompletableFuture<>();
            running.put(job.taskId(), new Running(process, handled));
            tasks.recordJobProcess(job.taskId(), process.pid());
            process.onExit().thenAccept(done -> exited(job.taskId(), done.exitValue(), log))
                    .whenComplete((ignored, failure) -> handled.complete(null));
        } catch (IOException | RuntimeException e) {
            throw new LaunchException(500, "could not start " + command.getFirst() + ": " + e.getMessage(), e);
        }
    }

    private void exited(String taskId, int code, Path log) {
        running.remove(taskId);
        LOG.infof("task %s: split job process exited with code %d", taskId, code);
        try {
            tasks.finishIfOpen(taskId, TaskStatus.FAILED, null, (stopping
                    ? "the control plane stopped while the split job ran"
                    : "the split job process exited with code " + code + " without reporting its outcome")
                    + "; its log is " + log);
        } catch (RuntimeException e) {
            LOG.warnf("task %s: could not record the end of its split job process: %s", taskId, e.getMessage());
        }
    }

    @Override
    public void cancel(String taskId) {
        Running child = running.get(taskId);
        if (child != null) {
            child.process().destroy();
        }
    }

    /**
     * Starts the reaper: every {@link #REAP_EVERY}, open local tasks of this host whose job process is gone (the control
     * plane that started it died) are failed, and jobs past {@code strata.split-job-deadline} are stopped and failed.
     */
    void startReaper(@Observes StartupEvent startup) {
        reaper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("strata-local-job-reaper").factory());
        reaper.scheduleWithFixedDelay(this::reap, 0, REAP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass of the reaper (it also runs on its own every 30 s). */
    public void reap() {
        if (stopping) {
            return;
        }
        try {
            for (var task : tasks.openLocalTasks(HOST)) {
                String taskId = task.path("task_id").asText();
                Running child = running.get(taskId);
                boolean late = Instant.parse(task.path("created_at").asText(Instant.now().toString()))
                        .plus(config.splitJobDeadline()).isBefore(Instant.now());
                if (late) {
                    tasks.finishIfOpen(taskId, TaskStatus.FAILED, null, "the split job ran past its deadline of "
                            + config.splitJobDeadline() + " (strata.split-job-deadline) and was stopped");
                    cancel(taskId);
                } else if (child == null && task.has("job_pid") && !alive(task.path("job_pid").asLong(-1))) {
                    tasks.finishIfOpen(taskId, TaskStatus.FAILED, null, "its local job process "
                            + (task.has("job_pid") ? task.get("job_pid").asText() + " " : "") + "is gone (the control plane"
                            + " that started it stopped); its log is " + logFile(taskId));
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("the local job reaper could not check the open tasks: %s", e.getMessage());
        }
    }

    private static boolean alive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** At shutdown (before the store closes): stop the children and let their tasks be marked failed. */
    void stopChildren(@Observes ShutdownEvent shutdown) {
        stopping = true;
        if (reaper != null) {
            reaper.shutdownNow();
        }
        List<Running> children = List.copyOf(running.values());
        children.forEach(child -> child.process().destroy());
        for (Running child : children) {
            try {
                if (!child.process().waitFor(5, TimeUnit.SECONDS)) {
                    child.process().destroyForcibly();
                }
                child.handled().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                child.process().destroyForcibly();
                LOG.warnf("a split job process did not stop cleanly: %s", e.getMessage());
            }
        }
    }

    private record Running(Process process, CompletableFuture<Void> handled) {
    }

    private Path logFile(String taskId) {
        return config.dataDir().resolve("tasks").resolve(taskId + ".log");
    }

    private String classpath() {
        return config.localLauncher().classpath().orElseGet(() -> {
            String own = System.getProperty("java.class.path", "");
            if (!own.contains(File.pathSeparator) && own.endsWith("quarkus-run.jar")) {
                // The packaged control plane: quarkus-run.jar itself holds no classes, lib/main holds them all.
                Path app = Path.of(own).toAbsolutePath().getParent();
                return app.resolve("lib").resolve("main") + File.separator + "*";
            }
            return own;
        });
    }
}
