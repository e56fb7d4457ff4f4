package io.strata.synthetic;

import io.strata.model.TensorEncoding;
import io.strata.model.gguf.GgufWriter;
import io.strata.model.hf.SafetensorsDtype;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes synthetic Llama models of real shapes — random weights run exactly as fast as trained
 * ones — as GGUF files or Hugging Face folders. The same {@link SyntheticSpec} gives the same
 * model in both: GGUF stores q and k for adjacent-pair RoPE, the Hugging Face folder the same
 * rows permuted for rotate-half, so an engine honouring each file's layout computes the same
 * logits. Weights are generated row by row while writing, on every core, so a 4.4 GB model is
 * written with a heap of a few megabytes.
 */
public final class SyntheticModelGenerator {
    private SyntheticModelGenerator() {
    }

    /** Threads used when none are given: every core. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Writes {@code spec} as a GGUF "llama" file at {@code out}: the 2-D weights (token embedding
     * included) in {@code encoding}, norms in F32; a matrix whose rows are not whole blocks falls
     * back as llama-quantize does (see {@link GgufQuantisation}).
     */
    public static GgufWriter.WrittenFile writeGguf(SyntheticSpec spec, TensorEncoding encoding, Path out,
                                                   SyntheticProgress progress) throws IOException {
        return writeGguf(spec, encoding, out, defaultThreads(), progress);
    }

    public static GgufWriter.WrittenFile writeGguf(SyntheticSpec spec, TensorEncoding encoding, Path out, int threads,
                                                   SyntheticProgress progress) throws IOException {
        return writeGguf(spec, GgufQuantisation.of(encoding), out, threads, progress);
    }

    /** As {@link #writeGguf(SyntheticSpec, TensorEncoding, Path, int, SyntheticProgress)}, each tensor in the encoding {@code quantisation} gives it. */
    public static GgufWriter.WrittenFile writeGguf(SyntheticSpec spec, GgufQuantisation quantisation, Path out, int threads,
                                                   SyntheticProgress progress) throws IOException {
        return SyntheticGguf.write(spec, quantisation, out, threads, progress == null ? SyntheticProgress.NONE : progress);
    }

    /**
     * Writes {@code spec} as a Hugging Face folder with every weight in {@code dtype} ("F32",
     * "F16", "BF16" or torch's "float32", "float16", "bfloat16") in one model.safetensors.
     *
     * @return the files written
     */
    public static List<Path> writeHuggingFace(SyntheticSpec spec, String dtype, Path folder,
                                              SyntheticProgress progress) throws IOException {
        return writeHuggingFace(spec, dtype, folder, Long.MAX_VALUE, defaultThreads(), progress);
    }

    /**
     * As {@link #writeHuggingFace(SyntheticSpec, String, Path, SyntheticProgress)}, splitting the
     * weights into shards of at most {@code maxShardBytes} (a tensor larger than that gets a
     * shard of its own) with model.safetensors.index.json when more than one is needed.
     */
    public static List<Path> writeHuggingFace(SyntheticSpec spec, String dtype, Path folder, long maxShardBytes,
                                              int threads, SyntheticProgress progress) throws IOException {
        return SyntheticHuggingFace.write(spec, SafetensorsDtype.parse(dtype), folder, maxShardBytes, threads,
                progress == null ? SyntheticProgress.NONE : progress);
    }
}
