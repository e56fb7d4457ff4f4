package io.strata.model.hf;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.ArchitectureTraits;
import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.RopeLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a Hugging Face {@code config.json} says about a Llama-family model, with the defaults
 * transformers applies when a key is absent.
 *
 * @param modelType        config.json's model_type ("llama", "qwen3_moe", "gemma2", ...)
 * @param config           the hyperparameters; the layout is always {@link RopeLayout#ROTATE_HALF}
 * @param qkvBias          the q, k and v projections carry biases (always for qwen2)
 * @param outputBias       the attention output projection carries a bias (llama's attention_bias)
 */
public record HuggingFaceConfig(String modelType, ModelConfig config, boolean qkvBias, boolean outputBias) {
    /** The model types read, in the order an error lists them. */
    static final List<String> SUPPORTED_ORDER = List.of("llama", "mistral", "qwen2", "qwen3", "qwen3_moe", "mixtral",
            "phi3", "gemma2", "gemma3_text", "gpt2", "gpt_neox");
    static final Set<String> SUPPORTED = Set.copyOf(SUPPORTED_ORDER);
    /** The architecture name written for a model type: llama.cpp's, so split artifacts read as llama.cpp reads them. */
    private static final Map<String, String> ARCHITECTURE = Map.of(
            "qwen3_moe", "qwen3moe", "mixtral", "llama", "gemma3_text", "gemma3", "gpt_neox", "gptneox");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads and checks {@code configJson}. */
    public static HuggingFaceConfig read(Path configJson) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(configJson));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(configJson, "not found — a Hugging Face model folder needs config.json");
        } catch (JacksonException e) {
            throw new ModelFormatException(configJson, "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelFormatException(configJson, "cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(configJson, "must be a JSON object");
        }
        return parse(configJson, root);
    }

    static HuggingFaceConfig parse(Path file, JsonNode root) {
        Reader r = new Reader(file, root);
        String modelType = r.string("model_type");
        if (!SUPPORTED.contains(modelType)) {
            throw new ModelFormatException(file, "model_type " + modelType + " is not supported — Strata reads "
                    + String.join(", ", SUPPORTED_ORDER) + " models");
        }
        if (modelType.equals("gpt2")) {
            return gpt2(file, r, root);
        }
        if (modelType.equals("gpt_neox")) {
            return gptNeox(file, r, root);
        }
        boolean gemma = modelType.startsWith("gemma");
        String actKey = gemma ? "hidden_activation" : "hidden_act";
        String act = root.hasNonNull("hidden_activation") ? r.string("hidden_activation")
                : r.optionalString("hidden_act", gemma ? "gelu_pytorch_tanh" : "silu");
        ArchitectureTraits.Activation activation = switch (act) {
            case "silu", "swish" -> ArchitectureTraits.Activation.SILU;
            case "gelu_pytorch_tanh", "gelu_new", "gelu_tanh" -> ArchitectureTraits.Activation.GELU_TANH;
            default -> throw new ModelFormatException(file, actKey + " " + act + " is not supported — Strata's"
                    + " feed-forward gates with silu or gelu_pytorch_tanh");
        };
        if (r.optionalBool("mlp_bias", false)) {
            throw new ModelFormatException(file, "mlp_bias true is not supported — Strata's feed-forward has no biases");
        }
        int dim = r.positiveInt("hidden_size");
        int heads = r.positiveInt("num_attention_heads");
        int kvHeads = root.hasNonNull("num_key_value_heads") ? r.positiveInt("num_key_value_heads") : heads;
        int headSize;
        if (root.hasNonNull("head_dim")) {
            headSize = r.positiveInt("head_dim");
        } else {
            if (dim % heads != 0) {
                throw new ModelFormatException(file, "hidden_size " + dim + " is not a multiple of num_attention_heads "
                        + heads + " and there is no head_dim");
            }
            headSize = dim / heads;
        }
        int layers = r.positiveInt("num_hidden_layers");
        int defaultContext = switch (modelType) {
            case "mistral", "qwen3", "qwen3_moe", "gemma3_text" -> 131072;
            case "qwen2", "mixtral" -> 32768;
            case "gemma2" -> 8192;
            case "phi3" -> 4096;
            default -> 2048;
        };

        // RoPE as transformers 5 reads it: a legacy rope_scaling object replaces rope_parameters
        // whole, taking its base from itself, else from a top-level rope_theta, else 10000 (so a
        // config.json that keeps the base only in rope_parameters loses it beside rope_scaling).
        // Gemma 3 keeps one set of parameters per attention kind, the others one set.
        JsonNode legacyScaling = root.get("rope_scaling");
        boolean legacy = legacyScaling != null && !legacyScaling.isNull();
        JsonNode params = legacy ? legacyScaling : root.get("rope_parameters");
        JsonNode globalRope = params != null && params.has("full_attention") ? params.get("full_attention") : params;
        JsonNode localRope = params != null && params.has("sliding_attention") ? params.get("sliding_attention") : null;
        float ropeTheta = globalRope != null && globalRope.hasNonNull("rope_theta")
                ? new Reader(file, globalRope).number("rope_theta")
                : root.hasNonNull("rope_theta") ? r.number("rope_theta") : 10000f;
        int contextLength = root.hasNonNull("max_position_embeddings") ? r.positiveInt("max_position_embeddings")
                : defaultContext;
        int originalContext = root.hasNonNull("original_max_position_embeddings")
                ? r.positiveInt("original_max_position_embeddings")
                : globalRope != null && globalRope.hasNonNull("original_max_position_embeddings")
                ? new Reader(file, globalRope).positiveInt("original_max_position_embeddings") : contextLength;
        ArchitectureTraits.RopeScaling ropeScaling = ropeScaling(file, globalRope, originalContext);
        JsonNode partial = root.hasNonNull("partial_rotary_factor") ? root.get("partial_rotary_factor")
                : params != null ? params.get("partial_rotary_factor") : null;
        if (partial != null && !partial.isNull() && partial.asDouble() != 1.0) {
            throw new ModelFormatException(file, "partial_rotary_factor " + partial + " is not supported — Strata"
                    + " rotates whole heads");
        }

        // Attention window: which layers slide and by how much.
        int window = 0;
        int pattern = 0;
        boolean windowUsed = switch (modelType) {
            case "qwen2", "qwen3", "qwen3_moe" -> r.optionalBool("use_sliding_window", false);
            default -> true;
        };
        if (windowUsed && root.hasNonNull("sliding_window")) {
            window = r.positiveInt("sliding_window");
            pattern = slidingPattern(file, root, modelType, layers);
            if (modelType.startsWith("qwen")) {
                throw new ModelFormatException(file, "use_sliding_window true is not supported — Strata slides"
                        + " every layer or a fixed pattern, not Qwen's max_window_layers split");
            }
        }
        float localTheta = 0;
        if (localRope != null && localRope.hasNonNull("rope_theta")) {
            localTheta = new Reader(file, localRope).number("rope_theta");
            if (localRope.hasNonNull("rope_type") && !localRope.get("rope_type").asText().equals("default")) {
                throw new ModelFormatException(file, "rope_parameters.sliding_attention rope_type "
                        + localRope.get("rope_type").asText() + " is not supported — Strata scales only global layers");
            }
        } else if (root.hasNonNull("rope_local_base_freq")) {
            localTheta = r.number("rope_local_base_freq");
        }

        int experts = 0;
        int expertsUsed = 0;
        int expertHidden = 0;
        if (modelType.equals("mixtral") || modelType.equals("qwen3_moe")) {
            experts = root.hasNonNull("num_local_experts") ? r.positiveInt("num_local_experts") : r.positiveInt("num_experts");
            expertsUsed = r.positiveInt("num_experts_per_tok");
            expertHidden = modelType.equals("qwen3_moe") ? r.positiveInt("moe_intermediate_size")
                    : r.positiveInt("intermediate_size");
            if (modelType.equals("qwen3_moe")) {
                if (!r.optionalBool("norm_topk_prob", false)) {
                    throw new ModelFormatException(file, "norm_topk_prob false is not supported — Strata renormalises"
                            + " the chosen experts' weights");
                }
                if (root.hasNonNull("decoder_sparse_step") && r.positiveInt("decoder_sparse_step") != 1
                        || root.has("mlp_only_layers") && !root.get("mlp_only_layers").isEmpty()) {
                    throw new ModelFormatException(file, "dense layers among the experts (decoder_sparse_step,"
                            + " mlp_only_layers) are not supported — Strata needs experts in every layer");
                }
            }
        }

        ArchitectureTraits traits;
        try {
            traits = new ArchitectureTraits(
                    activation,
                    gemma ? 1f : 0f,
                    modelType.equals("qwen3") || modelType.equals("qwen3_moe") || modelType.equals("gemma3_text"),
                    gemma,
                    modelType.equals("phi3"),
                    gemma ? (float) Math.sqrt(dim) : 0f,
                    gemma ? optionalPositive(r, root, "attn_logit_softcapping") : 0f,
                    gemma ? optionalPositive(r, root, "final_logit_softcapping") : 0f,
                    gemma ? optionalPositive(r, root, "query_pre_attn_scalar") : 0f,
                    window,
                    pattern,
                    localTheta,
                    ropeScaling,
                    experts,
                    expertsUsed,
                    expertHidden);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
        boolean qwen2 = modelType.equals("qwen2");
        boolean attentionBias = r.optionalBool("attention_bias", false);
        ModelConfig config;
        try {
            config = new ModelConfig(
                    ARCHITECTURE.getOrDefault(modelType, modelType),
                    dim,
                    experts > 0 ? expertHidden : r.positiveInt("intermediate_size"),
                    layers,
                    heads,
                    kvHeads,
                    headSize,
                    r.positiveInt("vocab_size"),
                    contextLength,
                    root.hasNonNull("rms_norm_eps") ? r.number("rms_norm_eps") : 1e-6f,
                    ropeTheta,
                    RopeLayout.ROTATE_HALF,
                    r.optionalBool("tie_word_embeddings", gemma),
                    traits);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
        return new HuggingFaceConfig(modelType, config, qwen2 || attentionBias, !qwen2 && attentionBias);
    }

    /**
     * GPT-2: LayerNorms with biases, learned positions and no RoPE, fused q/k/v and an ungated
     * feed-forward, all with biases; its Conv1D weights are stored transposed (the model reader turns them).
     */
    private static HuggingFaceConfig gpt2(Path file, Reader r, JsonNode root) {
        if (r.optionalBool("add_cross_attention", false) || r.optionalBool("scale_attn_by_inverse_layer_idx", false)
                || !r.optionalBool("scale_attn_weights", true)) {
            throw new ModelFormatException(file, "add_cross_attention, scale_attn_by_inverse_layer_idx or"
                    + " scale_attn_weights false are not supported — Strata scales attention by 1/√head size alone");
        }
        int dim = r.positiveInt("n_embd");
        int heads = r.positiveInt("n_head");
        if (dim % heads != 0) {
            throw new ModelFormatException(file, "n_embd " + dim + " is not a multiple of n_head " + heads);
        }
        ArchitectureTraits traits = new ArchitectureTraits(
                activation(file, "activation_function", r.optionalString("activation_function", "gelu_new")),
                0, false, false, true, 0, 0, 0, 0, 0, 0, 0, ArchitectureTraits.RopeScaling.NONE, 0, 0, 0,
                true, true, true, 0, false);
        return new HuggingFaceConfig("gpt2", config(file, "gpt2", dim,
                root.hasNonNull("n_inner") ? r.positiveInt("n_inner") : 4 * dim, r.positiveInt("n_layer"), heads,
                r.positiveInt("vocab_size"), r.positiveInt("n_positions"),
                root.hasNonNull("layer_norm_epsilon") ? r.number("layer_norm_epsilon") : 1e-5f, 10000f,
                r.optionalBool("tie_word_embeddings", true), traits), true, true);
    }

    /**
     * GPT-NeoX (Pythia): LayerNorms with biases, RoPE over the first {@code rotary_pct} of each head,
     * fused q/k/v (stored per head, reordered by the model reader), an ungated feed-forward and,
     * usually, the parallel residual.
     */
    private static HuggingFaceConfig gptNeox(Path file, Reader r, JsonNode root) {
        int dim = r.positiveInt("hidden_size");
        int heads = r.positiveInt("num_attention_heads");
        if (dim % heads != 0) {
            throw new ModelFormatException(file, "hidden_size " + dim + " is not a multiple of num_attention_heads "
                    + heads);
        }
        int headSize = dim / heads;
        JsonNode params = root.hasNonNull("rope_scaling") ? root.get("rope_scaling") : root.get("rope_parameters");
        if (ropeScaling(file, params, 1) != ArchitectureTraits.RopeScaling.NONE) {
            throw new ModelFormatException(file, "RoPE scaling of a GPT-NeoX model is not supported — Strata applies"
                    + " plain RoPE to it");
        }
        Reader p = params == null || params.isNull() ? null : new Reader(file, params);
        float pct = root.hasNonNull("rotary_pct") ? r.number("rotary_pct")
                : root.hasNonNull("partial_rotary_factor") ? r.number("partial_rotary_factor")
                : p != null && params.hasNonNull("partial_rotary_factor") ? p.number("partial_rotary_factor") : 1f;
        int ropeDims = (int) (headSize * pct);
        if (ropeDims < 2 || ropeDims % 2 != 0 || ropeDims > headSize) {
            throw new ModelFormatException(file, "rotary_pct " + pct + " of heads of " + headSize + " gives " + ropeDims
                    + " rotary dimensions — Strata needs an even number from 2 to the head size");
        }
        float theta = root.hasNonNull("rotary_emb_base") ? r.number("rotary_emb_base")
                : root.hasNonNull("rope_theta") ? r.number("rope_theta")
                : p != null && params.hasNonNull("rope_theta") ? p.number("rope_theta") : 10000f;
        ArchitectureTraits traits = new ArchitectureTraits(
                activation(file, "hidden_act", r.optionalString("hidden_act", "gelu")),
                0, false, false, true, 0, 0, 0, 0, 0, 0, 0, ArchitectureTraits.RopeScaling.NONE, 0, 0, 0,
                true, true, false, ropeDims == headSize ? 0 : ropeDims, r.optionalBool("use_parallel_residual", true));
        boolean bias = r.optionalBool("attention_bias", true);
        return new HuggingFaceConfig("gpt_neox", config(file, "gptneox", dim, r.positiveInt("intermediate_size"),
                r.positiveInt("num_hidden_layers"), heads, r.positiveInt("vocab_size"),
                root.hasNonNull("max_position_embeddings") ? r.positiveInt("max_position_embeddings") : 2048,
                root.hasNonNull("layer_norm_eps") ? r.number("layer_norm_eps") : 1e-5f, theta,
                r.optionalBool("tie_word_embeddings", false), traits), bias, bias);
    }

    /** An ungated feed-forward's activation by its transformers name. */
    private static ArchitectureTraits.Activation activation(Path file, String key, String name) {
        return switch (name) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_tanh" -> ArchitectureTraits.Activation.GELU_TANH;
            case "gelu" -> ArchitectureTraits.Activation.GELU;
            default -> throw new ModelFormatException(file, key + " " + name + " is not supported — Strata's"
                    + " GPT-2/GPT-NeoX feed-forward applies gelu or gelu_new");
        };
    }

    /** A model whose heads are the whole width, with no grouped keys, in Hugging Face's RoPE layout. */
    private static ModelConfig config(Path file, String architecture, int dim, int hidden, int layers, int heads,
                                      int vocab, int context, float eps, float theta, boolean tied,
                                      ArchitectureTraits traits) {
        try {
            return new ModelConfig(architecture, dim, hidden, layers, heads, heads, dim / heads, vocab, context, eps,
                    theta, RopeLayout.ROTATE_HALF, tied, traits);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
    }

    /** A number that may be absent or null (then 0, "none"), else must be positive. */
    private static float optionalPositive(Reader r, JsonNode root, String key) {
        if (!root.hasNonNull(key)) {
            return 0f;
        }
        float v = r.number(key);
        if (!(v > 0)) {
            throw new ModelFormatException(r.file(), key + " = " + v + " must be positive");
        }
        return v;
    }

    private static ArchitectureTraits.RopeScaling ropeScaling(Path file, JsonNode scaling, int originalContext) {
        if (scaling == null || scaling.isNull()) {
            return ArchitectureTraits.RopeScaling.NONE;
        }
        JsonNode type = scaling.has("rope_type") ? scaling.get("rope_type") : scaling.get("type");
        String t = type == null || type.isNull() ? "default" : type.asText();
        Reader s = new Reader(file, scaling);
        return switch (t) {
            case "default" -> ArchitectureTraits.RopeScaling.NONE;
            case "linear" -> new ArchitectureTraits.RopeScaling(ArchitectureTraits.RopeScaling.Kind.LINEAR,
                    s.number("factor"), 0, 0, 0);
            case "llama3" -> {
                for (String key : List.of("factor", "low_freq_factor", "high_freq_factor")) {
                    if (!scaling.hasNonNull(key)) {
                        throw new ModelFormatException(file, "rope_scaling type llama3 needs factor, low_freq_factor"
                                + " and high_freq_factor; " + key + " is missing");
                    }
                }
                yield new ArchitectureTraits.RopeScaling(ArchitectureTraits.RopeScaling.Kind.LLAMA3,
                        s.number("factor"), s.number("low_freq_factor"), s.number("high_freq_factor"), originalContext);
            }
            default -> throw new ModelFormatException(file, "rope_scaling type " + t
                    + " is not supported — Strata applies plain, linear or llama3 RoPE scaling");
        };
    }

    /**
     * Every how many layers one is global: from {@code layer_types} when the config lists them
     * (they must follow one period), else the family's default.
     */
    private static int slidingPattern(Path file, JsonNode root, String modelType, int layers) {
        int fallback = switch (modelType) {
            case "gemma2" -> 2;
            case "gemma3_text" -> root.hasNonNull("sliding_window_pattern") ? root.get("sliding_window_pattern").asInt()
                    : root.hasNonNull("_sliding_window_pattern") ? root.get("_sliding_window_pattern").asInt() : 6;
            default -> 1;
        };
        JsonNode types = root.get("layer_types");
        if (types == null || types.isNull()) {
            return fallback;
        }
        if (!types.isArray() || types.size() != layers) {
            throw new ModelFormatException(file, "layer_types must list one type per layer (" + layers + ")");
        }
        int firstGlobal = -1;
        for (int l = 0; l < layers; l++) {
            String t = types.get(l).asText();
            if (!t.equals("sliding_attention") && !t.equals("full_attention")) {
                throw new ModelFormatException(file, "layer_types[" + l + "] " + t + " is not supported — Strata knows"
                        + " sliding_attention and full_attention");
            }
            if (t.equals("full_attention") && firstGlobal < 0) {
                firstGlobal = l;
            }
        }
        // no global layer among these: every layer slides, as the family's period would say for so few layers
        int period = firstGlobal < 0 ? Math.max(fallback, layers + 1) : firstGlobal + 1;
        for (int l = 0; l < layers; l++) {
            boolean slides = period <= 1 || (l + 1) % period != 0;
            if (slides != types.get(l).asText().equals("sliding_attention")) {
                throw new ModelFormatException(file, "layer_types do not follow one period of sliding layers and a"
                        + " global one — Strata cannot express that pattern");
            }
        }
        return period;
    }

    /** Typed reads of one JSON object that name the file and key when they fail. */
    private record Reader(Path file, JsonNode node) {
        String string(String key) {
            JsonNode v = node.get(key);
            if (v == null || !v.isTextual()) {
                throw new ModelFormatException(file, (v == null ? "has no " : "has a non-string ") + key);
            }
            return v.textValue();
        }

        String optionalString(String key, String fallback) {
            return node.hasNonNull(key) ? string(key) : fallback;
        }

        int positiveInt(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                throw new ModelFormatException(file, "has no " + key);
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
                throw new ModelFormatException(file, key + " = " + v + " must be a positive integer");
            }
            return v.intValue();
        }

        float number(String key) {
            JsonNode v = node.get(key);
            if (v == null || !v.isNumber() || !Float.isFinite(v.floatValue())) {
                throw new ModelFormatException(file, key + " = " + v + " must be a number");
            }
            return v.floatValue();
        }

        boolean optionalBool(String key, boolean fallback) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isBoolean()) {
                throw new ModelFormatException(file, key + " = " + v + " must be true or false");
            }
            return v.booleanValue();
        }
    }
}
