package io.strata.model.hf;

import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.RopeLayout;
import io.strata.model.TensorEncoding;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HuggingFaceModelTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    private static ModelFormatException refused(Path folder, String... mentions) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HuggingFaceModel.open(folder).close());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "mentions '" + m + "': " + e.getMessage());
        }
        return e;
    }

    @Test
    void aSingleFileFolderOpensWithCanonicalNamesAndGgmlShapes() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        try (HuggingFaceModel m = HuggingFaceModel.open(fx.writeSingle(dir.resolve("m")))) {
            assertEquals("huggingface", m.format());
            ModelConfig c = m.config();
            assertEquals(new ModelConfig("llama", 16, 24, 2, 4, 2, 4, 10, 64, 1e-5f, 10000f,
                    RopeLayout.ROTATE_HALF, false), c);
            List<String> names = new ArrayList<>(m.tensors().keySet());
            assertEquals(TensorNames.TOKEN_EMBEDDING, names.getFirst());
            assertEquals(TensorNames.OUTPUT, names.getLast());
            assertEquals(2 + 2 * 9 + 1, names.size());
            WeightTensor k = m.tensor(TensorNames.attnK(1));
            assertEquals(TensorEncoding.F32, k.encoding());
            assertArrayEquals(new long[] {16, 8}, k.shape(), "GGML order: [in, out]");
            int ordinal = fx.ordinal("model.layers.1.self_attn.k_proj.weight");
            assertEquals(HuggingFaceFolderFixture.value(ordinal, 37), k.data().get(F32, 37 * 4L));
            assertArrayEquals(new long[] {24, 16}, m.tensor(TensorNames.ffnDown(0)).shape());
        }
    }

    @Test
    void aShardedFolderReadsEveryTensorFromTheShardTheIndexNames() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        try (HuggingFaceModel m = HuggingFaceModel.open(fx.writeSharded(dir.resolve("m"), 3))) {
            assertEquals(21, m.tensors().size());
            for (String hf : fx.tensors.keySet()) {
                WeightTensor t = m.tensor(HuggingFaceTensorNames.canonical(hf));
                assertEquals(HuggingFaceFolderFixture.value(fx.ordinal(hf), 0), t.data().get(F32, 0), hf);
                long last = t.elements() - 1;
                assertEquals(HuggingFaceFolderFixture.value(fx.ordinal(hf), last), t.data().get(F32, last * 4), hf);
            }
        }
    }

    @Test
    void anIndexNamingATensorItsShardLacksIsRefused() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        Path folder = fx.writeSharded(dir.resolve("m"), 2);
        Path index = folder.resolve(HuggingFaceModel.INDEX_FILE);
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) HuggingFaceFolderFixture.JSON.readTree(index.toFile());
        var map = (com.fasterxml.jackson.databind.node.ObjectNode) root.get("weight_map");
        String actual = map.get("model.norm.weight").textValue();
        map.put("model.norm.weight", actual.startsWith("model-00001") ? "model-00002-of-00002.safetensors"
                : "model-00001-of-00002.safetensors");
        Files.write(index, HuggingFaceFolderFixture.JSON.writeValueAsBytes(root));
        refused(folder, "has no tensor model.norm.weight");
    }

    @Test
    void anIndexPointingOutsideTheFolderIsRefused() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        Path folder = fx.writeSharded(dir.resolve("m"), 1);
        Path index = folder.resolve(HuggingFaceModel.INDEX_FILE);
        Files.writeString(index, Files.readString(index).replaceFirst("model-00001-of-00001", "../elsewhere"));
        refused(folder, "outside the model folder");
    }

    @Test
    void aTiedConfigOmitsTheClassifierEvenWhenTheFileKeepsACopy() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.config.put("tie_word_embeddings", true);
        try (HuggingFaceModel m = HuggingFaceModel.open(fx.writeSingle(dir.resolve("m")))) {
            assertTrue(m.config().tiedClassifier());
            assertFalse(m.tensors().containsKey(TensorNames.OUTPUT));
        }
    }

    @Test
    void anAbsentLmHeadMeansATiedClassifier() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.tensors.remove("lm_head.weight");
        try (HuggingFaceModel m = HuggingFaceModel.open(fx.writeSingle(dir.resolve("m")))) {
            assertTrue(m.config().tiedClassifier());
            assertTrue(m.optionalTensor(TensorNames.OUTPUT).isEmpty());
        }
    }

    @Test
    void aMissingTensorIsNamed() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.tensors.remove("model.layers.1.mlp.up_proj.weight");
        refused(fx.writeSingle(dir.resolve("m")), "model.layers.1.mlp.up_proj.weight", "config.json implies");
    }

    @Test
    void aWrongShapeIsNamedInPyTorchOrder() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.tensors.put("model.layers.0.self_attn.k_proj.weight", new long[] {16, 16});
        refused(fx.writeSingle(dir.resolve("m")), "model.layers.0.self_attn.k_proj.weight", "[16, 16]", "[8, 16]");
    }

    @Test
    void aLayerBeyondTheConfigIsRefused() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.tensors.put("model.layers.2.input_layernorm.weight", new long[] {16});
        refused(fx.writeSingle(dir.resolve("m")), "model.layers.2.input_layernorm.weight", "2 layers");
    }

    @Test
    void anUnknownTensorIsRefusedButRopeBuffersAreSkipped() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.tensors.put("model.layers.0.self_attn.rotary_emb.inv_freq", new long[] {2});
        try (HuggingFaceModel m = HuggingFaceModel.open(fx.writeSingle(dir.resolve("a")))) {
            assertEquals(21, m.tensors().size());
        }
        fx.tensors.put("model.vision_tower.weight", new long[] {2});
        refused(fx.writeSingle(dir.resolve("b")), "model.vision_tower.weight");
    }

    @Test
    void unsupportedModelTypesAreRefusedByName() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.config.put("model_type", "gpt2").put("add_cross_attention", true);
        refused(fx.writeSingle(dir.resolve("m")), "config.json", "add_cross_attention");
        fx.config.put("model_type", "bert");
        refused(fx.writeSingle(dir.resolve("b")), "config.json", "model_type bert", "llama, mistral, qwen2");
    }

    @Test
    void qwen2NeedsItsAttentionBiases() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.config.put("model_type", "qwen2");
        refused(fx.writeSingle(dir.resolve("a")), "model.layers.0.self_attn.q_proj.bias");
        for (int l = 0; l < 2; l++) {
            fx.tensors.put("model.layers." + l + ".self_attn.q_proj.bias", new long[] {16});
            fx.tensors.put("model.layers." + l + ".self_attn.k_proj.bias", new long[] {8});
            fx.tensors.put("model.layers." + l + ".self_attn.v_proj.bias", new long[] {8});
        }
        try (HuggingFaceModel m = HuggingFaceModel.open(fx.writeSingle(dir.resolve("b")))) {
            assertEquals("qwen2", m.config().architecture());
            assertArrayEquals(new long[] {8}, m.tensor(TensorNames.attnKBias(1)).shape());
        }
    }

    @Test
    void defaultsFollowTransformers() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.config.remove("num_key_value_heads");
        fx.config.remove("rms_norm_eps");
        for (int l = 0; l < 2; l++) {
            fx.tensors.put("model.layers." + l + ".self_attn.k_proj.weight", new long[] {16, 16});
            fx.tensors.put("model.layers." + l + ".self_attn.v_proj.weight", new long[] {16, 16});
        }
        try (HuggingFaceModel m = HuggingFaceModel.open(fx.writeSingle(dir.resolve("m")))) {
            assertEquals(4, m.config().kvHeads());
            assertEquals(4, m.config().headSize());
            assertEquals(10000f, m.config().ropeTheta());
            assertEquals(1e-6f, m.config().rmsNormEps());
        }
    }

    @Test
    void anExplicitHeadDimDecidesTheProjectionWidths() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.config.put("head_dim", 8);
        fx.config.put("rope_theta", 500000.0);
        for (int l = 0; l < 2; l++) {
            fx.tensors.put("model.layers." + l + ".self_attn.q_proj.weight", new long[] {32, 16});
            fx.tensors.put("model.layers." + l + ".self_attn.k_proj.weight", new long[] {16, 16});
            fx.tensors.put("model.layers." + l + ".self_attn.v_proj.weight", new long[] {16, 16});
            fx.tensors.put("model.layers." + l + ".self_attn.o_proj.weight", new long[] {16, 32});
        }
        try (HuggingFaceModel m = HuggingFaceModel.open(fx.writeSingle(dir.resolve("m")))) {
            assertEquals(32, m.config().qDim());
            assertEquals(500000f, m.config().ropeTheta());
        }
    }

    @Test
    void differencesTheSkeletonCannotExpressAreRefusedInOneLine() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.config.put("model_type", "gemma2");
        fx.config.put("sliding_window", 4);
        fx.config.putArray("layer_types").add("full_attention").add("sliding_attention");
        refused(fx.writeSingle(dir.resolve("a")), "config.json", "layer_types", "cannot express");
        fx = new HuggingFaceFolderFixture();
        fx.config.put("model_type", "qwen3_moe");
        fx.config.put("num_experts", 4).put("num_experts_per_tok", 2).put("moe_intermediate_size", 8);
        fx.config.put("norm_topk_prob", false);
        refused(fx.writeSingle(dir.resolve("b")), "config.json", "norm_topk_prob false is not supported");
        fx = new HuggingFaceFolderFixture();
        fx.config.put("model_type", "qwen2");
        fx.config.put("use_sliding_window", true).put("sliding_window", 4);
        refused(fx.writeSingle(dir.resolve("c")), "config.json", "use_sliding_window true is not supported");
        fx = new HuggingFaceFolderFixture();
        fx.config.put("model_type", "phi3");
        fx.config.putObject("rope_scaling").put("rope_type", "longrope").put("factor", 32.0);
        refused(fx.writeSingle(dir.resolve("d")), "config.json", "rope_scaling type longrope is not supported");
        fx = new HuggingFaceFolderFixture();
        fx.config.put("model_type", "gpt_neox").put("hidden_act", "relu");
        refused(fx.writeSingle(dir.resolve("e")), "config.json", "hidden_act relu is not supported");
    }

    @Test
    void brokenConfigsAreRefusedNamingConfigJson() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        fx.config.put("hidden_size", -3);
        refused(fx.writeSingle(dir.resolve("a")), "config.json", "hidden_size");
        fx = new HuggingFaceFolderFixture();
        fx.config.remove("num_hidden_layers");
        refused(fx.writeSingle(dir.resolve("b")), "config.json", "num_hidden_layers");
        fx = new HuggingFaceFolderFixture();
        fx.config.putObject("rope_scaling").put("rope_type", "llama3");
        refused(fx.writeSingle(dir.resolve("c")), "rope_scaling", "llama3");
        fx = new HuggingFaceFolderFixture();
        fx.config.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0);
        refused(fx.writeSingle(dir.resolve("e")), "rope_scaling type yarn is not supported");
        Path d = fx.writeSingle(dir.resolve("d"));
        Files.writeString(d.resolve("config.json"), "{ not json");
        refused(d, "config.json", "not valid JSON");
    }

    @Test
    void aFolderWithoutWeightsOrConfigIsRefused() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        refused(empty, "config.json", "not found");
        Files.writeString(empty.resolve("config.json"),
                HuggingFaceFolderFixture.JSON.writeValueAsString(new HuggingFaceFolderFixture().config));
        refused(empty, "model.safetensors");
        refused(dir.resolve("nowhere"), "not a folder");
    }

    @Test
    void aMissingTokenizerJsonIsAClearError() throws IOException {
        HuggingFaceFolderFixture fx = new HuggingFaceFolderFixture();
        try (HuggingFaceModel m = HuggingFaceModel.open(fx.writeSingle(dir.resolve("m")))) {
            ModelFormatException e = assertThrows(ModelFormatException.class, m::tokenizer);
            assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        }
    }

    @Test
    void namesMapBothWays() {
        for (String hf : new HuggingFaceFolderFixture().tensors.keySet()) {
            assertEquals(hf, HuggingFaceTensorNames.huggingFace(HuggingFaceTensorNames.canonical(hf)));
        }
        assertEquals("blk.12.attn_output.weight",
                HuggingFaceTensorNames.canonical("model.layers.12.self_attn.o_proj.weight"));
        assertEquals(null, HuggingFaceTensorNames.canonical("model.layers.01.input_layernorm.weight"));
    }
}
