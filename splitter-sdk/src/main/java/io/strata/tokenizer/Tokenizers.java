package io.strata.tokenizer;

import io.strata.model.ModelFormatException;
import io.strata.model.gguf.GgufMetadata;
import io.strata.model.gguf.GgufValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the right {@link Tokenizer} for each place a vocabulary can live. Every failure is a
 * {@link io.strata.model.ModelFormatException} naming the file and what is wrong, or an
 * {@link IllegalArgumentException} for a bad argument.
 */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * From a GGUF file's {@code tokenizer.ggml.*} metadata: "llama" is SentencePiece BPE by
     * scores ({@link SentencePieceBpeTokenizer}), "gpt2" byte-level BPE by merges
     * ({@link ByteLevelBpeTokenizer}, pre-tokenizer from {@code tokenizer.ggml.pre}: llama-bpe,
     * qwen2 or default GPT-2).
     */
    public static Tokenizer fromGguf(GgufMetadata metadata) {
        return GgufVocabulary.read(metadata);
    }

    /**
     * GGUF metadata that carries a Hugging Face tokenizer verbatim, so a GGUF file written from a
     * Hugging Face model (a split artifact) tokenizes exactly as the folder did and keeps its chat
     * template and stop ids; {@code tokenizerConfig} and {@code generationConfig} may be null or absent.
     */
    public static Map<String, GgufValue> embedHuggingFace(Path tokenizerJson, Path tokenizerConfig,
                                                          Path generationConfig) {
        Map<String, GgufValue> md = new LinkedHashMap<>();
        try {
            md.put(GgufVocabulary.EMBEDDED_TOKENIZER_JSON,
                    GgufValue.ofString(Files.readString(tokenizerJson)));
            if (tokenizerConfig != null && Files.isRegularFile(tokenizerConfig)) {
                md.put(GgufVocabulary.EMBEDDED_TOKENIZER_CONFIG_JSON,
                        GgufValue.ofString(Files.readString(tokenizerConfig)));
            }
            if (generationConfig != null && Files.isRegularFile(generationConfig)) {
                md.put(GgufVocabulary.EMBEDDED_GENERATION_CONFIG_JSON,
                        GgufValue.ofString(Files.readString(generationConfig)));
            }
        } catch (IOException e) {
            throw new ModelFormatException(tokenizerJson, "cannot be read: " + e, e);
        }
        return md;
    }

    /** A GGUF file's chat template and stop ids, for the tokenizer built from the same metadata. */
    public static ChatFormat chatFormatFromGguf(GgufMetadata metadata, Tokenizer tokenizer) {
        return GgufVocabulary.chatFormat(metadata, tokenizer);
    }

    /**
     * A Hugging Face folder's chat template and stop ids from its tokenizer_config.json and
     * generation_config.json (either may be null or absent), for the tokenizer read beside them.
     */
    public static ChatFormat chatFormatFromHuggingFace(Path tokenizerConfig, Path generationConfig, Tokenizer tokenizer) {
        Path source = tokenizerConfig != null ? tokenizerConfig : generationConfig;
        return HuggingFaceChatFormat.read(source, readIfPresent(tokenizerConfig), readIfPresent(generationConfig),
                tokenizer);
    }

    private static String readIfPresent(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot be read: " + e, e);
        }
    }

    /**
     * From a llama2.c tokenizer file (tok512.bin, tokenizer.bin) for a vocabulary of exactly
     * {@code vocabSize} tokens; UNK 0, BOS 1, EOS 2, byte {@code b} at id {@code b + 3}.
     */
    public static Tokenizer fromLlama2cFile(Path tokenizerFile, int vocabSize) {
        return Llama2cTokenizerFile.read(tokenizerFile, vocabSize);
    }

    /**
     * From a Hugging Face {@code tokenizer.json} of model type BPE, byte-level (Llama 3, Qwen2,
     * GPT-2) or SentencePiece-converted (Llama 2, Mistral, TinyLlama), with
     * {@code tokenizer_config.json} beside it when present (it names BOS and EOS and says whether
     * BOS is added); {@code tokenizerConfig} may be null.
     */
    public static Tokenizer fromHuggingFace(Path tokenizerJson, Path tokenizerConfig) {
        return HuggingFaceTokenizerFile.read(tokenizerJson, tokenizerConfig);
    }
}
