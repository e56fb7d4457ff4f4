package io.strata.tokenizer;

import io.strata.model.ModelFormatException;
import io.strata.model.gguf.GgufMetadata;
import io.strata.model.gguf.GgufValue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds a tokenizer from a GGUF file's {@code tokenizer.ggml.*} metadata: "llama" is
 * SentencePiece BPE by scores, "gpt2" byte-level BPE by the merge list, with the pre-tokenizer
 * chosen by {@code tokenizer.ggml.pre} as llama.cpp does.
 */
final class GgufVocabulary {
    /** A Hugging Face tokenizer.json kept verbatim in a GGUF file (Strata's split artifacts). */
    static final String EMBEDDED_TOKENIZER_JSON = "strata.tokenizer.huggingface_json";
    /** Its tokenizer_config.json, when the model had one. */
    static final String EMBEDDED_TOKENIZER_CONFIG_JSON = "strata.tokenizer.huggingface_config_json";
    /** Its generation_config.json (the EOS ids generation stops at), when the model had one. */
    static final String EMBEDDED_GENERATION_CONFIG_JSON = "strata.tokenizer.huggingface_generation_config_json";
    private GgufVocabulary() {
    }

    static Tokenizer read(GgufMetadata metadata) {
        if (metadata == null) {
            throw new IllegalArgumentException("GGUF metadata is null");
        }
        Path source = metadata.source() != null ? metadata.source() : Path.of("GGUF metadata");
        if (metadata.has(EMBEDDED_TOKENIZER_JSON)) {
            // a split of a Hugging Face model carries its tokenizer.json as it was: exact, whatever its form
            return HuggingFaceTokenizerFile.parse(source, metadata.string(EMBEDDED_TOKENIZER_JSON),
                    metadata.optionalString(EMBEDDED_TOKENIZER_CONFIG_JSON).orElse(null));
        }
        if (!metadata.has("tokenizer.ggml.model")) {
            throw new ModelFormatException(source, "has no tokenizer.ggml.model — the file carries no vocabulary;"
                    + " give the tokenizer separately (a llama2.c tokenizer file or tokenizer.json)");
        }
        String model = metadata.string("tokenizer.ggml.model");
        try {
            return switch (model) {
                case "llama" -> sentencePiece(metadata, source);
                case "gpt2" -> byteLevel(metadata, source);
                default -> throw new ModelFormatException(source, "tokenizer.ggml.model is \"" + model
                        + "\" — Strata reads \"llama\" (SentencePiece BPE) and \"gpt2\" (byte-level BPE) vocabularies");
            };
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "tokenizer: " + e.getMessage(), e);
        }
    }

    /**
     * The chat template ({@code tokenizer.chat_template}) and stop ids (EOS, end-of-turn and
     * end-of-message ids, as llama.cpp names them) of a GGUF file; a split of a Hugging Face model
     * answers from the files it embeds.
     */
    static ChatFormat chatFormat(GgufMetadata metadata, Tokenizer tokenizer) {
        Path source = metadata.source() != null ? metadata.source() : Path.of("GGUF metadata");
        if (metadata.has(EMBEDDED_TOKENIZER_JSON)) {
            return HuggingFaceChatFormat.read(source, metadata.optionalString(EMBEDDED_TOKENIZER_CONFIG_JSON).orElse(null),
                    metadata.optionalString(EMBEDDED_GENERATION_CONFIG_JSON).orElse(null), tokenizer);
        }
        int n = tokenizer.vocabSize();
        int[] stops = {tokenizer.eos(), optionalId(metadata, "tokenizer.ggml.eos_token_id", n, -1),
                optionalId(metadata, "tokenizer.ggml.eot_token_id", n, -1),
                optionalId(metadata, "tokenizer.ggml.eom_token_id", n, -1)};
        return new ChatFormat(metadata.optionalString("tokenizer.chat_template").orElse(null),
                ChatFormat.pieceOrEmpty(tokenizer, tokenizer.bos()), ChatFormat.pieceOrEmpty(tokenizer, tokenizer.eos()),
                stops);
    }

    private static Tokenizer sentencePiece(GgufMetadata md, Path source) {
        String[] tokens = md.stringArray("tokenizer.ggml.tokens");
        int n = tokens.length;
        if (!md.has("tokenizer.ggml.scores")) {
            throw new ModelFormatException(source, "\"llama\" vocabulary has no tokenizer.ggml.scores;"
                    + " SentencePiece merges follow the scores");
        }
        float[] scores = md.floatArray("tokenizer.ggml.scores");
        requireLength(source, "tokenizer.ggml.scores", scores.length, n);
        int unk = optionalId(md, "tokenizer.ggml.unknown_token_id", n, 0);
        int bos = optionalId(md, "tokenizer.ggml.bos_token_id", n, 1);
        int eos = optionalId(md, "tokenizer.ggml.eos_token_id", n, 2);
        int[] types = tokenTypes(md, source, n);
        if (types == null) {
            types = SentencePieceBpeTokenizer.deriveTypes(tokens, bos, eos, unk);
        }
        boolean addBos = optionalBool(md, "tokenizer.ggml.add_bos_token").orElse(true);
        boolean addSpacePrefix = optionalBool(md, "tokenizer.ggml.add_space_prefix").orElse(true);
        return new SentencePieceBpeTokenizer(tokens, scores, types, bos, eos, unk, addBos, addSpacePrefix, true);
    }

    private static Tokenizer byteLevel(GgufMetadata md, Path source) {
        String[] tokens = md.stringArray("tokenizer.ggml.tokens");
        int n = tokens.length;
        if (!md.has("tokenizer.ggml.merges")) {
            throw new ModelFormatException(source, "\"gpt2\" vocabulary has no tokenizer.ggml.merges");
        }
        String[] lines = md.stringArray("tokenizer.ggml.merges");
        List<String[]> merges = new ArrayList<>(lines.length);
        for (int i = 0; i < lines.length; i++) {
            // A piece may itself start with a space, so the separator is the first space after it (as llama.cpp).
            int cut = lines[i].indexOf(' ', 1);
            if (cut < 0) {
                throw new ModelFormatException(source, "tokenizer.ggml.merges[" + i + "] = \"" + lines[i]
                        + "\" is not two pieces separated by a space");
            }
            merges.add(new String[] {lines[i].substring(0, cut), lines[i].substring(cut + 1)});
        }
        String pre = md.has("tokenizer.ggml.pre") ? md.string("tokenizer.ggml.pre") : "default";
        String regex;
        boolean ignoreMerges = false;
        boolean addBosDefault = false;
        switch (pre) {
            case "llama-bpe", "llama3", "llama-v3", "smaug-bpe" -> {
                regex = ByteLevelBpeTokenizer.LLAMA3_PATTERN;
                ignoreMerges = true;
                addBosDefault = true;
            }
            case "qwen2", "deepseek-r1-qwen" -> regex = ByteLevelBpeTokenizer.QWEN2_PATTERN;
            case "default", "gpt-2", "gpt2" -> regex = ByteLevelBpeTokenizer.GPT2_PATTERN;
            default -> throw new ModelFormatException(source, "tokenizer.ggml.pre is \"" + pre
                    + "\" — Strata knows the pre-tokenizers llama-bpe (Llama 3), qwen2 and default (GPT-2)");
        }
        int[] types = tokenTypes(md, source, n);
        int bos = optionalId(md, "tokenizer.ggml.bos_token_id", n, -1);
        int eos = optionalId(md, "tokenizer.ggml.eos_token_id", n, -1);
        int unk = optionalId(md, "tokenizer.ggml.unknown_token_id", n, -1);
        boolean addBos = optionalBool(md, "tokenizer.ggml.add_bos_token").orElse(addBosDefault);
        return new ByteLevelBpeTokenizer(tokens, types, merges, List.of(regex), bos, eos, unk, addBos, ignoreMerges, false, null);
    }

    private static int[] tokenTypes(GgufMetadata md, Path source, int n) {
        if (!md.has("tokenizer.ggml.token_type")) {
            return null;
        }
        int[] types = md.intArray("tokenizer.ggml.token_type");
        requireLength(source, "tokenizer.ggml.token_type", types.length, n);
        return types;
    }

    /**
     * An id key that may be absent or hold "none" (GGUF writers store -1 or 0xFFFFFFFF); either gives
     * {@code fallback} when that is inside the vocabulary, else -1.
     */
    private static int optionalId(GgufMetadata md, String key, int n, int fallback) {
        Optional<GgufValue> v = md.get(key);
        long id = -1;
        if (v.isPresent()) {
            if (v.get().value() instanceof Integer i) {
                id = i;
            } else if (v.get().value() instanceof Long l) {
                id = l;
            } else {
                throw new ModelFormatException(md.source(), "metadata " + key + " should be an integer but is "
                        + v.get().type());
            }
            if (id >= 0 && id < n) {
                return (int) id;
            }
            return -1;
        }
        return fallback >= 0 && fallback < n ? fallback : -1;
    }

    private static Optional<Boolean> optionalBool(GgufMetadata md, String key) {
        return md.has(key) ? Optional.of(md.boolValue(key)) : Optional.empty();
    }

    private static void requireLength(Path source, String key, int length, int n) {
        if (length != n) {
            throw new ModelFormatException(source, key + " has " + length + " entries but tokenizer.ggml.tokens has " + n);
        }
    }
}
