package io.strata.synthetic;

/** Told as a synthetic model's tensor bytes are written, so a command line can show a bar. */
@FunctionalInterface
public interface SyntheticProgress {
    SyntheticProgress NONE = (tensor, done, total) -> {
    };

    /**
     * @param tensor the tensor being written (canonical name)
     * @param done   tensor bytes written so far over all output files
     * @param total  tensor bytes the whole output will have
     */
    void progress(String tensor, long done, long total);
}
