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
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(TensorNames.TOKEN_EMBEDDING, new long[] {c.dim(), c.vocabSize()});
        if (c.traits().learnedPositions()) {
            m.put(TensorNames.POSITION_EMBEDDING, new long[] {c.dim(), c.contextLength()});
        }
        return m;
    }

    private static Map<String, long[]> layer(ModelConfig c, int l) {
        return layer(c, l, false);
    }

    /** One block's tensors; {@code stackedExperts} expects the experts as 3-D tensors rather than one matrix each. */
    private static Map<String, long[]> layer(ModelConfig c, int l, boolean stackedExperts) {
        ArchitectureTraits a = c.traits();
        long dim = c.dim();
        long hidden = c.hiddenDim();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(TensorNames.attnNorm(l), new long[] {dim});
        if (a.layerNorm()) {
            m.put(TensorNames.attnNormBias(l), new long[] {dim});
        }
        if (a.fusedProjections()) {
            m.put(TensorNames.attnQkv(l), new long[] {dim, c.qDim() + 2L * c.kvDim()});
        } else {
            m.put(TensorNames.attnQ(l), new long[] {dim, c.qDim()});
            m.put(TensorNames.attnK(l), new long[] {dim, c.kvDim()});
            m.put(TensorNames.attnV(l), new long[] {dim, c.kvDim()});
        }
        if (a.qkNorm()) {
            m.put(TensorNames.attnQNorm(l), new long[] {c.headSize()});
            m.put(TensorNames.attnKNorm(l), new long[] {c.headSize()});
        }
        m.put(TensorNames.attnOutput(l), new long[] {c.qDim(), dim});
        if (a.postNorms()) {
            m.put(TensorNames.postAttentionNorm(l), new long[] {dim});
        }
        m.put(TensorNames.ffnNorm(l), new long[] {dim});
        if (a.layerNorm()) {
            m.put(TensorNames.ffnNormBias(l), new long[] {dim});
        }
        if (a.ungatedFeedForward()) {
            m.put(TensorNames.ffnUp(l), new long[] {dim, hidden});
            m.put(TensorNames.ffnUpBias(l), new long[] {hidden});
            m.put(TensorNames.ffnDown(l), new long[] {hidden, dim});
            m.put(TensorNames.ffnDownBias(l), new long[] {dim});
        } else if (a.moe()) {
            long eh = a.expertHiddenDim();
            m.put(TensorNames.ffnGateInp(l), new long[] {dim, a.experts()});
            if (stackedExperts) {
                m.put(TensorNames.ffnGateExperts(l), new long[] {dim, eh, a.experts()});
                m.put(TensorNames.ffnUpExperts(l), new long[] {dim, eh, a.experts()});
                m.put(TensorNames.ffnDownExperts(l), new long[] {eh, dim, a.experts()});
            } else {
                for (int e = 0; e < a.experts(); e++) {
                    m.put(TensorNames.ffnGateExpert(l, e), new long[] {dim, eh});
                    m.put(TensorNames.ffnUpExpert(l, e), new long[] {dim, eh});
                    m.put(TensorNames.ffnDownExpert(l, e), new long[] {eh, dim});
                }
            }
        } else if (a.fusedProjections()) {
            m.put(TensorNames.ffnUp(l), new long[] {dim, 2 * hidden});
            m.put(TensorNames.ffnDown(l), new long[] {hidden, dim});
        } else {
            m.put(TensorNames.ffnGate(l), new long[] {dim, hidden});
            m.put(TensorNames.ffnUp(l), new long[] {dim, hidden});
            m.put(TensorNames.ffnDown(l), new long[] {hidden, dim});
        }
        if (a.postNorms()) {
            m.put(TensorNames.postFfwNorm(l), new long[] {dim});
        }
        return m;
    }

    private static Map<String, long[]> head(ModelConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(TensorNames.OUTPUT_NORM, new long[] {c.dim()});
        if (c.traits().layerNorm()) {
            m.put(TensorNames.OUTPUT_NORM_BIAS, new long[] {c.dim()});
        }
        if (!c.tiedClassifier()) {
            m.put(TensorNames.OUTPUT, new long[] {c.dim(), c.vocabSize()});
        }
        return m;
    }

    private static Map<String, long[]> layerBiases(ModelConfig c, int l) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(TensorNames.attnQBias(l), new long[] {c.qDim()});
        m.put(TensorNames.attnKBias(l), new long[] {c.kvDim()});
        m.put(TensorNames.attnVBias(l), new long[] {c.kvDim()});
        m.put(TensorNames.attnOutputBias(l), new long[] {c.dim()});
        if (c.traits().fusedProjections()) {
            m.put(TensorNames.attnQkvBias(l), new long[] {c.qDim() + 2L * c.kvDim()});
        }
        return m;
    }

    /** Tensors every stage reads whatever its layers: Llama 3.1's RoPE frequency divisors. */
    private static Map<String, long[]> shared(ModelConfig c) {
        return Map.of(TensorNames.ROPE_FREQS, new long[] {c.headSize() / 2});
    }

    private static void checkRange(ModelConfig c, int firstLayer, int endLayer) {
        if (firstLayer < 0 || endLayer > c.layers() || firstLayer > endLayer) {
            throw new IllegalArgumentException("layer range [" + firstLayer + ", " + endLayer + ") is outside the model's "
                    + c.layers() + " layers");
        }
    }

    /**
     * Shapes of the optional tensors when a file has them: attention biases, RoPE frequency
     * divisors, and the experts in their stacked form.
     */
    public static Map<String, long[]> optional(ModelConfig c, int firstLayer, int endLayer) {
        checkRange(c, firstLayer, endLayer);
        Map<String, long[]> m = new LinkedHashMap<>(shared(c));
        for (int l = firstLayer; l < endLayer; l++) {
            m.putAll(layerBiases(c, l));
            if (c.traits().moe()) {
                layer(c, l, true).forEach(m::putIfAbsent);
            }
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
        checkPresent(source, c, tensors, shared(c));
        for (int l = firstLayer; l < endLayer; l++) {
            checkAll(source, c, tensors, layer(c, l, tensors.containsKey(TensorNames.ffnGateExperts(l))));
            checkPresent(source, c, tensors, layerBiases(c, l));
        }
        if (head) {
            checkAll(source, c, tensors, head(c));
        }
    }

    /** Checks the shape of those of {@code optional} that are there. */
    private static void checkPresent(Path source, ModelConfig c, Map<String, WeightTensor> tensors,
                                     Map<String, long[]> optional) {
        for (Map.Entry<String, long[]> e : optional.entrySet()) {
            WeightTensor t = tensors.get(e.getKey());
            if (t != null) {
                checkShape(source, c, t, e.getValue());
            }
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
