package io.strata.model;

/**
 * How a model's transformer block differs from the Llama skeleton (RMSNorm, SwiGLU, plain RoPE,
 * full causal attention, one feed-forward). Every field's neutral value is Llama's, so
 * {@link #LLAMA} describes Llama, Mistral without a window, and Qwen2 (whose biases are seen
 * from its tensors).
 *
 * @param activation         the feed-forward's gate activation
 * @param normWeightOffset   added to every RMSNorm weight when it is read (1 for Gemma weights as
 *                           Hugging Face stores them, {@code w - 1}; 0 where the file holds the weight itself)
 * @param qkNorm             an RMSNorm over each query and key head before RoPE (Qwen3, Gemma 3)
 * @param postNorms          an RMSNorm after attention and after the feed-forward, before each
 *                           residual add (Gemma 2 and 3)
 * @param fusedProjections   q, k and v in one matrix, gate and up in one matrix (Phi-3)
 * @param embeddingScale     factor applied to the embedding rows (Gemma: √dim); 0 for none
 * @param attnSoftcap        attention scores become {@code c·tanh(s/c)} (Gemma 2); 0 for none
 * @param finalSoftcap       logits become {@code c·tanh(l/c)} (Gemma 2); 0 for none
 * @param queryScalar        attention scores are divided by √queryScalar (Gemma's
 *                           query_pre_attn_scalar); 0 for the head size
 * @param slidingWindow      positions a sliding-window layer sees, itself included; 0 for none
 * @param slidingPattern     with a window: every {@code slidingPattern}-th layer (layer
 *                           {@code p-1}, {@code 2p-1}, …) is global; 1 (or 0) makes every layer slide
 * @param localRopeTheta     RoPE base of the sliding-window layers (Gemma 3); 0 for the model's own
 * @param ropeScaling        long-context scaling of the RoPE frequencies
 * @param experts            feed-forward experts per layer; 0 for a dense feed-forward
 * @param expertsUsed        experts each token is routed to (top-k, weights renormalised over them)
 * @param expertHiddenDim    width of one expert's feed-forward
 * @param layerNorm          every norm is a LayerNorm with a bias (mean subtracted), not an RMSNorm
 *                           (GPT-2, GPT-NeoX)
 * @param ungatedFeedForward the feed-forward is {@code down(act(up·x + b) ) + b}: one input matrix, no
 *                           gate, both with biases (GPT-2, GPT-NeoX)
 * @param learnedPositions   a learned absolute position embedding is added to the token embedding
 *                           and there is no RoPE (GPT-2)
 * @param ropeDims           dimensions of each head RoPE turns, from the first; 0 for the whole head
 *                           (GPT-NeoX's rotary_pct)
 * @param parallelResidual   attention and feed-forward both read the block's input:
 *                           {@code x + attn(norm1(x)) + ffn(norm2(x))} (GPT-NeoX)
 */
