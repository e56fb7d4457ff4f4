package io.strata.engine;

import io.strata.engine.cpu.ActivationKernels;
import io.strata.engine.cpu.Parallel;
import io.strata.engine.cpu.WeightMatrix;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.TensorNames;

import java.util.Arrays;
import java.util.IdentityHashMap;

/**
 * Layers {@code [first, last)} of a Llama-family model on the CPU; the whole model is the stage
 * {@code [0, layers)}. The first stage also embeds tokens, the last one also applies the final
 * norm and the classifier. Activations enter and leave as plain {@code [n × dim]} float arrays,
 * so stages can be chained in one process or across processes.
 *
 * <p>Every token's arithmetic is the same whichever batch it is in and whichever stage runs its
 * layers, so chained stages give bit-identical logits to the whole model, and a prefilled prompt
 * gives the same bits as the prompt decoded one token at a time.
 */
public final class TransformerStage {
    /** Elementwise work below which a kernel runs on the calling thread alone. */
    private static final int PARALLEL_GRAIN = 4096;

    private final ModelConfig config;
    private final int first;
    private final int last;
    private final LayerWeights[] layers;
    private final WeightMatrix embedding;
    private final float[] outputNorm;
    private final WeightMatrix classifier;
    private final RotaryEmbedding rope;

    /**
     * The stage of layers {@code [first, last)} of {@code model}, reading its weights in place.
     *
     * @throws IllegalArgumentException when the range is empty or outside the model
     * @throws io.strata.model.ModelFormatException when a tensor the range needs is missing or misshapen
     */
    public TransformerStage(LoadedModel model, int first, int last) {
        ModelConfig c = model.config();
        if (first < 0 || last > c.layers() || first >= last) {
            throw new IllegalArgumentException("layer range [" + first + ", " + last + ") is not a non-empty part of "
                    + model.source().getFileName() + "'s " + c.layers() + " layers");
        }
        this.config = c;
        this.first = first;
        this.last = last;
        this.layers = new LayerWeights[last - first];
        for (int l = first; l < last; l++) {
            layers[l - first] = LayerWeights.load(model, l);
        }
        this.embedding = first == 0
                ? LayerWeights.matrix(model, TensorNames.TOKEN_EMBEDDING, c.vocabSize(), c.dim()) : null;
        if (last == c.layers()) {
            this.outputNorm = LayerWeights.vector(model, model.tensor(TensorNames.OUTPUT_NORM), c.dim());
            String classifierName = model.optionalTensor(TensorNames.OUTPUT).isPresent()
                    ? TensorNames.OUTPUT : TensorNames.TOKEN_EMBEDDING;
            this.classifier = LayerWeights.matrix(model, classifierName, c.vocabSize(), c.dim());
        } else {
            this.outputNorm = null;
            this.classifier = null;
        }
        this.rope = new RotaryEmbedding(c);
    }

    /** The whole model as one stage. */
    public static TransformerStage whole(LoadedModel model) {
        return new TransformerStage(model, 0, model.config().layers());
    }

    public ModelConfig config() {
        return config;
    }

    /** First layer of the range. */
    public int first() {
        return first;
    }

    /** One past the last layer of the range. */
    public int last() {
        return last;
    }

    /** True when this stage embeds tokens (its range starts at layer 0). */
    public boolean takesTokens() {
        return embedding != null;
    }

    /** True when this stage produces logits (its range ends at the last layer). */
    public boolean producesLogits() {
        return classifier != null;
    }

    /**
     * A new conversation on this stage, with room for {@code maxContext} positions.
     *
     * @throws IllegalArgumentException when {@code maxContext} is not in {@code [1, contextLength]}
     */
    public Session newSession(int maxContext) {
        if (maxContext < 1 || maxContext > config.contextLength()) {
            throw new IllegalArgumentException("a session needs between 1 and " + config.contextLength()
                    + " positions (the model's context length), got " + maxContext);
        }
        return new Session(this, new KvCache(first, last - first, maxContext, config.kvDim()));
    }

    /**
     * Embeds {@code tokens} at positions {@code startPos ..} and runs this stage's layers over
     * them in one batch. Only for a stage that starts at layer 0.
     *
     * @return the hidden states, {@code [tokens.length × dim]}
     */
    public float[] forwardTokens(Session session, int[] tokens, int startPos) {
        if (embedding == null) {
            throw new IllegalStateException("stage [" + first + ", " + last + ") does not start at layer 0:"
                    + " give it hidden states (forwardHidden), not tokens");
        }
        int n = tokens.length;
        checkBatch(session, n, startPos);
        float[] x = embed(tokens);
        runLayers(session, x, n, startPos);
        return x;
    }

