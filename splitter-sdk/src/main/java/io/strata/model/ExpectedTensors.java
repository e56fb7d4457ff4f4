package io.strata.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors a {@link ModelConfig} implies, under canonical names with their GGML-order
 * shapes, and the check that a reader's tensors match them. Every reader runs the check, so a
 * file whose tensors disagree with its own hyperparameters is refused at load time with the
 * tensor named, not later inside a matrix multiply.
 */
public final class ExpectedTensors {
    private ExpectedTensors() {
    }

    /**
     * Shapes of the tensors for layers [{@code firstLayer}, {@code endLayer}), plus the token
     * embedding when {@code embedding} and the final norm and (untied) classifier when {@code head}.
     */
    public static Map<String, long[]> of(ModelConfig c, int firstLayer, int endLayer, boolean embedding, boolean head) {
        checkRange(c, firstLayer, endLayer);
        Map<String, long[]> m = new LinkedHashMap<>();
        if (embedding) {
            m.putAll(embedding(c));
        }
        for (int l = firstLayer; l < endLayer; l++) {
            m.putAll(layer(c, l));
        }
        if (head) {
            m.putAll(head(c));
        }
        return m;
    }

    private static Map<String, long[]> embedding(ModelConfig c) {
        return Map.of(TensorNames.TOKEN_EMBEDDING, new long[] {c.dim(), c.vocabSize()});
    }

    private static Map<String, long[]> layer(ModelConfig c, int l) {
        long dim = c.dim();
        long hidden = c.hiddenDim();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(TensorNames.attnNorm(l), new long[] {dim});
        m.put(TensorNames.attnQ(l), new long[] {dim, c.qDim()});
        m.put(TensorNames.attnK(l), new long[] {dim, c.kvDim()});
        m.put(TensorNames.attnV(l), new long[] {dim, c.kvDim()});
        m.put(TensorNames.attnOutput(l), new long[] {c.qDim(), dim});
        m.put(TensorNames.ffnNorm(l), new long[] {dim});
        m.put(TensorNames.ffnGate(l), new long[] {dim, hidden});
        m.put(TensorNames.ffnUp(l), new long[] {dim, hidden});
        m.put(TensorNames.ffnDown(l), new long[] {hidden, dim});
        return m;
    }

    private static Map<String, long[]> head(ModelConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(TensorNames.OUTPUT_NORM, new long[] {c.dim()});
        if (!c.tiedClassifier()) {
            m.put(TensorNames.OUTPUT, new long[] {c.dim(), c.vocabSize()});
        }
        return m;
    }

    private static Map<String, long[]> layerBiases(ModelConfig c, int l) {
        return Map.of(TensorNames.attnQBias(l), new long[] {c.qDim()},
                TensorNames.attnKBias(l), new long[] {c.kvDim()},
                TensorNames.attnVBias(l), new long[] {c.kvDim()});
    }

    private static void checkRange(ModelConfig c, int firstLayer, int endLayer) {
        if (firstLayer < 0 || endLayer > c.layers() || firstLayer > endLayer) {
            throw new IllegalArgumentException("layer range [" + firstLayer + ", " + endLayer + ") is outside the model's "
                    + c.layers() + " layers");
        }
    }

    /** Shapes of the optional tensors (attention biases) when a file has them. */
    public static Map<String, long[]> optional(ModelConfig c, int firstLayer, int endLayer) {
        checkRange(c, firstLayer, endLayer);
        Map<String, long[]> m = new LinkedHashMap<>();
        for (int l = firstLayer; l < endLayer; l++) {
            m.putAll(layerBiases(c, l));
        }
        return m;
    }

    /** Checks a whole model: every layer, the embedding and the head. */
    public static void check(Path source, ModelConfig c, Map<String, WeightTensor> tensors) {
        check(source, c, tensors, 0, c.layers(), true, true);
    }

    /**
     * @throws ModelFormatException naming the first tensor that is missing or has the wrong shape
     */
    public static void check(Path source, ModelConfig c, Map<String, WeightTensor> tensors,
                             int firstLayer, int endLayer, boolean embedding, boolean head) {
        checkRange(c, firstLayer, endLayer);
        // Layer by layer, so a corrupt layer count fails at the first missing layer instead of
        // building a map of billions of names first.
        if (embedding) {
            checkAll(source, c, tensors, embedding(c));
        }
        for (int l = firstLayer; l < endLayer; l++) {
            checkAll(source, c, tensors, layer(c, l));
            for (Map.Entry<String, long[]> e : layerBiases(c, l).entrySet()) {
                WeightTensor t = tensors.get(e.getKey());
                if (t != null) {
                    checkShape(source, c, t, e.getValue());
                }
            }
        }
        if (head) {
            checkAll(source, c, tensors, head(c));
        }
    }

    private static void checkAll(Path source, ModelConfig c, Map<String, WeightTensor> tensors,
                                 Map<String, long[]> expected) {
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            WeightTensor t = tensors.get(e.getKey());
            if (t == null) {
                throw new ModelFormatException(source, "model has no tensor " + e.getKey() + " (expected shape "
                        + Arrays.toString(e.getValue()) + " for " + describe(c) + ") — is it a complete Llama-family model?");
            }
            checkShape(source, c, t, e.getValue());
        }
    }

    private static void checkShape(Path source, ModelConfig c, WeightTensor t, long[] expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw new ModelFormatException(source, "tensor " + t.name() + " has shape " + Arrays.toString(t.shape())
                    + " but " + describe(c) + " needs " + Arrays.toString(expected));
        }
    }

    private static String describe(ModelConfig c) {
        return "dim " + c.dim() + ", hidden " + c.hiddenDim() + ", " + c.heads() + " heads, " + c.kvHeads()
                + " kv heads of " + c.headSize() + ", vocabulary " + c.vocabSize();
    }
}
