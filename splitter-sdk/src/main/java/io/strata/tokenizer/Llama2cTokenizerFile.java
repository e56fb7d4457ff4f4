package io.strata.tokenizer;

import io.strata.model.ModelFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a llama2.c tokenizer file ({@code tokenizer.bin}, {@code tok512.bin}): little-endian
 * int32 max_token_length, then per token float32 score, int32 byte length and the piece's
 * bytes. Pieces keep raw spaces; by llama2.c's convention UNK is 0, BOS 1, EOS 2 and byte
 * {@code b} is the piece {@code <0xNN>} at id {@code b + 3}.
 */
final class Llama2cTokenizerFile {
    /** Llama 3's 128,256 pieces take about 2.5 MB; anything near this is not a tokenizer file. */
    private static final long MAX_FILE_BYTES = 64L << 20;
    private static final int MAX_PIECE_BYTES = 1 << 16;

    private Llama2cTokenizerFile() {
    }

    static SentencePieceBpeTokenizer read(Path file, int vocabSize) {
        if (file == null) {
            throw new IllegalArgumentException("tokenizer file path is null");
        }
        if (vocabSize <= 0) {
            throw new IllegalArgumentException(file + ": vocabulary size must be positive, got " + vocabSize);
        }
        ByteBuffer in = ByteBuffer.wrap(readAll(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 4) {
            throw new ModelFormatException(file, "is " + in.remaining()
                    + " bytes, too short for the max_token_length header — is it a llama2.c tokenizer file?");
        }
        int maxTokenLength = in.getInt();
        if (maxTokenLength <= 0 || maxTokenLength > MAX_PIECE_BYTES) {
            throw new ModelFormatException(file, "max_token_length " + maxTokenLength
                    + " is not plausible — is it a llama2.c tokenizer file?");
        }
        String[] pieces = new String[vocabSize];
        float[] scores = new float[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            int at = in.position();
            if (in.remaining() < 8) {
                throw new ModelFormatException(file, "ends at byte " + at + " inside token " + i + " of " + vocabSize
                        + " — the file is truncated or the model's vocabulary is larger than the tokenizer's");
            }
            scores[i] = in.getFloat();
            int length = in.getInt();
            if (length < 0 || length > MAX_PIECE_BYTES) {
                throw new ModelFormatException(file, "token " + i + " at byte " + at + " has length " + length
                        + ", not a plausible piece length");
            }
            if (in.remaining() < length) {
                throw new ModelFormatException(file, "token " + i + " at byte " + at + " claims " + length
                        + " bytes but only " + in.remaining() + " remain — the file is truncated");
            }
            byte[] bytes = new byte[length];
            in.get(bytes);
            pieces[i] = new String(bytes, StandardCharsets.UTF_8);
        }
        if (in.hasRemaining()) {
            throw new ModelFormatException(file, "has " + in.remaining() + " bytes after token " + (vocabSize - 1)
                    + " — it holds more than " + vocabSize + " tokens; does the vocabulary size match the model?");
        }
        int unk = 0;
        int bos = vocabSize > 1 ? 1 : -1;
        int eos = vocabSize > 2 ? 2 : -1;
        int[] types = SentencePieceBpeTokenizer.deriveTypes(pieces, bos, eos, unk);
        try {
            return new SentencePieceBpeTokenizer(pieces, scores, types, bos, eos, unk, true, true, false);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage(), e);
        }
    }

    private static byte[] readAll(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ModelFormatException(file, "is " + size + " bytes; a llama2.c tokenizer file is a few MB at most");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot be read: " + e, e);
        }
    }
}