    /** The embedding rows of {@code tokens} as {@code [n × dim]}; a token outside the vocabulary is refused. */
    private float[] embed(int[] tokens) {
        int dim = config.dim();
        float[] x = new float[tokens.length * dim];
        for (int t = 0; t < tokens.length; t++) {
            if (tokens[t] < 0 || tokens[t] >= config.vocabSize()) {
                throw new IllegalArgumentException("token " + tokens[t] + " at row " + t
                        + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
            embedding.readRow(tokens[t], x, t * dim);
        }
        return x;
    }

    /**
     * Runs this stage's layers over {@code n} hidden states ({@code [n × dim]}, as the previous
     * stage returned them) at positions {@code startPos ..}. The input is not modified.
     *
     * @return the hidden states after this stage, {@code [n × dim]}
     */
    public float[] forwardHidden(Session session, float[] hidden, int n, int startPos) {
        checkBatch(session, n, startPos);
        checkHidden(hidden, n, "tokens");
        float[] x = hidden.clone();
        runLayers(session, x, n, startPos);
        return x;
    }

    /** Hidden states handed to this stage must be exactly {@code n} rows of {@code dim}. */
    private void checkHidden(float[] hidden, int n, String rowsAre) {
        if (hidden.length != n * config.dim()) {
            throw new IllegalArgumentException("hidden states for " + n + " " + rowsAre + " of dim " + config.dim()
                    + " need " + n * config.dim() + " floats, got " + hidden.length);
        }
    }

    /**
     * Final norm and classifier of row {@code row} of the last stage's hidden states: one
     * position's logits over the vocabulary. Only for a stage that ends at the last layer.
     */
    public float[] logits(float[] hidden, int row) {
        if (classifier == null) {
            throw new IllegalStateException("stage [" + first + ", " + last + ") does not end at the last layer ("
                    + config.layers() + "): only the last stage computes logits");
        }
        int dim = config.dim();
        if (row < 0 || (long) (row + 1) * dim > hidden.length) {
            throw new IllegalArgumentException("row " + row + " is outside hidden states of "
                    + hidden.length / dim + " rows");
        }
        float[] normed = new float[dim];
        ActivationKernels.rmsnorm(normed, 0, hidden, row * dim, outputNorm, dim, config.rmsNormEps());
        float[] logits = new float[config.vocabSize()];
        classifier.matvec(normed, logits);
        return logits;
    }

    /**
     * One forward for several conversations at once: row {@code i} of {@code hidden}
     * ({@code [n × dim]}) is the token of {@code sessions[i]} at {@code positions[i]}. The
     * projections and the feed-forward run as one batched product over all rows, so the weights
     * are read once for every session waiting on this stage; RoPE uses each row's own position and
     * attention each row's own session's cache. A session may take several rows, at consecutive
     * positions in order (a prompt beside other sessions' single tokens). Each row gets exactly
     * the bits it would get if its session ran alone. The input is not modified.
     *
     * @return the hidden states after this stage, {@code [n × dim]}
     */
    public float[] forwardBatch(Session[] sessions, float[] hidden, int[] positions) {
        int n = checkRows(sessions, positions);
        checkHidden(hidden, n, "rows");
        float[] x = hidden.clone();
        runRows(sessions, x, n, positions);
        return x;
    }

    /**
     * {@link #forwardBatch(Session[], float[], int[])} for the first stage: row {@code i} embeds
     * {@code tokens[i]} of {@code sessions[i]} at {@code positions[i]}.
     */
    public float[] forwardBatch(Session[] sessions, int[] tokens, int[] positions) {
        if (embedding == null) {
            throw new IllegalStateException("stage [" + first + ", " + last + ") does not start at layer 0:"
                    + " give it hidden states, not tokens");
        }
        int n = checkRows(sessions, positions);
        if (tokens.length != n) {
            throw new IllegalArgumentException(n + " rows need " + n + " tokens, got " + tokens.length);
        }
        float[] x = embed(tokens);
        runRows(sessions, x, n, positions);
        return x;
    }

    /**
     * Logits of several rows of the last stage's hidden states in one pass over the classifier:
     * entry {@code i} is {@code logits(hidden, rows[i])}, bit for bit.
     */
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
            ActivationKernels.rmsnorm(normed, i * dim, hidden, rows[i] * dim, outputNorm, dim, config.rmsNormEps());
        }
        int vocab = config.vocabSize();
        float[] all = new float[k * vocab];
        classifier.matmul(normed, k, all);
        float[][] out = new float[k][];
        for (int i = 0; i < k; i++) {
            out[i] = Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab);
        }
        return out;
    }

    /** Checks a multi-session batch; returns its row count. */
    private int checkRows(Session[] sessions, int[] positions) {
        int n = sessions.length;
        if (n < 1) {
            throw new IllegalArgumentException("a batch needs at least one row");
        }
        if (positions.length != n) {
            throw new IllegalArgumentException(n + " sessions need " + n + " positions, got " + positions.length);
        }
        IdentityHashMap<Session, Integer> next = new IdentityHashMap<>();
        for (int t = 0; t < n; t++) {
            Session s = sessions[t];
            if (s == null || s.stage != this) {
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
        }
        return n;
    }

    /** {@link #runLayers} with a session and a position per row. */
    private void runRows(Session[] ss, float[] x, int n, int[] pos) {
        ModelConfig c = config;
        int dim = c.dim();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        float eps = c.rmsNormEps();
        float[] xb = new float[n * dim];
        float[] q = new float[n * qDim];
        float[] k = new float[n * kvDim];
        float[] v = new float[n * kvDim];
        float[] attnOut = new float[n * qDim];
        float[] hb = new float[n * c.hiddenDim()];
        float[] hb2 = new float[n * c.hiddenDim()];
        for (int t = 0; t < n; t++) {
            ss[t].filled = Math.min(ss[t].filled, pos[t]); // positions from each session's first row on are rewritten
        }

        int pairs = rope.pairs();
        float[] cos = new float[n * pairs];
        float[] sin = new float[n * pairs];
        for (int t = 0; t < n; t++) {
            rope.angles(pos[t], cos, sin, t * pairs);
        }

        for (int l = first; l < last; l++) {
            LayerWeights w = layers[l - first];
            for (int t = 0; t < n; t++) {
                ActivationKernels.rmsnorm(xb, t * dim, x, t * dim, w.attnNorm(), dim, eps);
            }
            WeightMatrix.matmulEach(xb, n, w.qkv(), new float[][]{q, k, v});
            addBias(q, w.qBias(), n, qDim);
            addBias(k, w.kBias(), n, kvDim);
            addBias(v, w.vBias(), n, kvDim);
            for (int t = 0; t < n; t++) {
                rope.rotate(q, t * qDim, c.heads(), cos, sin, t * pairs);
                rope.rotate(k, t * kvDim, c.kvHeads(), cos, sin, t * pairs);
                System.arraycopy(k, t * kvDim, ss[t].cache.keys(l), pos[t] * kvDim, kvDim);
                System.arraycopy(v, t * kvDim, ss[t].cache.values(l), pos[t] * kvDim, kvDim);
            }
            attentionRows(ss, l, n, pos, q, attnOut);
            w.wo().matmul(attnOut, n, xb);
            ActivationKernels.add(x, xb, n * dim);

            for (int t = 0; t < n; t++) {
                ActivationKernels.rmsnorm(xb, t * dim, x, t * dim, w.ffnNorm(), dim, eps);
            }
            gatedFeedForward(w, xb, n, hb, hb2);
            w.down().matmul(hb, n, xb);
            ActivationKernels.add(x, xb, n * dim);
        }
        for (int t = 0; t < n; t++) {
            ss[t].filled = pos[t] + 1; // rows of a session come in order, so its last row wins
        }
    }

    /** {@link #attention} with each row reading its own session's cache up to its own position. */
    private void attentionRows(Session[] ss, int layer, int n, int[] pos, float[] q, float[] out) {
        ModelConfig c = config;
        int heads = c.heads();
        int headSize = c.headSize();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int group = heads / c.kvHeads();
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
                int count = pos[t] + 1;
                int kv = (h / group) * headSize;
                float[] keys = ss[t].cache.keys(layer);
                float[] values = ss[t].cache.values(layer);
                ActivationKernels.attentionScores(q, t * qDim + h * headSize, keys, kv, kvDim, count, headSize, scores);
                ActivationKernels.softmax(scores, 0, count);
                ActivationKernels.weightedSum(scores, count, values, kv, kvDim, headSize, out, t * qDim + h * headSize);
            }
        });
    }

    private void checkBatch(Session session, int n, int startPos) {
        if (session.stage != this) {
            throw new IllegalArgumentException("the session belongs to another stage ([" + session.stage.first + ", "
                    + session.stage.last + ")); open one with this stage's newSession");
        }
        if (n < 1) {
            throw new IllegalArgumentException("a batch needs at least one token");
        }
        if (startPos < 0 || startPos > session.filled) {
            throw new IllegalArgumentException("a batch may start at positions 0.." + session.filled
                    + " of this session (those before it are computed), not at " + startPos);
        }
        if ((long) startPos + n > session.capacity()) {
            throw new IllegalArgumentException("positions " + startPos + ".." + (startPos + n - 1)
                    + " do not fit the session's " + session.capacity() + " positions");
        }
    }

    private void runLayers(Session s, float[] x, int n, int startPos) {
        ModelConfig c = config;
        int dim = c.dim();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int hiddenDim = c.hiddenDim();
        float eps = c.rmsNormEps();
        s.ensureScratch(n, dim, qDim, kvDim, hiddenDim);
        s.filled = Math.min(s.filled, startPos); // positions from startPos on are about to be rewritten

        int pairs = rope.pairs();
        float[] cos = new float[n * pairs];
        float[] sin = new float[n * pairs];
        for (int t = 0; t < n; t++) {
            rope.angles(startPos + t, cos, sin, t * pairs);
        }

        for (int l = first; l < last; l++) {
            LayerWeights w = layers[l - first];

            // Attention: x += Wo · attention(rope(Wq·norm(x)), rope(Wk·norm(x)), Wv·norm(x))
            for (int t = 0; t < n; t++) {
                ActivationKernels.rmsnorm(s.xb, t * dim, x, t * dim, w.attnNorm(), dim, eps);
            }
            WeightMatrix.matmulEach(s.xb, n, w.qkv(), new float[][]{s.q, s.k, s.v});
            addBias(s.q, w.qBias(), n, qDim);
            addBias(s.k, w.kBias(), n, kvDim);
            addBias(s.v, w.vBias(), n, kvDim);
            for (int t = 0; t < n; t++) {
                rope.rotate(s.q, t * qDim, c.heads(), cos, sin, t * pairs);
                rope.rotate(s.k, t * kvDim, c.kvHeads(), cos, sin, t * pairs);
            }
            s.cache.store(l, startPos, n, s.k, s.v);
            attention(s, l, n, startPos);
            w.wo().matmul(s.attnOut, n, s.xb);
            ActivationKernels.add(x, s.xb, n * dim);

            // Feed-forward: x += W2 · (silu(W1·norm(x)) * W3·norm(x))
            for (int t = 0; t < n; t++) {
                ActivationKernels.rmsnorm(s.xb, t * dim, x, t * dim, w.ffnNorm(), dim, eps);
            }
            gatedFeedForward(w, s.xb, n, s.hb, s.hb2);
            w.down().matmul(s.hb, n, s.xb);
            ActivationKernels.add(x, s.xb, n * dim);
        }
        s.filled = startPos + n;
    }

    /**
     * {@code hb = silu(gate · xb) * (up · xb)} in one parallel pass: each thread computes a run of
     * rows of both products and applies SwiGLU to them at once.
     */
    private void gatedFeedForward(LayerWeights w, float[] xb, int n, float[] hb, float[] hb2) {
        int hiddenDim = config.hiddenDim();
        WeightMatrix gate = w.gate();
        WeightMatrix up = w.up();
        Parallel.shared().forRows(hiddenDim, gate.minRowsPerChunk(n), (from, to) -> {
            gate.matmulRows(xb, n, hb, from, to);
            up.matmulRows(xb, n, hb2, from, to);
            for (int t = 0; t < n; t++) {
                ActivationKernels.swiglu(hb, hb2, t * hiddenDim + from, to - from);
            }
        });
    }

    /**
     * Causal grouped-query attention for the batch: token t (at position startPos + t) attends
     * to positions 0..startPos + t; query head h reads key/value head h / (heads / kvHeads).
     */
    private void attention(Session s, int layer, int n, int startPos) {
        ModelConfig c = config;
        int heads = c.heads();
        int headSize = c.headSize();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int group = heads / c.kvHeads();
        float[] keys = s.cache.keys(layer);
        float[] values = s.cache.values(layer);
        float[] q = s.q;
        float[] out = s.attnOut;
        int positions = startPos + n;
        int grain = Math.max(1, PARALLEL_GRAIN / Math.max(1, positions * headSize));
        Parallel.shared().forRows(n * heads, grain, (from, to) -> {
            float[] scores = new float[positions];
            for (int i = from; i < to; i++) {
                int t = i / heads;
                int h = i % heads;
                int count = startPos + t + 1;
                int kv = (h / group) * headSize;
                ActivationKernels.attentionScores(q, t * qDim + h * headSize, keys, kv, kvDim, count, headSize, scores);
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
