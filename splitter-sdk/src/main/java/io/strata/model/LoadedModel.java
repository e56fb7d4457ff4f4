package io.strata.model;

import io.strata.tokenizer.ChatFormat;
import io.strata.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A model opened from disk: its hyperparameters, its tokenizer and its tensors under
 * Strata's canonical names ({@link TensorNames}). Tensor bytes stay in the mapped file until
 * {@link #close()}; using a tensor after closing is an error.
 *
 * <p>A tied classifier has no {@link TensorNames#OUTPUT} tensor: the engine uses the token
 * embedding. A split artifact holds only the tensors of its layer range.
 */
public interface LoadedModel extends AutoCloseable {
    /** The file or folder it was read from. */
    Path source();

    /** "gguf", "llama2c" or "huggingface". */
    String format();

    ModelConfig config();

    /** The model's tokenizer. */
    Tokenizer tokenizer();

    /**
     * The model's chat template and the ids that end a reply; a format that carries no template
     * (llama2.c) has only the tokenizer's EOS.
     */
    default ChatFormat chatFormat() {
        return ChatFormat.plain(tokenizer());
    }

    /** Every tensor by canonical name, unmodifiable, in file order. */
    Map<String, WeightTensor> tensors();

    default Optional<WeightTensor> optionalTensor(String name) {
        return Optional.ofNullable(tensors().get(name));
    }

    /** The tensor called {@code name}, or a clear error naming the file when it is missing. */
    default WeightTensor tensor(String name) {
        WeightTensor t = tensors().get(name);
        if (t == null) {
            throw new ModelFormatException(source(), "model has no tensor " + name + " — is it a Llama-family model?");
        }
        return t;
    }

    /**
     * For a split artifact, which part of the original model it holds; empty for a whole model.
     * A split holds the tensors of its layer range only (plus the embedding when it is the first
     * stage, the final norm and classifier when it is the last).
     */
    default Optional<SplitPlace> splitPlace() {
        return Optional.empty();
    }

    /** First layer whose tensors this file holds. */
    default int firstLayer() {
        return splitPlace().map(SplitPlace::firstLayer).orElse(0);
    }

    /** One past the last layer whose tensors this file holds. */
    default int endLayer() {
        return splitPlace().map(SplitPlace::endLayer).orElse(config().layers());
    }

    /** Unmaps the file; tensors must not be used afterwards. */
    @Override
    void close();
}
