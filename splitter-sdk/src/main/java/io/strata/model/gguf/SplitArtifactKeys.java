package io.strata.model.gguf;

import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.RopeLayout;
import io.strata.model.SplitPlace;

import java.util.Locale;
import java.util.Optional;

/**
 * The metadata keys Strata adds to a GGUF file: where a split sits in its model, and facts a
 * partial file cannot show by its tensors (vocabulary size without the embedding, a tied
 * classifier, the RoPE layout of weights converted from another format).
 */
public final class SplitArtifactKeys {
    public static final String MODEL_ID = "strata.split.model_id";
    public static final String INDEX = "strata.split.index";
    public static final String WORLD_SIZE = "strata.split.world_size";
    public static final String FIRST_LAYER = "strata.split.first_layer";
    public static final String END_LAYER = "strata.split.end_layer";
    public static final String VOCAB_SIZE = "strata.split.vocab_size";
    public static final String TIED_CLASSIFIER = "strata.split.tied_classifier";
    public static final String ROPE_LAYOUT = "strata.rope.layout";

    private SplitArtifactKeys() {
    }

    /** Adds the split's place and the facts a reader of the partial file needs. */
    public static void write(GgufWriter writer, SplitPlace place, ModelConfig config) {
        writer.put(MODEL_ID, GgufValue.ofString(place.modelId()));
        writer.put(INDEX, GgufValue.ofUint32(place.index()));
        writer.put(WORLD_SIZE, GgufValue.ofUint32(place.worldSize()));
        writer.put(FIRST_LAYER, GgufValue.ofUint32(place.firstLayer()));
        writer.put(END_LAYER, GgufValue.ofUint32(place.endLayer()));
        writer.put(VOCAB_SIZE, GgufValue.ofUint32(config.vocabSize()));
        writer.put(TIED_CLASSIFIER, GgufValue.ofBool(config.tiedClassifier()));
        writer.put(ROPE_LAYOUT, GgufValue.ofString(config.ropeLayout().name().toLowerCase(Locale.ROOT)));
    }

    /** The split place stated in {@code md}, or empty for a whole model. */
    public static Optional<SplitPlace> place(GgufMetadata md) {
        if (!md.has(INDEX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SplitPlace(md.string(MODEL_ID), md.intValue(INDEX), md.intValue(WORLD_SIZE),
                    md.intValue(FIRST_LAYER), md.intValue(END_LAYER)));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(md.source(), e.getMessage(), e);
        }
    }

    /** The RoPE layout the file states, if it states one. */
    public static Optional<RopeLayout> ropeLayout(GgufMetadata md) {
        if (!md.has(ROPE_LAYOUT)) {
            return Optional.empty();
        }
        String word = md.string(ROPE_LAYOUT);
        for (RopeLayout l : RopeLayout.values()) {
            if (l.name().equalsIgnoreCase(word)) {
                return Optional.of(l);
            }
        }
        throw new ModelFormatException(md.source(), "metadata " + ROPE_LAYOUT + " = " + word
                + " is not adjacent_pairs or rotate_half");
    }
}
