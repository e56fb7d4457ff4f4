package io.strata.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.model.ArchitectureTraits.RopeScaling;
import io.strata.model.TensorNames;
import io.strata.model.hf.HuggingFaceTensorNames;
import io.strata.model.hf.SafetensorsDtype;
import io.strata.model.hf.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A synthetic model as a Hugging Face folder in the layout transformers saves for Llama:
 * config.json, the weights (q and k rows permuted for rotate-half RoPE) in one safetensors
 * file or shards with an index, and a Llama-2-style tokenizer.json with tokenizer_config.json.
 */
final class SyntheticHuggingFace {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SyntheticHuggingFace() {
    }

    private record Planned(String canonical, String hfName, long[] ggmlShape, long bytes) {
    }

    static List<Path> write(SyntheticSpec spec, SafetensorsDtype dtype, Path folder, long maxShardBytes, int threads,
                            SyntheticProgress progress) throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("shard size must be positive, got " + maxShardBytes);
        }
        Files.createDirectories(folder);
        SyntheticWeights weights = new SyntheticWeights(spec);
        SyntheticVocabulary vocab = SyntheticVocabulary.build(spec.shape().vocabSize(), spec.seed());
        List<Path> written = new ArrayList<>();

        List<List<Planned>> shards = new ArrayList<>();
        List<Planned> current = new ArrayList<>();
        long currentBytes = 0;
        long total = 0;
        for (Map.Entry<String, long[]> e : weights.shapes().entrySet()) {
            if (e.getKey().equals(TensorNames.ROPE_FREQS)) {
                continue; // transformers derives the divisors from config.json's rope_scaling
            }
            long bytes = dtype.encoding().byteSize(SyntheticGguf.elements(e.getValue()));
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(new Planned(e.getKey(), HuggingFaceTensorNames.huggingFace(e.getKey()), e.getValue(), bytes));
            currentBytes += bytes;
            total += bytes;
        }
        shards.add(current);

        long totalBytes = total;
        AtomicLong done = new AtomicLong();
        TreeMap<String, String> weightMap = new TreeMap<>();
        try (RowStreamer streamer = new RowStreamer(threads)) {
            for (int s = 0; s < shards.size(); s++) {
                String file = shards.size() == 1 ? "model.safetensors"
                        : String.format("model-%05d-of-%05d.safetensors", s + 1, shards.size());
                SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
                for (Planned p : shards.get(s)) {
                    weightMap.put(p.hfName, file);
                    long[] shape = p.ggmlShape;
                    long rows = SyntheticGguf.elements(shape) / shape[0];
                    boolean permuted = SyntheticWeights.isRopePermuted(p.canonical);
                    int headSize = spec.shape().headSize();
                    RowStreamer.Rows source = permuted
                            ? (row, dst, len) -> weights.fillRow(p.canonical,
                                    SyntheticWeights.adjacentRowOfRotateHalfRow(row, headSize), dst, 0, len)
                            : (row, dst, len) -> weights.fillRow(p.canonical, row, dst, 0, len);
                    w.addTensor(p.hfName, dtype, reversed(shape), ch -> streamer.stream(source, rows, (int) shape[0],
                            dtype.encoding(), ch, n -> progress.progress(p.canonical, done.addAndGet(n), totalBytes)));
                }
                Path target = folder.resolve(file);
                w.write(target);
                written.add(target);
            }
        }
        if (shards.size() > 1) {
            ObjectNode index = NODES.objectNode();
            index.putObject("metadata").put("total_size", totalBytes);
            ObjectNode map = index.putObject("weight_map");
            weightMap.forEach(map::put);
            written.add(writeJson(folder.resolve("model.safetensors.index.json"), index));
        }
        written.add(writeJson(folder.resolve("config.json"), config(spec, dtype)));
        written.add(writeJson(folder.resolve("tokenizer.json"), tokenizer(vocab)));
        written.add(writeJson(folder.resolve("tokenizer_config.json"), tokenizerConfig(spec)));
        return written;
    }

    private static ObjectNode config(SyntheticSpec spec, SafetensorsDtype dtype) {
        SyntheticShape s = spec.shape();
        TreeMap<String, Object> c = new TreeMap<>();
        c.put("architectures", List.of("LlamaForCausalLM"));
        c.put("attention_bias", false);
        c.put("attention_dropout", 0.0);
        c.put("bos_token_id", SyntheticVocabulary.BOS);
        c.put("eos_token_id", SyntheticVocabulary.EOS);
        c.put("head_dim", s.headSize());
        c.put("hidden_act", "silu");
        c.put("hidden_size", s.dim());
        c.put("initializer_range", SyntheticWeights.MATRIX_STDDEV);
        c.put("intermediate_size", s.hiddenDim());
        c.put("max_position_embeddings", s.contextLength());
        c.put("mlp_bias", false);
        c.put("model_type", "llama");
        c.put("num_attention_heads", s.heads());
        c.put("num_hidden_layers", s.layers());
        c.put("num_key_value_heads", s.kvHeads());
        c.put("pretraining_tp", 1);
        c.put("rms_norm_eps", s.rmsNormEps());
        RopeScaling scaling = s.ropeScaling();
        c.put("rope_scaling", scaling.kind() != RopeScaling.Kind.LLAMA3 ? null : new TreeMap<>(Map.of(
                "factor", scaling.factor(),
                "high_freq_factor", scaling.highFreqFactor(),
                "low_freq_factor", scaling.lowFreqFactor(),
                "original_max_position_embeddings", scaling.originalContext(),
                "rope_type", "llama3")));
        c.put("rope_theta", s.ropeTheta());
        c.put("tie_word_embeddings", s.tiedClassifier());
        c.put("torch_dtype", dtype.torchName());
        c.put("use_cache", true);
        c.put("vocab_size", s.vocabSize());
        return JSON.valueToTree(c);
    }

    /** A Llama-2 tokenizer.json: SentencePiece BPE with byte fallback, ▁ for spaces, BOS added. */
    static ObjectNode tokenizer(SyntheticVocabulary vocab) {
        ObjectNode root = NODES.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id : new int[] {SyntheticVocabulary.UNK, SyntheticVocabulary.BOS, SyntheticVocabulary.EOS}) {
            added.addObject().put("id", id).put("content", vocab.piece(id)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        ObjectNode normalizer = root.putObject("normalizer").put("type", "Sequence");
        ArrayNode norms = normalizer.putArray("normalizers");
        norms.addObject().put("type", "Prepend").put("prepend", SyntheticVocabulary.WORD_START);
        ObjectNode replace = norms.addObject().put("type", "Replace");
        replace.putObject("pattern").put("String", " ");
        replace.put("content", SyntheticVocabulary.WORD_START);
        root.putNull("pre_tokenizer");
        ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = post.putObject("special_tokens").putObject("<s>").put("id", "<s>");
        bos.putArray("ids").add(SyntheticVocabulary.BOS);
        bos.putArray("tokens").add("<s>");
        ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        ObjectNode space = decoders.addObject().put("type", "Replace");
        space.putObject("pattern").put("String", SyntheticVocabulary.WORD_START);
        space.put("content", " ");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", "<unk>");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true);
        model.put("byte_fallback", true);
        model.put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        for (int id = 0; id < vocab.size(); id++) {
            v.put(vocab.piece(id), id);
        }
        ArrayNode merges = model.putArray("merges");
        vocab.huggingFaceMerges().forEach(merges::add);
        return root;
    }

    private static ObjectNode tokenizerConfig(SyntheticSpec spec) {
        TreeMap<String, Object> c = new TreeMap<>();
        c.put("add_bos_token", true);
        c.put("add_eos_token", false);
        c.put("bos_token", "<s>");
        c.put("clean_up_tokenization_spaces", false);
        c.put("eos_token", "</s>");
        c.put("legacy", false);
        c.put("model_max_length", spec.shape().contextLength());
        c.put("pad_token", null);
        c.put("tokenizer_class", "LlamaTokenizer");
        c.put("unk_token", "<unk>");
        return JSON.valueToTree(c);
    }

    private static Path writeJson(Path file, ObjectNode json) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(json);
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName() + ".", ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // the default ACL already lets others read
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }

    private static long[] reversed(long[] shape) {
        long[] r = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            r[i] = shape[shape.length - 1 - i];
        }
        return r;
    }
}
