package io.strata.split;

import java.util.Locale;

/** How the planner divides a model's layers among stages. */
public enum SplitStrategy {
    /** Equal numbers of layers per stage (earlier stages take the remainder). */
    EVEN,
    /** Layers in proportion to each node's memory, counting embedding, classifier and KV cache. */
    MEMORY,
    /** Minimise the slowest stage's time per token from bytes per layer and each node's speed. */
    THROUGHPUT;

    /** Parses "even", "memory" or "throughput" (any case), or says which words are accepted. */
    public static SplitStrategy parse(String word) {
        for (SplitStrategy s : values()) {
            if (s.name().equalsIgnoreCase(word)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown split strategy '" + word + "'; use even, memory or throughput");
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
