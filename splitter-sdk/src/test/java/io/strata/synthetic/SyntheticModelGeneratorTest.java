package io.strata.synthetic;

import io.strata.model.ArchitectureTraits.RopeScaling;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.RopeLayout;
import io.strata.model.TensorEncoding;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;
import io.strata.model.gguf.GgufMetadata;
import io.strata.model.gguf.GgufModel;
import io.strata.model.gguf.GgufWriter;
import io.strata.model.hf.HuggingFaceModel;
import io.strata.model.hf.SafetensorsFile;
import io.strata.model.quant.BF16Codec;
import io.strata.model.quant.RowCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticModelGeneratorTest {
    private static final SyntheticSpec TINY = SyntheticSpec.of(SyntheticShape.TINY, 42);

    @TempDir
    Path dir;

    private static float[] decodeRow(WeightTensor t, long row) {
        float[] out = new float[t.cols()];
        long rowBytes = t.encoding().byteSize(t.cols());
        RowCodec.of(t.encoding()).decode(t.data(), row * rowBytes, out, 0, out.length);
        return out;
    }

    private static String md5(Path f) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(f)));
    }

    /** Every tensor of the Hugging Face model equals the GGUF one, q and k after undoing the per-head permutation. */
    private static void assertSameModel(LoadedModel gguf, LoadedModel hf, int headSize) {
        assertEquals(new ArrayList<>(gguf.tensors().keySet()), new ArrayList<>(hf.tensors().keySet()));
        for (WeightTensor g : gguf.tensors().values()) {
            WeightTensor h = hf.tensor(g.name());
            assertArrayEquals(g.shape(), h.shape(), g.name());
            boolean permuted = SyntheticWeights.isRopePermuted(g.name());
            for (int hfRow = 0; hfRow < h.rows(); hfRow++) {
                long ggufRow = permuted ? SyntheticWeights.adjacentRowOfRotateHalfRow(hfRow, headSize) : hfRow;
                assertArrayEquals(decodeRow(g, ggufRow), decodeRow(h, hfRow), g.name() + " row " + hfRow);
            }
        }
    }

    @Test
    void sameSeedGivesTheSameModelInGgufAndHuggingFaceForEveryFloatEncoding() throws IOException {
        for (String dtype : List.of("F32", "F16", "BF16")) {
            Path gguf = dir.resolve("tiny-" + dtype + ".gguf");
            Path folder = dir.resolve("tiny-" + dtype);
            SyntheticModelGenerator.writeGguf(TINY, TensorEncoding.valueOf(dtype), gguf, null);
            SyntheticModelGenerator.writeHuggingFace(TINY, dtype, folder, null);
            try (GgufModel g = GgufModel.open(gguf); HuggingFaceModel h = HuggingFaceModel.open(folder)) {
                assertEquals(SyntheticShape.TINY.config(RopeLayout.ADJACENT_PAIRS), g.config());
                assertEquals(SyntheticShape.TINY.config(RopeLayout.ROTATE_HALF), h.config());
                assertEquals(TensorEncoding.valueOf(dtype), h.tensor(TensorNames.attnQ(0)).encoding());
                assertSameModel(g, h, SyntheticShape.TINY.headSize());
            }
        }
    }

    @Test
    void theHuggingFaceQueryRowsAreTheGgufRowsPermutedAsConvertLlamaWeightsToHfDoes() throws IOException {
        SyntheticModelGenerator.writeGguf(TINY, TensorEncoding.F32, dir.resolve("t.gguf"), null);
        SyntheticModelGenerator.writeHuggingFace(TINY, "F32", dir.resolve("hf"), null);
        int heads = SyntheticShape.TINY.heads();
        int hs = SyntheticShape.TINY.headSize();
        try (GgufModel g = GgufModel.open(dir.resolve("t.gguf")); HuggingFaceModel h = HuggingFaceModel.open(dir.resolve("hf"))) {
            WeightTensor q = g.tensor(TensorNames.attnQ(1));
            WeightTensor hq = h.tensor(TensorNames.attnQ(1));
            // permute(w) = w.view(heads, hs/2, 2, dim).transpose(1, 2).reshape(dim, dim):
            // output index (head, j, i) reads input index (head, i, j)
            for (int head = 0; head < heads; head++) {
                for (int i = 0; i < hs / 2; i++) {
                    for (int j = 0; j < 2; j++) {
                        int in = head * hs + i * 2 + j;
                        int out = head * hs + j * (hs / 2) + i;
                        assertArrayEquals(decodeRow(q, in), decodeRow(hq, out));
                    }
                }
            }
            assertFalse(java.util.Arrays.equals(decodeRow(q, 1), decodeRow(hq, 1)), "the layouts really differ");
        }
    }

    @Test
    void ropeAttentionScoresAgreeAcrossTheTwoLayouts() throws IOException {
        // What the engine will rely on: q·k after RoPE is the same whichever layout the file uses.
        SyntheticModelGenerator.writeGguf(TINY, TensorEncoding.F32, dir.resolve("t.gguf"), null);
        SyntheticModelGenerator.writeHuggingFace(TINY, "F32", dir.resolve("hf"), null);
        SyntheticShape s = SyntheticShape.TINY;
        int hs = s.headSize();
        double[] x = new double[s.dim()];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.sin(i * 0.37) + 0.1;
        }
        try (GgufModel g = GgufModel.open(dir.resolve("t.gguf")); HuggingFaceModel h = HuggingFaceModel.open(dir.resolve("hf"))) {
            double[] gq = rope(matVec(g.tensor(TensorNames.attnQ(2)), x), 5, hs, s.ropeTheta(), false);
            double[] gk = rope(matVec(g.tensor(TensorNames.attnK(2)), x), 3, hs, s.ropeTheta(), false);
            double[] hq = rope(matVec(h.tensor(TensorNames.attnQ(2)), x), 5, hs, s.ropeTheta(), true);
            double[] hk = rope(matVec(h.tensor(TensorNames.attnK(2)), x), 3, hs, s.ropeTheta(), true);
            int group = s.heads() / s.kvHeads();
            for (int head = 0; head < s.heads(); head++) {
                int kvHead = head / group;
                double adjacent = 0;
                double rotateHalf = 0;
                for (int d = 0; d < hs; d++) {
                    adjacent += gq[head * hs + d] * gk[kvHead * hs + d];
                    rotateHalf += hq[head * hs + d] * hk[kvHead * hs + d];
                }
                assertEquals(adjacent, rotateHalf, 1e-12 * Math.max(1, Math.abs(adjacent)), "head " + head);
                assertNotEquals(0.0, adjacent);
            }
        }
    }

    private static double[] matVec(WeightTensor w, double[] x) {
        double[] out = new double[w.rows()];
        for (int r = 0; r < out.length; r++) {
            float[] row = decodeRow(w, r);
            for (int c = 0; c < row.length; c++) {
                out[r] += row[c] * x[c];
            }
        }
        return out;
    }

    private static double[] rope(double[] v, int pos, int hs, double theta, boolean rotateHalf) {
        double[] out = v.clone();
        for (int base = 0; base < v.length; base += hs) {
            for (int i = 0; i < hs / 2; i++) {
                double angle = pos * Math.pow(theta, -2.0 * i / hs);
                int a = base + (rotateHalf ? i : 2 * i);
                int b = base + (rotateHalf ? i + hs / 2 : 2 * i + 1);
                out[a] = v[a] * Math.cos(angle) - v[b] * Math.sin(angle);
                out[b] = v[a] * Math.sin(angle) + v[b] * Math.cos(angle);
            }
        }
        return out;
    }

    @Test
    void twoRunsGiveTheSameBytesWhateverTheThreadCount() throws Exception {
        GgufWriter.WrittenFile one = SyntheticModelGenerator.writeGguf(TINY, TensorEncoding.Q8_0, dir.resolve("a.gguf"), 1, null);
        GgufWriter.WrittenFile two = SyntheticModelGenerator.writeGguf(TINY, TensorEncoding.Q8_0, dir.resolve("b.gguf"), 3, null);
        assertEquals(one.md5Hex(), two.md5Hex());
        assertEquals(one.md5Hex(), md5(dir.resolve("b.gguf")));
        SyntheticModelGenerator.writeHuggingFace(TINY, "BF16", dir.resolve("ha"), 1 << 20, 1, null);
        SyntheticModelGenerator.writeHuggingFace(TINY, "BF16", dir.resolve("hb"), 1 << 20, 2, null);
        for (String f : List.of("model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json")) {
            assertEquals(md5(dir.resolve("ha").resolve(f)), md5(dir.resolve("hb").resolve(f)), f);
        }
        GgufWriter.WrittenFile other = SyntheticModelGenerator.writeGguf(SyntheticSpec.of(SyntheticShape.TINY, 43),
                TensorEncoding.Q8_0, dir.resolve("c.gguf"), 1, null);
        assertNotEquals(one.md5Hex(), other.md5Hex(), "another seed is another model");
    }

    @Test
    void quantisedGgufTensorsAreTheReferenceEncodingOfTheF32Weights() throws IOException {
        for (TensorEncoding enc : List.of(TensorEncoding.Q8_0, TensorEncoding.Q4_0)) {
            Path f = dir.resolve(enc + ".gguf");
            SyntheticModelGenerator.writeGguf(TINY, enc, f, null);
            SyntheticWeights weights = new SyntheticWeights(TINY);
            try (GgufModel g = GgufModel.open(f)) {
                assertEquals(SyntheticGguf.fileType(enc), g.file().metadata().intValue("general.file_type"));
                for (WeightTensor t : g.tensors().values()) {
                    TensorEncoding want = t.dimensions() == 1 ? TensorEncoding.F32
                            : t.cols() % 32 == 0 ? enc : TensorEncoding.F16;
                    assertEquals(want, t.encoding(), t.name());
                    float[] row = new float[t.cols()];
                    ByteBuffer expected = ByteBuffer.allocate((int) t.byteSize());
                    for (int r = 0; r < t.rows(); r++) {
                        weights.fillRow(t.name(), r, row, 0, row.length);
                        RowCodec.of(want).encode(row, 0, row.length, expected);
                    }
                    assertEquals(-1, MemorySegment.ofArray(expected.array()).mismatch(t.data()), t.name());
                }
                assertEquals(TensorEncoding.F16, g.tensor(TensorNames.ffnDown(0)).encoding(),
                        "rows of 172 are not whole blocks, so ffn_down falls back to F16 as llama-quantize does");
            }
        }
    }

    @Test
    void ggufCarriesLlamaMetadataAndTheSyntheticVocabulary() throws IOException {
        Path f = dir.resolve("t.gguf");
        SyntheticModelGenerator.writeGguf(TINY, TensorEncoding.F16, f, null);
        SyntheticVocabulary vocab = SyntheticVocabulary.build(512, 42);
        try (GgufModel g = GgufModel.open(f)) {
            GgufMetadata md = g.file().metadata();
            assertEquals("llama", md.string("general.architecture"));
            assertEquals("synthetic-tiny-seed42", md.string("general.name"));
            assertEquals(8, md.intValue("llama.rope.dimension_count"));
            assertEquals(1e-5f, md.floatValue("llama.attention.layer_norm_rms_epsilon"));
            assertEquals(10000f, md.floatValue("llama.rope.freq_base"));
            assertEquals(4, md.intValue("llama.attention.head_count_kv"));
            assertEquals(1, md.intValue("general.file_type"));
            assertEquals("llama", md.string("tokenizer.ggml.model"));
            assertArrayEquals(vocab.pieces(), md.stringArray("tokenizer.ggml.tokens"));
            assertArrayEquals(vocab.scores(), md.floatArray("tokenizer.ggml.scores"));
            assertArrayEquals(vocab.tokenTypes(), md.intArray("tokenizer.ggml.token_type"));
            assertEquals(1, md.intValue("tokenizer.ggml.bos_token_id"));
            assertEquals(2, md.intValue("tokenizer.ggml.eos_token_id"));
            assertEquals(0, md.intValue("tokenizer.ggml.unknown_token_id"));
            assertEquals(RopeLayout.ADJACENT_PAIRS, g.config().ropeLayout());
        }
    }

    @Test
    void llama3RopeScalingIsRopeFreqsInGgufAndRopeScalingInHuggingFace() throws IOException {
        SyntheticShape shape = SyntheticShape.parse("tiny:rope-theta=500000,rope-scaling=llama3");
        assertEquals(SyntheticShape.LLAMA3_1_SCALING, shape.ropeScaling());
        SyntheticSpec spec = SyntheticSpec.of(shape, 42);
        Path gguf = dir.resolve("llama31.gguf");
        Path folder = dir.resolve("llama31");
        SyntheticModelGenerator.writeGguf(spec, TensorEncoding.F32, gguf, null);
        SyntheticModelGenerator.writeHuggingFace(spec, "F32", folder, null);
        try (GgufModel g = GgufModel.open(gguf); HuggingFaceModel h = HuggingFaceModel.open(folder)) {
            float[] divisors = decodeRow(g.tensor(TensorNames.ROPE_FREQS), 0);
            assertArrayEquals(shape.ropeDivisors(), divisors);
            // θ = 500000, head size 8: wavelengths 6.3, 167, 4443 and 118145 positions against 8192/4 and 8192
            assertArrayEquals(new float[] {1f, 1f, divisors[2], 8f}, divisors);
            assertTrue(divisors[2] > 1f && divisors[2] < 8f, "the third pair is in the smoothed band: " + divisors[2]);
            double wavelength = 2 * Math.PI * Math.pow(500000, 4 / 8.0);
            double smooth = (8192 / wavelength - 1) / (4 - 1);
            assertEquals(1 / ((1 - smooth) / 8 + smooth), divisors[2], 1e-5);
            assertFalse(g.file().metadata().optionalString("llama.rope.scaling.type").isPresent(),
                    "llama.cpp's converter states Llama 3 scaling by the tensor alone");

            assertEquals(SyntheticShape.LLAMA3_1_SCALING, h.config().traits().ropeScaling());
            assertFalse(h.tensors().containsKey(TensorNames.ROPE_FREQS));
            Map<String, WeightTensor> weights = new LinkedHashMap<>(g.tensors());
            weights.remove(TensorNames.ROPE_FREQS);
            assertEquals(new ArrayList<>(weights.keySet()), new ArrayList<>(h.tensors().keySet()));
        }
        Path plain = dir.resolve("plain.gguf");
        SyntheticModelGenerator.writeGguf(SyntheticSpec.of(shape.withRopeScaling(RopeScaling.NONE), 42),
                TensorEncoding.F32, plain, null);
        try (GgufModel p = GgufModel.open(plain)) {
            assertFalse(p.tensors().containsKey(TensorNames.ROPE_FREQS));
        }
    }

    @Test
    void huggingFaceShardsSplitAtTheSizeLimitAndReadAsTheSameModel() throws IOException {
        Path single = dir.resolve("single");
        Path sharded = dir.resolve("sharded");
        SyntheticModelGenerator.writeHuggingFace(TINY, "F32", single, null);
        List<Path> files = SyntheticModelGenerator.writeHuggingFace(TINY, "F32", sharded, 100_000, 2, null);
        long shards = files.stream().filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).count();
        assertTrue(shards > 2, "the 0.6 MB model needs several 100 kB shards, got " + shards);
        assertTrue(Files.exists(sharded.resolve("model.safetensors.index.json")));
        assertFalse(Files.exists(sharded.resolve("model.safetensors")));
        for (Path p : files) {
            if (p.getFileName().toString().startsWith("model-")) {
                try (SafetensorsFile shard = SafetensorsFile.open(p)) {
                    long data = shard.tensors().values().stream().mapToLong(t -> t.data().byteSize()).sum();
                    // only a tensor larger than the limit on its own (the 128 kB embedding) may exceed it
                    assertTrue(data <= 100_000 || shard.tensors().size() == 1, p + " holds " + data + " bytes");
                }
            }
        }
        try (HuggingFaceModel a = HuggingFaceModel.open(single); HuggingFaceModel b = HuggingFaceModel.open(sharded)) {
            assertEquals(a.config(), b.config());
            for (WeightTensor t : a.tensors().values()) {
                assertEquals(-1, t.data().mismatch(b.tensor(t.name()).data()), t.name());
            }
        }
    }

    @Test
    void aTiedShapeHasNoClassifierInEitherFormat() throws IOException {
        SyntheticSpec tied = SyntheticSpec.of(SyntheticShape.TINY.withTiedClassifier(true), 1);
        SyntheticModelGenerator.writeGguf(tied, TensorEncoding.F32, dir.resolve("t.gguf"), null);
        SyntheticModelGenerator.writeHuggingFace(tied, "F32", dir.resolve("hf"), null);
        try (GgufModel g = GgufModel.open(dir.resolve("t.gguf")); HuggingFaceModel h = HuggingFaceModel.open(dir.resolve("hf"))) {
            assertTrue(g.config().tiedClassifier());
            assertTrue(h.config().tiedClassifier());
            assertTrue(g.optionalTensor(TensorNames.OUTPUT).isEmpty());
            assertSameModel(g, h, 8);
        }
    }

    @Test
    void progressCountsUpToTheTotalTensorBytes() throws IOException {
        List<long[]> seen = new ArrayList<>();
        SyntheticModelGenerator.writeGguf(TINY, TensorEncoding.F32, dir.resolve("t.gguf"),
                (tensor, done, total) -> seen.add(new long[] {done, total}));
        long total = new SyntheticWeights(TINY).shapes().values().stream()
                .mapToLong(s -> 4 * SyntheticGguf.elements(s)).sum();
        assertFalse(seen.isEmpty());
        long previous = 0;
        for (long[] p : seen) {
            assertTrue(p[0] > previous);
            assertEquals(total, p[1]);
            previous = p[0];
        }
        assertEquals(total, previous);
    }

    @Test
    void weightsHaveTheIntendedSpread() {
        SyntheticWeights w = new SyntheticWeights(TINY);
        float[] row = new float[64];
        double sum = 0;
        double sumSq = 0;
        int n = 0;
        for (int r = 0; r < 172; r++) {
            w.fillRow(TensorNames.ffnGate(0), r, row, 0, 64);
            for (float v : row) {
                sum += v;
                sumSq += v * v;
                n++;
                assertTrue(Math.abs(v) <= 0.035f);
            }
        }
        assertEquals(0, sum / n, 0.002);
        assertEquals(0.02, Math.sqrt(sumSq / n), 0.002);
        w.fillRow(TensorNames.OUTPUT_NORM, 0, row, 0, 64);
        for (float v : row) {
            assertTrue(v >= 0.9f && v <= 1.1f, "norm weights are about 1, got " + v);
            assertEquals(v, BF16Codec.toFloat(BF16Codec.fromFloat(v)), "BF16 holds norm weights exactly");
        }
    }

    @Test
    void presetsHaveTheirRealModelsSizes() {
        assertEquals(1_100_048_384L, SyntheticShape.TINYLLAMA_1_1B.parameterCount());
        assertEquals(1_235_814_400L, SyntheticShape.LLAMA3_2_1B.parameterCount());
        for (String name : SyntheticShape.presetNames()) {
            SyntheticShape s = SyntheticShape.preset(name);
            long fromTensors = new SyntheticWeights(SyntheticSpec.of(s, 0)).shapes().entrySet().stream()
                    .filter(e -> !e.getKey().equals(TensorNames.ROPE_FREQS)) // derived from the config, not a weight
                    .mapToLong(e -> SyntheticGguf.elements(e.getValue())).sum();
            assertEquals(fromTensors, s.parameterCount(), name);
        }
        SyntheticShape two = SyntheticShape.parse("tinyllama-1.1b:layers=2,vocab=1000");
        assertEquals(2, two.layers());
        assertEquals(1000, two.vocabSize());
        assertEquals(2048, two.dim());
        assertEquals("tinyllama-1.1b+layers=2+vocab=1000", two.name());
        Map<String, Class<? extends Throwable>> bad = Map.of(
                "tiny:heads=3", IllegalArgumentException.class,
                "tiny:vocab=100", IllegalArgumentException.class,
                "tiny:depth=3", IllegalArgumentException.class,
                "tiny:rope-scaling=yarn", IllegalArgumentException.class,
                "gpt5", IllegalArgumentException.class);
        bad.forEach((text, type) -> org.junit.jupiter.api.Assertions.assertThrows(type, () -> SyntheticShape.parse(text), text));
    }

    @Test
    void aTinyLlamaWidthLayerIsGeneratedInA32MegabyteHeap() throws Exception {
        // Its feed-forward matrices are 46 MB each in F32: the child JVM only succeeds if
        // tensors are streamed in chunks, never held whole.
        Path out = dir.resolve("layer.gguf");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-cp", System.getProperty("java.class.path"), SyntheticModelCommand.class.getName(),
                "--shape", "tinyllama-1.1b:layers=1,vocab=1000", "--encoding", "F32", "--threads", "2", "--quiet",
                "--out", out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        SyntheticShape shape = SyntheticShape.TINYLLAMA_1_1B.withLayers(1).withVocabSize(1000);
        assertTrue(Files.size(out) > 4 * shape.parameterCount(), log);
        try (GgufModel g = GgufModel.open(out)) {
            assertEquals(shape.config(RopeLayout.ADJACENT_PAIRS), g.config());
        }
    }

    @Test
    void modelLoaderFindsBothOutputsByThemselves() throws IOException {
        SyntheticModelGenerator.writeGguf(TINY, TensorEncoding.Q8_0, dir.resolve("t.gguf"), null);
        SyntheticModelGenerator.writeHuggingFace(TINY, "BF16", dir.resolve("hf"), null);
        try (LoadedModel g = ModelLoader.open(dir.resolve("t.gguf"), null);
             LoadedModel h = ModelLoader.open(dir.resolve("hf"), null)) {
            assertEquals("gguf", g.format());
            assertEquals("huggingface", h.format());
            assertEquals(g.config().ropeLayout(), RopeLayout.ADJACENT_PAIRS);
            assertEquals(h.config().ropeLayout(), RopeLayout.ROTATE_HALF);
            assertEquals(g.tensors().keySet(), h.tensors().keySet());
        }
    }
}
