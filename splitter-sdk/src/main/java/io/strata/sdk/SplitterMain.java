package io.strata.sdk;

/**
 * The split-job container's entry point: {@code java io.strata.sdk.SplitterMain [SPLITTER_CLASS]}.
 * The splitter class is the first argument, else env {@code SPLITTER_CLASS}, else
 * {@value #DEFAULT_SPLITTER}. Exits with {@link SplitterExecutor}'s code, or
 * {@link SplitterExecutor#EXIT_BAD_ENVIRONMENT} when the environment cannot even name a task.
 */
public final class SplitterMain {
    public static final String DEFAULT_SPLITTER = "io.strata.split.TransformerSplitter";
    public static final String SPLITTER_CLASS = "SPLITTER_CLASS";

    private SplitterMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    static int run(String[] args, java.util.Map<String, String> env) {
        String className = args.length > 0 && !args[0].isBlank() ? args[0].strip()
                : env.getOrDefault(SPLITTER_CLASS, "").isBlank() ? DEFAULT_SPLITTER : env.get(SPLITTER_CLASS).strip();
        SplitterContext ctx;
        try {
            ctx = SplitterContext.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            System.err.println("strata split job: " + e.getMessage());
            return SplitterExecutor.EXIT_BAD_ENVIRONMENT;
        }
        return SplitterExecutor.execute(className, ctx);
    }
}
