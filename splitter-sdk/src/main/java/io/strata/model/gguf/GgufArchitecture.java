package io.strata.model.gguf;

import io.strata.model.ArchitectureTraits;
import io.strata.model.ArchitectureTraits.RopeScaling;
import io.strata.model.ModelFormatException;
import io.strata.model.RopeLayout;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The architectures Strata runs from GGUF and how each differs from Llama's block, in llama.cpp's
 * words: what the architecture name implies (Gemma's norms and GeGLU, Qwen3's q/k norms, Phi-3's
 * fused projections) and what the {@code {arch}.*} keys say (window, soft-caps, experts, RoPE
 * scaling). Facts llama.cpp has no key for are written under {@code strata.*}, so a split of a
 * Hugging Face model reads back exactly as the model did.
 */
public final class GgufArchitecture {
    /** In the order an error lists them. */
    public static final List<String> SUPPORTED = List.of("llama", "mistral", "qwen2", "qwen3", "qwen3moe", "phi3",
            "gemma2", "gemma3", "gpt2", "gptneox");

    static final String NORM_WEIGHT_OFFSET = "strata.norm.weight_offset";
    static final String EMBEDDING_SCALE = "strata.embedding_scale";
    static final String QUERY_SCALAR = "strata.attention.query_pre_attn_scalar";
    static final String SLIDING_PATTERN = "strata.attention.sliding_window_pattern";
    static final String LOW_FREQ_FACTOR = "strata.rope.scaling.low_freq_factor";
    static final String HIGH_FREQ_FACTOR = "strata.rope.scaling.high_freq_factor";
    /** The ungated feed-forward's GELU: llama.cpp computes every GELU by its tanh form, the checkpoints may not. */
    static final String ACTIVATION = "strata.feed_forward.activation";

    private GgufArchitecture() {
    }

    /** The pairing llama.cpp's RoPE uses for {@code arch}: adjacent for the Llama family, halves for the rest. */
    public static RopeLayout naturalLayout(String arch) {
        return arch.equals("llama") || arch.equals("mistral") ? RopeLayout.ADJACENT_PAIRS : RopeLayout.ROTATE_HALF;
    }

    /** Refuses an architecture Strata cannot run, naming those it can. */
    static void checkSupported(Path path, String arch) {
        if (!SUPPORTED.contains(arch)) {
            throw new ModelFormatException(path, "architecture " + arch + " is not supported — Strata runs "
                    + String.join(", ", SUPPORTED) + " models");
        }
    }

    /** The block's differences from Llama's, as {@code md} states them for {@code arch}. */
    static ArchitectureTraits traits(GgufMetadata md, String arch, int dim, int headSize) {
        boolean gemma = arch.startsWith("gemma");
        Path path = md.source();
        String scalingType = md.optionalString(arch + ".rope.scaling.type").orElse("none");
        RopeScaling scaling;
        try {
            scaling = switch (scalingType) {
                case "none" -> RopeScaling.NONE;
                case "linear" -> new RopeScaling(RopeScaling.Kind.LINEAR, md.floatValue(arch + ".rope.scaling.factor"),
                        0, 0, 0);
                case "llama3" -> new RopeScaling(RopeScaling.Kind.LLAMA3, md.floatValue(arch + ".rope.scaling.factor"),
                        md.floatValue(LOW_FREQ_FACTOR), md.floatValue(HIGH_FREQ_FACTOR),
                        md.intValue(arch + ".rope.scaling.original_context_length"));
                default -> throw new ModelFormatException(path, "metadata " + arch + ".rope.scaling.type " + scalingType
                        + " is not supported — Strata applies plain, linear or llama3 RoPE scaling");
            };
            int window = md.optionalInt(arch + ".attention.sliding_window").orElse(0);
            int pattern = md.optionalInt(SLIDING_PATTERN).orElse(switch (arch) {
                case "gemma2" -> 2;
                case "gemma3" -> 6;
                default -> 1;
            });
            int experts = md.optionalInt(arch + ".expert_count").orElse(0);
            boolean gpt = gpt(arch);
            ArchitectureTraits.Activation fallback = gemma || arch.equals("gpt2") ? ArchitectureTraits.Activation.GELU_TANH
                    : arch.equals("gptneox") ? ArchitectureTraits.Activation.GELU : ArchitectureTraits.Activation.SILU;
            String activation = md.optionalString(ACTIVATION).orElse(fallback.name().toLowerCase(Locale.ROOT));
            int ropeDims = arch.equals("gptneox") ? md.optionalInt(arch + ".rope.dimension_count").orElse(headSize) : 0;
            return new ArchitectureTraits(
                    switch (activation) {
                        case "silu" -> ArchitectureTraits.Activation.SILU;
                        case "gelu_tanh" -> ArchitectureTraits.Activation.GELU_TANH;
                        case "gelu" -> ArchitectureTraits.Activation.GELU;
                        default -> throw new ModelFormatException(path, "metadata " + ACTIVATION + " " + activation
                                + " is not supported — Strata knows silu, gelu_tanh and gelu");
                    },
                    md.optionalFloat(NORM_WEIGHT_OFFSET).orElse(0f),
                    arch.equals("qwen3") || arch.equals("qwen3moe") || arch.equals("gemma3"),
                    gemma,
                    arch.equals("phi3") || gpt,
                    md.optionalFloat(EMBEDDING_SCALE).orElse(gemma ? (float) Math.sqrt(dim) : 0f),
                    md.optionalFloat(arch + ".attn_logit_softcapping").orElse(0f),
                    md.optionalFloat(arch + ".final_logit_softcapping").orElse(0f),
                    md.optionalFloat(QUERY_SCALAR).orElse(0f),
                    window,
                    window > 0 ? pattern : 0,
                    md.optionalFloat(arch + ".rope.freq_base_swa").orElse(arch.equals("gemma3") && window > 0 ? 10000f : 0f),
                    scaling,
                    experts,
                    experts > 0 ? md.intValue(arch + ".expert_used_count") : 0,
                    experts > 0 ? md.optionalInt(arch + ".expert_feed_forward_length")
                            .orElseGet(() -> md.intValue(arch + ".feed_forward_length")) : 0,
                    gpt,
                    gpt,
                    arch.equals("gpt2"),
                    ropeDims == headSize ? 0 : ropeDims,
                    arch.equals("gptneox") && (!md.has(arch + ".use_parallel_residual") || md.boolValue(arch + ".use_parallel_residual")));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(path, e.getMessage(), e);
        }
    }

