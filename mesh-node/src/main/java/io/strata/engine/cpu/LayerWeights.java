package io.strata.engine.cpu;

import io.strata.model.ArchitectureTraits;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;

import java.util.Optional;

/**
 * One transformer block's weights, ready for the kernels: norm weights and biases copied out as
 * floats (they are tiny), matrices read in place from the model's mapped bytes. What the block's
 * architecture does not have is null; what differs per layer (window, RoPE) is decided here, once.
 *
 * @param qBias       query bias (Qwen2), or null; likewise {@code kBias}, {@code vBias}, {@code oBias}
 * @param qNorm       RMSNorm weight of each query head (Qwen3, Gemma 3), or null; likewise {@code kNorm}
 * @param postAttnNorm RMSNorm of the attention output before its residual add (Gemma), or null;
 *                    likewise {@code postFfwNorm} for the feed-forward
 * @param gate        the dense feed-forward (null with experts); likewise {@code up}, {@code down}
 * @param router      the experts' router (one row per expert), or null for a dense feed-forward
 * @param experts     each expert's gate, up and down
 * @param window      positions this layer's attention sees, itself included; 0 for all
 * @param rope        this layer's rotary embedding, or null when positions are learned (GPT-2)
 * @param attnNormBias LayerNorm bias of the attention's input (GPT-2, GPT-NeoX), or null for an RMSNorm;
 *                    likewise {@code ffnNormBias}
 * @param upBias      bias of an ungated feed-forward's input matrix (then {@code gate} is null), or null;
 *                    likewise {@code downBias}
 * @param parallelResidual attention and feed-forward both read the block's input (GPT-NeoX)
 */
