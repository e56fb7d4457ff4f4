package io.strata.model.hf;

import io.strata.model.TensorNames;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mapping between Hugging Face Llama-family parameter names ("model.layers.3.self_attn.q_proj.weight")
 * and Strata's canonical names ("blk.3.attn_q.weight"), both ways.
 */
public final class HuggingFaceTensorNames {
    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(0|[1-9][0-9]{0,8})\\.(.+)");
    private static final Pattern BLOCK = Pattern.compile("blk\\.(0|[1-9][0-9]{0,8})\\.(.+)");

    private static final Map<String, String> GLOBAL = Map.of(
            "model.embed_tokens.weight", TensorNames.TOKEN_EMBEDDING,
            "model.norm.weight", TensorNames.OUTPUT_NORM,
            "lm_head.weight", TensorNames.OUTPUT);

    /** Per-layer suffixes: Hugging Face → canonical. */
    private static final Map<String, String> PER_LAYER = Map.ofEntries(
            Map.entry("input_layernorm.weight", "attn_norm.weight"),
            Map.entry("self_attn.q_proj.weight", "attn_q.weight"),
            Map.entry("self_attn.k_proj.weight", "attn_k.weight"),
            Map.entry("self_attn.v_proj.weight", "attn_v.weight"),
            Map.entry("self_attn.o_proj.weight", "attn_output.weight"),
            Map.entry("self_attn.q_proj.bias", "attn_q.bias"),
            Map.entry("self_attn.k_proj.bias", "attn_k.bias"),
            Map.entry("self_attn.v_proj.bias", "attn_v.bias"),
            Map.entry("self_attn.o_proj.bias", "attn_output.bias"),
            Map.entry("post_attention_layernorm.weight", "ffn_norm.weight"),
            Map.entry("mlp.gate_proj.weight", "ffn_gate.weight"),
            Map.entry("mlp.up_proj.weight", "ffn_up.weight"),
            Map.entry("mlp.down_proj.weight", "ffn_down.weight"));

    private HuggingFaceTensorNames() {
    }

    /** The canonical name of Hugging Face parameter {@code hfName}, or null when it is not a Llama-family weight. */
    public static String canonical(String hfName) {
        String global = GLOBAL.get(hfName);
        if (global != null) {
            return global;
        }
        Matcher m = LAYER.matcher(hfName);
        if (m.matches()) {
            String suffix = PER_LAYER.get(m.group(2));
            return suffix == null ? null : "blk." + m.group(1) + "." + suffix;
        }
        return null;
    }

    /** The Hugging Face name of canonical tensor {@code canonicalName}, or null when it has none. */
    public static String huggingFace(String canonicalName) {
        for (Map.Entry<String, String> e : GLOBAL.entrySet()) {
            if (e.getValue().equals(canonicalName)) {
                return e.getKey();
            }
        }
        Matcher m = BLOCK.matcher(canonicalName);
        if (m.matches()) {
            for (Map.Entry<String, String> e : PER_LAYER.entrySet()) {
                if (e.getValue().equals(m.group(2))) {
                    return "model.layers." + m.group(1) + "." + e.getKey();
                }
            }
        }
        return null;
    }

    /**
     * True for buffers some checkpoints carry that are not weights (RoPE's precomputed
     * inverse frequencies) and can be skipped.
     */
    static boolean isIgnorableBuffer(String hfName) {
        return hfName.endsWith(".rotary_emb.inv_freq");
    }
}
