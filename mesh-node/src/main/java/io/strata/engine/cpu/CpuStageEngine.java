package io.strata.engine.cpu;

import io.strata.engine.EngineSession;
import io.strata.engine.StageEngine;
import io.strata.model.ArchitectureTraits;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.TensorNames;

import java.util.Arrays;
import java.util.IdentityHashMap;

/**
 * Layers {@code [first, last)} of a model on the CPU, on one skeleton whose per-architecture
 * differences ({@link ArchitectureTraits}) are decided per layer at load; the whole model is the stage
 * {@code [0, layers)}. The first stage also embeds tokens, the last one also applies the final
 * norm and the classifier. Activations enter and leave as plain {@code [n × dim]} float arrays,
 * so stages can be chained in one process or across processes.
 *
 * <p>Every token's arithmetic is the same whichever batch it is in and whichever stage runs its
 * layers, so chained stages give bit-identical logits to the whole model, and a prefilled prompt
 * gives the same bits as the prompt decoded one token at a time.
 */
public final class CpuStageEngine implements StageEngine {
    /** Elementwise work below which a kernel runs on the calling thread alone. */
    private static final int PARALLEL_GRAIN = 4096;

    private final ModelConfig config;
    private final int first;
    private final int last;
    private final LayerWeights[] layers;
    private final WeightMatrix embedding;
    /** Learned absolute positions added to the embedding (GPT-2), or null. */
    private final WeightMatrix positionEmbedding;
    private final float[] outputNorm;
    /** The final LayerNorm's bias, or null for an RMSNorm. */
    private final float[] outputNormBias;
    private final WeightMatrix classifier;
    /** The distinct rotary embeddings the layers use (one, or global and local): angle tables are made once each. */
    private final RotaryEmbedding[] ropes;

