package io.strata.sdk;

import java.util.Map;

/** A splitter whose main phase reports failure; finish must then never run. */
public class MainFailsSplitter implements ModelSplitter {
    public MainFailsSplitter(SplitterContext ctx) {
    }

    @Override
    public PhaseResult begin() {
        return PhaseResult.success(Map.of("layers", 0));
    }

    @Override
    public PhaseResult main(Map<String, Object> extra) {
        return PhaseResult.failure("model has " + extra.get("layers") + " layers, nothing to split");
    }

    @Override
    public PhaseResult finish(Map<String, Object> extra) {
        throw new AssertionError("finish ran after main failed");
    }
}
