package io.strata.model.llama2c;

import io.strata.model.ExpectedTensors;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.RopeLayout;
import io.strata.model.TensorEncoding;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;
import io.strata.tokenizer.Tokenizer;
import io.strata.tokenizer.Tokenizers;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * A llama2.c (version 0) checkpoint: a seven-int header, then F32 weights grouped by kind
 * across layers. Each layer's tensor is a zero-copy slice of the mapped file, renamed to
 * Strata's canonical names; the tokenizer lives in a separate file.
 */
public final class Llama2cModel implements LoadedModel {
    private final Path source;
    private final Arena arena;
    private final ModelConfig config;
    private final Map<String, WeightTensor> tensors;
    private final Path tokenizerFile;
    private Tokenizer tokenizer;
    private boolean closed;

    private Llama2cModel(Path source, Arena arena, ModelConfig config, Map<String, WeightTensor> tensors,
                         Path tokenizerFile) {
        this.source = source;
        this.arena = arena;
        this.config = config;
        this.tensors = tensors;
        this.tokenizerFile = tokenizerFile;
    }

    /**
     * Maps {@code checkpoint}. The tokenizer is {@code tokenizerOrNull} when given, else
     * {@code tokenizer.bin} or {@code tok<vocab>.bin} beside the checkpoint; it is only read
     * when {@link #tokenizer()} is first called.
     *
     * @throws ModelFormatException when the header is implausible, the file size is not exactly
     *                              what the header implies, or a given tokenizer file is missing
     */
    public static Llama2cModel open(Path checkpoint, Path tokenizerOrNull) {
        Llama2cHeader h = Llama2cHeader.read(checkpoint);
        Optional<String> bad = h.implausibility();
        if (bad.isPresent()) {
            throw new ModelFormatException(checkpoint, "not a llama2.c checkpoint: its header says " + bad.get()
                    + " (header: " + h + ")");
        }
        if (tokenizerOrNull != null && !Files.isRegularFile(tokenizerOrNull)) {
            throw new ModelFormatException(tokenizerOrNull, "tokenizer file not found");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(checkpoint, StandardOpenOption.READ)) {
            long size = ch.size();
            boolean shared = h.sharedClassifier();
            long expected = h.expectedFileSize(shared);
            if (size != expected) {
                throw new ModelFormatException(checkpoint, "file is " + size + " bytes but its header (" + h
                        + ") implies " + expected + " bytes with " + (shared ? "a shared" : "a separate")
                        + " classifier — the file is truncated or not a version-0 llama2.c checkpoint");
            }
            MemorySegment mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            ModelConfig config = new ModelConfig("llama", h.dim(), h.hiddenDim(), h.layers(), h.heads(), h.kvHeads(),
                    h.headSize(), h.vocab(), h.seqLen(), 1e-5f, 10000f, RopeLayout.ADJACENT_PAIRS, shared);
            Map<String, WeightTensor> tensors = slice(mapping, h);
            ExpectedTensors.check(checkpoint, config, tensors);
            Path tokenizer = tokenizerOrNull != null ? tokenizerOrNull : besideCheckpoint(checkpoint, h.vocab());
            return new Llama2cModel(checkpoint, arena, config, tensors, tokenizer);
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(checkpoint, "cannot read the file: " + e, e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The tokenizer file this model will read, when one was given or found beside the checkpoint. */
    public Optional<Path> tokenizerFile() {
        return Optional.ofNullable(tokenizerFile);
    }

    @Override
    public Path source() {
        return source;
    }

    @Override
    public String format() {
        return "llama2c";
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    /** @throws ModelFormatException when no tokenizer was given or found beside the checkpoint */
    @Override
    public synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            if (tokenizerFile == null) {
                throw new ModelFormatException(source, "llama2.c checkpoint needs its tokenizer: pass --tokenizer tok"
                        + config.vocabSize() + ".bin (none found beside it as tokenizer.bin or tok"
                        + config.vocabSize() + ".bin)");
            }
            tokenizer = Tokenizers.fromLlama2cFile(tokenizerFile, config.vocabSize());
        }
        return tokenizer;
    }

    @Override
    public Map<String, WeightTensor> tensors() {
        return tensors;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    private static Path besideCheckpoint(Path checkpoint, int vocab) {
        Path folder = checkpoint.toAbsolutePath().getParent();
        for (String name : new String[] {"tokenizer.bin", "tok" + vocab + ".bin"}) {
            Path candidate = folder.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Cuts the weights out of the mapping in file order: each kind for every layer, then the next kind. */
    private static Map<String, WeightTensor> slice(MemorySegment mapping, Llama2cHeader h) {
        long dim = h.dim();
        long hidden = h.hiddenDim();
        long kv = h.kvDim();
        long vocab = h.vocab();
        Slicer s = new Slicer(mapping);
        s.one(TensorNames.TOKEN_EMBEDDING, dim, vocab);
        s.perLayer(h.layers(), TensorNames::attnNorm, dim);
        s.perLayer(h.layers(), TensorNames::attnQ, dim, dim);
        s.perLayer(h.layers(), TensorNames::attnK, dim, kv);
        s.perLayer(h.layers(), TensorNames::attnV, dim, kv);
        s.perLayer(h.layers(), TensorNames::attnOutput, dim, dim);
        s.perLayer(h.layers(), TensorNames::ffnNorm, dim);
        s.perLayer(h.layers(), TensorNames::ffnGate, dim, hidden);
        s.perLayer(h.layers(), TensorNames::ffnDown, hidden, dim);
        s.perLayer(h.layers(), TensorNames::ffnUp, dim, hidden);
        s.one(TensorNames.OUTPUT_NORM, dim);
        // The precomputed RoPE tables (freq_cis_real, freq_cis_imag) are skipped: the engine computes them.
        s.skip((long) h.seqLen() * h.headSize() * 4);
        if (!h.sharedClassifier()) {
            s.one(TensorNames.OUTPUT, dim, vocab);
        }
        return Collections.unmodifiableMap(s.tensors);
    }

    private static final class Slicer {
        final MemorySegment mapping;
        final Map<String, WeightTensor> tensors = new LinkedHashMap<>();
        long offset = Llama2cHeader.BYTES;

        Slicer(MemorySegment mapping) {
            this.mapping = mapping;
        }

        void one(String name, long... shape) {
            long bytes = TensorEncoding.F32.byteSize(elements(shape));
            tensors.put(name, new WeightTensor(name, TensorEncoding.F32, shape, mapping.asSlice(offset, bytes)));
            offset += bytes;
        }

        void perLayer(int layers, IntFunction<String> name, long... shape) {
            for (int l = 0; l < layers; l++) {
                one(name.apply(l), shape);
            }
        }

        void skip(long bytes) {
            offset += bytes;
        }

        private static long elements(long[] shape) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }
}
