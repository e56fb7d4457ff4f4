package io.strata.engine.cpu;

import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;

import java.util.Optional;

/**
 * One transformer block's weights, ready for the kernels: norm weights and biases copied out as
 * floats (they are tiny), matrices read in place from the model's mapped bytes.
 *
 * @param qBias query bias (Qwen2), or null; likewise {@code kBias}, {@code vBias}
 */
record LayerWeights(
        float[] attnNorm,
        WeightMatrix wq,
        WeightMatrix wk,
        WeightMatrix wv,
        float[] qBias,
        float[] kBias,
        float[] vBias,
        WeightMatrix wo,
        float[] ffnNorm,
        WeightMatrix gate,
        WeightMatrix up,
        WeightMatrix down) {

    /** The query, key and value projections, which share their input. */
    WeightMatrix[] qkv() {
        return new WeightMatrix[]{wq, wk, wv};
    }

    static LayerWeights load(LoadedModel model, int layer) {
        ModelConfig c = model.config();
        int dim = c.dim();
        return new LayerWeights(
                vector(model, model.tensor(TensorNames.attnNorm(layer)), dim),
                matrix(model, TensorNames.attnQ(layer), c.qDim(), dim),
                matrix(model, TensorNames.attnK(layer), c.kvDim(), dim),
                matrix(model, TensorNames.attnV(layer), c.kvDim(), dim),
                optionalVector(model, TensorNames.attnQBias(layer), c.qDim()),
                optionalVector(model, TensorNames.attnKBias(layer), c.kvDim()),
                optionalVector(model, TensorNames.attnVBias(layer), c.kvDim()),
                matrix(model, TensorNames.attnOutput(layer), dim, c.qDim()),
                vector(model, model.tensor(TensorNames.ffnNorm(layer)), dim),
                matrix(model, TensorNames.ffnGate(layer), c.hiddenDim(), dim),
                matrix(model, TensorNames.ffnUp(layer), c.hiddenDim(), dim),
                matrix(model, TensorNames.ffnDown(layer), dim, c.hiddenDim()));
    }

    /** The tensor as a {@code rows × cols} matrix, or a clear error naming the file when its shape is not that. */
    static WeightMatrix matrix(LoadedModel model, String name, int rows, int cols) {
        WeightTensor t = model.tensor(name);
        if (t.cols() != cols || t.rows() != rows) {
            throw new ModelFormatException(model.source(), "tensor " + t + " should be " + rows + " rows of "
                    + cols + " values for this model's configuration");
        }
        return WeightMatrix.of(t);
    }

    /** A one-row tensor of {@code n} values as floats. */
    static float[] vector(LoadedModel model, WeightTensor t, int n) {
        if (t.elements() != n) {
            throw new ModelFormatException(model.source(), "tensor " + t + " should hold " + n + " values");
        }
        float[] v = new float[n];
        WeightMatrix.of(t).readRow(0, v, 0);
        return v;
    }

    private static float[] optionalVector(LoadedModel model, String name, int n) {
        Optional<WeightTensor> t = model.optionalTensor(name);
        return t.map(tensor -> vector(model, tensor, n)).orElse(null);
    }
}
