package io.strata.synthetic;

import io.strata.model.TensorEncoding;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;
import io.strata.model.gguf.GgufModel;
import io.strata.model.quant.RowCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Synthetic GGUF files in the K-quants and llama-quantize's "_M" mixes. */
class GgufQuantisationTest {
    @TempDir
    Path dir;

    private static final long[] MATRIX = {2048, 2048};

    @Test
    void q4KMKeepsTheClassifierAndLlamaQuantizesLayersOfAttnVAndFfnDownInQ6K() {
        GgufQuantisation q = GgufQuantisation.parse("q4_k_m");
        assertEquals(15, q.fileType());
        int layers = 22;
        assertEquals(TensorEncoding.Q6_K, q.encodingOf(TensorNames.OUTPUT, MATRIX, layers));
        assertEquals(TensorEncoding.Q4_K, q.encodingOf(TensorNames.TOKEN_EMBEDDING, MATRIX, layers));
        assertEquals(TensorEncoding.Q4_K, q.encodingOf(TensorNames.attnQ(0), MATRIX, layers));
        // first and last eighth (layers 0-1 and 19-21), then every third from layer 4
        int[] more = {0, 1, 4, 7, 10, 13, 16, 19, 20, 21};
        for (int l = 0; l < layers; l++) {
            int layer = l;
            boolean wantMore = java.util.Arrays.stream(more).anyMatch(x -> x == layer);
            TensorEncoding want = wantMore ? TensorEncoding.Q6_K : TensorEncoding.Q4_K;
            assertEquals(want, q.encodingOf(TensorNames.attnV(l), MATRIX, layers), "attn_v " + l);
            assertEquals(want, q.encodingOf(TensorNames.ffnDown(l), MATRIX, layers), "ffn_down " + l);
            assertEquals(TensorEncoding.Q4_K, q.encodingOf(TensorNames.ffnUp(l), MATRIX, layers), "ffn_up " + l);
        }
        assertEquals(TensorEncoding.F32, q.encodingOf(TensorNames.attnNorm(0), new long[]{2048}, layers));
    }

    @Test
    void rowsThatAreNotWholeSuperBlocksTakeLlamaQuantizesFallbacks() {
        long[] narrow = {96, 8};
        assertEquals(TensorEncoding.Q5_0, GgufQuantisation.of(TensorEncoding.Q4_K).encodingOf("w", narrow, 1));
        assertEquals(TensorEncoding.Q5_1, GgufQuantisation.of(TensorEncoding.Q5_K).encodingOf("w", narrow, 1));
        assertEquals(TensorEncoding.Q8_0, GgufQuantisation.of(TensorEncoding.Q6_K).encodingOf("w", narrow, 1));
        assertEquals(TensorEncoding.IQ4_NL, GgufQuantisation.of(TensorEncoding.Q2_K).encodingOf("w", narrow, 1));
        assertEquals(TensorEncoding.F16, GgufQuantisation.of(TensorEncoding.Q4_K).encodingOf("w", new long[]{40, 8}, 1));
    }

    @Test
    void unknownPresetIsRefusedNamingThePresets() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GgufQuantisation.parse("Q4_K_L"));
        assertTrue(e.getMessage().contains("Q4_K_M") && e.getMessage().contains("IQ4_XS"), e.getMessage());
    }

    @Test
    void aQ4KMFileHoldsEachTensorAsTheReferenceEncodingOfItsF32Weights() throws IOException {
        SyntheticSpec spec = SyntheticSpec.of(SyntheticShape.parse("tiny:dim=256,hidden=512,heads=4,kv-heads=2,layers=3"), 5);
        GgufQuantisation q = GgufQuantisation.parse("Q4_K_M");
        Path f = dir.resolve("m.gguf");
        SyntheticModelGenerator.writeGguf(spec, q, f, 2, null);
        SyntheticWeights weights = new SyntheticWeights(spec);
        try (GgufModel g = GgufModel.open(f)) {
            assertEquals(15, g.file().metadata().intValue("general.file_type"));
            assertEquals(TensorEncoding.Q6_K, g.tensor(TensorNames.OUTPUT).encoding());
            assertEquals(TensorEncoding.Q4_K, g.tensor(TensorNames.attnQ(1)).encoding());
            for (WeightTensor t : g.tensors().values()) {
                TensorEncoding want = q.encodingOf(t.name(), t.shape(), 3);
                assertEquals(want, t.encoding(), t.name());
                float[] row = new float[t.cols()];
                ByteBuffer expected = ByteBuffer.allocate((int) t.byteSize());
                for (int r = 0; r < t.rows(); r++) {
                    weights.fillRow(t.name(), r, row, 0, row.length);
                    RowCodec.of(want).encode(row, 0, row.length, expected);
                }
                assertEquals(-1, MemorySegment.ofArray(expected.array()).mismatch(t.data()), t.name());
            }
        }
    }
}