    /**
     * The stage of layers {@code [first, last)} of {@code model}, reading its weights in place.
     *
     * @throws IllegalArgumentException when the range is empty or outside the model
     * @throws io.strata.model.ModelFormatException when a tensor the range needs is missing or misshapen
     */
    public CpuStageEngine(LoadedModel model, int first, int last) {
        ModelConfig c = model.config();
        if (first < 0 || last > c.layers() || first >= last) {
            throw new IllegalArgumentException("layer range [" + first + ", " + last + ") is not a non-empty part of "
                    + model.source().getFileName() + "'s " + c.layers() + " layers");
        }
        this.config = c;
        this.first = first;
        this.last = last;
        ArchitectureTraits a = c.traits();
        float[] ropeDivisors = model.optionalTensor(TensorNames.ROPE_FREQS)
                .map(t -> LayerWeights.vector(model, t, c.headSize() / 2)).orElse(null);
        RotaryEmbedding global = new RotaryEmbedding(c, c.ropeTheta(), a.ropeScaling(), ropeDivisors);
        RotaryEmbedding local = a.localRopeTheta() > 0
                ? new RotaryEmbedding(c, a.localRopeTheta(), ArchitectureTraits.RopeScaling.NONE, null) : global;
        this.ropes = local == global ? new RotaryEmbedding[]{global} : new RotaryEmbedding[]{global, local};
        this.layers = new LayerWeights[last - first];
        for (int l = first; l < last; l++) {
            layers[l - first] = LayerWeights.load(model, l, a.slides(l) ? local : global);
        }
        this.embedding = first == 0
                ? LayerWeights.matrix(model, TensorNames.TOKEN_EMBEDDING, c.vocabSize(), c.dim()) : null;
        this.positionEmbedding = first == 0 && a.learnedPositions()
                ? LayerWeights.matrix(model, TensorNames.POSITION_EMBEDDING, c.contextLength(), c.dim()) : null;
        if (last == c.layers()) {
            this.outputNorm = LayerWeights.norm(model, TensorNames.OUTPUT_NORM, c.dim(), a.normWeightOffset());
            this.outputNormBias = a.layerNorm()
                    ? LayerWeights.vector(model, model.tensor(TensorNames.OUTPUT_NORM_BIAS), c.dim()) : null;
            String classifierName = model.optionalTensor(TensorNames.OUTPUT).isPresent()
                    ? TensorNames.OUTPUT : TensorNames.TOKEN_EMBEDDING;
            this.classifier = LayerWeights.matrix(model, classifierName, c.vocabSize(), c.dim());
        } else {
            this.outputNorm = null;
            this.outputNormBias = null;
            this.classifier = null;
        }
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    /** First layer of the range. */
    @Override
    public int first() {
        return first;
    }

    /** One past the last layer of the range. */
    @Override
    public int last() {
        return last;
    }

    /** True when this stage embeds tokens (its range starts at layer 0). */
    @Override
    public boolean takesTokens() {
        return embedding != null;
    }

    /** True when this stage produces logits (its range ends at the last layer). */
    @Override
    public boolean producesLogits() {
        return classifier != null;
    }

    @Override
    public String device() {
        return "cpu";
    }

    /** Nothing to release: the weights are the model's mapped bytes and the caches are heap arrays. */
    @Override
    public void close() {
    }

    @Override
    public EngineSession newSession(int maxContext) {
        if (maxContext < 1 || maxContext > config.contextLength()) {
            throw new IllegalArgumentException("a session needs between 1 and " + config.contextLength()
                    + " positions (the model's context length), got " + maxContext);
        }
        return new CpuSession(this, new KvCache(first, last - first, maxContext, config.kvDim()));
    }

    @Override
    public float[] forward(EngineSession[] sessions, int[] tokens, int[] positions) {
        if (embedding == null) {
            throw new IllegalStateException("stage [" + first + ", " + last + ") does not start at layer 0:"
                    + " give it hidden states (forwardHidden), not tokens");
        }
        CpuSession[] ss = checkRows(sessions, positions);
        if (tokens.length != ss.length) {
            throw new IllegalArgumentException(ss.length + " rows need " + ss.length + " tokens, got " + tokens.length);
        }
        float[] x = embed(tokens, positions);
        runLayers(ss, x, positions);
        return x;
    }

    @Override
    public float[] forward(EngineSession[] sessions, float[] hidden, int[] positions) {
        CpuSession[] ss = checkRows(sessions, positions);
        int dim = config.dim();
        if (hidden.length != ss.length * dim) {
            throw new IllegalArgumentException("hidden states for " + ss.length + " rows of dim " + dim
                    + " need " + ss.length * dim + " floats, got " + hidden.length);
        }
        float[] x = hidden.clone();
        runLayers(ss, x, positions);
        return x;
    }

    /**
     * The embedding rows of {@code tokens} as {@code [n × dim]}, plus the learned rows of their
     * positions where the model has them; a token outside the vocabulary is refused.
     */
    private float[] embed(int[] tokens, int[] positions) {
        int dim = config.dim();
        float[] x = new float[tokens.length * dim];
        for (int t = 0; t < tokens.length; t++) {
            if (tokens[t] < 0 || tokens[t] >= config.vocabSize()) {
                throw new IllegalArgumentException("token " + tokens[t] + " at row " + t
                        + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
            embedding.readRow(tokens[t], x, t * dim);
        }
        if (positionEmbedding != null) {
            float[] row = new float[dim];
            for (int t = 0; t < tokens.length; t++) {
                positionEmbedding.readRow(positions[t], row, 0);
                for (int d = 0; d < dim; d++) {
                    x[t * dim + d] += row[d];
                }
            }
        }
        float scale = config.traits().embeddingScale();
        if (scale != 0) {
            for (int i = 0; i < x.length; i++) {
                x[i] *= scale;
            }
        }
        return x;
    }

    @Override
    public float[][] logits(float[] hidden, int[] rows) {
        if (classifier == null) {
            throw new IllegalStateException("stage [" + first + ", " + last + ") does not end at the last layer ("
                    + config.layers() + "): only the last stage computes logits");
        }
        int dim = config.dim();
        int k = rows.length;
        if (k == 0) {
            return new float[0][];
        }
        float[] normed = new float[k * dim];
        for (int i = 0; i < k; i++) {
            if (rows[i] < 0 || (long) (rows[i] + 1) * dim > hidden.length) {
                throw new IllegalArgumentException("row " + rows[i] + " is outside hidden states of "
                        + hidden.length / dim + " rows");
            }
            System.arraycopy(hidden, rows[i] * dim, normed, i * dim, dim);
        }
        normRows(normed, normed, outputNorm, outputNormBias, k);
        int vocab = config.vocabSize();
        float[] all = new float[k * vocab];
        if (k == 1) {
            classifier.matvec(normed, all);
        } else {
            classifier.matmul(normed, k, all);
        }
        float cap = config.traits().finalSoftcap();
        if (cap != 0) {
            ActivationKernels.softcap(all, 0, all.length, cap);
        }
        float[][] out = new float[k][];
        for (int i = 0; i < k; i++) {
            out[i] = Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab);
        }
        return out;
    }

    /** Checks a batch: each row's session is this stage's and its positions follow on; returns the sessions. */
    private CpuSession[] checkRows(EngineSession[] sessions, int[] positions) {
        int n = sessions.length;
        if (n < 1) {
            throw new IllegalArgumentException("a batch needs at least one row");
        }
        if (positions.length != n) {
            throw new IllegalArgumentException(n + " sessions need " + n + " positions, got " + positions.length);
        }
        CpuSession[] ss = new CpuSession[n];
        IdentityHashMap<CpuSession, Integer> next = new IdentityHashMap<>();
        for (int t = 0; t < n; t++) {
            if (!(sessions[t] instanceof CpuSession s) || s.stage != this) {
                throw new IllegalArgumentException("row " + t + ": the session belongs to another stage;"
                        + " open one with this stage's newSession");
            }
            int p = positions[t];
            Integer expected = next.get(s);
            if (expected == null ? p < 0 || p > s.filled : p != expected) {
                throw new IllegalArgumentException("row " + t + ": position " + p + " does not follow its session ("
                        + (expected == null ? "positions 0.." + s.filled + " may start a batch"
                        : "its previous row was at " + (expected - 1)) + ")");
            }
            if (p >= s.capacity()) {
                throw new IllegalArgumentException("row " + t + ": position " + p + " does not fit the session's "
                        + s.capacity() + " positions");
            }
            next.put(s, p + 1);
            ss[t] = s;
        }
        return ss;
    }

    /**
     * The layer loop, for one session or many: row {@code t} of {@code x} ({@code [n × dim]},
     * updated in place) is the token of {@code ss[t]} at {@code pos[t]}. The projections and the
     * feed-forward run as one batched product over all rows, so the weights are read once for
     * every row; RoPE uses each row's own position and attention each row's own session's cache.
     */
    private void runLayers(CpuSession[] ss, float[] x, int[] pos) {
        ModelConfig c = config;
        int n = ss.length;
        int dim = c.dim();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int headSize = c.headSize();
        float eps = c.rmsNormEps();
        // The batch's scratch lives in its first row's session: a session is used by one thread at a time.
        CpuSession s = ss[0];
        s.ensureScratch(n, dim, qDim, kvDim, c.hiddenDim());
        for (int t = 0; t < n; t++) {
            ss[t].filled = Math.min(ss[t].filled, pos[t]); // positions from each session's first row on are rewritten
        }

        int pairs = ropes[0].pairs();
        float[][] cos = new float[ropes.length][n * pairs];
        float[][] sin = new float[ropes.length][n * pairs];
        for (int r = 0; r < ropes.length; r++) {
            for (int t = 0; t < n; t++) {
                ropes[r].angles(pos[t], cos[r], sin[r], t * pairs);
            }
        }

        for (int l = first; l < last; l++) {
            LayerWeights w = layers[l - first];
            int r = w.rope() == ropes[0] ? 0 : 1;

            // Attention: x += post(Wo · attention(rope(norm_q(Wq·norm(x))), rope(norm_k(Wk·norm(x))), Wv·norm(x)))
            normRows(s.xb, x, w.attnNorm(), w.attnNormBias(), n);
            WeightMatrix.matmulEach(s.xb, n, w.qkv(), new float[][]{s.q, s.k, s.v});
            addBias(s.q, w.qBias(), n, qDim);
            addBias(s.k, w.kBias(), n, kvDim);
            addBias(s.v, w.vBias(), n, kvDim);
            if (w.qNorm() != null) {
                for (int h = 0; h < n * c.heads(); h++) {
                    ActivationKernels.rmsnorm(s.q, h * headSize, s.q, h * headSize, w.qNorm(), headSize, eps);
                }
                for (int h = 0; h < n * c.kvHeads(); h++) {
                    ActivationKernels.rmsnorm(s.k, h * headSize, s.k, h * headSize, w.kNorm(), headSize, eps);
                }
            }
            if (w.rope() != null) {
                for (int t = 0; t < n; t++) {
                    w.rope().rotate(s.q, t * qDim, c.heads(), cos[r], sin[r], t * pairs);
                    w.rope().rotate(s.k, t * kvDim, c.kvHeads(), cos[r], sin[r], t * pairs);
                }
            }
            for (int t = 0; t < n; t++) {
                ss[t].cache.store(l, pos[t], s.k, t * kvDim, s.v, t * kvDim);
            }
            attention(ss, l, pos, s.q, s.attnOut, w.window());
            w.wo().matmul(s.attnOut, n, s.xb);
            addBias(s.xb, w.oBias(), n, dim);
            if (w.postAttnNorm() != null) {
                for (int t = 0; t < n; t++) {
                    ActivationKernels.rmsnorm(s.xb, t * dim, s.xb, t * dim, w.postAttnNorm(), dim, eps);
                }
            }
            if (w.parallelResidual()) {
                // x += ffn(norm2(x)) + attention, both from the block's input, summed as GPT-NeoX sums them
                normRows(s.xb2, x, w.ffnNorm(), w.ffnNormBias(), n);
                feedForward(w, s, n, s.xb2);
                ActivationKernels.add(s.xb2, s.xb, n * dim);
                ActivationKernels.add(x, s.xb2, n * dim);
                continue;
            }
            ActivationKernels.add(x, s.xb, n * dim);

            // Feed-forward: x += post(W2 · (act(W1·norm(x)) * W3·norm(x))), or the routed experts' weighted sum
            normRows(s.xb, x, w.ffnNorm(), w.ffnNormBias(), n);
            feedForward(w, s, n, s.xb);
            if (w.postFfwNorm() != null) {
                for (int t = 0; t < n; t++) {
                    ActivationKernels.rmsnorm(s.xb, t * dim, s.xb, t * dim, w.postFfwNorm(), dim, eps);
                }
            }
            ActivationKernels.add(x, s.xb, n * dim);
        }
        for (int t = 0; t < n; t++) {
            ss[t].filled = pos[t] + 1; // rows of a session come in order, so its last row wins
        }
    }

    /** The rows of {@code in} normalised into {@code out} (may be {@code in}): LayerNorm when there is a bias, else RMSNorm. */
    private void normRows(float[] out, float[] in, float[] weight, float[] bias, int n) {
        int dim = config.dim();
        float eps = config.rmsNormEps();
        if (bias == null) {
            for (int t = 0; t < n; t++) {
                ActivationKernels.rmsnorm(out, t * dim, in, t * dim, weight, dim, eps);
            }
        } else {
            for (int t = 0; t < n; t++) {
                ActivationKernels.layerNorm(out, t * dim, in, t * dim, weight, bias, dim, eps);
            }
        }
    }

    /** The layer's feed-forward of the rows of {@code xb}, in place: routed experts, ungated or gated. */
    private void feedForward(LayerWeights w, CpuSession s, int n, float[] xb) {
        if (w.experts() != null) {
            mixtureOfExperts(w, xb, n, xb);
        } else if (w.gate() == null) {
            ungatedFeedForward(w, xb, n, s.hb);
            w.down().matmul(s.hb, n, xb);
            addBias(xb, w.downBias(), n, config.dim());
        } else {
            gatedFeedForward(w.gate(), w.up(), xb, n, s.hb, s.hb2);
            w.down().matmul(s.hb, n, xb);
        }
    }

    /**
     * {@code hb = gelu(up · xb + bias)} in one parallel pass (GPT-2, GPT-NeoX): each thread computes
     * a run of rows and applies the bias and activation to them at once.
     */
    private void ungatedFeedForward(LayerWeights w, float[] xb, int n, float[] hb) {
        WeightMatrix up = w.up();
        float[] bias = w.upBias();
        int hiddenDim = up.rows();
        boolean exact = config.traits().activation() == ArchitectureTraits.Activation.GELU;
        Parallel.shared().forRows(hiddenDim, up.minRowsPerChunk(n), (from, to) -> {
            up.matmulRows(xb, n, hb, from, to);
            if (exact) {
                for (int t = 0; t < n; t++) {
                    ActivationKernels.biasGelu(hb, t * hiddenDim + from, bias, from, to - from);
                }
            } else {
                for (int t = 0; t < n; t++) {
                    ActivationKernels.biasGeluTanh(hb, t * hiddenDim + from, bias, from, to - from);
                }
            }
        });
    }

    /**
     * The routed feed-forward, from {@code xb} ({@code [n × dim]}) into {@code out} (may be
     * {@code xb}): each row's router logits go through a softmax, its top-k experts are kept with
     * their weights renormalised to sum to one, and the experts' outputs are added in expert order,
     * each scaled by its weight. Rows routed to one expert go through it as one batched product;
     * each row's arithmetic is the same whatever else is in the batch.
     */
    private void mixtureOfExperts(LayerWeights w, float[] xb, int n, float[] out) {
        ArchitectureTraits a = config.traits();
        int dim = config.dim();
        int count = a.experts();
        int k = a.expertsUsed();
        int eh = a.expertHiddenDim();
        float[] logits = new float[n * count];
        w.router().matmul(xb, n, logits);
        float[] weight = new float[n * count]; // 0 where a row does not use the expert
        for (int t = 0; t < n; t++) {
            ActivationKernels.softmax(logits, t * count, count);
            boolean[] taken = new boolean[count];
            float sum = 0;
            int[] chosen = new int[k];
            for (int j = 0; j < k; j++) {
                int best = -1;
                for (int e = 0; e < count; e++) {
                    if (!taken[e] && (best < 0 || logits[t * count + e] > logits[t * count + best])) {
                        best = e;
                    }
                }
                taken[best] = true;
                chosen[j] = best;
                sum += logits[t * count + best];
            }
            for (int e : chosen) {
                weight[t * count + e] = logits[t * count + e] / sum;
            }
        }
        float[] acc = new float[n * dim];
        for (int e = 0; e < count; e++) {
            int m = 0;
            int[] rows = new int[n];
            for (int t = 0; t < n; t++) {
                if (weight[t * count + e] != 0) {
                    rows[m++] = t;
                }
            }
            if (m == 0) {
                continue;
            }
            float[] in = new float[m * dim];
            for (int i = 0; i < m; i++) {
                System.arraycopy(xb, rows[i] * dim, in, i * dim, dim);
            }
            float[] hb = new float[m * eh];
            float[] hb2 = new float[m * eh];
            LayerWeights.Expert ex = w.experts()[e];
            gatedFeedForward(ex.gate(), ex.up(), in, m, hb, hb2);
            float[] y = new float[m * dim];
            ex.down().matmul(hb, m, y);
            for (int i = 0; i < m; i++) {
                int t = rows[i];
                float wt = weight[t * count + e];
                for (int d = 0; d < dim; d++) {
                    acc[t * dim + d] += y[i * dim + d] * wt;
                }
            }
        }
        System.arraycopy(acc, 0, out, 0, n * dim);
    }

    /**
     * {@code hb = act(gate · xb) * (up · xb)} in one parallel pass: each thread computes a run of
     * rows of both products and applies the gating to them at once.
     */
    private void gatedFeedForward(WeightMatrix gate, WeightMatrix up, float[] xb, int n, float[] hb, float[] hb2) {
        int hiddenDim = gate.rows();
        boolean gelu = config.traits().activation() == ArchitectureTraits.Activation.GELU_TANH;
        Parallel.shared().forRows(hiddenDim, gate.minRowsPerChunk(n), (from, to) -> {
            gate.matmulRows(xb, n, hb, from, to);
            up.matmulRows(xb, n, hb2, from, to);
            if (gelu) {
                for (int t = 0; t < n; t++) {
                    ActivationKernels.geglu(hb, hb2, t * hiddenDim + from, to - from);
                }
            } else {
                for (int t = 0; t < n; t++) {
                    ActivationKernels.swiglu(hb, hb2, t * hiddenDim + from, to - from);
                }
            }
        });
    }

    /**
     * Causal grouped-query attention for the batch: row t attends to positions 0..pos[t] of its
     * own session's cache (the last {@code window} of them when the layer has a window); query
     * head h reads key/value head h / (heads / kvHeads).
     */
    private void attention(CpuSession[] ss, int layer, int[] pos, float[] q, float[] out, int window) {
        ModelConfig c = config;
        ArchitectureTraits a = c.traits();
        int n = ss.length;
        int heads = c.heads();
        int headSize = c.headSize();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int group = heads / c.kvHeads();
        float scale = (float) Math.sqrt(a.queryScalar() > 0 ? a.queryScalar() : headSize);
        float cap = a.attnSoftcap();
        int longest = 0;
        for (int p : pos) {
            longest = Math.max(longest, p + 1);
        }
        int positions = longest;
        int grain = Math.max(1, PARALLEL_GRAIN / Math.max(1, positions * headSize));
        Parallel.shared().forRows(n * heads, grain, (from, to) -> {
            float[] scores = new float[positions];
            for (int i = from; i < to; i++) {
                int t = i / heads;
                int h = i % heads;
                int start = window > 0 ? Math.max(0, pos[t] + 1 - window) : 0;
                int count = pos[t] + 1 - start;
                int kv = start * kvDim + (h / group) * headSize;
                float[] keys = ss[t].cache.keys(layer);
                float[] values = ss[t].cache.values(layer);
                ActivationKernels.attentionScores(q, t * qDim + h * headSize, keys, kv, kvDim, count, headSize, scale,
                        scores);
                if (cap != 0) {
                    ActivationKernels.softcap(scores, 0, count, cap);
                }
                ActivationKernels.softmax(scores, 0, count);
                ActivationKernels.weightedSum(scores, count, values, kv, kvDim, headSize, out, t * qDim + h * headSize);
            }
        });
    }

    private static void addBias(float[] v, float[] bias, int n, int width) {
        if (bias == null) {
            return;
        }
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < width; i++) {
                v[t * width + i] += bias[i];
            }
        }
    }

    @Override
    public String toString() {
        return "stage [" + first + ", " + last + ") of " + config.layers() + " layers";
    }
}
