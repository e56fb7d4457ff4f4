package io.strata.tokenizer;

/**
 * Text to token ids and back, for one model's vocabulary.
 */
public interface Tokenizer {
    /**
     * Token ids of {@code text}. With {@code addBos}, the beginning-of-sequence id comes first.
     * SentencePiece vocabularies also add the dummy-prefix space before non-empty text.
     */
    int[] encode(String text, boolean addBos);

    /**
     * The bytes token {@code token} stands for when it follows {@code previous} (SentencePiece
     * drops the leading space of the first piece after BOS). Bytes, not a String, because one
     * UTF-8 character may be spread over several byte-fallback tokens.
     */
    byte[] decodeBytes(int previous, int token);

    /**
     * The text of {@code tokens} when they follow {@code previous} (the last prompt token, or
     * BOS); special tokens print as nothing, and byte-fallback tokens join into UTF-8.
     */
    String decode(int previous, int[] tokens);

    int bos();

    int eos();

    int vocabSize();

    /** The token's piece as stored in the vocabulary, for diagnostics. */
    String piece(int token);
}
