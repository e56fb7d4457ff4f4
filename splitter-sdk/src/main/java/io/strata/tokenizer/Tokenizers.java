package io.strata.tokenizer;

import io.strata.model.gguf.GgufMetadata;

import java.nio.file.Path;

/**
 * Builds the right {@link Tokenizer} for each place a vocabulary can live.
 */
public final class Tokenizers {
    private Tokenizers() {
    }

    /** From a GGUF file's {@code tokenizer.ggml.*} metadata ("llama" SentencePiece or "gpt2" byte-level BPE). */
    public static Tokenizer fromGguf(GgufMetadata metadata) {
        throw new UnsupportedOperationException("GGUF tokenizer: being written on branch wt-tokenizers");
    }

    /** From a llama2.c tokenizer file (tok512.bin, tokenizer.bin) for a vocabulary of {@code vocabSize}. */
    public static Tokenizer fromLlama2cFile(Path tokenizerFile, int vocabSize) {
        throw new UnsupportedOperationException("llama2.c tokenizer: being written on branch wt-tokenizers");
    }

    /**
     * From a Hugging Face {@code tokenizer.json}, with {@code tokenizer_config.json} beside it when
     * present (it says whether BOS is added); {@code tokenizerConfig} may be null.
     */
    public static Tokenizer fromHuggingFace(Path tokenizerJson, Path tokenizerConfig) {
        throw new UnsupportedOperationException("tokenizer.json: being written on branch wt-tokenizers");
    }
}
