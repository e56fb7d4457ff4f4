package io.strata.model;

/**
 * The canonical tensor names Strata uses inside the engine and in split artifacts. They are
 * GGUF's names for the Llama family; the llama2.c and Hugging Face readers rename to them.
 */
public final class TensorNames {
    public static final String TOKEN_EMBEDDING = "token_embd.weight";
    public static final String OUTPUT_NORM = "output_norm.weight";
    public static final String OUTPUT = "output.weight";

    private TensorNames() {
    }

    public static String attnNorm(int layer) {
        return block(layer, "attn_norm.weight");
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

    public static String ffnNorm(int layer) {
        return block(layer, "ffn_norm.weight");
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
