package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import io.strata.model.WeightTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every encoding's kernels against the scalar reference decoder, on random data of awkward sizes. */
class WeightMatrixTest {
    /** Float sums of a few hundred terms in a different order stay well inside this share of sum |w·x|. */
    private static final double TOLERANCE = 2e-6;

    private static int[][] shapes(TensorEncoding e) {
        if (e.blockSize() == 256) {
            return new int[][]{{1, 256}, {3, 512}, {37, 768}, {5, 1280}, {70, 2048}, {2, 256 * 11}};
        }
        if (e.blockSize() == 32) {
            return new int[][]{{1, 32}, {3, 64}, {37, 96}, {5, 160}, {70, 1056}, {2, 32 * 33}};
        }
        return new int[][]{{1, 1}, {3, 7}, {5, 15}, {37, 16}, {2, 17}, {9, 33}, {4, 64}, {70, 173}, {3, 1000}, {37, 96}, {70, 160}};
    }

    @ParameterizedTest
    @EnumSource(TensorEncoding.class)
    void matvecMatchesTheScalarReference(TensorEncoding e) {
        for (int[] shape : shapes(e)) {
            int rows = shape[0];
            int cols = shape[1];
            WeightTensor t = TestTensors.matrix("w", e, rows, cols, 1.0, rows * 1000L + cols);
            float[] x = TestTensors.randomVector(cols, cols);
            float[] out = new float[rows];
            WeightMatrix.of(t).matvec(x, out);
            for (int r = 0; r < rows; r++) {
                double[] ref = TestTensors.referenceDot(t, r, x, 0);
                assertEquals(ref[0], out[r], TOLERANCE * ref[1] + 1e-30,
                        e + " " + rows + "×" + cols + " row " + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TensorEncoding.class)
    void readRowDecodesEveryValueExactly(TensorEncoding e) {
        for (int[] shape : shapes(e)) {
            int rows = shape[0];
            int cols = shape[1];
            WeightTensor t = TestTensors.matrix("w", e, rows, cols, 3.0, 7 + rows + cols);
            WeightMatrix m = WeightMatrix.of(t);
            float[] row = new float[cols + 2];
            for (int r = 0; r < rows; r++) {
                m.readRow(r, row, 1);
                for (int c = 0; c < cols; c++) {
                    assertEquals(Float.floatToRawIntBits(TestTensors.element(t, (long) r * cols + c)),
                            Float.floatToRawIntBits(row[1 + c]), e + " element " + r + "," + c);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TensorEncoding.class)
    void batchedProductGivesEachTokenTheBitsOfItsOwnMatvec(TensorEncoding e) {
        // Column counts that are and are not whole vector pairs: kernels take rows in pairs or groups
        // only when they are, so both ways of computing a row are compared here.
        int[] columnCounts = e.blockSize() >= 32 ? new int[]{2048} : new int[]{1001, 1024};
        for (int cols : columnCounts) {
            int rows = 300; // more than one L2 tile for the wide encodings, and several threads' worth
            int n = 5;
            WeightTensor t = TestTensors.matrix("w", e, rows, cols, 1.0, 99);
            WeightMatrix m = WeightMatrix.of(t);
            float[] x = TestTensors.randomVector(n * cols, 5);
            float[] batched = new float[n * rows];
            m.matmul(x, n, batched);
            for (int tok = 0; tok < n; tok++) {
                float[] xi = Arrays.copyOfRange(x, tok * cols, (tok + 1) * cols);
                float[] single = new float[rows];
                m.matvec(xi, single);
                assertArrayEquals(single, Arrays.copyOfRange(batched, tok * rows, (tok + 1) * rows),
                        e + " " + cols + " columns, token " + tok);
                for (int r = 0; r < rows; r += 37) {
                    assertEquals(Float.floatToRawIntBits(single[r]), Float.floatToRawIntBits(m.dot(r, x, tok * cols)),
                            e + " " + cols + " columns, row " + r + " alone");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TensorEncoding.class)
    void batchKernelGivesEveryRowAndTokenTheBitsOfSingleTokenCalls(TensorEncoding e) {
        // Odd row and column counts, a row count that spans more than one decoded tile, and rows
        // longer than the kernel's column chunk (accumulators kept between chunks).
        int[][] shapes = e.blockSize() == 256 ? new int[][]{{1, 256}, {3, 512}, {37, 768}, {70, 2048}, {5, 2304}}
                : e.blockSize() == 32
                ? new int[][]{{1, 32}, {3, 96}, {37, 160}, {70, 1056}, {5, 2080}}
                : new int[][]{{1, 1}, {3, 7}, {5, 17}, {37, 33}, {70, 1001}, {3, 1024}, {5, 2100}};
        for (int[] shape : shapes) {
            int rows = shape[0];
            int cols = shape[1];
            WeightMatrix m = WeightMatrix.of(TestTensors.matrix("w", e, rows, cols, 1.0, rows * 31L + cols));
            for (int n : new int[]{1, 2, 3, 5, 8, 17, 64}) {
                float[] x = TestTensors.randomVector(n * cols, n * 7L + cols);
                float[] batched = new float[n * rows];
                m.dotRowsBatch(0, rows, x, n, batched);
                float[] fused = new float[n * rows];
                m.matmulRows(x, n, fused, 0, rows);
                float[] single = new float[n * rows];
                for (int t = 0; t < n; t++) {
                    m.dotRows(0, rows, x, t * cols, single, t * rows);
                }
                assertArrayEquals(bits(single), bits(batched), e + " " + rows + "×" + cols + ", " + n + " tokens");
                assertArrayEquals(bits(single), bits(fused), e + " " + rows + "×" + cols + ", " + n + " tokens, matmulRows");
                // A part of the rows gives the same bits as the whole.
                if (rows > 2) {
                    float[] part = new float[n * rows];
                    m.dotRowsBatch(1, rows - 1, x, n, part);
                    for (int t = 0; t < n; t++) {
                        for (int r = 1; r < rows - 1; r++) {
                            assertEquals(Float.floatToRawIntBits(single[t * rows + r]), Float.floatToRawIntBits(part[t * rows + r]),
                                    e + " " + rows + "×" + cols + ", rows 1.." + (rows - 1) + ", token " + t + ", row " + r);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TensorEncoding.class)
    void everyEncodingSumsItsDecodedValuesExactlyAsF32Does(TensorEncoding e) {
        // The batched kernel decodes a tile to floats and sums it in F32's order: right only if each
        // encoding's own one-token kernel does the same with its exactly decoded values.
        int[][] shapes = e.blockSize() == 256 ? new int[][]{{3, 256}, {37, 512}, {6, 2816}}
                : e.blockSize() == 32
                ? new int[][]{{3, 32}, {37, 160}, {6, 1056}}
                : new int[][]{{1, 1}, {3, 7}, {5, 17}, {37, 33}, {6, 1001}, {3, 1024}};
        for (int[] shape : shapes) {
            int rows = shape[0];
            int cols = shape[1];
            WeightMatrix m = WeightMatrix.of(TestTensors.matrix("w", e, rows, cols, 1.0, rows + 5L * cols));
            MemorySegment decoded = Arena.ofAuto().allocate((long) rows * cols * Float.BYTES, 64);
            float[] row = new float[cols];
            for (int r = 0; r < rows; r++) {
                m.readRow(r, row, 0);
                MemorySegment.copy(row, 0, decoded, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                        (long) r * cols * Float.BYTES, cols);
            }
            WeightMatrix f32 = WeightMatrix.of(new WeightTensor("w", TensorEncoding.F32, new long[]{cols, rows}, decoded));
            float[] x = TestTensors.randomVector(cols, cols);
            float[] own = new float[rows];
            float[] asF32 = new float[rows];
            m.dotRows(0, rows, x, 0, own, 0);
            f32.dotRows(0, rows, x, 0, asF32, 0);
            assertArrayEquals(bits(asF32), bits(own), e + " " + rows + "×" + cols);
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(TensorEncoding.class)
    void largeMatvecSharedAmongThreadsMatchesTheReference(TensorEncoding e) {
        int rows = 1000;
        int cols = 1024;
        WeightTensor t = TestTensors.matrix("w", e, rows, cols, 0.5, 3);
        float[] x = TestTensors.randomVector(cols, 4);
        float[] out = new float[rows];
        WeightMatrix.of(t).matvec(x, out);
        for (int r = 0; r < rows; r++) {
            double[] ref = TestTensors.referenceDot(t, r, x, 0);
            assertEquals(ref[0], out[r], TOLERANCE * ref[1] + 1e-30, e + " row " + r);
        }
    }

    @ParameterizedTest
    @EnumSource(TensorEncoding.class)
    void undersizedBuffersAreRefusedWithTheShapesInvolved(TensorEncoding e) {
        WeightMatrix m = WeightMatrix.of(TestTensors.matrix("blk.0.attn_q.weight", e, 4, 256, 1, 1));
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> m.matmul(new float[256], 2, new float[8]));
        assertTrue(ex.getMessage().contains("blk.0.attn_q.weight"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.matvec(new float[256], new float[3]));
    }
}
