package io.strata.tokenizer;

/**
 * Text to token ids and back, for one model's vocabulary. Implementations are immutable and
 * safe to share between threads.
 */
public interface Tokenizer {
    /**
     * Token ids of {@code text}. With {@code addBos} (and a vocabulary that has one), the
     * beginning-of-sequence id comes first. SentencePiece vocabularies also add the dummy-prefix
     * space before non-empty text. Special tokens written in the text ({@code <|im_start|>},
     * {@code </s>}) become their ids.
     */
    int[] encode(String text, boolean addBos);

    /**
     * The bytes token {@code token} stands for when it follows {@code previous} (SentencePiece
     * drops the leading space of the first piece after BOS). Bytes, not a String, because one
     * UTF-8 character may be spread over several byte-fallback tokens: a streaming caller joins
     * the bytes and prints whole characters. An id past the last piece (a model's vocabulary may
     * be padded beyond its tokenizer's) has no text: it gives no bytes.
     */
    byte[] decodeBytes(int previous, int token);

    /**
     * The text of {@code tokens} when they follow {@code previous} (the last prompt token, or
     * BOS); special tokens print as nothing, and byte-fallback tokens join into UTF-8 before the
     * text is made, so a character split over tokens comes out whole.
     */
    String decode(int previous, int[] tokens);

    /** The beginning-of-sequence id, or -1 when the vocabulary has none (Qwen2, GPT-2). */
    int bos();

    /** The end-of-sequence id, or -1 when the vocabulary names none. */
    int eos();

    /**
     * Whether the model expects BOS before a prompt (GGUF {@code tokenizer.ggml.add_bos_token},
     * {@code add_bos_token} of {@code tokenizer_config.json}, or the post-processor's template).
     */
    default boolean addsBos() {
        return bos() >= 0;
    }

    int vocabSize();

    /** The token's piece as stored in the vocabulary, for diagnostics. */
    String piece(int token);
}
