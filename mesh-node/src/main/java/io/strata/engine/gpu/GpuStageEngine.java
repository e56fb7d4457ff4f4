package io.strata.engine.gpu;

import io.strata.cuda.CudaContext;
import io.strata.cuda.CudaDevice;
import io.strata.cuda.CudaKernel;
import io.strata.cuda.CudaProbe;
import io.strata.cuda.CudaStream;
import io.strata.cuda.DeviceBuffer;
import io.strata.cuda.KernelLibrary;
import io.strata.cuda.KernelSignature;
import io.strata.cuda.Kernels;
import io.strata.engine.EngineSession;
import io.strata.engine.StageEngine;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.RopeLayout;
import io.strata.model.TensorNames;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * Layers {@code [first, last)} of a Llama-family model on one NVIDIA GPU. At load every matrix goes to
 * the device once, in its file encoding; each session's KV cache lives on the device. A forward sends
 * token ids (or hidden states), positions, RoPE angles and cache addresses, runs the whole layer loop as
 * kernel launches on one stream, and brings back the hidden states; {@link #logits} brings back logits.
 *
 * <p>Every kernel computes a row the same way whatever else is in the batch, and hidden states leave
 * and enter as exact floats, so chained GPU stages give the same bits as the whole model on the GPU,
 * and a prompt prefilled in one batch the same bits as decoded row by row. Against the CPU engine the
 * results agree within float rounding, not bit for bit.
 */
public final class GpuStageEngine implements StageEngine {
    private final ModelConfig config;
    private final int first;
    private final int last;
    private final String device;
    private final CudaContext context;
    private final CudaStream stream;
    private final KernelLibrary kernels;
    private final List<GpuLayer> layers = new ArrayList<>();
    private final DeviceMatrix embedding;
    private final DeviceBuffer outputNorm;
    private final DeviceMatrix classifier;
    private final RopeAngles rope;
    private final long weightBytes;

    private final DeviceScratch x;
    private final DeviceScratch xb;
    private final DeviceScratch q;
    private final DeviceScratch k;
    private final DeviceScratch v;
    private final DeviceScratch attended;
    private final DeviceScratch gateOut;
    private final DeviceScratch upOut;
    private final DeviceScratch gated;
    private final DeviceScratch tokens;
    private final DeviceScratch positions;
    private final DeviceScratch cos;
    private final DeviceScratch sin;
    private final DeviceScratch cachePointers;
    private final DeviceScratch scores;
    private final DeviceScratch logits;
    private boolean closed;

    /**
     * The stage of layers {@code [first, last)} of {@code model} on GPU {@code ordinal}.
     *
     * @throws IllegalArgumentException when the range is empty or outside the model
     * @throws UnsupportedOperationException when the model needs more than the Llama skeleton, or a
     *                                       tensor's encoding has no device kernels
     * @throws io.strata.cuda.CudaException when the device refuses (no driver, out of memory)
     */
    public GpuStageEngine(LoadedModel model, int first, int last, int ordinal) {
        ModelConfig c = model.config();
        if (first < 0 || last > c.layers() || first >= last) {
            throw new IllegalArgumentException("layer range [" + first + ", " + last + ") is not a non-empty part of "
                    + model.source().getFileName() + "'s " + c.layers() + " layers");
        }
        SkeletonCheck.require(model, first, last);
        this.config = c;
        this.first = first;
        this.last = last;
        CudaProbe probe = CudaProbe.run();
        if (!probe.usable()) {
            throw new IllegalStateException(probe.summary());
        }
        if (ordinal < 0 || ordinal >= probe.devices().size()) {
            throw new IllegalArgumentException("no CUDA device " + ordinal + ": this machine has "
                    + probe.devices().size() + " (" + probe.summary() + ")");
        }
        CudaDevice gpu = probe.devices().get(ordinal);
        this.device = "cuda:" + ordinal + " " + gpu.name();
        this.context = CudaContext.open(ordinal);
        CudaStream createdStream = null;
        KernelLibrary loadedKernels = null;
        DeviceMatrix embed = null;
        DeviceBuffer norm = null;
        DeviceMatrix cls = null;
        try {
            createdStream = CudaStream.create();
            loadedKernels = KernelLibrary.load();
            for (int l = first; l < last; l++) {
                layers.add(GpuLayer.upload(context, model, l));
            }
            if (first == 0) {
                embed = GpuLayer.matrix(context, model, TensorNames.TOKEN_EMBEDDING, c.vocabSize(), c.dim());
            }
            if (last == c.layers()) {
                norm = GpuLayer.vector(context, model, model.tensor(TensorNames.OUTPUT_NORM), c.dim());
                boolean tied = model.optionalTensor(TensorNames.OUTPUT).isEmpty();
                cls = tied && embed != null ? embed
                        : GpuLayer.matrix(context, model, tied ? TensorNames.TOKEN_EMBEDDING : TensorNames.OUTPUT,
                        c.vocabSize(), c.dim());
            }
        } catch (RuntimeException e) {
            layers.forEach(GpuLayer::closeQuietly);
            GpuLayer.closeQuietly(cls == embed ? null : cls);
            GpuLayer.closeQuietly(embed);
            GpuLayer.closeQuietly(norm);
            GpuLayer.closeQuietly(loadedKernels);
            GpuLayer.closeQuietly(createdStream);
            context.close();
            throw e;
        }
        this.stream = createdStream;
        this.kernels = loadedKernels;
        this.embedding = embed;
        this.outputNorm = norm;
        this.classifier = cls;
        this.rope = new RopeAngles(c);
        long bytes = 0;
        for (GpuLayer layer : layers) {
            bytes += layer.deviceBytes();
        }
        if (embed != null) {
            bytes += embed.bytes().bytes();
        }
        if (cls != null && cls != embed) {
            bytes += cls.bytes().bytes();
        }
        this.weightBytes = bytes;
        DeviceScratch[] all = new DeviceScratch[16];
        for (int i = 0; i < all.length; i++) {
            all[i] = new DeviceScratch(context);
        }
        x = all[0]; xb = all[1]; q = all[2]; k = all[3]; v = all[4]; attended = all[5]; gateOut = all[6]; upOut = all[7];
        gated = all[8]; tokens = all[9]; positions = all[10]; cos = all[11]; sin = all[12]; cachePointers = all[13];
        scores = all[14]; logits = all[15];
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public int first() {
        return first;
    }

    @Override
    public int last() {
        return last;
    }

    @Override
    public boolean takesTokens() {
        return embedding != null;
    }

    @Override
    public boolean producesLogits() {
        return classifier != null;
    }

    @Override
    public String device() {
        return device;
    }

    /** Bytes of weight matrices this stage holds on its device. */
    public long weightBytes() {
        return weightBytes;
    }

    @Override
    public synchronized GpuSession newSession(int maxContext) {
        if (maxContext < 1 || maxContext > config.contextLength()) {
            throw new IllegalArgumentException("a session needs between 1 and " + config.contextLength()
                    + " positions (the model's context length), got " + maxContext);
        }
        checkOpen();
        long bytes = 2L * layers.size() * maxContext * config.kvDim() * Float.BYTES;
        return new GpuSession(this, context.allocate(bytes), maxContext, config.kvDim());
    }

    /** What frees a session's cache once it is unreachable (must not refer to the session). */
    Runnable freeLater(DeviceBuffer cache) {
        return () -> {
            synchronized (this) {
                if (!closed) {
                    context.bind();
                    GpuLayer.closeQuietly(cache);
                }
            }
        };
    }

    @Override
    public synchronized float[] forward(EngineSession[] sessions, int[] tokenIds, int[] rowPositions) {
        if (embedding == null) {
            throw new IllegalStateException("stage [" + first + ", " + last + ") does not start at layer 0:"
                    + " give it hidden states (forwardHidden), not tokens");
        }
        GpuSession[] ss = checkRows(sessions, rowPositions);
        int n = ss.length;
        if (tokenIds.length != n) {
            throw new IllegalArgumentException(n + " rows need " + n + " tokens, got " + tokenIds.length);
        }
        for (int t = 0; t < n; t++) {
            if (tokenIds[t] < 0 || tokenIds[t] >= config.vocabSize()) {
                throw new IllegalArgumentException("token " + tokenIds[t] + " at row " + t
                        + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        context.bind();
        int dim = config.dim();
        DeviceBuffer ids = tokens.atLeast(4L * n);
        ids.upload(tokenIds, 0, n, 0);
        DeviceBuffer hidden = x.atLeast(4L * n * dim);
        kernels.kernel(embedding.embedding()).launch().pointer(embedding.bytes()).pointer(ids).pointer(hidden).i32(dim)
                .run(stream, n, 1, Kernels.ELEMENTWISE_THREADS);
        runLayers(ss, rowPositions);
        return hidden.downloadFloats(0, n * dim);
    }

    @Override
    public synchronized float[] forward(EngineSession[] sessions, float[] hiddenIn, int[] rowPositions) {
        GpuSession[] ss = checkRows(sessions, rowPositions);
        int n = ss.length;
        int dim = config.dim();
        if (hiddenIn.length != n * dim) {
            throw new IllegalArgumentException("hidden states for " + n + " rows of dim " + dim
                    + " need " + n * dim + " floats, got " + hiddenIn.length);
        }
        context.bind();
        DeviceBuffer hidden = x.atLeast(4L * n * dim);
        hidden.upload(hiddenIn, 0, n * dim, 0);
        runLayers(ss, rowPositions);
        return hidden.downloadFloats(0, n * dim);
    }

    @Override
    public synchronized float[][] logits(float[] hidden, int[] rows) {
        if (classifier == null) {
            throw new IllegalStateException("stage [" + first + ", " + last + ") does not end at the last layer ("
                    + config.layers() + "): only the last stage computes logits");
        }
        int dim = config.dim();
        int count = rows.length;
        if (count == 0) {
            return new float[0][];
        }
        float[] picked = new float[count * dim];
        for (int i = 0; i < count; i++) {
            if (rows[i] < 0 || (long) (rows[i] + 1) * dim > hidden.length) {
                throw new IllegalArgumentException("row " + rows[i] + " is outside hidden states of "
                        + hidden.length / dim + " rows");
            }
            System.arraycopy(hidden, rows[i] * dim, picked, i * dim, dim);
        }
        checkOpen();
        context.bind();
        int vocab = config.vocabSize();
        DeviceBuffer in = x.atLeast(4L * count * dim);
        in.upload(picked, 0, picked.length, 0);
        DeviceBuffer normed = xb.atLeast(4L * count * dim);
        rmsnorm(in, outputNorm, normed, count);
        DeviceBuffer out = logits.atLeast(4L * count * vocab);
        matmul(classifier, normed, out, count);
        float[] all = out.downloadFloats(0, count * vocab);
        float[][] result = new float[count][];
        for (int i = 0; i < count; i++) {
            result[i] = Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab);
        }
        return result;
    }

    /**
     * The layer loop over the rows in {@link #x}: the projections and the feed-forward as one product
     * over all rows, RoPE by each row's angles, attention over each row's own session's cache.
     */
    private void runLayers(GpuSession[] ss, int[] pos) {
        ModelConfig c = config;
        int n = ss.length;
        int dim = c.dim();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int hiddenDim = c.hiddenDim();
        int heads = c.heads();
        int local = layers.size();
        for (int t = 0; t < n; t++) {
            ss[t].filled = Math.min(ss[t].filled, pos[t]); // positions from each session's first row on are rewritten
        }

        DeviceBuffer dPos = positions.atLeast(4L * n);
        dPos.upload(pos, 0, n, 0);
        int pairs = rope.pairs();
        float[] hostCos = new float[n * pairs];
        float[] hostSin = new float[n * pairs];
        rope.fill(pos, hostCos, hostSin);
        DeviceBuffer dCos = cos.atLeast(4L * n * pairs);
        DeviceBuffer dSin = sin.atLeast(4L * n * pairs);
        dCos.upload(hostCos, 0, hostCos.length, 0);
        dSin.upload(hostSin, 0, hostSin.length, 0);
        // For each local layer, the keys' then the values' address of every row's session.
        long[] addresses = new long[2 * local * n];
        for (int l = 0; l < local; l++) {
            for (int t = 0; t < n; t++) {
                addresses[(2 * l) * n + t] = ss[t].keys(l);
                addresses[(2 * l + 1) * n + t] = ss[t].values(l);
            }
        }
        DeviceBuffer dAddresses = cachePointers.atLeast(8L * addresses.length);
        dAddresses.upload(addresses, 0);
        int longest = 0;
        for (int p : pos) {
            longest = Math.max(longest, p + 1);
        }

        DeviceBuffer hidden = x.atLeast(4L * n * dim);
        DeviceBuffer normed = xb.atLeast(4L * n * Math.max(dim, qDim));
        DeviceBuffer dq = q.atLeast(4L * n * qDim);
        DeviceBuffer dk = k.atLeast(4L * n * kvDim);
        DeviceBuffer dv = v.atLeast(4L * n * kvDim);
        DeviceBuffer att = attended.atLeast(4L * n * qDim);
        DeviceBuffer g = gateOut.atLeast(4L * n * hiddenDim);
        DeviceBuffer u = upOut.atLeast(4L * n * hiddenDim);
        DeviceBuffer gu = gated.atLeast(4L * n * hiddenDim);
        DeviceBuffer dScores = scores.atLeast(4L * n * heads * longest);
        KernelSignature ropeKernel = c.ropeLayout() == RopeLayout.ADJACENT_PAIRS
                ? Kernels.ROPE_ADJACENT_PAIRS : Kernels.ROPE_ROTATE_HALF;
        float scale = (float) (1.0 / Math.sqrt(c.headSize()));

        for (int l = 0; l < local; l++) {
            GpuLayer w = layers.get(l);
            long keysAt = 8L * (2 * l) * n;
            long valuesAt = 8L * (2 * l + 1) * n;

            // Attention: x += Wo · attention(rope(Wq·norm(x)), rope(Wk·norm(x)), Wv·norm(x))
            rmsnorm(hidden, w.attnNorm(), normed, n);
            matmul(w.wq(), normed, dq, n);
            matmul(w.wk(), normed, dk, n);
            matmul(w.wv(), normed, dv, n);
            biasAdd(dq, w.qBias(), qDim, n);
            biasAdd(dk, w.kBias(), kvDim, n);
            biasAdd(dv, w.vBias(), kvDim, n);
            kernels.kernel(ropeKernel).launch().pointer(dq).pointer(dCos).pointer(dSin).i32(heads).i32(c.headSize())
                    .run(stream, n, 1, Kernels.ROPE_THREADS);
            kernels.kernel(ropeKernel).launch().pointer(dk).pointer(dCos).pointer(dSin).i32(c.kvHeads()).i32(c.headSize())
                    .run(stream, n, 1, Kernels.ROPE_THREADS);
            kernels.kernel(Kernels.KV_STORE).launch().pointer(dk).pointer(dv).pointer(dAddresses, keysAt)
                    .pointer(dAddresses, valuesAt).pointer(dPos).i32(kvDim).run(stream, n, 1, Kernels.ELEMENTWISE_THREADS);
            kernels.kernel(Kernels.ATTENTION).launch().pointer(dq).pointer(dAddresses, keysAt).pointer(dAddresses, valuesAt)
                    .pointer(dPos).pointer(att).pointer(dScores).i32(heads).i32(c.kvHeads()).i32(c.headSize())
                    .i32(longest).f32(scale).i32(0).run(stream, heads, n, Kernels.ATTENTION_THREADS);
            matmul(w.wo(), att, normed, n);
            add(hidden, normed, n * dim);

            // Feed-forward: x += W2 · (silu(W1·norm(x)) * W3·norm(x))
            rmsnorm(hidden, w.ffnNorm(), normed, n);
            matmul(w.gate(), normed, g, n);
            matmul(w.up(), normed, u, n);
            kernels.kernel(Kernels.SWIGLU).launch().pointer(g).pointer(u).pointer(gu).i32(n * hiddenDim)
                    .run(stream, blocks(n * hiddenDim), 1, Kernels.ELEMENTWISE_THREADS);
            matmul(w.down(), gu, normed, n);
            add(hidden, normed, n * dim);
        }
        for (int t = 0; t < n; t++) {
            ss[t].filled = pos[t] + 1; // rows of a session come in order, so its last row wins
        }
    }

    private void matmul(DeviceMatrix w, DeviceBuffer in, DeviceBuffer out, int n) {
        CudaKernel kernel = kernels.kernel(w.matmul());
        kernel.launch().pointer(w.bytes()).pointer(in).pointer(out).i32(w.rows()).i32(w.cols()).i32(n)
                .run(stream, (w.rows() + Kernels.MATMUL_ROWS - 1) / Kernels.MATMUL_ROWS,
                        (n + Kernels.MATMUL_TOKENS - 1) / Kernels.MATMUL_TOKENS, Kernels.MATMUL_THREADS);
    }

    private void rmsnorm(DeviceBuffer in, DeviceBuffer weight, DeviceBuffer out, int n) {
        kernels.kernel(Kernels.RMSNORM).launch().pointer(in).pointer(weight).pointer(out).i32(config.dim())
                .f32(config.rmsNormEps()).run(stream, n, 1, Kernels.RMSNORM_THREADS);
    }

    private void add(DeviceBuffer target, DeviceBuffer delta, int count) {
        kernels.kernel(Kernels.RESIDUAL_ADD).launch().pointer(target).pointer(delta).i32(count)
                .run(stream, blocks(count), 1, Kernels.ELEMENTWISE_THREADS);
    }

    private void biasAdd(DeviceBuffer target, DeviceBuffer bias, int width, int n) {
        if (bias != null) {
            kernels.kernel(Kernels.BIAS_ADD).launch().pointer(target).pointer(bias).i32(width).i32(n * width)
                    .run(stream, blocks(n * width), 1, Kernels.ELEMENTWISE_THREADS);
        }
    }

    private static int blocks(int count) {
        return (count + Kernels.ELEMENTWISE_THREADS - 1) / Kernels.ELEMENTWISE_THREADS;
    }

    /** Checks a batch: each row's session is this stage's and its positions follow on; returns the sessions. */
    private GpuSession[] checkRows(EngineSession[] sessions, int[] rowPositions) {
        checkOpen();
        int n = sessions.length;
        if (n < 1) {
            throw new IllegalArgumentException("a batch needs at least one row");
        }
        if (rowPositions.length != n) {
            throw new IllegalArgumentException(n + " sessions need " + n + " positions, got " + rowPositions.length);
        }
        GpuSession[] ss = new GpuSession[n];
        IdentityHashMap<GpuSession, Integer> next = new IdentityHashMap<>();
        for (int t = 0; t < n; t++) {
            if (!(sessions[t] instanceof GpuSession s) || s.stage != this) {
                throw new IllegalArgumentException("row " + t + ": the session belongs to another stage;"
                        + " open one with this stage's newSession");
            }
            int p = rowPositions[t];
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

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the GPU stage " + this + " is closed");
        }
    }

    /** Frees the weights, scratch and kernels on the device; sessions' caches are freed as they are collected. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        context.bind();
        stream.synchronize();
        for (DeviceScratch s : new DeviceScratch[] {x, xb, q, k, v, attended, gateOut, upOut, gated, tokens, positions,
                cos, sin, cachePointers, scores, logits}) {
            s.close();
        }
        layers.forEach(GpuLayer::closeQuietly);
        if (classifier != embedding) {
            GpuLayer.closeQuietly(classifier);
        }
        GpuLayer.closeQuietly(embedding);
        GpuLayer.closeQuietly(outputNorm);
        kernels.close();
        stream.close();
        closed = true;
        context.close();
    }

    @Override
    public String toString() {
        return "stage [" + first + ", " + last + ") of " + config.layers() + " layers on " + device;
    }
}
