package io.strata.sdk;

import java.util.Map;

/**
 * A split job's own code, run by {@link SplitterExecutor} in the order begin, main, finish.
 *
 * <p>An implementation has a public constructor taking a {@link SplitterContext}. Each phase
 * returns {@link PhaseResult.Success} with the data the next phase receives (finish's data is
 * the task's result) or {@link PhaseResult.Failure}; a phase may also throw, which fails the
 * task with the exception's message, so phases need not catch I/O errors themselves.
 */
public interface ModelSplitter {

    /** Set-up, typically the model download. */
    PhaseResult begin() throws Exception;

    /** The work: plan, write, hash, upload and register the splits. {@code extra} is begin's data. */
    PhaseResult main(Map<String, Object> extra) throws Exception;

    /** Wrap-up: {@code extra} is main's data; the returned data becomes the task's result. */
    PhaseResult finish(Map<String, Object> extra) throws Exception;
}
