package io.strata.sdk;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a {@link ModelSplitter} as a task (the seed's execute_model_splitter): marks the task
 * running, calls begin, main(begin's data), finish(main's data), then marks it complete with
 * finish's data, or failed with the first failing phase's error ("main failed: ...").
 *
 * <p>Exit codes: {@link #EXIT_COMPLETE}, {@link #EXIT_FAILED} (the failure was recorded),
 * {@link #EXIT_UNRECORDED} (the task DB could not be told, so the record is stale).
 */
public final class SplitterExecutor {
    public static final int EXIT_COMPLETE = 0;
    public static final int EXIT_FAILED = 1;
    /** Used by {@link SplitterMain} when the environment is unusable and nothing can be reported. */
    public static final int EXIT_BAD_ENVIRONMENT = 2;
    public static final int EXIT_UNRECORDED = 3;

    private static final System.Logger LOG = System.getLogger(SplitterExecutor.class.getName());

    private SplitterExecutor() {
    }

    public static int execute(Class<? extends ModelSplitter> type, SplitterContext ctx) {
        return execute(type, ctx, TaskStatusClient.of(ctx));
    }

    /** Loads the splitter by class name, so a missing or wrong class is recorded as the task's failure. */
    public static int execute(String className, SplitterContext ctx) {
        TaskStatusClient status = TaskStatusClient.of(ctx);
        Class<? extends ModelSplitter> type;
        try {
            type = load(className);
        } catch (IllegalArgumentException e) {
            if (!record(ctx, TaskStatusClient.RUNNING, () -> status.markRunning(ctx.taskId()))) {
                return EXIT_UNRECORDED;
            }
            return fail(status, ctx, e.getMessage());
        }
        return execute(type, ctx, status);
    }

    public static int execute(Class<? extends ModelSplitter> type, SplitterContext ctx, TaskStatusClient status) {
        if (!record(ctx, TaskStatusClient.RUNNING, () -> status.markRunning(ctx.taskId()))) {
            return EXIT_UNRECORDED;
        }
        String phase = "constructor";
        try {
            ModelSplitter splitter = construct(type, ctx);
            phase = "begin";
            progress(status, ctx, "download", 0);
            PhaseResult result = splitter.begin();
            if (result instanceof PhaseResult.Success(Map<String, Object> afterBegin)) {
                phase = "main";
                progress(status, ctx, "split", 1);
                result = splitter.main(afterBegin);
                if (result instanceof PhaseResult.Success(Map<String, Object> afterMain)) {
                    phase = "finish";
                    progress(status, ctx, "register", 2);
                    result = splitter.finish(afterMain);
                    if (result instanceof PhaseResult.Success(Map<String, Object> finished)) {
                        phase = "registering the model plan";
                        result = registerPlan(ctx, finished);
                    }
                }
            }
            return switch (result) {
                case PhaseResult.Success(Map<String, Object> finished) when !isJson(finished) ->
                        fail(status, ctx, "finish failed: its result cannot be written as JSON: " + finished);
                case PhaseResult.Success(Map<String, Object> finished) ->
                        record(ctx, TaskStatusClient.COMPLETE, () -> status.markComplete(ctx.taskId(), finished))
                                ? EXIT_COMPLETE : EXIT_UNRECORDED;
                case PhaseResult.Failure(String error) -> fail(status, ctx, phase + " failed: " + error);
                case null -> fail(status, ctx, phase + " failed: it returned no result (null)");
            };
        } catch (Throwable e) {
            // Errors too: an OutOfMemoryError in main is exactly what the task record should say.
            LOG.log(System.Logger.Level.ERROR, "task " + ctx.taskId() + ": " + phase + " threw", e);
            return fail(status, ctx, phase + " failed: " + RegistryHttp.describe(e));
        }
    }

    /** The phases a job goes through, reported as progress while it runs (download, split, register: i of 3). */
    private static void progress(TaskStatusClient status, SplitterContext ctx, String phase, int done) {
        try {
            status.reportProgress(ctx.taskId(), phase, done, 3);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "task " + ctx.taskId() + ": could not report progress " + phase + ": "
                    + RegistryHttp.describe(e));
        }
    }

    /**
     * A result holding a model plan ({@code model_plan_data}) has its blocks and vDAG registered in the block DB
     * (BLOCK_DB_URL) before the task completes, so a complete task's plan is always findable; the registration's
     * answer is added to the result as {@code registered}.
     */
    private static PhaseResult registerPlan(SplitterContext ctx, Map<String, Object> finished) throws IOException {
        Object plan = finished.get("model_plan_data");
        if (plan == null || ctx.blockDbUrl().isEmpty()) {
            return PhaseResult.success(finished);
        }
        JsonNode registered = Blocks.fromContext(ctx).registerPlan(RegistryHttp.JSON.valueToTree(plan));
        Map<String, Object> result = new LinkedHashMap<>(finished);
        result.put("registered", RegistryHttp.JSON.convertValue(registered, Map.class));
        return PhaseResult.success(result);
    }

    private static boolean isJson(Map<String, Object> data) {
        try {
            RegistryHttp.JSON.valueToTree(data);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int fail(TaskStatusClient status, SplitterContext ctx, String error) {
        LOG.log(System.Logger.Level.ERROR, "task " + ctx.taskId() + ": " + error);
        return record(ctx, TaskStatusClient.FAILED, () -> status.markFailed(ctx.taskId(), error))
                ? EXIT_FAILED : EXIT_UNRECORDED;
    }

    private interface StatusUpdate {
        void send() throws IOException;
    }

    /** Sends one status update; false (and a logged reason) when the task DB could not be told. */
    private static boolean record(SplitterContext ctx, String state, StatusUpdate update) {
        try {
            update.send();
            LOG.log(System.Logger.Level.INFO, "task " + ctx.taskId() + ": " + state);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "task " + ctx.taskId() + ": could not record status " + state
                    + " at " + ctx.taskStatusUpdateUrl() + ": " + RegistryHttp.describe(e));
            return false;
        }
    }

    static Class<? extends ModelSplitter> load(String className) {
        Class<?> raw;
        try {
            raw = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new IllegalArgumentException("splitter class " + className
                    + " not found — is it on the classpath, and is the name (SPLITTER_CLASS or the first argument) spelled right?");
        }
        if (!ModelSplitter.class.isAssignableFrom(raw)) {
            throw new IllegalArgumentException("splitter class " + className + " does not implement "
                    + ModelSplitter.class.getName());
        }
        return raw.asSubclass(ModelSplitter.class);
    }

    private static ModelSplitter construct(Class<? extends ModelSplitter> type, SplitterContext ctx) throws Exception {
        Constructor<? extends ModelSplitter> constructor;
        try {
            constructor = type.getConstructor(SplitterContext.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(type.getName() + " needs a public constructor "
                    + type.getSimpleName() + "(SplitterContext)");
        }
        try {
            return constructor.newInstance(ctx);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
