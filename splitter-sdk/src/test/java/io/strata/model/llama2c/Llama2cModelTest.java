package io.strata.model.llama2c;

import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.RopeLayout;
import io.strata.model.TensorNames;
import io.strata.model.TestModels;
import io.strata.model.WeightTensor;
import io.strata.model.gguf.GgufModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Llama2cModelTest {
    @TempDir
    Path dir;

    @Test
    void storiesCheckpointHasTheReadmeHyperparameters() {
        try (Llama2cModel m = Llama2cModel.open(TestModels.stories260kBin(), null)) {
            ModelConfig c = m.config();
            assertEquals("llama2c", m.format());
            assertEquals(new ModelConfig("llama", 64, 172, 5, 8, 4, 8, 512, 512, 1e-5f, 10000f,
                    RopeLayout.ADJACENT_PAIRS, true), c);
            assertEquals(5 * 9 + 2, m.tensors().size());
            assertFalse(m.tensors().containsKey(TensorNames.OUTPUT));
            assertArrayEquals(new long[] {64, 32}, m.tensor(TensorNames.attnK(0)).shape());
            assertArrayEquals(new long[] {172, 64}, m.tensor(TensorNames.ffnDown(4)).shape());
            assertTrue(m.tensor(TensorNames.attnQ(2)).data().isReadOnly());
        }
    }

    @Test
    void everyTensorIsByteIdenticalToTheSameModelInGguf() {
        try (Llama2cModel bin = Llama2cModel.open(TestModels.stories260kBin(), null);
             GgufModel gguf = GgufModel.open(TestModels.stories260kGguf())) {
            assertEquals(gguf.tensors().keySet(), bin.tensors().keySet());
            for (WeightTensor t : bin.tensors().values()) {
                WeightTensor g = gguf.tensor(t.name());
                assertEquals(g.encoding(), t.encoding(), t.name());
                assertArrayEquals(g.shape(), t.shape(), t.name());
                assertEquals(-1, t.data().mismatch(g.data()), t.name() + " differs between the two files");
            }
            ModelConfig a = bin.config();
            ModelConfig b = gguf.config();
            assertEquals(b, new ModelConfig(a.architecture(), a.dim(), a.hiddenDim(), a.layers(), a.heads(), a.kvHeads(),
                    a.headSize(), a.vocabSize(), 2048, b.rmsNormEps(), a.ropeTheta(), a.ropeLayout(), a.tiedClassifier()));
        }
    }

    @Test
    void tokenizerBesideTheCheckpointIsFound() {
        try (Llama2cModel m = Llama2cModel.open(TestModels.stories260kBin(), null)) {
            assertEquals(TestModels.tok512().toAbsolutePath(), m.tokenizerFile().orElseThrow().toAbsolutePath());
        }
    }

    @Test
    void checkpointWithoutTokenizerSaysWhatToPass() throws IOException {
        Path copy = Files.copy(TestModels.stories260kBin(), dir.resolve("model.bin"));
        try (Llama2cModel m = Llama2cModel.open(copy, null)) {
            assertTrue(m.tokenizerFile().isEmpty());
            assertEquals(512, m.config().vocabSize());
            ModelFormatException e = assertThrows(ModelFormatException.class, m::tokenizer);
            assertTrue(e.getMessage().contains("llama2.c checkpoint needs its tokenizer: pass --tokenizer tok512.bin"),
                    e.getMessage());
        }
        Path given = Files.copy(TestModels.tok512(), dir.resolve("my-tokenizer.bin"));
        try (Llama2cModel m = Llama2cModel.open(copy, given)) {
            assertEquals(given, m.tokenizerFile().orElseThrow());
        }
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Llama2cModel.open(copy, dir.resolve("absent.bin")));
        assertTrue(e.getMessage().contains("absent.bin: tokenizer file not found"), e.getMessage());
    }

    @Test
    void separateClassifierIsReadAsOutput() throws IOException {
        // dim 8, hidden 12, 2 layers, 2 heads, 1 kv head, vocab 10 (negative: unshared), seq 4
        int dim = 8, hidden = 12, layers = 2, kv = 4, vocab = 10, seq = 4;
        long floats = vocab * dim + layers * (dim + dim * dim + 2L * dim * kv + dim * dim + dim + 3L * dim * hidden)
                + dim + (long) seq * 4 + (long) vocab * dim;
        Path f = checkpoint(new int[] {dim, hidden, layers, 2, 1, -vocab, seq}, floats);
        try (Llama2cModel m = Llama2cModel.open(f, null)) {
            assertFalse(m.config().tiedClassifier());
            WeightTensor out = m.tensor(TensorNames.OUTPUT);
            assertArrayEquals(new long[] {dim, vocab}, out.shape());
            // the classifier is the file's last bytes
            byte[] all = Files.readAllBytes(f);
            assertArrayEquals(Arrays.copyOfRange(all, all.length - vocab * dim * 4, all.length),
                    out.data().toArray(ValueLayout.JAVA_BYTE));
            assertEquals(List.of(TensorNames.TOKEN_EMBEDDING, TensorNames.attnNorm(0), TensorNames.attnNorm(1)),
                    m.tensors().keySet().stream().limit(3).toList());
        }
    }

    @Test
    void wrongFileSizeIsRefusedWithWhatTheHeaderImplies() throws IOException {
        byte[] all = Files.readAllBytes(TestModels.stories260kBin());
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(all, all.length - 4));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Llama2cModel.open(cut, null));
        assertTrue(e.getMessage().contains("file is 1056536 bytes but its header"), e.getMessage());
        assertTrue(e.getMessage().contains("implies 1056540 bytes with a shared classifier"), e.getMessage());

        Path extra = dir.resolve("extra.bin");
        Files.write(extra, Arrays.copyOf(all, all.length + 4));
        assertThrows(ModelFormatException.class, () -> Llama2cModel.open(extra, null));
    }

    @Test
    void absurdHeaderIsRefused() throws IOException {
        Map<String, int[]> cases = Map.of(
                "dim -64", new int[] {-64, 172, 5, 8, 4, 512, 512},
                "layer count 100000", new int[] {64, 172, 100000, 8, 4, 512, 512},
                "3 heads for dim 64", new int[] {64, 172, 5, 3, 1, 512, 512},
                "3 key/value heads for 8 heads", new int[] {64, 172, 5, 8, 3, 512, 512},
                "vocabulary size 0", new int[] {64, 172, 5, 8, 4, 0, 512},
                "sequence length -1", new int[] {64, 172, 5, 8, 4, 512, -1});
        for (Map.Entry<String, int[]> c : cases.entrySet()) {
            Path f = checkpoint(c.getValue(), 16);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> Llama2cModel.open(f, null));
            assertTrue(e.getMessage().contains("not a llama2.c checkpoint: its header says " + c.getKey()), e.getMessage());
        }
        Path tiny = dir.resolve("tiny.bin");
        Files.write(tiny, new byte[10]);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Llama2cModel.open(tiny, null));
        assertTrue(e.getMessage().contains("shorter than a llama2.c checkpoint header"), e.getMessage());
    }

    private Path checkpoint(int[] header, long floats) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(28 + floats * 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : header) {
            b.putInt(v);
        }
        Random r = new Random(3);
        while (b.hasRemaining()) {
            b.putFloat(r.nextFloat());
        }
        Path f = Files.createTempFile(dir, "ckpt", ".bin");
        Files.write(f, b.array());
        return f;
    }
}
