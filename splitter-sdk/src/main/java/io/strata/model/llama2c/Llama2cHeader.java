package io.strata.model.llama2c;

import io.strata.model.ModelFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The seven little-endian int32 that open a llama2.c (version 0) checkpoint, and the file
 * size they imply. The format has no magic number, so plausibility of these values is the
 * only way to recognise a checkpoint.
 *
 * @param vocabSize negative in the file when a separate classifier follows the weights; kept
 *                  as stored here, see {@link #sharedClassifier()}
 */
public record Llama2cHeader(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize, int seqLen) {
    public static final int BYTES = 7 * 4;

    /** Reads the header of {@code file}; a file shorter than the header is refused. */
    public static Llama2cHeader read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // keep reading: a channel may return fewer bytes than asked
            }
            if (b.hasRemaining()) {
                throw new ModelFormatException(file, "file is " + b.position()
                        + " bytes long, shorter than a llama2.c checkpoint header (28 bytes)");
            }
            b.flip();
            return new Llama2cHeader(b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt());
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read the file: " + e, e);
        }
    }

    /** True when the classifier is the token embedding (the file stores a positive vocabulary size). */
    public boolean sharedClassifier() {
        return vocabSize > 0;
    }

    public int vocab() {
        return Math.abs(vocabSize);
    }

    public int headSize() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headSize();
    }

    /**
     * Why these values cannot be a real checkpoint's, or empty when they are plausible. The
     * bounds are far above any Llama model's, so they only turn away other kinds of files.
     */
    public Optional<String> implausibility() {
        if (dim <= 0 || dim > (1 << 16)) {
            return Optional.of("dim " + dim);
        }
        if (hiddenDim <= 0 || hiddenDim > (1 << 20)) {
            return Optional.of("hidden dim " + hiddenDim);
        }
        if (layers <= 0 || layers > 1024) {
            return Optional.of("layer count " + layers);
        }
        if (heads <= 0 || heads > dim || dim % heads != 0) {
            return Optional.of(heads + " heads for dim " + dim);
        }
        if ((dim / heads) % 2 != 0) {
            return Optional.of("odd head size " + dim / heads);
        }
        if (kvHeads <= 0 || kvHeads > heads || heads % kvHeads != 0) {
            return Optional.of(kvHeads + " key/value heads for " + heads + " heads");
        }
        if (vocabSize == 0 || vocabSize == Integer.MIN_VALUE || Math.abs(vocabSize) > (1 << 24)) {
            return Optional.of("vocabulary size " + vocabSize);
        }
        if (seqLen <= 0 || seqLen > (1 << 24)) {
            return Optional.of("sequence length " + seqLen);
        }
        return Optional.empty();
    }

    /** Bytes of the whole file for these values, with or without a separate classifier; call only when plausible. */
    public long expectedFileSize(boolean shared) {
        long d = dim;
        long l = layers;
        long kv = kvDim();
        long floats = (long) vocab() * d            // token embedding
                + l * d                              // rms_att
                + l * d * d                          // wq
                + 2 * l * d * kv                     // wk, wv
                + l * d * d                          // wo
                + l * d                              // rms_ffn
                + 3 * l * d * hiddenDim              // w1, w2, w3
                + d                                  // rms_final
                + (long) seqLen * headSize();        // freq_cis_real and freq_cis_imag, half a head each
        if (!shared) {
            floats += (long) vocab() * d;
        }
        return BYTES + 4 * floats;
    }

    @Override
    public String toString() {
        return "dim " + dim + ", hidden " + hiddenDim + ", " + layers + " layers, " + heads + " heads, " + kvHeads
                + " kv heads, vocabulary " + vocabSize + ", sequence " + seqLen;
    }
}
