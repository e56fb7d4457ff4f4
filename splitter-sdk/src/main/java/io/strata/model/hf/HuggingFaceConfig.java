package io.strata.model.hf;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.RopeLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * What a Hugging Face {@code config.json} says about a Llama-family model, with the defaults
 * transformers applies when a key is absent.
 *
 * @param modelType        "llama", "mistral" or "qwen2"
 * @param config           the hyperparameters; the layout is always {@link RopeLayout#ROTATE_HALF}
 * @param qkvBias          the q, k and v projections carry biases (always for qwen2)
 * @param outputBias       the attention output projection carries a bias (llama's attention_bias)
 */
public record HuggingFaceConfig(String modelType, ModelConfig config, boolean qkvBias, boolean outputBias) {
    static final Set<String> SUPPORTED = Set.of("llama", "mistral", "qwen2");
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
            throw new ModelFormatException(file, "model_type " + modelType
                    + " is not supported — Strata reads llama, mistral and qwen2 models");
        }
        String act = r.optionalString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new ModelFormatException(file, "hidden_act " + act + " is not supported — Strata's feed-forward is SwiGLU (silu)");
        }
        if (r.optionalBool("mlp_bias", false)) {
            throw new ModelFormatException(file, "mlp_bias true is not supported — Strata's feed-forward has no biases");
        }
        JsonNode scaling = root.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            JsonNode type = scaling.has("rope_type") ? scaling.get("rope_type") : scaling.get("type");
            String t = type == null ? "?" : type.asText();
            if (!t.equals("default")) {
                throw new ModelFormatException(file, "rope_scaling type " + t
                        + " is not supported — Strata applies plain RoPE");
            }
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
        int defaultContext = switch (modelType) {
            case "mistral" -> 131072;
            case "qwen2" -> 32768;
            default -> 2048;
        };
        float ropeTheta;
        JsonNode params = root.get("rope_parameters");
        if (root.hasNonNull("rope_theta")) {
            ropeTheta = r.number("rope_theta");
        } else if (params != null && params.hasNonNull("rope_theta")) {
            ropeTheta = new Reader(file, params).number("rope_theta");
        } else {
            ropeTheta = 10000f;
        }
        boolean qwen = modelType.equals("qwen2");
        boolean attentionBias = r.optionalBool("attention_bias", false);
        ModelConfig config;
        try {
            config = new ModelConfig(
                    modelType,
                    dim,
                    r.positiveInt("intermediate_size"),
                    r.positiveInt("num_hidden_layers"),
                    heads,
                    kvHeads,
                    headSize,
                    r.positiveInt("vocab_size"),
                    root.hasNonNull("max_position_embeddings") ? r.positiveInt("max_position_embeddings") : defaultContext,
                    root.hasNonNull("rms_norm_eps") ? r.number("rms_norm_eps") : 1e-6f,
                    ropeTheta,
                    RopeLayout.ROTATE_HALF,
                    r.optionalBool("tie_word_embeddings", false));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
        return new HuggingFaceConfig(modelType, config, qwen || attentionBias, !qwen && attentionBias);
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
