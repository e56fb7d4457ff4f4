package io.strata.model;

/**
 * The canonical tensor names Strata uses inside the engine and in split artifacts. They are
 * GGUF's names for the Llama family; the llama2.c and Hugging Face readers rename to them.
 */
public final class TensorNames {
    public static final String TOKEN_EMBEDDING = "token_embd.weight";
    /** Learned absolute position embedding, one row per position (GPT-2). */
    public static final String POSITION_EMBEDDING = "position_embd.weight";
    public static final String OUTPUT_NORM = "output_norm.weight";
    /** Bias of the final LayerNorm (GPT-2, GPT-NeoX). */
    public static final String OUTPUT_NORM_BIAS = "output_norm.bias";
    public static final String OUTPUT = "output.weight";
    /** Per-pair RoPE frequency divisors (Llama 3.1+ GGUF files); one tensor for every layer. */
    public static final String ROPE_FREQS = "rope_freqs.weight";

    private TensorNames() {
    }

    public static String attnNorm(int layer) {
        return block(layer, "attn_norm.weight");
    }

    /** Bias of the attention LayerNorm (GPT-2, GPT-NeoX). */
    public static String attnNormBias(int layer) {
        return block(layer, "attn_norm.bias");
    }

    public static String attnQ(int layer) {
        return block(layer, "attn_q.weight");
    }

    public static String attnK(int layer) {
        return block(layer, "attn_k.weight");
    }

    public static String attnV(int layer) {
        return block(layer, "attn_v.weight");
    }

    /** Query bias (Qwen2); absent in most Llama models. */
    public static String attnQBias(int layer) {
        return block(layer, "attn_q.bias");
    }

    public static String attnKBias(int layer) {
        return block(layer, "attn_k.bias");
    }

    public static String attnVBias(int layer) {
        return block(layer, "attn_v.bias");
    }

    public static String attnOutput(int layer) {
        return block(layer, "attn_output.weight");
    }

    /** Bias of the attention output projection (Llama with attention_bias). */
    public static String attnOutputBias(int layer) {
        return block(layer, "attn_output.bias");
    }

    /** q, k and v in one matrix, in that order (Phi-3). */
    public static String attnQkv(int layer) {
        return block(layer, "attn_qkv.weight");
    }

    /** Bias of the fused q, k and v, in that order (GPT-2, GPT-NeoX). */
    public static String attnQkvBias(int layer) {
        return block(layer, "attn_qkv.bias");
    }

    /** RMSNorm weight of every query head (Qwen3, Gemma 3). */
    public static String attnQNorm(int layer) {
        return block(layer, "attn_q_norm.weight");
    }

    public static String attnKNorm(int layer) {
        return block(layer, "attn_k_norm.weight");
    }

    /** RMSNorm after attention, before the residual add (Gemma 2 and 3). */
    public static String postAttentionNorm(int layer) {
        return block(layer, "post_attention_norm.weight");
    }

    /** RMSNorm after the feed-forward, before the residual add (Gemma 2 and 3). */
    public static String postFfwNorm(int layer) {
        return block(layer, "post_ffw_norm.weight");
    }

    /** The router of a mixture of experts: one row of logits per expert. */
    public static String ffnGateInp(int layer) {
        return block(layer, "ffn_gate_inp.weight");
    }

    /** Expert {@code expert}'s gate as its own matrix (llama.cpp's older per-expert names). */
    public static String ffnGateExpert(int layer, int expert) {
        return block(layer, "ffn_gate." + expert + ".weight");
    }

    public static String ffnUpExpert(int layer, int expert) {
        return block(layer, "ffn_up." + expert + ".weight");
    }

    public static String ffnDownExpert(int layer, int expert) {
        return block(layer, "ffn_down." + expert + ".weight");
    }

    /** Every expert's gate stacked in one 3-D tensor {@code [dim, expertHidden, experts]}. */
    public static String ffnGateExperts(int layer) {
        return block(layer, "ffn_gate_exps.weight");
    }

    public static String ffnUpExperts(int layer) {
        return block(layer, "ffn_up_exps.weight");
    }

    public static String ffnDownExperts(int layer) {
        return block(layer, "ffn_down_exps.weight");
    }

    public static String ffnNorm(int layer) {
        return block(layer, "ffn_norm.weight");
    }

    /** Bias of the feed-forward LayerNorm (GPT-2, GPT-NeoX). */
    public static String ffnNormBias(int layer) {
        return block(layer, "ffn_norm.bias");
    }

    /** Bias of the ungated feed-forward's input matrix (GPT-2, GPT-NeoX). */
    public static String ffnUpBias(int layer) {
        return block(layer, "ffn_up.bias");
    }

    public static String ffnDownBias(int layer) {
        return block(layer, "ffn_down.bias");
    }

    public static String ffnGate(int layer) {
        return block(layer, "ffn_gate.weight");
    }

    public static String ffnUp(int layer) {
        return block(layer, "ffn_up.weight");
    }

    public static String ffnDown(int layer) {
        return block(layer, "ffn_down.weight");
    }

    /** The layer a block tensor belongs to ("blk.3.attn_q.weight" → 3), or -1 for a global tensor. */
    public static int layerOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int dot = name.indexOf('.', 4);
        if (dot < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(name.substring(4, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String block(int layer, String suffix) {
        return "blk." + layer + "." + suffix;
    }
}
