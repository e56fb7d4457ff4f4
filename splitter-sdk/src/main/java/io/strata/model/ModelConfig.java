package io.strata.model;

/**
 * The hyperparameters of a Llama-family decoder, whatever file they came from.
 *
 * @param architecture   the family name as the file states it ("llama", "qwen2", ...)
 * @param dim            width of the residual stream
 * @param hiddenDim      width of the feed-forward layer
 * @param layers         number of transformer blocks
 * @param heads          query heads
 * @param kvHeads        key/value heads (fewer than {@code heads} for grouped-query attention)
 * @param headSize       dimensions per head
 * @param vocabSize      tokens in the vocabulary (rows of the embedding)
 * @param contextLength  the longest sequence the model was trained for
 * @param rmsNormEps     epsilon of every norm (RMSNorm, or LayerNorm where the traits say so)
 * @param ropeTheta      base frequency of the rotary embedding
 * @param ropeLayout     which dimensions RoPE rotates together
 * @param tiedClassifier true when the classifier is the token embedding
 * @param traits         how the block differs from Llama's (norms, activation, window, experts, ...)
 */
public record ModelConfig(
        String architecture,
        int dim,
        int hiddenDim,
        int layers,
        int heads,
        int kvHeads,
        int headSize,
        int vocabSize,
        int contextLength,
        float rmsNormEps,
        float ropeTheta,
        RopeLayout ropeLayout,
        boolean tiedClassifier,
        ArchitectureTraits traits) {

    /** A Llama-skeleton model: no differences from Llama's block. */
    public ModelConfig(String architecture, int dim, int hiddenDim, int layers, int heads, int kvHeads, int headSize,
                       int vocabSize, int contextLength, float rmsNormEps, float ropeTheta, RopeLayout ropeLayout,
                       boolean tiedClassifier) {
        this(architecture, dim, hiddenDim, layers, heads, kvHeads, headSize, vocabSize, contextLength, rmsNormEps,
                ropeTheta, ropeLayout, tiedClassifier, ArchitectureTraits.LLAMA);
    }

    public ModelConfig {
        require(traits != null, "architecture traits are required");
        require(dim > 0, "dim must be positive, got " + dim);
        require(hiddenDim > 0, "hidden (feed-forward) dim must be positive, got " + hiddenDim);
        require(layers > 0, "layer count must be positive, got " + layers);
        require(heads > 0, "head count must be positive, got " + heads);
        require(kvHeads > 0 && heads % kvHeads == 0,
                "key/value heads (" + kvHeads + ") must divide query heads (" + heads + ")");
        require(headSize > 0 && headSize % 2 == 0, "head size must be positive and even, got " + headSize);
        require(vocabSize > 0, "vocabulary size must be positive, got " + vocabSize);
        require(contextLength > 0, "context length must be positive, got " + contextLength);
        require(traits.ropeDims() <= headSize, "RoPE dimensions (" + traits.ropeDims() + ") exceed the head size ("
                + headSize + ")");
    }

    /** Dimensions of each head RoPE turns: the whole head unless the traits say fewer. */
    public int ropeDims() {
        return traits.ropeDims() > 0 ? traits.ropeDims() : headSize;
    }

    /** The same model with the classifier tied to the embedding or not. */
    public ModelConfig withTiedClassifier(boolean tied) {
        return new ModelConfig(architecture, dim, hiddenDim, layers, heads, kvHeads, headSize, vocabSize, contextLength,
                rmsNormEps, ropeTheta, ropeLayout, tied, traits);
    }

    /** Width of the key and value projections: kvHeads × headSize. */
    public int kvDim() {
        return kvHeads * headSize;
    }

    /** Width of the query projection: heads × headSize (usually equal to {@link #dim()}). */
    public int qDim() {
        return heads * headSize;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid model configuration: " + message);
        }
    }
}
