package io.strata.model;

import io.strata.model.gguf.GgufModel;
import io.strata.model.llama2c.Llama2cHeader;
import io.strata.model.llama2c.Llama2cModel;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Opens whatever model a path names: a Hugging Face folder, a GGUF file or a llama2.c
 * checkpoint, told apart by what is on disk rather than by file name.
 */
public final class ModelLoader {
    private static final String HUGGING_FACE_MODEL = "io.strata.model.hf.HuggingFaceModel";
    private static final byte[] GGUF_MAGIC = "GGUF".getBytes(StandardCharsets.US_ASCII);

    private ModelLoader() {
    }

    /**
     * Opens {@code path}.
     *
     * @param tokenizerOrNull a tokenizer file for a llama2.c checkpoint (GGUF files and Hugging
     *                        Face folders carry their own and ignore it); null to look beside it
     * @throws ModelFormatException when the path is missing or is none of the known formats
     */
    public static LoadedModel open(Path path, Path tokenizerOrNull) {
        if (path == null) {
            throw new IllegalArgumentException("no model path given");
        }
        if (!Files.exists(path)) {
            throw new ModelFormatException(path, "no such file or folder");
        }
        if (Files.isDirectory(path)) {
            return openHuggingFace(path);
        }
        byte[] head = firstBytes(path, Llama2cHeader.BYTES);
        if (head.length >= 4 && Arrays.equals(head, 0, 4, GGUF_MAGIC, 0, 4)) {
            return GgufModel.open(path);
        }
        if (head.length == Llama2cHeader.BYTES && Llama2cHeader.read(path).implausibility().isEmpty()) {
            return Llama2cModel.open(path, tokenizerOrNull);
        }
        throw new ModelFormatException(path, "not a GGUF file, llama2.c checkpoint or Hugging Face folder");
    }

    /**
     * The Hugging Face reader is found by name so this loader builds without it; its own
     * format errors pass through unchanged.
     */
    private static LoadedModel openHuggingFace(Path folder) {
        Method open;
        try {
            open = Class.forName(HUGGING_FACE_MODEL).getMethod("open", Path.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new ModelFormatException(folder, "is a folder, and this build of Strata has no Hugging Face reader", e);
        }
        try {
            return (LoadedModel) open.invoke(null, folder);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new ModelFormatException(folder, "cannot read the Hugging Face folder: " + cause, cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(HUGGING_FACE_MODEL + ".open is not public", e);
        }
    }

    private static byte[] firstBytes(Path file, int n) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read the file: " + e, e);
        }
    }
}
