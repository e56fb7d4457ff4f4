package io.strata.functions.launch;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Starts split jobs somewhere. */
public interface SplitJobLauncher {

    /**
     * Refuses (with a 4xx {@code ApiException}) a job this launcher must not run, before anything is written: what a
     * launcher on this machine may read and write is narrower than what a pod may.
     */
    default void check(SplitJob job) {
    }

    /** What the task record should say about where its job runs (written before the launch), e.g. a Job's name. */
    ObjectNode describe(String taskId);

    /** Stops the task's job if it still runs (its task is already marked failed); a job already gone is no error. */
    void cancel(String taskId);

    /** Starts the job and returns once it is started (not finished); a job that cannot start is a {@link LaunchException}. */
    void launch(SplitJob job);
}
