package io.strata.engine;

import io.strata.engine.cpu.TestTensors;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.RopeLayout;
import io.strata.model.TensorEncoding;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;
import io.strata.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small Llama-family model with random weights in native memory, in any encoding, with or
 * without Qwen2-style attention biases and a separate classifier: enough to exercise every path
 * of the engine without a file.
 */
final class RandomModel implements LoadedModel {
    private final ModelConfig config;
    private final Map<String, WeightTensor> tensors;

    private RandomModel(ModelConfig config, Map<String, WeightTensor> tensors) {
        this.config = config;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** A 4-layer model: dim 64, FFN 160, 4 query heads over 2 KV heads of 16, vocabulary 96, context 64. */
    static RandomModel llama(TensorEncoding encoding) {
        return create(new ModelConfig("llama", 64, 160, 4, 4, 2, 16, 96, 64, 1e-5f, 10000f,
                RopeLayout.ADJACENT_PAIRS, true), encoding, false, 1);
    }

    /** Sizes that fit no vector width (dim 40, FFN 100, head size 10), rotate-half RoPE, biases, untied classifier. */
    static RandomModel qwenLikeOddSizes() {
        return create(new ModelConfig("qwen2", 40, 100, 3, 4, 1, 10, 97, 32, 1e-6f, 1000000f,
                RopeLayout.ROTATE_HALF, false), TensorEncoding.F32, true, 2);
    }

    static RandomModel create(ModelConfig c, TensorEncoding encoding, boolean biases, long seed) {
        Map<String, WeightTensor> t = new LinkedHashMap<>();
        long s = seed * 1000;
        put(t, matrix(TensorNames.TOKEN_EMBEDDING, encoding, c.vocabSize(), c.dim(), 1.0, s++));
        for (int l = 0; l < c.layers(); l++) {
            put(t, TestTensors.vector(TensorNames.attnNorm(l), c.dim(), 0.5, 1.5, s++));
            put(t, matrix(TensorNames.attnQ(l), encoding, c.qDim(), c.dim(), 0, s++));
            put(t, matrix(TensorNames.attnK(l), encoding, c.kvDim(), c.dim(), 0, s++));
            put(t, matrix(TensorNames.attnV(l), encoding, c.kvDim(), c.dim(), 0, s++));
            if (biases) {
                put(t, TestTensors.vector(TensorNames.attnQBias(l), c.qDim(), -0.5, 0.5, s++));
                put(t, TestTensors.vector(TensorNames.attnKBias(l), c.kvDim(), -0.5, 0.5, s++));
                put(t, TestTensors.vector(TensorNames.attnVBias(l), c.kvDim(), -0.5, 0.5, s++));
            }
            put(t, matrix(TensorNames.attnOutput(l), encoding, c.dim(), c.qDim(), 0, s++));
            put(t, TestTensors.vector(TensorNames.ffnNorm(l), c.dim(), 0.5, 1.5, s++));
            put(t, matrix(TensorNames.ffnGate(l), encoding, c.hiddenDim(), c.dim(), 0, s++));
            put(t, matrix(TensorNames.ffnUp(l), encoding, c.hiddenDim(), c.dim(), 0, s++));
            put(t, matrix(TensorNames.ffnDown(l), encoding, c.dim(), c.hiddenDim(), 0, s++));
        }
        put(t, TestTensors.vector(TensorNames.OUTPUT_NORM, c.dim(), 0.5, 1.5, s++));
        if (!c.tiedClassifier()) {
            put(t, matrix(TensorNames.OUTPUT, encoding, c.vocabSize(), c.dim(), 0, s));
        }
        return new RandomModel(c, t);
    }

    /** Values about ±scale; scale 0 means ±sqrt(3 / cols), which keeps activations near unit size. */
    private static WeightTensor matrix(String name, TensorEncoding e, int rows, int cols, double scale, long seed) {
        return TestTensors.matrix(name, e, rows, cols, scale > 0 ? scale : Math.sqrt(3.0 / cols), seed);
    }

    private static void put(Map<String, WeightTensor> t, WeightTensor tensor) {
        t.put(tensor.name(), tensor);
    }

    /** This model without one tensor, to test the error a missing tensor gives. */
    RandomModel without(String name) {
        Map<String, WeightTensor> t = new LinkedHashMap<>(tensors);
        t.remove(name);
        return new RandomModel(config, t);
    }

    @Override
    public Path source() {
        return Path.of("random-model.gguf");
    }

    @Override
    public String format() {
        return "gguf";
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Tokenizer tokenizer() {
        throw new UnsupportedOperationException("a random model has no tokenizer");
    }

    @Override
    public Map<String, WeightTensor> tensors() {
        return tensors;
    }

    @Override
    public void close() {
    }
}
