package io.strata.engine;

import io.strata.model.ModelConfig;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Generates text with a chain of stages that together cover a model's layers: the prompt goes
 * through in batches (prefill), then one token at a time (decode), each new token sampled from
 * the last stage's logits and fed back to the first.
 */
public final class Generator {
    /** Prompt tokens per forward batch: bounds scratch memory; any size gives the same bits. */
    private static final int PREFILL_BATCH = 256;

    private final List<StageEngine> stages;
    private final ModelConfig config;
    private final int[] stopTokens;

    /**
     * @param stages     stages in order, covering layers {@code [0, layers)} without gaps
     * @param stopTokens tokens that end generation (end of sequence); they are not reported
     */
    public Generator(List<? extends StageEngine> stages, int... stopTokens) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("a generator needs at least one stage");
        }
        this.stages = List.copyOf(stages);
        this.config = stages.getFirst().config();
        int expected = 0;
        for (StageEngine s : this.stages) {
            if (s.first() != expected || !s.config().equals(config)) {
                throw new IllegalArgumentException("stages must cover layers 0.." + config.layers()
                        + " of one model in order; stage [" + s.first() + ", " + s.last() + ") does not follow layer " + expected);
            }
            expected = s.last();
        }
        if (expected != config.layers()) {
            throw new IllegalArgumentException("stages end at layer " + expected + " but the model has "
                    + config.layers() + " layers");
        }
        this.stopTokens = stopTokens.clone();
    }

    /**
     * Generates up to {@code maxTokens} tokens after {@code promptTokens}, calling
     * {@code listener} (may be null) with each generated token as soon as it is chosen.
     */
    public GenerationResult generate(int[] promptTokens, int maxTokens, SamplingParams params, IntConsumer listener) {
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token (usually BOS)");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max tokens must be ≥ 0, got " + maxTokens);
        }
        if (promptTokens.length > config.contextLength()) {
            throw new IllegalArgumentException("the prompt has " + promptTokens.length
                    + " tokens but the model's context holds " + config.contextLength());
        }
        int[] prompt = promptTokens.clone();
        if (maxTokens == 0) {
            return new GenerationResult(prompt, new int[0], GenerationResult.StopReason.MAX_TOKENS, 0, 0,
                    new long[stages.size()]);
        }
        // The last generated token is never fed back, so it needs no cache position.
        int positions = (int) Math.min(config.contextLength(), (long) prompt.length + maxTokens - 1);
        EngineSession[] sessions = new EngineSession[stages.size()];
        for (int i = 0; i < sessions.length; i++) {
            sessions[i] = stages.get(i).newSession(Math.max(positions, prompt.length));
        }

        long[] stageNanos = new long[stages.size()];
        long start = System.nanoTime();
        float[] logits = null;
        for (int from = 0; from < prompt.length; from += PREFILL_BATCH) {
            int[] batch = Arrays.copyOfRange(prompt, from, Math.min(prompt.length, from + PREFILL_BATCH));
            logits = forward(sessions, batch, from, stageNanos);
        }
        int[] generated = new int[maxTokens];
        int count = 0;
        GenerationResult.StopReason reason = GenerationResult.StopReason.MAX_TOKENS;
        int token = Sampler.sample(logits, params, 0);
        long prefillNanos = System.nanoTime() - start;
        long decodeStart = System.nanoTime();
        int pos = prompt.length;
        while (true) {
            if (isStop(token)) {
                reason = GenerationResult.StopReason.STOP_TOKEN;
                break;
            }
            generated[count++] = token;
            if (listener != null) {
                listener.accept(token);
            }
            if (count == maxTokens) {
                break;
            }
            if (pos >= sessions[0].capacity()) {
                reason = GenerationResult.StopReason.CONTEXT_FULL;
                break;
            }
            logits = forward(sessions, new int[]{token}, pos, stageNanos);
            pos++;
            token = Sampler.sample(logits, params, count);
        }
        long decodeNanos = System.nanoTime() - decodeStart;
        return new GenerationResult(prompt, Arrays.copyOf(generated, count), reason, prefillNanos, decodeNanos,
                stageNanos);
    }

    /** Runs a batch through every stage, adding each stage's time, and returns the logits of its last token. */
    private float[] forward(EngineSession[] sessions, int[] tokens, int startPos, long[] stageNanos) {
        int n = tokens.length;
        long t0 = System.nanoTime();
        float[] hidden = stages.getFirst().forwardTokens(sessions[0], tokens, startPos);
        for (int i = 1; i < sessions.length; i++) {
            long t1 = System.nanoTime();
            stageNanos[i - 1] += t1 - t0;
            t0 = t1;
            hidden = stages.get(i).forwardHidden(sessions[i], hidden, n, startPos);
        }
        float[] logits = stages.getLast().logits(hidden, n - 1);
        stageNanos[sessions.length - 1] += System.nanoTime() - t0;
        return logits;
    }

    private boolean isStop(int token) {
        for (int s : stopTokens) {
            if (s == token) {
                return true;
            }
        }
        return false;
    }
}
