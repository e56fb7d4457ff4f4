package io.strata.split;

import io.strata.model.ExpectedTensors;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.SplitPlace;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;
import io.strata.model.gguf.GgufModel;
import io.strata.model.gguf.GgufValue;
import io.strata.model.gguf.GgufHyperparameters;
import io.strata.model.gguf.GgufWriter;
import io.strata.tokenizer.SentencePieceBpeTokenizer;
import io.strata.tokenizer.Tokenizers;
import io.strata.model.gguf.SplitArtifactKeys;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one self-contained GGUF artifact per planned stage: the stage's tensors in their
 * original encoding, byte for byte, plus the model's hyperparameters and tokenizer and the
 * split's place. The bytes depend only on the model and the plan, so the MD5 (computed while
 * writing, with the SHA-256) identifies a split across runs and machines.
 */
public final class SplitWriter {
    /** Copy granularity: bounded memory whatever the model size. */
    private static final int CHUNK = 4 << 20;

    /** What a split became on disk. */
    public record WrittenSplit(PlannedStage stage, Path file, long bytes, String md5, String sha256) {
    }

    /** Told how far the writing has got, in bytes of tensor data over all splits. */
    @FunctionalInterface
    public interface Progress {
        void update(long bytesDone, long bytesTotal);

        Progress NONE = (done, total) -> { };
    }

    private SplitWriter() {
    }

    /** The artifact file name of stage {@code index} of {@code worldSize}. */
    public static String artifactName(String modelId, int index, int worldSize) {
        return modelId + ".split-" + index + "-of-" + worldSize + ".gguf";
    }

    public static List<WrittenSplit> write(LoadedModel model, SplitPlan plan, String modelId, Path outDir,
                                           Progress progress) throws IOException {
        if (model.splitPlace().isPresent()) {
            throw new IllegalArgumentException(model.source() + " is already a split (stage "
                    + model.splitPlace().get().index() + " of " + model.splitPlace().get().worldSize()
                    + "); split the original model instead");
        }
        Files.createDirectories(outDir);
        List<List<WeightTensor>> tensorsPerStage = new ArrayList<>();
        long total = 0;
        for (PlannedStage stage : plan.stages()) {
            List<WeightTensor> tensors = tensorsOf(model, stage, plan.worldSize());
            tensorsPerStage.add(tensors);
            total += bytesOf(tensors);
        }
        AtomicLong done = new AtomicLong();
        final long grandTotal = total;
        // Splits are independent files: writing them side by side spreads the MD5 and SHA-256
        // work (the costly part) over the cores while the disk takes the bytes.
        int threads = Math.max(1, Math.min(plan.worldSize(), Runtime.getRuntime().availableProcessors()));
        // Largest first, so no thread is left with a big split at the end while the others idle.
        List<PlannedStage> largestFirst = new ArrayList<>(plan.stages());
        largestFirst.sort(java.util.Comparator.comparingLong(
                (PlannedStage st) -> bytesOf(tensorsPerStage.get(st.index()))).reversed());
        List<WrittenSplit> written = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
            java.util.Map<Integer, java.util.concurrent.Future<WrittenSplit>> futures = new java.util.HashMap<>();
            for (PlannedStage stage : largestFirst) {
                List<WeightTensor> tensors = tensorsPerStage.get(stage.index());
                futures.put(stage.index(), pool.submit(() -> writeStage(model, plan, modelId, outDir, stage, tensors,
                        n -> progress.update(done.addAndGet(n), grandTotal))));
            }
            for (PlannedStage stage : plan.stages()) {
                written.add(awaitSplit(futures.get(stage.index())));
            }
        }
        return written;
    }

    private static WrittenSplit writeStage(LoadedModel model, SplitPlan plan, String modelId, Path outDir,
                                           PlannedStage stage, List<WeightTensor> tensors,
                                           java.util.function.LongConsumer copied) throws IOException {
        GgufWriter writer = new GgufWriter();
        SplitPlace place = new SplitPlace(modelId, stage.index(), plan.worldSize(), stage.firstLayer(),
                stage.lastLayer());
        putModelMetadata(writer, model);
        SplitArtifactKeys.write(writer, place, model.config());
        for (WeightTensor t : tensors) {
            writer.addTensor(t.name(), t.encoding(), t.shape(), out -> {
                MemorySegment data = t.data();
                for (long o = 0; o < data.byteSize(); o += CHUNK) {
                    long n = Math.min(CHUNK, data.byteSize() - o);
                    ByteBuffer chunk = data.asSlice(o, n).asByteBuffer();
                    while (chunk.hasRemaining()) {
                        out.write(chunk);
                    }
                    copied.accept(n);
                }
            });
        }
        GgufWriter.WrittenFile file = writer.write(outDir.resolve(artifactName(modelId, stage.index(), plan.worldSize())));
        return new WrittenSplit(stage, file.path(), file.bytes(), file.md5Hex(), file.sha256Hex());
    }

    private static long bytesOf(List<WeightTensor> tensors) {
        return tensors.stream().mapToLong(WeightTensor::byteSize).sum();
    }

    private static WrittenSplit awaitSplit(java.util.concurrent.Future<WrittenSplit> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("split interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** The stage's tensors, in the source's order, so the artifact's bytes are reproducible. */
    static List<WeightTensor> tensorsOf(LoadedModel model, PlannedStage stage, int worldSize) {
        ModelConfig c = model.config();
        boolean head = stage.lastLayer() == c.layers();
        boolean embedding = stage.firstLayer() == 0 || (head && c.tiedClassifier());
        Set<String> wanted = new LinkedHashSet<>(
                ExpectedTensors.of(c, stage.firstLayer(), stage.lastLayer(), embedding, head).keySet());
        wanted.addAll(ExpectedTensors.optional(c, stage.firstLayer(), stage.lastLayer()).keySet());
        List<WeightTensor> out = new ArrayList<>();
        for (Map.Entry<String, WeightTensor> e : model.tensors().entrySet()) {
            if (wanted.contains(e.getKey())) {
                out.add(e.getValue());
            }
        }
        // the embedding must be there whenever the check above asked for it
        if (embedding && out.stream().noneMatch(t -> t.name().equals(TensorNames.TOKEN_EMBEDDING))) {
            model.tensor(TensorNames.TOKEN_EMBEDDING);
        }
        return out;
    }

    /**
     * Hyperparameters and tokenizer. A GGUF source's metadata is copied as it is (it already says
     * everything in GGUF's words); other formats are described from their config and tokenizer.
     */
    private static void putModelMetadata(GgufWriter writer, LoadedModel model) {
        if (model instanceof GgufModel gguf) {
            for (Map.Entry<String, GgufValue> e : gguf.file().metadata().entries().entrySet()) {
                writer.put(e.getKey(), e.getValue());
            }
            return;
        }
        GgufHyperparameters.put(writer, model.config(), model.source().getFileName().toString());
        if (model instanceof io.strata.model.hf.HuggingFaceModel hf) {
            Tokenizers.embedHuggingFace(hf.tokenizerJson(), hf.tokenizerConfigJson(), hf.generationConfigJson())
                    .forEach(writer::put);
        } else if (model.tokenizer() instanceof SentencePieceBpeTokenizer spm) {
            spm.ggufMetadata().forEach(writer::put);
        } else {
            throw new IllegalArgumentException(model.source() + ": splitting a " + model.format()
                    + " model whose tokenizer is " + model.tokenizer().getClass().getSimpleName()
                    + " is not supported yet; convert it to GGUF first");
        }
    }
}
