package io.strata.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every kernel on the device against the same math on the host, and the matrix products' batch
 * independence (a token's bits do not depend on the batch width). Runs only where the probe finds a GPU.
 */
class KernelsMatchHostMathTest {
    private static CudaContext context;
    private static CudaStream stream;
    private static KernelLibrary kernels;
    private static CudaProbe probe;

    @BeforeAll
    static void openDevice() {
        probe = CudaProbe.run();
        if (!probe.usable()) {
            return;
        }
        context = CudaContext.open(0);
        stream = CudaStream.create();
        kernels = KernelLibrary.load();
    }

    @BeforeEach
    void needsADevice() {
        assumeTrue(probe.usable(), probe.summary());
    }

    @AfterAll
    static void closeDevice() {
        if (context != null) {
            kernels.close();
            stream.close();
            context.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "bf16", "q8_0", "q4_0"})
    void matrixProductsMatchTheHostAndDoNotDependOnBatchWidth(String encoding) {
        context.bind();
        Random random = new Random(7);
        int rows = 77;
        int cols = 320;
        int n = 7;
        byte[] w = HostMath.randomWeights(encoding, rows, cols, random);
        float[] x = randomFloats(random, n * cols);
        KernelSignature signature = switch (encoding) {
            case "f32" -> Kernels.MATMUL_F32;
            case "f16" -> Kernels.MATMUL_F16;
            case "bf16" -> Kernels.MATMUL_BF16;
            case "q8_0" -> Kernels.MATMUL_Q8_0;
            default -> Kernels.MATMUL_Q4_0;
        };
        try (DeviceBuffer dw = upload(w); DeviceBuffer dx = upload(x); DeviceBuffer dy = context.allocate(4L * n * rows)) {
            float[] batch = matmul(signature, dw, dx, dy, rows, cols, n);
            assertClose(HostMath.matmul(encoding, w, rows, cols, x, n), batch, encoding + " matmul");
            for (int t = 0; t < n; t++) {
                try (DeviceBuffer one = upload(java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols))) {
                    float[] alone = matmul(signature, dw, one, dy, rows, cols, 1);
                    assertArrayEquals(java.util.Arrays.copyOfRange(batch, t * rows, (t + 1) * rows), alone,
                            encoding + ": token " + t + " alone differs from in a batch of " + n);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "bf16", "q8_0", "q4_0"})
    void embeddingGatherDecodesRowsExactlyAsTheHost(String encoding) {
        context.bind();
        Random random = new Random(11);
        int vocab = 50;
        int dim = 96;
        int[] tokens = {3, 49, 0, 3};
        byte[] table = HostMath.randomWeights(encoding, vocab, dim, random);
        KernelSignature signature = switch (encoding) {
            case "f32" -> Kernels.EMBEDDING_F32;
            case "f16" -> Kernels.EMBEDDING_F16;
            case "bf16" -> Kernels.EMBEDDING_BF16;
            case "q8_0" -> Kernels.EMBEDDING_Q8_0;
            default -> Kernels.EMBEDDING_Q4_0;
        };
        try (DeviceBuffer dt = upload(table); DeviceBuffer ids = context.allocate(4L * tokens.length);
             DeviceBuffer out = context.allocate(4L * tokens.length * dim)) {
            ids.upload(tokens, 0, tokens.length, 0);
            kernels.kernel(signature).launch().pointer(dt).pointer(ids).pointer(out).i32(dim)
                    .run(stream, tokens.length, 1, Kernels.ELEMENTWISE_THREADS);
            stream.synchronize();
            float[] got = out.downloadFloats(0, tokens.length * dim);
            for (int t = 0; t < tokens.length; t++) {
                assertArrayEquals(HostMath.decodeRow(encoding, table, tokens[t], dim),
                        java.util.Arrays.copyOfRange(got, t * dim, (t + 1) * dim), encoding + " row " + tokens[t]);
            }
        }
    }

    @Test
    void rmsnormMatchesTheHost() {
        context.bind();
        Random random = new Random(3);
        int dim = 1000;
        int n = 3;
        float[] x = randomFloats(random, n * dim);
        float[] weight = randomFloats(random, dim);
        try (DeviceBuffer dx = upload(x); DeviceBuffer dw = upload(weight); DeviceBuffer out = context.allocate(4L * n * dim)) {
            kernels.kernel(Kernels.RMSNORM).launch().pointer(dx).pointer(dw).pointer(out).i32(dim).f32(1e-5f)
                    .run(stream, n, 1, Kernels.RMSNORM_THREADS);
            stream.synchronize();
            assertClose(HostMath.rmsnorm(x, weight, dim, n, 1e-5f), out.downloadFloats(0, n * dim), "rmsnorm");
        }
    }

    @Test
    void ropeTurnsPairsInBothLayouts() {
        context.bind();
        Random random = new Random(5);
        int heads = 4;
        int headDim = 16;
        int n = 3;
        float[] x = randomFloats(random, n * heads * headDim);
        float[] cos = new float[n * headDim / 2];
        float[] sin = new float[cos.length];
        for (int i = 0; i < cos.length; i++) {
            double angle = random.nextDouble(0, 6.28);
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }
        for (boolean adjacent : new boolean[] {true, false}) {
            try (DeviceBuffer dx = upload(x); DeviceBuffer dc = upload(cos); DeviceBuffer ds = upload(sin)) {
                kernels.kernel(adjacent ? Kernels.ROPE_ADJACENT_PAIRS : Kernels.ROPE_ROTATE_HALF).launch()
                        .pointer(dx).pointer(dc).pointer(ds).i32(heads).i32(headDim).run(stream, n, 1, Kernels.ROPE_THREADS);
                stream.synchronize();
                assertClose(HostMath.rope(x, cos, sin, heads, headDim, n, adjacent), dx.downloadFloats(0, x.length),
                        adjacent ? "rope adjacent pairs" : "rope rotate half");
            }
        }
    }

    @Test
    void swigluResidualAndBiasAddMatchTheHost() {
        context.bind();
        Random random = new Random(9);
        int count = 1000;
        float[] gate = randomFloats(random, count);
        float[] up = randomFloats(random, count);
        float[] expected = new float[count];
        float[] sum = new float[count];
        for (int i = 0; i < count; i++) {
            expected[i] = (float) (gate[i] / (1 + Math.exp(-gate[i])) * up[i]);
            sum[i] = gate[i] + up[i];
        }
        int grid = (count + Kernels.ELEMENTWISE_THREADS - 1) / Kernels.ELEMENTWISE_THREADS;
        try (DeviceBuffer dg = upload(gate); DeviceBuffer du = upload(up); DeviceBuffer out = context.allocate(4L * count)) {
            kernels.kernel(Kernels.SWIGLU).launch().pointer(dg).pointer(du).pointer(out).i32(count)
                    .run(stream, grid, 1, Kernels.ELEMENTWISE_THREADS);
            kernels.kernel(Kernels.RESIDUAL_ADD).launch().pointer(dg).pointer(du).i32(count)
                    .run(stream, grid, 1, Kernels.ELEMENTWISE_THREADS);
            stream.synchronize();
            assertClose(expected, out.downloadFloats(0, count), "swiglu");
            assertArrayEquals(sum, dg.downloadFloats(0, count), "residual add is one float add");
        }
        int width = 100;
        float[] bias = java.util.Arrays.copyOf(up, width);
        float[] biased = gate.clone();
        for (int i = 0; i < count; i++) {
            biased[i] += bias[i % width];
        }
        try (DeviceBuffer dx = upload(gate); DeviceBuffer db = upload(bias)) {
            kernels.kernel(Kernels.BIAS_ADD).launch().pointer(dx).pointer(db).i32(width).i32(count)
                    .run(stream, grid, 1, Kernels.ELEMENTWISE_THREADS);
            stream.synchronize();
            assertArrayEquals(biased, dx.downloadFloats(0, count), "bias add is one float add per value");
        }
    }

    @Test
    void attentionOverTwoSequencesCachesIsCausalAndGrouped() {
        context.bind();
        Random random = new Random(13);
        int heads = 8;
        int kvHeads = 2;
        int headDim = 32;
        int kvDim = kvHeads * headDim;
        int context0 = 40;
        float scale = (float) (1 / Math.sqrt(headDim));
        // Sequence A has 5 cached positions and adds 3 rows (a prefill at 5, 6, 7); sequence B adds one row at 0.
        int[] rowSequence = {0, 0, 0, 1};
        int[] positions = {5, 6, 7, 0};
        int n = positions.length;
        float[][] keys = {randomFloats(random, context0 * kvDim), randomFloats(random, context0 * kvDim)};
        float[][] values = {randomFloats(random, context0 * kvDim), randomFloats(random, context0 * kvDim)};
        float[] q = randomFloats(random, n * heads * headDim);
        float[] k = new float[n * kvDim];
        float[] v = new float[n * kvDim];
        for (int t = 0; t < n; t++) {
            System.arraycopy(keys[rowSequence[t]], positions[t] * kvDim, k, t * kvDim, kvDim);
            System.arraycopy(values[rowSequence[t]], positions[t] * kvDim, v, t * kvDim, kvDim);
        }
        try (DeviceBuffer ka = context.allocate(4L * context0 * kvDim); DeviceBuffer kb = context.allocate(4L * context0 * kvDim);
             DeviceBuffer va = context.allocate(4L * context0 * kvDim); DeviceBuffer vb = context.allocate(4L * context0 * kvDim);
             DeviceBuffer dq = upload(q); DeviceBuffer dk = upload(k); DeviceBuffer dv = upload(v);
             DeviceBuffer kPtrs = context.allocate(8L * n); DeviceBuffer vPtrs = context.allocate(8L * n);
             DeviceBuffer dpos = context.allocate(4L * n); DeviceBuffer out = context.allocate(4L * n * heads * headDim);
             DeviceBuffer scores = context.allocate(4L * n * heads * context0)) {
            // The first five positions of A are already cached; the new rows' keys arrive through kv_store.
            ka.upload(java.util.Arrays.copyOf(keys[0], 5 * kvDim), 0, 5 * kvDim, 0);
            va.upload(java.util.Arrays.copyOf(values[0], 5 * kvDim), 0, 5 * kvDim, 0);
            DeviceBuffer[] kc = {ka, kb};
            DeviceBuffer[] vc = {va, vb};
            long[] kAddresses = new long[n];
            long[] vAddresses = new long[n];
            for (int t = 0; t < n; t++) {
                kAddresses[t] = kc[rowSequence[t]].address();
                vAddresses[t] = vc[rowSequence[t]].address();
            }
            kPtrs.upload(kAddresses, 0);
            vPtrs.upload(vAddresses, 0);
            dpos.upload(positions, 0, n, 0);
            kernels.kernel(Kernels.KV_STORE).launch().pointer(dk).pointer(dv).pointer(kPtrs).pointer(vPtrs).pointer(dpos)
                    .i32(kvDim).run(stream, n, 1, Kernels.ELEMENTWISE_THREADS);
            kernels.kernel(Kernels.ATTENTION).launch().pointer(dq).pointer(kPtrs).pointer(vPtrs).pointer(dpos).pointer(out)
                    .pointer(scores).i32(heads).i32(kvHeads).i32(headDim).i32(context0).f32(scale).i32(0)
                    .run(stream, heads, n, Kernels.ATTENTION_THREADS);
            stream.synchronize();
            float[] got = out.downloadFloats(0, n * heads * headDim);
            for (int t = 0; t < n; t++) {
                float[] expected = HostMath.attention(q, t * heads * headDim, keys[rowSequence[t]], values[rowSequence[t]],
                        positions[t], heads, kvHeads, headDim, scale);
                assertClose(expected, java.util.Arrays.copyOfRange(got, t * heads * headDim, (t + 1) * heads * headDim),
                        "attention row " + t);
            }
        }
    }

    private static float[] matmul(KernelSignature signature, DeviceBuffer w, DeviceBuffer x, DeviceBuffer y,
                                  int rows, int cols, int n) {
        kernels.kernel(signature).launch().pointer(w).pointer(x).pointer(y).i32(rows).i32(cols).i32(n)
                .run(stream, (rows + Kernels.MATMUL_ROWS - 1) / Kernels.MATMUL_ROWS,
                        (n + Kernels.MATMUL_TOKENS - 1) / Kernels.MATMUL_TOKENS, Kernels.MATMUL_THREADS);
        stream.synchronize();
        return y.downloadFloats(0, n * rows);
    }

    private static DeviceBuffer upload(byte[] bytes) {
        DeviceBuffer buffer = context.allocate(bytes.length);
        try (Arena arena = Arena.ofConfined()) {
            buffer.upload(arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes), 0);
        }
        return buffer;
    }

    private static DeviceBuffer upload(float[] values) {
        DeviceBuffer buffer = context.allocate(4L * values.length);
        buffer.upload(values, 0, values.length, 0);
        return buffer;
    }

    private static float[] randomFloats(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = random.nextFloat(-1, 1);
        }
        return values;
    }

    /** Within 1e-4 of the reference's range: float sums in another order, not other math. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        float range = 0;
        for (float e : expected) {
            range = Math.max(range, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= 1e-4f * Math.max(range, 1e-3f),
                    what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
        }
    }
}