    /** The GPT-2 and GPT-NeoX families: LayerNorms, fused q/k/v and an ungated feed-forward, all with biases. */
    static boolean gpt(String arch) {
        return arch.equals("gpt2") || arch.equals("gptneox");
    }

    /** Writes what {@link #traits} reads back: nothing for a plain Llama block. */
    static void put(GgufWriter w, String arch, ArchitectureTraits t) {
        if (t.ungatedFeedForward()) {
            w.put(ACTIVATION, GgufValue.ofString(t.activation().name().toLowerCase(Locale.ROOT)));
        }
        if (arch.equals("gptneox")) {
            w.put(arch + ".use_parallel_residual", GgufValue.ofBool(t.parallelResidual()));
        }
        if (t.normWeightOffset() != 0) {
            w.put(NORM_WEIGHT_OFFSET, GgufValue.ofFloat32(t.normWeightOffset()));
        }
        if (t.embeddingScale() != 0) {
            w.put(EMBEDDING_SCALE, GgufValue.ofFloat32(t.embeddingScale()));
        }
        if (t.attnSoftcap() != 0) {
            w.put(arch + ".attn_logit_softcapping", GgufValue.ofFloat32(t.attnSoftcap()));
        }
        if (t.finalSoftcap() != 0) {
            w.put(arch + ".final_logit_softcapping", GgufValue.ofFloat32(t.finalSoftcap()));
        }
        if (t.queryScalar() != 0) {
            w.put(QUERY_SCALAR, GgufValue.ofFloat32(t.queryScalar()));
        }
        if (t.slidingWindow() > 0) {
            w.put(arch + ".attention.sliding_window", GgufValue.ofUint32(t.slidingWindow()));
            w.put(SLIDING_PATTERN, GgufValue.ofUint32(Math.max(1, t.slidingPattern())));
        }
        if (t.localRopeTheta() != 0) {
            w.put(arch + ".rope.freq_base_swa", GgufValue.ofFloat32(t.localRopeTheta()));
        }
        RopeScaling s = t.ropeScaling();
        if (s.kind() != RopeScaling.Kind.NONE) {
            w.put(arch + ".rope.scaling.type", GgufValue.ofString(s.kind().name().toLowerCase(Locale.ROOT)));
            w.put(arch + ".rope.scaling.factor", GgufValue.ofFloat32(s.factor()));
        }
        if (s.kind() == RopeScaling.Kind.LLAMA3) {
            w.put(arch + ".rope.scaling.original_context_length", GgufValue.ofUint32(s.originalContext()));
            w.put(LOW_FREQ_FACTOR, GgufValue.ofFloat32(s.lowFreqFactor()));
            w.put(HIGH_FREQ_FACTOR, GgufValue.ofFloat32(s.highFreqFactor()));
        }
        if (t.moe()) {
            w.put(arch + ".expert_count", GgufValue.ofUint32(t.experts()));
            w.put(arch + ".expert_used_count", GgufValue.ofUint32(t.expertsUsed()));
            w.put(arch + ".expert_feed_forward_length", GgufValue.ofUint32(t.expertHiddenDim()));
        }
    }
}
