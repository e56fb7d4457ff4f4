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
            Map.entry("mlp.down_proj.weight", "ffn_down.weight"),
            Map.entry("self_attn.q_norm.weight", "attn_q_norm.weight"),
            Map.entry("self_attn.k_norm.weight", "attn_k_norm.weight"),
            Map.entry("mlp.gate.weight", "ffn_gate_inp.weight"),
            Map.entry("block_sparse_moe.gate.weight", "ffn_gate_inp.weight"));

    /** Phi-3's fused projections: q, k, v in one matrix; gate and up in one (canonical ffn_up of twice the rows). */
    private static final Map<String, String> FUSED = Map.of(
            "self_attn.qkv_proj.weight", "attn_qkv.weight",
            "mlp.gate_up_proj.weight", "ffn_up.weight");

    /** Gemma's four norms: its post_attention_layernorm follows attention, where Llama's precedes the feed-forward. */
    private static final Map<String, String> GEMMA_NORMS = Map.of(
            "input_layernorm.weight", "attn_norm.weight",
            "post_attention_layernorm.weight", "post_attention_norm.weight",
            "pre_feedforward_layernorm.weight", "ffn_norm.weight",
            "post_feedforward_layernorm.weight", "post_ffw_norm.weight");

    /** One expert's matrices: Qwen-MoE's gate/up/down_proj and Mixtral's w1/w3/w2. */
    private static final Pattern EXPERT = Pattern.compile(
            "(?:mlp|block_sparse_moe)\\.experts\\.(0|[1-9][0-9]{0,5})\\.(gate_proj|up_proj|down_proj|w1|w2|w3)\\.weight");
    private static final Pattern CANONICAL_EXPERT = Pattern.compile("ffn_(gate|up|down)\\.(0|[1-9][0-9]{0,5})\\.weight");

    /** GPT-2's names (after an optional "transformer." prefix), canonical → Hugging Face. */
    private static final Map<String, String> GPT2_GLOBAL = Map.of(
            TensorNames.TOKEN_EMBEDDING, "wte.weight",
            TensorNames.POSITION_EMBEDDING, "wpe.weight",
            TensorNames.OUTPUT_NORM, "ln_f.weight",
            TensorNames.OUTPUT_NORM_BIAS, "ln_f.bias");
    private static final Map<String, String> GPT2_LAYER = Map.ofEntries(
            Map.entry("attn_norm.weight", "ln_1.weight"),
            Map.entry("attn_norm.bias", "ln_1.bias"),
            Map.entry("attn_qkv.weight", "attn.c_attn.weight"),
            Map.entry("attn_qkv.bias", "attn.c_attn.bias"),
            Map.entry("attn_output.weight", "attn.c_proj.weight"),
            Map.entry("attn_output.bias", "attn.c_proj.bias"),
            Map.entry("ffn_norm.weight", "ln_2.weight"),
            Map.entry("ffn_norm.bias", "ln_2.bias"),
            Map.entry("ffn_up.weight", "mlp.c_fc.weight"),
            Map.entry("ffn_up.bias", "mlp.c_fc.bias"),
            Map.entry("ffn_down.weight", "mlp.c_proj.weight"),
            Map.entry("ffn_down.bias", "mlp.c_proj.bias"));
    private static final Pattern GPT2_BLOCK = Pattern.compile("(?:transformer\\.)?h\\.(0|[1-9][0-9]{0,8})\\.(.+)");

    /** GPT-NeoX's names, canonical → Hugging Face. */
    private static final Map<String, String> NEOX_GLOBAL = Map.of(
            TensorNames.TOKEN_EMBEDDING, "gpt_neox.embed_in.weight",
            TensorNames.OUTPUT_NORM, "gpt_neox.final_layer_norm.weight",
            TensorNames.OUTPUT_NORM_BIAS, "gpt_neox.final_layer_norm.bias",
            TensorNames.OUTPUT, "embed_out.weight");
    private static final Map<String, String> NEOX_LAYER = Map.ofEntries(
            Map.entry("attn_norm.weight", "input_layernorm.weight"),
            Map.entry("attn_norm.bias", "input_layernorm.bias"),
            Map.entry("attn_qkv.weight", "attention.query_key_value.weight"),
            Map.entry("attn_qkv.bias", "attention.query_key_value.bias"),
            Map.entry("attn_output.weight", "attention.dense.weight"),
            Map.entry("attn_output.bias", "attention.dense.bias"),
            Map.entry("ffn_norm.weight", "post_attention_layernorm.weight"),
            Map.entry("ffn_norm.bias", "post_attention_layernorm.bias"),
            Map.entry("ffn_up.weight", "mlp.dense_h_to_4h.weight"),
            Map.entry("ffn_up.bias", "mlp.dense_h_to_4h.bias"),
            Map.entry("ffn_down.weight", "mlp.dense_4h_to_h.weight"),
            Map.entry("ffn_down.bias", "mlp.dense_4h_to_h.bias"));
    private static final Pattern NEOX_BLOCK = Pattern.compile("gpt_neox\\.layers\\.(0|[1-9][0-9]{0,8})\\.(.+)");

    private HuggingFaceTensorNames() {
    }

    /** GPT-2's and GPT-NeoX's own names, canonical for {@code hfName}, or null. */
    private static String canonicalGpt(String hfName, boolean gpt2) {
        String bare = gpt2 && hfName.startsWith("transformer.") ? hfName.substring("transformer.".length()) : hfName;
        for (Map.Entry<String, String> e : (gpt2 ? GPT2_GLOBAL : NEOX_GLOBAL).entrySet()) {
            if (e.getValue().equals(bare)) {
                return e.getKey();
            }
        }
        Matcher m = (gpt2 ? GPT2_BLOCK : NEOX_BLOCK).matcher(hfName);
        if (m.matches()) {
            for (Map.Entry<String, String> e : (gpt2 ? GPT2_LAYER : NEOX_LAYER).entrySet()) {
                if (e.getValue().equals(m.group(2))) {
                    return "blk." + m.group(1) + "." + e.getKey();
                }
            }
        }
        return null;
    }

    private static String huggingFaceGpt(String canonicalName, boolean gpt2) {
        String global = (gpt2 ? GPT2_GLOBAL : NEOX_GLOBAL).get(canonicalName);
        if (global != null) {
            return gpt2 ? "transformer." + global : global;
        }
        Matcher m = BLOCK.matcher(canonicalName);
        String suffix = m.matches() ? (gpt2 ? GPT2_LAYER : NEOX_LAYER).get(m.group(2)) : null;
        if (suffix == null) {
            return null;
        }
        return (gpt2 ? "transformer.h." : "gpt_neox.layers.") + m.group(1) + "." + suffix;
    }

    private static boolean gpt(String modelType) {
        return modelType.equals("gpt2") || modelType.equals("gpt_neox");
    }

    /** The canonical name of Hugging Face parameter {@code hfName}, or null when it is not a Llama-family weight. */
    public static String canonical(String hfName) {
        return canonical(hfName, "llama");
    }

    /** The canonical name of parameter {@code hfName} of a {@code modelType} model, or null when it is no weight of one. */
    public static String canonical(String hfName, String modelType) {
        if (gpt(modelType)) {
            return canonicalGpt(hfName, modelType.equals("gpt2"));
        }
        String global = GLOBAL.get(hfName);
        if (global != null) {
            return global;
        }
        Matcher m = LAYER.matcher(hfName);
        if (m.matches()) {
            String rest = m.group(2);
            Matcher ex = EXPERT.matcher(rest);
            if (ex.matches()) {
                String kind = switch (ex.group(2)) {
                    case "gate_proj", "w1" -> "gate";
                    case "up_proj", "w3" -> "up";
                    default -> "down";
                };
                return "blk." + m.group(1) + ".ffn_" + kind + "." + ex.group(1) + ".weight";
            }
            String suffix = gemma(modelType) && GEMMA_NORMS.containsKey(rest) ? GEMMA_NORMS.get(rest)
                    : fused(modelType) && FUSED.containsKey(rest) ? FUSED.get(rest) : PER_LAYER.get(rest);
            return suffix == null ? null : "blk." + m.group(1) + "." + suffix;
        }
        return null;
    }

    /** The Hugging Face name of canonical tensor {@code canonicalName}, or null when it has none. */
    public static String huggingFace(String canonicalName) {
        return huggingFace(canonicalName, "llama");
    }

    /** The Hugging Face name of canonical tensor {@code canonicalName} in a {@code modelType} model, or null. */
    public static String huggingFace(String canonicalName, String modelType) {
        if (gpt(modelType)) {
            return huggingFaceGpt(canonicalName, modelType.equals("gpt2"));
        }
        for (Map.Entry<String, String> e : GLOBAL.entrySet()) {
            if (e.getValue().equals(canonicalName)) {
                return e.getKey();
            }
        }
        Matcher m = BLOCK.matcher(canonicalName);
        if (m.matches()) {
            String layer = "model.layers." + m.group(1) + ".";
            Matcher ex = CANONICAL_EXPERT.matcher(m.group(2));
            if (ex.matches()) {
                boolean mixtral = modelType.equals("mixtral");
                String kind = switch (ex.group(1)) {
                    case "gate" -> mixtral ? "w1" : "gate_proj";
                    case "up" -> mixtral ? "w3" : "up_proj";
                    default -> mixtral ? "w2" : "down_proj";
                };
                return layer + (mixtral ? "block_sparse_moe" : "mlp") + ".experts." + ex.group(2) + "." + kind + ".weight";
            }
            if (gemma(modelType)) {
                for (Map.Entry<String, String> e : GEMMA_NORMS.entrySet()) {
                    if (e.getValue().equals(m.group(2))) {
                        return layer + e.getKey();
                    }
                }
            }
            if (fused(modelType)) {
                for (Map.Entry<String, String> e : FUSED.entrySet()) {
                    if (e.getValue().equals(m.group(2))) {
                        return layer + e.getKey();
                    }
                }
            }
            if (m.group(2).equals("ffn_gate_inp.weight")) {
                return layer + (modelType.equals("mixtral") ? "block_sparse_moe" : "mlp") + ".gate.weight";
            }
            for (Map.Entry<String, String> e : PER_LAYER.entrySet()) {
                if (e.getValue().equals(m.group(2))) {
                    return layer + e.getKey();
                }
            }
        }
        return null;
    }

    private static boolean fused(String modelType) {
        return modelType.equals("phi3");
    }

    private static boolean gemma(String modelType) {
        return modelType.startsWith("gemma");
    }

    /**
     * True for buffers some checkpoints carry that are not weights (RoPE's precomputed
     * inverse frequencies) and can be skipped.
     */
    static boolean isIgnorableBuffer(String hfName) {
        // GPT-2's causal mask and GPT-NeoX's mask and bias buffers, which older checkpoints saved
        return hfName.endsWith(".rotary_emb.inv_freq") || hfName.endsWith(".attn.bias")
                || hfName.endsWith(".attn.masked_bias") || hfName.endsWith(".attention.bias")
                || hfName.endsWith(".attention.masked_bias");
    }
}