record LayerWeights(
        float[] attnNorm,
        WeightMatrix wq,
        WeightMatrix wk,
        WeightMatrix wv,
        float[] qBias,
        float[] kBias,
        float[] vBias,
        float[] qNorm,
        float[] kNorm,
        WeightMatrix wo,
        float[] oBias,
        float[] postAttnNorm,
        float[] ffnNorm,
        WeightMatrix gate,
        WeightMatrix up,
        WeightMatrix down,
        WeightMatrix router,
        Expert[] experts,
        float[] postFfwNorm,
        int window,
        RotaryEmbedding rope,
        float[] attnNormBias,
        float[] ffnNormBias,
        float[] upBias,
        float[] downBias,
        boolean parallelResidual) {

    /** One expert's feed-forward. */
    record Expert(WeightMatrix gate, WeightMatrix up, WeightMatrix down) {
    }

    /** The query, key and value projections, which share their input. */
    WeightMatrix[] qkv() {
        return new WeightMatrix[]{wq, wk, wv};
    }

    static LayerWeights load(LoadedModel model, int layer, RotaryEmbedding rope) {
        ModelConfig c = model.config();
        ArchitectureTraits a = c.traits();
        int dim = c.dim();
        int hidden = c.hiddenDim();
        WeightMatrix wq;
        WeightMatrix wk;
        WeightMatrix wv;
        if (a.fusedProjections()) {
            WeightTensor qkv = checked(model, TensorNames.attnQkv(layer), c.qDim() + 2 * c.kvDim(), dim);
            wq = WeightMatrix.of(qkv.rows(TensorNames.attnQ(layer), 0, c.qDim()));
            wk = WeightMatrix.of(qkv.rows(TensorNames.attnK(layer), c.qDim(), c.kvDim()));
            wv = WeightMatrix.of(qkv.rows(TensorNames.attnV(layer), c.qDim() + c.kvDim(), c.kvDim()));
        } else {
            wq = matrix(model, TensorNames.attnQ(layer), c.qDim(), dim);
            wk = matrix(model, TensorNames.attnK(layer), c.kvDim(), dim);
            wv = matrix(model, TensorNames.attnV(layer), c.kvDim(), dim);
        }
        WeightMatrix gate = null;
        WeightMatrix up = null;
        WeightMatrix down = null;
        WeightMatrix router = null;
        Expert[] experts = null;
        float[] upBias = null;
        float[] downBias = null;
        if (a.ungatedFeedForward()) {
            up = matrix(model, TensorNames.ffnUp(layer), hidden, dim);
            down = matrix(model, TensorNames.ffnDown(layer), dim, hidden);
            upBias = vector(model, model.tensor(TensorNames.ffnUpBias(layer)), hidden);
            downBias = vector(model, model.tensor(TensorNames.ffnDownBias(layer)), dim);
        } else if (a.moe()) {
            router = matrix(model, TensorNames.ffnGateInp(layer), a.experts(), dim);
            experts = experts(model, layer, a, dim);
        } else if (a.fusedProjections()) {
            WeightTensor gateUp = checked(model, TensorNames.ffnUp(layer), 2 * hidden, dim);
            gate = WeightMatrix.of(gateUp.rows(TensorNames.ffnGate(layer), 0, hidden));
            up = WeightMatrix.of(gateUp.rows(TensorNames.ffnUp(layer), hidden, hidden));
            down = matrix(model, TensorNames.ffnDown(layer), dim, hidden);
        } else {
            gate = matrix(model, TensorNames.ffnGate(layer), hidden, dim);
            up = matrix(model, TensorNames.ffnUp(layer), hidden, dim);
            down = matrix(model, TensorNames.ffnDown(layer), dim, hidden);
        }
        float offset = a.normWeightOffset();
        float[] qBias = optionalVector(model, TensorNames.attnQBias(layer), c.qDim());
        float[] kBias = optionalVector(model, TensorNames.attnKBias(layer), c.kvDim());
        float[] vBias = optionalVector(model, TensorNames.attnVBias(layer), c.kvDim());
        float[] qkvBias = optionalVector(model, TensorNames.attnQkvBias(layer), c.qDim() + 2 * c.kvDim());
        if (qkvBias != null) {
            qBias = java.util.Arrays.copyOfRange(qkvBias, 0, c.qDim());
            kBias = java.util.Arrays.copyOfRange(qkvBias, c.qDim(), c.qDim() + c.kvDim());
            vBias = java.util.Arrays.copyOfRange(qkvBias, c.qDim() + c.kvDim(), qkvBias.length);
        }
        return new LayerWeights(
                norm(model, TensorNames.attnNorm(layer), dim, offset),
                wq, wk, wv,
                qBias, kBias, vBias,
                a.qkNorm() ? norm(model, TensorNames.attnQNorm(layer), c.headSize(), offset) : null,
                a.qkNorm() ? norm(model, TensorNames.attnKNorm(layer), c.headSize(), offset) : null,
                matrix(model, TensorNames.attnOutput(layer), dim, c.qDim()),
                optionalVector(model, TensorNames.attnOutputBias(layer), dim),
                a.postNorms() ? norm(model, TensorNames.postAttentionNorm(layer), dim, offset) : null,
                norm(model, TensorNames.ffnNorm(layer), dim, offset),
                gate, up, down, router, experts,
                a.postNorms() ? norm(model, TensorNames.postFfwNorm(layer), dim, offset) : null,
                a.slides(layer) ? a.slidingWindow() : 0,
                a.rotary() ? rope : null,
                a.layerNorm() ? vector(model, model.tensor(TensorNames.attnNormBias(layer)), dim) : null,
                a.layerNorm() ? vector(model, model.tensor(TensorNames.ffnNormBias(layer)), dim) : null,
                upBias,
                downBias,
                a.parallelResidual());
    }

    /** The experts, each as its own matrices or sliced out of the stacked 3-D tensors. */
    private static Expert[] experts(LoadedModel model, int layer, ArchitectureTraits a, int dim) {
        int eh = a.expertHiddenDim();
        Expert[] experts = new Expert[a.experts()];
        Optional<WeightTensor> stackedGate = model.optionalTensor(TensorNames.ffnGateExperts(layer));
        for (int e = 0; e < experts.length; e++) {
            if (stackedGate.isPresent()) {
                WeightTensor g = stackedGate.get();
                WeightTensor u = model.tensor(TensorNames.ffnUpExperts(layer));
                WeightTensor d = model.tensor(TensorNames.ffnDownExperts(layer));
                experts[e] = new Expert(
                        WeightMatrix.of(g.rows(TensorNames.ffnGateExpert(layer, e), (long) e * eh, eh)),
                        WeightMatrix.of(u.rows(TensorNames.ffnUpExpert(layer, e), (long) e * eh, eh)),
                        WeightMatrix.of(d.rows(TensorNames.ffnDownExpert(layer, e), (long) e * dim, dim)));
            } else {
                experts[e] = new Expert(
                        matrix(model, TensorNames.ffnGateExpert(layer, e), eh, dim),
                        matrix(model, TensorNames.ffnUpExpert(layer, e), eh, dim),
                        matrix(model, TensorNames.ffnDownExpert(layer, e), dim, eh));
            }
        }
        return experts;
    }

    /** The tensor as a {@code rows × cols} matrix, or a clear error naming the file when its shape is not that. */
    static WeightMatrix matrix(LoadedModel model, String name, int rows, int cols) {
        return WeightMatrix.of(checked(model, name, rows, cols));
    }

    private static WeightTensor checked(LoadedModel model, String name, int rows, int cols) {
        WeightTensor t = model.tensor(name);
        if (t.cols() != cols || t.rows() != rows) {
            throw new ModelFormatException(model.source(), "tensor " + t + " should be " + rows + " rows of "
                    + cols + " values for this model's configuration");
        }
        return t;
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

    /** An RMSNorm weight, with the offset the file's convention leaves out (Gemma's {@code 1 + w}) added in float. */
    static float[] norm(LoadedModel model, String name, int n, float offset) {
        float[] w = vector(model, model.tensor(name), n);
        if (offset != 0) {
            for (int i = 0; i < n; i++) {
                w[i] = offset + w[i];
            }
        }
        return w;
    }

    private static float[] optionalVector(LoadedModel model, String name, int n) {
        Optional<WeightTensor> t = model.optionalTensor(name);
        return t.map(tensor -> vector(model, tensor, n)).orElse(null);
    }
}
