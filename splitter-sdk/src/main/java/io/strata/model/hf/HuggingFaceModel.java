package io.strata.model.hf;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.ExpectedTensors;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.RopeLayout;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;
import io.strata.tokenizer.ChatFormat;
import io.strata.tokenizer.Tokenizer;
import io.strata.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face model folder (config.json, model.safetensors or a sharded index, tokenizer.json)
 * seen as a {@link LoadedModel}: tensors renamed to canonical names, shapes in GGML order, bytes
 * left in the mapped shards. Hugging Face stores q and k for {@link RopeLayout#ROTATE_HALF}, so
 * the config says so and the weights are not permuted.
 */
public final class HuggingFaceModel implements LoadedModel {
    static final String SINGLE_FILE = "model.safetensors";
    static final String INDEX_FILE = "model.safetensors.index.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path folder;
    private final HuggingFaceConfig hfConfig;
    private final ModelConfig config;
    private final List<SafetensorsFile> shards;
    private final Map<String, WeightTensor> tensors;
    private Tokenizer tokenizer;
    private ChatFormat chatFormat;

    private HuggingFaceModel(Path folder, HuggingFaceConfig hfConfig, ModelConfig config,
                             List<SafetensorsFile> shards, Map<String, WeightTensor> tensors) {
        this.folder = folder;
        this.hfConfig = hfConfig;
        this.config = config;
        this.shards = shards;
        this.tensors = tensors;
    }

    /**
     * Opens the model in {@code folder}.
     *
     * @throws ModelFormatException naming the file and problem when anything is missing or inconsistent
     */
    public static HuggingFaceModel open(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new ModelFormatException(folder, "is not a folder — a Hugging Face model is a folder with config.json");
        }
        HuggingFaceConfig hf = HuggingFaceConfig.read(LinkPlaceholder.resolve(folder.resolve("config.json")));
        List<SafetensorsFile> shards = new ArrayList<>();
        try {
            Map<String, SafetensorsTensor> byHfName = mapWeights(folder, shards);
            String headName = HuggingFaceTensorNames.huggingFace(TensorNames.OUTPUT, hf.modelType());
            boolean hasHead = headName != null && byHfName.containsKey(headName);
            ModelConfig c = hf.config();
            boolean tied = c.tiedClassifier() || !hasHead;
            ModelConfig config = c.withTiedClassifier(tied);
            Map<String, WeightTensor> found = new HashMap<>();
            for (Map.Entry<String, SafetensorsTensor> e : byHfName.entrySet()) {
                String hfName = e.getKey();
                String canonical = HuggingFaceTensorNames.canonical(hfName, hf.modelType());
                if (canonical == null) {
                    if (HuggingFaceTensorNames.isIgnorableBuffer(hfName)) {
                        continue;
                    }
                    throw new ModelFormatException(folder, "tensor " + hfName + " is not part of a "
                            + hf.modelType() + " model as Strata reads it — is the checkpoint a plain causal LM?");
                }
                if (tied && canonical.equals(TensorNames.OUTPUT)) {
                    continue; // tied: the engine uses the embedding, whatever copy the file keeps
                }
                SafetensorsTensor t = e.getValue();
                found.put(canonical, HuggingFaceWeightLayout.canonical(hf.modelType(), config, canonical,
                        new WeightTensor(canonical, t.dtype().encoding(), t.ggmlShape(), t.data())));
            }
            Map<String, WeightTensor> ordered = checkAndOrder(folder, hf, config, found);
            return new HuggingFaceModel(folder, hf, config, List.copyOf(shards), ordered);
        } catch (RuntimeException e) {
            shards.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** Maps model.safetensors or every shard named by the index (each once), and returns tensors by HF name. */
    private static Map<String, SafetensorsTensor> mapWeights(Path folder, List<SafetensorsFile> opened) {
        Path single = LinkPlaceholder.resolve(folder.resolve(SINGLE_FILE));
        Path index = LinkPlaceholder.resolve(folder.resolve(INDEX_FILE));
        Map<String, SafetensorsTensor> out = new LinkedHashMap<>();
        if (Files.exists(index)) {
            Map<String, String> weightMap = readWeightMap(index);
            Map<String, SafetensorsFile> byShard = new HashMap<>();
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                String shardName = e.getValue();
                SafetensorsFile shard = byShard.get(shardName);
                if (shard == null) {
                    Path base = folder.toAbsolutePath().normalize();
                    Path shardPath = base.resolve(shardName).normalize();
                    if (!base.equals(shardPath.getParent()) || shardName.contains("/") || shardName.contains("\\")) {
                        throw new ModelFormatException(index, "weight_map names shard " + shardName
                                + " outside the model folder");
                    }
                    shard = SafetensorsFile.open(LinkPlaceholder.resolve(shardPath));
                    opened.add(shard);
                    byShard.put(shardName, shard);
                }
                SafetensorsTensor t = shard.tensors().get(e.getKey());
                if (t == null) {
                    throw new ModelFormatException(shard.path(), "has no tensor " + e.getKey() + " though "
                            + INDEX_FILE + " puts it there");
                }
                out.put(e.getKey(), t);
            }
        } else if (Files.exists(single)) {
            SafetensorsFile f = SafetensorsFile.open(single);
            opened.add(f);
            out.putAll(f.tensors());
        } else {
            String hint = Files.exists(folder.resolve("pytorch_model.bin"))
                    ? " (it has pytorch_model.bin: convert it to safetensors first)" : "";
            throw new ModelFormatException(folder, "has neither " + SINGLE_FILE + " nor " + INDEX_FILE + hint);
        }
        return out;
    }

    private static Map<String, String> readWeightMap(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(index));
        } catch (JacksonException e) {
            throw new ModelFormatException(index, "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelFormatException(index, "cannot be read: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new ModelFormatException(index, "has no weight_map object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isTextual() || e.getValue().textValue().isEmpty()) {
                throw new ModelFormatException(index, "weight_map." + e.getKey() + " must name a shard file");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** Every tensor the config implies, present with its shape, in canonical order; nothing else. */
    private static Map<String, WeightTensor> checkAndOrder(Path folder, HuggingFaceConfig hf, ModelConfig c,
                                                           Map<String, WeightTensor> found) {
        Map<String, long[]> expected = new LinkedHashMap<>();
        Map<String, long[]> biases = ExpectedTensors.optional(c, 0, c.layers());
        for (Map.Entry<String, long[]> e : ExpectedTensors.of(c, 0, c.layers(), true, true).entrySet()) {
            expected.put(e.getKey(), e.getValue());
            int l = TensorNames.layerOf(e.getKey());
            if (hf.qkvBias() && e.getKey().equals(TensorNames.attnQkv(l))) {
                expected.put(TensorNames.attnQkvBias(l), biases.get(TensorNames.attnQkvBias(l)));
            }
            if (hf.qkvBias() && e.getKey().equals(TensorNames.attnV(l))) {
                expected.put(TensorNames.attnQBias(l), biases.get(TensorNames.attnQBias(l)));
                expected.put(TensorNames.attnKBias(l), biases.get(TensorNames.attnKBias(l)));
                expected.put(TensorNames.attnVBias(l), biases.get(TensorNames.attnVBias(l)));
            }
            if (hf.outputBias() && e.getKey().equals(TensorNames.attnOutput(l))) {
                expected.put("blk." + l + ".attn_output.bias", new long[] {c.dim()});
            }
        }
        Map<String, WeightTensor> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            WeightTensor t = found.get(e.getKey());
            String hfName = HuggingFaceTensorNames.huggingFace(e.getKey(), hf.modelType());
            if (t == null) {
                throw new ModelFormatException(folder, "has no tensor " + hfName + " (" + e.getKey()
                        + "), which config.json implies");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new ModelFormatException(folder, "tensor " + hfName + " has shape "
                        + Arrays.toString(reversed(t.shape())) + " but config.json implies "
                        + Arrays.toString(reversed(e.getValue())));
            }
            ordered.put(e.getKey(), t);
        }
        for (String name : found.keySet()) {
            if (!ordered.containsKey(name)) {
                throw new ModelFormatException(folder, "tensor " + HuggingFaceTensorNames.huggingFace(name, hf.modelType())
                        + " does not fit config.json (" + c.layers() + " layers, "
                        + (hf.qkvBias() ? "with" : "no") + " attention biases)");
            }
        }
        return Collections.unmodifiableMap(ordered);
    }

    private static long[] reversed(long[] shape) {
        long[] r = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            r[i] = shape[shape.length - 1 - i];
        }
        return r;
    }

    @Override
    public Path source() {
        return folder;
    }

    @Override
    public String format() {
        return "huggingface";
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    /** config.json as read, including the Hugging Face specifics (biases, model_type). */
    public HuggingFaceConfig huggingFaceConfig() {
        return hfConfig;
    }

    /** The folder's tokenizer.json (followed when it is a link written out as a file). */
    public Path tokenizerJson() {
        return LinkPlaceholder.resolve(folder.resolve("tokenizer.json"));
    }

    /** The folder's tokenizer_config.json (followed when it is a link written out as a file). */
    public Path tokenizerConfigJson() {
        return LinkPlaceholder.resolve(folder.resolve("tokenizer_config.json"));
    }

    /** The folder's generation_config.json (its EOS ids), followed when it is a link written out as a file. */
    public Path generationConfigJson() {
        return LinkPlaceholder.resolve(folder.resolve("generation_config.json"));
    }

    /** The chat template of tokenizer_config.json and the EOS ids of generation_config.json, read on first use. */
    @Override
    public synchronized ChatFormat chatFormat() {
        if (chatFormat == null) {
            chatFormat = Tokenizers.chatFormatFromHuggingFace(tokenizerConfigJson(), generationConfigJson(), tokenizer());
        }
        return chatFormat;
    }

    /** The tokenizer from tokenizer.json (and tokenizer_config.json when present), read on first use. */
    @Override
    public synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            Path json = tokenizerJson();
            if (!Files.isRegularFile(json)) {
                throw new ModelFormatException(folder, "has no tokenizer.json — Strata needs the fast-tokenizer file"
                        + " beside config.json");
            }
            Path cfg = tokenizerConfigJson();
            tokenizer = Tokenizers.fromHuggingFace(json, Files.isRegularFile(cfg) ? cfg : null);
        }
        return tokenizer;
    }

    @Override
    public Map<String, WeightTensor> tensors() {
        return tensors;
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