public record ArchitectureTraits(
        Activation activation,
        float normWeightOffset,
        boolean qkNorm,
        boolean postNorms,
        boolean fusedProjections,
        float embeddingScale,
        float attnSoftcap,
        float finalSoftcap,
        float queryScalar,
        int slidingWindow,
        int slidingPattern,
        float localRopeTheta,
        RopeScaling ropeScaling,
        int experts,
        int expertsUsed,
        int expertHiddenDim,
        boolean layerNorm,
        boolean ungatedFeedForward,
        boolean learnedPositions,
        int ropeDims,
        boolean parallelResidual) {

    public static final ArchitectureTraits LLAMA = new ArchitectureTraits(Activation.SILU, 0, false, false, false,
            0, 0, 0, 0, 0, 0, 0, RopeScaling.NONE, 0, 0, 0);

    /** A block of the Llama family (RMSNorm, gated feed-forward, RoPE, sequential residual). */
    public ArchitectureTraits(Activation activation, float normWeightOffset, boolean qkNorm, boolean postNorms,
                              boolean fusedProjections, float embeddingScale, float attnSoftcap, float finalSoftcap,
                              float queryScalar, int slidingWindow, int slidingPattern, float localRopeTheta,
                              RopeScaling ropeScaling, int experts, int expertsUsed, int expertHiddenDim) {
        this(activation, normWeightOffset, qkNorm, postNorms, fusedProjections, embeddingScale, attnSoftcap,
                finalSoftcap, queryScalar, slidingWindow, slidingPattern, localRopeTheta, ropeScaling, experts,
                expertsUsed, expertHiddenDim, false, false, false, 0, false);
    }

    /** The feed-forward's activation (of the gate, in a gated one). */
    public enum Activation {
        /** {@code v / (1 + e^-v)} (SwiGLU). */
        SILU,
        /** GELU by its tanh approximation (GeGLU as Gemma computes it, GPT-2's gelu_new). */
        GELU_TANH,
        /** GELU exactly, {@code v·Φ(v)} through erf (GPT-NeoX's gelu). */
        GELU
    }

    /**
     * Long-context scaling of RoPE frequencies.
     *
     * @param kind            none, linear (every frequency divided by factor) or Llama 3's per-band scheme
     * @param factor          the scaling factor
     * @param lowFreqFactor   Llama 3: wavelengths above {@code originalContext / lowFreqFactor} are scaled fully
     * @param highFreqFactor  Llama 3: wavelengths below {@code originalContext / highFreqFactor} are kept
     * @param originalContext Llama 3: the context the base frequencies were trained for
     */
    public record RopeScaling(Kind kind, float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {
        public static final RopeScaling NONE = new RopeScaling(Kind.NONE, 1, 0, 0, 0);

        public enum Kind { NONE, LINEAR, LLAMA3 }

        public RopeScaling {
            if (kind != Kind.NONE && !(factor > 0)) {
                throw new IllegalArgumentException("invalid model configuration: RoPE scaling factor must be positive, got "
                        + factor);
            }
            if (kind == Kind.LLAMA3 && (originalContext <= 0 || !(highFreqFactor > lowFreqFactor))) {
                throw new IllegalArgumentException("invalid model configuration: llama3 RoPE scaling needs an original"
                        + " context and high_freq_factor > low_freq_factor");
            }
        }

        /**
         * The divisor of pair {@code i}'s frequency {@code inverseFrequency} (what GGUF's
         * {@code rope_freqs.weight} holds for Llama 3).
         */
        public double divisor(double inverseFrequency) {
            return switch (kind) {
                case NONE -> 1;
                case LINEAR -> factor;
                case LLAMA3 -> {
                    double wavelength = 2 * Math.PI / inverseFrequency;
                    double lowWavelength = originalContext / lowFreqFactor;
                    double highWavelength = originalContext / highFreqFactor;
                    if (wavelength < highWavelength) {
                        yield 1;
                    }
                    if (wavelength > lowWavelength) {
                        yield factor;
                    }
                    double smooth = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                    yield 1 / ((1 - smooth) / factor + smooth);
                }
            };
        }
    }

    public ArchitectureTraits {
        if (activation == null || ropeScaling == null) {
            throw new IllegalArgumentException("invalid model configuration: activation and RoPE scaling are required");
        }
        if (slidingWindow < 0 || slidingPattern < 0 || experts < 0 || expertsUsed < 0 || expertHiddenDim < 0
                || ropeDims < 0 || ropeDims % 2 != 0) {
            throw new IllegalArgumentException("invalid model configuration: window, pattern and expert counts must not"
                    + " be negative, and RoPE dimensions must be even");
        }
        if (ungatedFeedForward && (experts > 0 || activation == Activation.SILU)) {
            throw new IllegalArgumentException("invalid model configuration: an ungated feed-forward applies GELU to"
                    + " one dense matrix (no silu, no experts)");
        }
        if (experts > 0 && (expertsUsed < 1 || expertsUsed > experts || expertHiddenDim < 1)) {
            throw new IllegalArgumentException("invalid model configuration: " + experts + " experts need between 1 and "
                    + experts + " used per token (got " + expertsUsed + ") and a positive width");
        }
    }

    /** True when layer {@code layer} attends through a sliding window. */
    public boolean slides(int layer) {
        return slidingWindow > 0 && (slidingPattern <= 1 || (layer + 1) % slidingPattern != 0);
    }

    /** True when the block turns query and key heads (every block but GPT-2's). */
    public boolean rotary() {
        return !learnedPositions;
    }

    /** True when the feed-forward is a mixture of experts. */
    public boolean moe() {
        return experts > 0;
    }
}
