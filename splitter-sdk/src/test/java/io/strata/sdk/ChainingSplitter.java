package io.strata.sdk;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A splitter that works: each phase adds to what the previous one handed on, so the result shows the chain. */
public class ChainingSplitter implements ModelSplitter {
    private final SplitterContext ctx;

    public ChainingSplitter(SplitterContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public PhaseResult begin() {
        return PhaseResult.success(Map.of("download_path", "/tmp/" + ctx.modelName() + ".gguf"));
    }

    @Override
    public PhaseResult main(Map<String, Object> extra) {
        Map<String, Object> data = new LinkedHashMap<>(extra);
        data.put("splits", List.of("split-0", "split-1"));
        data.put("world_size", ctx.worldSize());
        return PhaseResult.success(data);
    }

    @Override
    public PhaseResult finish(Map<String, Object> extra) {
        return PhaseResult.success(Map.of("model_name", ctx.modelName(), "task", ctx.taskId(), "after_main", extra));
    }
}
