package io.strata.synthetic;

/**
 * One synthetic model: its shape, the seed every weight is drawn from, and the name it is
 * written under. The same spec always gives the same weights, in every output format.
 */
public record SyntheticSpec(SyntheticShape shape, long seed, String modelName) {
    public SyntheticSpec {
        if (shape == null) {
            throw new IllegalArgumentException("a synthetic spec needs a shape");
        }
        if (modelName == null || modelName.isBlank()) {
            throw new IllegalArgumentException("a synthetic spec needs a model name");
        }
    }

    /** The spec named after its shape and seed ("synthetic-tiny-seed42"). */
    public static SyntheticSpec of(SyntheticShape shape, long seed) {
        return new SyntheticSpec(shape, seed, "synthetic-" + shape.name() + "-seed" + seed);
    }
}
