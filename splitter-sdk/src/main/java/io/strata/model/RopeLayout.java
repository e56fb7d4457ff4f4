package io.strata.model;

/**
 * Which pairs of a head's dimensions a rotary position embedding rotates together. The same
 * trained model is stored either way by different tools, with the query and key weights
 * permuted to match, so the engine must apply the layout the file was written in.
 */
public enum RopeLayout {
    /** Pairs (x[2i], x[2i+1]): GGUF "llama" models and llama2.c checkpoints. */
    ADJACENT_PAIRS,
    /** Pairs (x[i], x[i + headSize/2]): Hugging Face checkpoints and GGUF "qwen2" (NeoX style). */
    ROTATE_HALF
}
