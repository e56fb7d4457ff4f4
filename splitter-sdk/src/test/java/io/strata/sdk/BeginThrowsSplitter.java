package io.strata.sdk;

import java.io.IOException;
import java.util.Map;

/** A splitter whose begin phase throws, as a download that runs out of disk would. */
public class BeginThrowsSplitter implements ModelSplitter {
    public BeginThrowsSplitter(SplitterContext ctx) {
    }

    @Override
    public PhaseResult begin() throws IOException {
        throw new IOException("No space left on device while writing model.gguf");
    }

    @Override
    public PhaseResult main(Map<String, Object> extra) {
        throw new AssertionError("main ran after begin failed");
    }

    @Override
    public PhaseResult finish(Map<String, Object> extra) {
        throw new AssertionError("finish ran after begin failed");
    }
}
