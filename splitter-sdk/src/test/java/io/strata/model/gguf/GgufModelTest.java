package io.strata.model.gguf;

import io.strata.model.ExpectedTensors;
import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.RopeLayout;
import io.strata.model.TensorEncoding;
import io.strata.model.TensorNames;
import io.strata.model.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufModelTest {
    @TempDir
    Path dir;

    @Test
    void storiesGgufIsATiedLlamaWithTheReadmeHyperparameters() {
        try (GgufModel m = GgufModel.open(TestModels.stories260kGguf())) {
            ModelConfig c = m.config();
            assertEquals("gguf", m.format());
            assertEquals("llama", c.architecture());
            assertEquals(64, c.dim());
            assertEquals(172, c.hiddenDim());
            assertEquals(5, c.layers());
            assertEquals(8, c.heads());
            assertEquals(4, c.kvHeads());
            assertEquals(8, c.headSize());
            assertEquals(512, c.vocabSize());
            assertEquals(2048, c.contextLength());
            assertEquals(1e-5f, c.rmsNormEps(), 1e-9f);
            assertEquals(10000f, c.ropeTheta());
            assertEquals(RopeLayout.ADJACENT_PAIRS, c.ropeLayout());
            // the file stores output.weight as a byte-identical copy of the embedding: read as tied
            assertTrue(c.tiedClassifier());
            assertFalse(m.tensors().containsKey(TensorNames.OUTPUT));
            assertEquals(ExpectedTensors.of(c, 0, 5, true, true).keySet(), m.tensors().keySet());
            assertArrayEquals(new long[] {172, 64}, m.tensor(TensorNames.ffnDown(3)).shape());
            assertEquals(m.source(), m.file().path());
            assertEquals("llama", m.file().metadata().string("tokenizer.ggml.model"));
        }
    }

    @Test
    void distinctClassifierMakesTheModelUntied() throws IOException {
        Path f = tiny("llama", null, true);
        try (GgufModel m = GgufModel.open(f)) {
            assertFalse(m.config().tiedClassifier());
            assertArrayEquals(new long[] {DIM, VOCAB}, m.tensor(TensorNames.OUTPUT).shape());
        }
    }

    @Test
    void defaultsApplyWhenOptionalKeysAreAbsent() throws IOException {
        Path f = tiny("mistral", md -> {
            md.remove("mistral.attention.head_count_kv");
            md.remove("mistral.rope.freq_base");
            md.remove("mistral.attention.key_length");
        }, false);
        // without head_count_kv the model has as many kv heads as heads, so k/v must be full width
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufModel.open(f));
        assertTrue(e.getMessage().contains("tensor blk.0.attn_k.weight has shape [16, 8] but"), e.getMessage());
        assertTrue(e.getMessage().contains("needs [16, 16]"), e.getMessage());

        Path g = tiny("mistral", md -> {
            md.remove("mistral.rope.freq_base");
            md.remove("mistral.attention.key_length");
        }, false);
        try (GgufModel m = GgufModel.open(g)) {
            assertEquals(10000f, m.config().ropeTheta());
            assertEquals(DIM / HEADS, m.config().headSize());
            assertEquals(RopeLayout.ADJACENT_PAIRS, m.config().ropeLayout());
        }
    }

    @Test
    void qwen2RotatesHalvesAndChecksItsBiases() throws IOException {
        try (GgufModel m = GgufModel.open(tiny("qwen2", null, false))) {
            assertEquals(RopeLayout.ROTATE_HALF, m.config().ropeLayout());
            assertEquals(500000f, m.config().ropeTheta());
            assertArrayEquals(new long[] {KV_HEADS * DIM / HEADS}, m.tensor(TensorNames.attnKBias(1)).shape());
        }
    }

    @Test
    void unsupportedArchitectureIsRefused() throws IOException {
        Path f = tiny("bloom", null, false);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufModel.open(f));
        assertTrue(e.getMessage().contains("architecture bloom is not supported — Strata runs llama, mistral, qwen2"),
                e.getMessage());
    }

    @Test
    void missingHyperparameterIsNamed() throws IOException {
        Path f = tiny("llama", md -> md.remove("llama.block_count"), false);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufModel.open(f));
        assertTrue(e.getMessage().contains("metadata has no llama.block_count"), e.getMessage());
    }

    @Test
    void missingTensorIsNamedWithItsExpectedShape() throws IOException {
        Path f = tiny("llama", md -> md.put("llama.block_count", GgufValue.ofUint32(3)), false);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufModel.open(f));
        assertTrue(e.getMessage().startsWith(f + ": model has no tensor blk.2.attn_norm.weight (expected shape [16]"),
                e.getMessage());
    }

    @Test
    void inconsistentHeadsAreRefusedAsAFormatError() throws IOException {
        Path f = tiny("llama", md -> md.put("llama.attention.head_count_kv", GgufValue.ofUint32(3)), false);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufModel.open(f));
        assertTrue(e.getMessage().contains("key/value heads (3) must divide query heads (4)"), e.getMessage());
    }

    // ---- a tiny random model: dim 16, hidden 24, 2 layers, 4 heads, 2 kv heads, vocab 32 ----

    static final int DIM = 16;
    static final int HIDDEN = 24;
    static final int LAYERS = 2;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int VOCAB = 32;

    private Path tiny(String arch, Consumer<Map<String, GgufValue>> editMetadata, boolean untied) throws IOException {
        Map<String, GgufValue> md = new LinkedHashMap<>();
        md.put("general.architecture", GgufValue.ofString(arch));
        md.put(arch + ".embedding_length", GgufValue.ofUint32(DIM));
        md.put(arch + ".feed_forward_length", GgufValue.ofUint32(HIDDEN));
        md.put(arch + ".block_count", GgufValue.ofUint32(LAYERS));
        md.put(arch + ".attention.head_count", GgufValue.ofUint32(HEADS));
        md.put(arch + ".attention.head_count_kv", GgufValue.ofUint32(KV_HEADS));
        md.put(arch + ".context_length", GgufValue.ofUint32(64));
        md.put(arch + ".attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(1e-6f));
        md.put(arch + ".rope.freq_base", GgufValue.ofFloat32(500000f));
        md.put(arch + ".attention.key_length", GgufValue.ofUint32(DIM / HEADS));
        if (editMetadata != null) {
            editMetadata.accept(md);
        }
        GgufWriter w = new GgufWriter();
        md.forEach(w::put);
        ModelConfig c = new ModelConfig(arch, DIM, HIDDEN, LAYERS, HEADS, KV_HEADS, DIM / HEADS, VOCAB, 64, 1e-6f,
                500000f, RopeLayout.ADJACENT_PAIRS, !untied);
        Map<String, long[]> shapes = new LinkedHashMap<>(ExpectedTensors.of(c, 0, LAYERS, true, true));
        if (arch.equals("qwen2")) {
            shapes.putAll(ExpectedTensors.optional(c, 0, LAYERS));
        }
        Random random = new Random(7);
        shapes.forEach((name, shape) -> {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * 4));
            random.nextBytes(b.array());
            w.addTensor(name, TensorEncoding.F32, shape, out -> out.write(b.duplicate()));
        });
        return w.write(dir.resolve(arch + (untied ? "-untied" : "") + ".gguf")).path();
    }
}
