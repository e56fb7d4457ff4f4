package io.strata.synthetic;

import io.strata.model.TensorEncoding;
import io.strata.model.gguf.GgufType;
import io.strata.model.gguf.GgufValue;
import io.strata.model.gguf.GgufValue.GgufArray;
import io.strata.model.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A synthetic model as a GGUF "llama" file: the metadata llama.cpp's converter writes, the
 * vocabulary as tokenizer.ggml.*, and every tensor streamed from {@link SyntheticWeights}.
 */
final class SyntheticGguf {
    private SyntheticGguf() {
    }

    /** llama.cpp's general.file_type ("mostly" the encoding of the 2-D weights). */
    static int fileType(TensorEncoding e) {
        return GgufQuantisation.of(e).fileType();
    }

    static GgufWriter.WrittenFile write(SyntheticSpec spec, GgufQuantisation quantisation, Path out, int threads,
                                        SyntheticProgress progress) throws IOException {
        SyntheticShape s = spec.shape();
        SyntheticWeights weights = new SyntheticWeights(spec);
        SyntheticVocabulary vocab = SyntheticVocabulary.build(s.vocabSize(), spec.seed());
        GgufWriter w = new GgufWriter();
        String arch = "llama";
        w.put("general.architecture", GgufValue.ofString(arch));
        w.put("general.name", GgufValue.ofString(spec.modelName()));
        w.put("general.alignment", GgufValue.ofUint32(32));
        w.put(arch + ".context_length", GgufValue.ofUint32(s.contextLength()));
        w.put(arch + ".embedding_length", GgufValue.ofUint32(s.dim()));
        w.put(arch + ".block_count", GgufValue.ofUint32(s.layers()));
        w.put(arch + ".feed_forward_length", GgufValue.ofUint32(s.hiddenDim()));
        w.put(arch + ".rope.dimension_count", GgufValue.ofUint32(s.headSize()));
        w.put(arch + ".attention.head_count", GgufValue.ofUint32(s.heads()));
        w.put(arch + ".attention.head_count_kv", GgufValue.ofUint32(s.kvHeads()));
        w.put(arch + ".attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(s.rmsNormEps()));
        w.put(arch + ".rope.freq_base", GgufValue.ofFloat32(s.ropeTheta()));
        w.put("general.file_type", GgufValue.ofUint32(quantisation.fileType()));
        w.put(arch + ".vocab_size", GgufValue.ofUint32(s.vocabSize()));
        w.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        w.put("tokenizer.ggml.tokens", GgufValue.ofArray(new GgufArray(GgufType.STRING, vocab.pieces())));
        w.put("tokenizer.ggml.scores", GgufValue.ofArray(new GgufArray(GgufType.FLOAT32, vocab.scores())));
        w.put("tokenizer.ggml.token_type", GgufValue.ofArray(new GgufArray(GgufType.INT32, vocab.tokenTypes())));
        w.put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(SyntheticVocabulary.BOS));
        w.put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(SyntheticVocabulary.EOS));
        w.put("tokenizer.ggml.unknown_token_id", GgufValue.ofUint32(SyntheticVocabulary.UNK));
        w.put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true));
        w.put("tokenizer.ggml.add_eos_token", GgufValue.ofBool(false));
        if (quantisation.base().blockSize() > 1) {
            w.put("general.quantization_version", GgufValue.ofUint32(2));
        }

        long total = 0;
        for (Map.Entry<String, long[]> e : weights.shapes().entrySet()) {
            long[] shape = e.getValue();
            total += quantisation.encodingOf(e.getKey(), shape, s.layers()).byteSize(elements(e.getValue()));
        }
        long totalBytes = total;
        AtomicLong done = new AtomicLong();
        try (RowStreamer streamer = new RowStreamer(threads)) {
            for (Map.Entry<String, long[]> e : weights.shapes().entrySet()) {
                String name = e.getKey();
                long[] shape = e.getValue();
                TensorEncoding enc = quantisation.encodingOf(name, shape, s.layers());
                long rows = elements(shape) / shape[0];
                w.addTensor(name, enc, shape, ch -> streamer.stream(
                        (row, dst, len) -> weights.fillRow(name, row, dst, 0, len),
                        rows, (int) shape[0], enc, ch,
                        n -> progress.progress(name, done.addAndGet(n), totalBytes)));
            }
            return w.write(out);
        }
    }

    static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
