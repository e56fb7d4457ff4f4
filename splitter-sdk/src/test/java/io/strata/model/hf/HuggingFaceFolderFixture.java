package io.strata.model.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small Llama-shaped Hugging Face folder written by hand for reader tests, with knobs to
 * break it: every tensor's F32 values are its index plus a per-tensor offset, so a test can
 * tell tensors apart.
 */
final class HuggingFaceFolderFixture {
    static final ObjectMapper JSON = new ObjectMapper();
    final ObjectNode config = JSON.createObjectNode();
    final Map<String, long[]> tensors = new LinkedHashMap<>();

    HuggingFaceFolderFixture() {
        config.put("model_type", "llama");
        config.put("hidden_size", 16);
        config.put("intermediate_size", 24);
        config.put("num_hidden_layers", 2);
        config.put("num_attention_heads", 4);
        config.put("num_key_value_heads", 2);
        config.put("vocab_size", 10);
        config.put("max_position_embeddings", 64);
        config.put("rms_norm_eps", 1e-5);
        config.put("tie_word_embeddings", false);
        tensors.put("model.embed_tokens.weight", new long[] {10, 16});
        for (int l = 0; l < 2; l++) {
            String p = "model.layers." + l + ".";
            tensors.put(p + "input_layernorm.weight", new long[] {16});
            tensors.put(p + "self_attn.q_proj.weight", new long[] {16, 16});
            tensors.put(p + "self_attn.k_proj.weight", new long[] {8, 16});
            tensors.put(p + "self_attn.v_proj.weight", new long[] {8, 16});
            tensors.put(p + "self_attn.o_proj.weight", new long[] {16, 16});
            tensors.put(p + "post_attention_layernorm.weight", new long[] {16});
            tensors.put(p + "mlp.gate_proj.weight", new long[] {24, 16});
            tensors.put(p + "mlp.up_proj.weight", new long[] {24, 16});
            tensors.put(p + "mlp.down_proj.weight", new long[] {16, 24});
        }
        tensors.put("model.norm.weight", new long[] {16});
        tensors.put("lm_head.weight", new long[] {10, 16});
    }

    /** The F32 value the fixture stores at {@code index} of tensor number {@code ordinal}. */
    static float value(int ordinal, long index) {
        return ordinal * 1000 + index;
    }

    int ordinal(String name) {
        return new ArrayList<>(tensors.keySet()).indexOf(name);
    }

    Path writeSingle(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.write(folder.resolve("config.json"), JSON.writeValueAsBytes(config));
        SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
        add(w, new ArrayList<>(tensors.keySet()));
        w.write(folder.resolve(HuggingFaceModel.SINGLE_FILE));
        return folder;
    }

    Path writeSharded(Path folder, int shards) throws IOException {
        Files.createDirectories(folder);
        Files.write(folder.resolve("config.json"), JSON.writeValueAsBytes(config));
        List<String> names = new ArrayList<>(tensors.keySet());
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode map = index.putObject("weight_map");
        for (int s = 0; s < shards; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            List<String> mine = new ArrayList<>();
            for (int i = s; i < names.size(); i += shards) {
                mine.add(names.get(i));
                map.put(names.get(i), file);
            }
            SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
            add(w, mine);
            w.write(folder.resolve(file));
        }
        Files.write(folder.resolve(HuggingFaceModel.INDEX_FILE), JSON.writeValueAsBytes(index));
        return folder;
    }

    private void add(SafetensorsWriter w, List<String> names) {
        for (String name : names) {
            long[] shape = tensors.get(name);
            int ordinal = ordinal(name);
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            ByteBuffer b = ByteBuffer.allocate((int) n * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < n; i++) {
                b.putFloat(value(ordinal, i));
            }
            w.addTensor(name, SafetensorsDtype.F32, shape, ch -> {
                b.flip();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            });
        }
    }
}
