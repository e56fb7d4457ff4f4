package io.strata.synthetic;

import io.strata.model.ArchitectureTraits.RopeScaling;
import io.strata.model.ModelConfig;
import io.strata.model.RopeLayout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hyperparameters of a synthetic Llama model: a named preset with real models' layer
 * shapes, or a preset with some values overridden ({@code tinyllama-1.1b} with 2 layers).
 * {@code ropeScaling} is Llama 3.1's long-context RoPE scheme or none: a GGUF file then carries
 * it as llama.cpp's converter writes it (a {@code rope_freqs.weight} of per-pair divisors), a
 * Hugging Face folder as config.json's {@code rope_scaling}.
 */
public record SyntheticShape(
        String name,
        int dim,
        int hiddenDim,
        int layers,
        int heads,
        int kvHeads,
        int vocabSize,
        int contextLength,
        float rmsNormEps,
        float ropeTheta,
        boolean tiedClassifier,
        RopeScaling ropeScaling) {

    /** Llama 3.1's {@code rope_scaling} (type llama3: factor 8, low/high frequency factors 1 and 4, 8192 positions). */
    public static final RopeScaling LLAMA3_1_SCALING = new RopeScaling(RopeScaling.Kind.LLAMA3, 8f, 1f, 4f, 8192);
    /** Llama 3.2's (1B and 3B): as 3.1's with factor 32. */
    public static final RopeScaling LLAMA3_2_SCALING = new RopeScaling(RopeScaling.Kind.LLAMA3, 32f, 1f, 4f, 8192);

    /** stories260K's widths with 3 layers: a model for tests that runs in milliseconds. */
    public static final SyntheticShape TINY =
            new SyntheticShape("tiny", 64, 172, 3, 8, 4, 512, 2048, 1e-5f, 10000f, false);
    /** TinyLlama-1.1B: 22 layers of dim 2048, grouped-query attention with 4 key/value heads. */
    public static final SyntheticShape TINYLLAMA_1_1B =
            new SyntheticShape("tinyllama-1.1b", 2048, 5632, 22, 32, 4, 32000, 2048, 1e-5f, 10000f, false);
    /** Llama-2-7B: 32 layers of dim 4096, full multi-head attention. */
    public static final SyntheticShape LLAMA2_7B =
            new SyntheticShape("llama2-7b", 4096, 11008, 32, 32, 32, 32000, 4096, 1e-5f, 10000f, false);

    /** Llama-3.2-1B: 16 layers of dim 2048, tied classifier, θ = 500000 with Llama 3's RoPE scaling (rope_freqs). */
    public static final SyntheticShape LLAMA3_2_1B = new SyntheticShape("llama3.2-1b", 2048, 8192, 16, 32, 8, 128256,
            131072, 1e-5f, 500000f, true, LLAMA3_2_SCALING);

    private static final Map<String, SyntheticShape> PRESETS = presets(TINY, TINYLLAMA_1_1B, LLAMA2_7B, LLAMA3_2_1B);

    public SyntheticShape {
        require(name != null && !name.isBlank(), "a shape needs a name");
        require(dim > 0 && hiddenDim > 0 && layers > 0 && heads > 0 && kvHeads > 0 && contextLength > 0,
                "dim, hidden, layers, heads, kv-heads and context must be positive");
        require(dim % heads == 0, "dim " + dim + " must be a multiple of heads " + heads);
        require((dim / heads) % 2 == 0, "head size dim/heads = " + dim / heads + " must be even for RoPE");
        require(heads % kvHeads == 0, "kv-heads " + kvHeads + " must divide heads " + heads);
        require(vocabSize >= SyntheticVocabulary.MIN_SIZE, "vocabulary of " + vocabSize
                + " is too small for the synthetic tokenizer; it needs at least " + SyntheticVocabulary.MIN_SIZE);
        require(rmsNormEps > 0 && ropeTheta > 0, "rms-eps and rope-theta must be positive");
        require(ropeScaling != null && ropeScaling.kind() != RopeScaling.Kind.LINEAR,
                "rope-scaling is none or llama3");
    }

    /** A shape without RoPE scaling. */
    public SyntheticShape(String name, int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize,
                          int contextLength, float rmsNormEps, float ropeTheta, boolean tiedClassifier) {
        this(name, dim, hiddenDim, layers, heads, kvHeads, vocabSize, contextLength, rmsNormEps, ropeTheta,
                tiedClassifier, RopeScaling.NONE);
    }

    /** The preset called {@code name} ({@link #presetNames()}). */
    public static SyntheticShape preset(String name) {
        SyntheticShape s = PRESETS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no synthetic shape " + name + " — choose one of " + presetNames());
        }
        return s;
    }

    public static List<String> presetNames() {
        return List.copyOf(PRESETS.keySet());
    }

    /**
     * A preset with overrides, as a command line spells it: {@code tinyllama-1.1b} or
     * {@code tinyllama-1.1b:layers=2,vocab=1000}. Keys: see {@link #with(String, String)}.
     */
    public static SyntheticShape parse(String text) {
        int colon = text.indexOf(':');
        SyntheticShape s = preset(colon < 0 ? text : text.substring(0, colon));
        if (colon >= 0 && colon < text.length() - 1) {
            for (String kv : text.substring(colon + 1).split(",")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("override " + kv + " in " + text + " should be key=value");
                }
                s = s.with(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        return s;
    }

    /**
     * This shape with one value replaced. Keys: dim, hidden, layers, heads, kv-heads, vocab,
     * context, rms-eps, rope-theta, tied, rope-scaling (none, or llama3 for Llama 3.1's values).
     * The name records the change ("tiny+layers=2").
     */
    public SyntheticShape with(String key, String value) {
        try {
            return switch (key) {
                case "dim" -> withDim(Integer.parseInt(value));
                case "hidden" -> withHiddenDim(Integer.parseInt(value));
                case "layers" -> withLayers(Integer.parseInt(value));
                case "heads" -> withHeads(Integer.parseInt(value));
                case "kv-heads" -> withKvHeads(Integer.parseInt(value));
                case "vocab" -> withVocabSize(Integer.parseInt(value));
                case "context" -> copy("context", value, dim, hiddenDim, layers, heads, kvHeads, vocabSize,
                        Integer.parseInt(value), rmsNormEps, ropeTheta, tiedClassifier);
                case "rms-eps" -> copy("rms-eps", value, dim, hiddenDim, layers, heads, kvHeads, vocabSize,
                        contextLength, Float.parseFloat(value), ropeTheta, tiedClassifier);
                case "rope-theta" -> copy("rope-theta", value, dim, hiddenDim, layers, heads, kvHeads, vocabSize,
                        contextLength, rmsNormEps, Float.parseFloat(value), tiedClassifier);
                case "tied" -> withTiedClassifier(parseBoolean(value));
                case "rope-scaling" -> withRopeScaling(switch (value) {
                    case "none" -> RopeScaling.NONE;
                    case "llama3" -> LLAMA3_1_SCALING;
                    default -> throw new IllegalArgumentException("rope-scaling is none or llama3, got " + value);
                });
                default -> throw new IllegalArgumentException("unknown shape key " + key + " — use dim, hidden, layers,"
                        + " heads, kv-heads, vocab, context, rms-eps, rope-theta, tied or rope-scaling");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shape key " + key + " needs a number, got " + value);
        }
    }

    public SyntheticShape withDim(int v) {
        return copy("dim", v, v, hiddenDim, layers, heads, kvHeads, vocabSize, contextLength, rmsNormEps, ropeTheta,
                tiedClassifier);
    }

    public SyntheticShape withHiddenDim(int v) {
        return copy("hidden", v, dim, v, layers, heads, kvHeads, vocabSize, contextLength, rmsNormEps, ropeTheta,
                tiedClassifier);
    }

    public SyntheticShape withLayers(int v) {
        return copy("layers", v, dim, hiddenDim, v, heads, kvHeads, vocabSize, contextLength, rmsNormEps, ropeTheta,
                tiedClassifier);
    }

    public SyntheticShape withHeads(int v) {
        return copy("heads", v, dim, hiddenDim, layers, v, kvHeads, vocabSize, contextLength, rmsNormEps, ropeTheta,
                tiedClassifier);
    }

    public SyntheticShape withKvHeads(int v) {
        return copy("kv-heads", v, dim, hiddenDim, layers, heads, v, vocabSize, contextLength, rmsNormEps, ropeTheta,
                tiedClassifier);
    }

    public SyntheticShape withVocabSize(int v) {
        return copy("vocab", v, dim, hiddenDim, layers, heads, kvHeads, v, contextLength, rmsNormEps, ropeTheta,
                tiedClassifier);
    }

    public SyntheticShape withTiedClassifier(boolean v) {
        return copy("tied", v, dim, hiddenDim, layers, heads, kvHeads, vocabSize, contextLength, rmsNormEps, ropeTheta,
                v);
    }

    /** This shape with {@code v} as its RoPE scaling (the name says "llama3" or "none"). */
    public SyntheticShape withRopeScaling(RopeScaling v) {
        return new SyntheticShape(name + "+rope-scaling=" + v.kind().name().toLowerCase(Locale.ROOT), dim,
                hiddenDim, layers, heads, kvHeads, vocabSize, contextLength, rmsNormEps, ropeTheta, tiedClassifier, v);
    }

    /**
     * The divisor of each RoPE pair's frequency, as llama.cpp's converter computes {@code rope_freqs.weight}
     * for Llama 3.1 from {@code rope_scaling} (pair i's frequency θ^(−2i/headSize) in float, as the engine
     * computes it); all 1 without scaling.
     */
    public float[] ropeDivisors() {
        float[] d = new float[headSize() / 2];
        for (int i = 0; i < d.length; i++) {
            float frequency = 1.0f / (float) Math.pow(ropeTheta, (2 * i) / (float) headSize());
            d[i] = (float) ropeScaling.divisor(frequency);
        }
        return d;
    }

    public int headSize() {
        return dim / heads;
    }

    /** The shape as the engine sees it, for a file stored with {@code layout}. */
    public ModelConfig config(RopeLayout layout) {
        return new ModelConfig("llama", dim, hiddenDim, layers, heads, kvHeads, headSize(), vocabSize, contextLength,
                rmsNormEps, ropeTheta, layout, tiedClassifier);
    }

    /** Weights in the model (every tensor's elements). */
    public long parameterCount() {
        long d = dim;
        long kv = (long) kvHeads * headSize();
        long perLayer = 2 * d + d * d + 2 * d * kv + d * d + 3 * d * hiddenDim;
        return d * vocabSize * (tiedClassifier ? 1 : 2) + d + layers * perLayer;
    }

    private SyntheticShape copy(String key, Object value, int dim, int hiddenDim, int layers, int heads, int kvHeads,
                                int vocabSize, int contextLength, float rmsNormEps, float ropeTheta, boolean tied) {
        return new SyntheticShape(name + "+" + key + "=" + value, dim, hiddenDim, layers, heads, kvHeads, vocabSize,
                contextLength, rmsNormEps, ropeTheta, tied, ropeScaling);
    }

    private static boolean parseBoolean(String v) {
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("tied needs true or false, got " + v);
        };
    }

    private static Map<String, SyntheticShape> presets(SyntheticShape... shapes) {
        Map<String, SyntheticShape> m = new LinkedHashMap<>();
        for (SyntheticShape s : shapes) {
            m.put(s.name(), s);
        }
        return m;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid synthetic shape: " + message);
        }
    }
}
