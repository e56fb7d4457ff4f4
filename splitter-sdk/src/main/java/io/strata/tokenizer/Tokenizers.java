package io.strata.tokenizer;

import io.strata.model.gguf.GgufMetadata;

import java.nio.file.Path;

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
