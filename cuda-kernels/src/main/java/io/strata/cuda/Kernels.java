package io.strata.cuda;

import java.util.List;

import static io.strata.cuda.KernelSignature.Param.FLOAT;
import static io.strata.cuda.KernelSignature.Param.INT;
import static io.strata.cuda.KernelSignature.Param.POINTER;

/**
 * The launch descriptors of every kernel in {@code src/main/cuda}, with the launch geometry their sources
 * assume (the fold trees are written for exactly these block sizes).
 */
public final class Kernels {
    /** Rows per block of the matrix products (one warp each). */
    public static final int MATMUL_ROWS = 8;
    /** Tokens per block of the matrix products. */
    public static final int MATMUL_TOKENS = 4;
    public static final int MATMUL_THREADS = 32 * MATMUL_ROWS;
    public static final int RMSNORM_THREADS = 256;
    public static final int ATTENTION_THREADS = 128;
    public static final int ROPE_THREADS = 128;
    public static final int ELEMENTWISE_THREADS = 256;

    // y[t][r] = sum_c W[r][c] x[t][c]: (W, x, y, rows, cols, n)
    public static final KernelSignature MATMUL_F32 = matmul("matmul_f32");
    public static final KernelSignature MATMUL_F16 = matmul("matmul_f16");
    public static final KernelSignature MATMUL_BF16 = matmul("matmul_bf16");
    public static final KernelSignature MATMUL_Q8_0 = matmul("matmul_q8_0");
    public static final KernelSignature MATMUL_Q4_0 = matmul("matmul_q4_0");

    // out[t] = E[tokens[t]]: (table, tokens, out, dim)
    public static final KernelSignature EMBEDDING_F32 = embedding("embedding_f32");
    public static final KernelSignature EMBEDDING_F16 = embedding("embedding_f16");
    public static final KernelSignature EMBEDDING_BF16 = embedding("embedding_bf16");
    public static final KernelSignature EMBEDDING_Q8_0 = embedding("embedding_q8_0");
    public static final KernelSignature EMBEDDING_Q4_0 = embedding("embedding_q4_0");

    /** (x, weight, out, dim, eps) */
    public static final KernelSignature RMSNORM = KernelSignature.of("rmsnorm", "rmsnorm", POINTER, POINTER, POINTER, INT, FLOAT);
    /** (x, cos, sin, heads, headDim) */
    public static final KernelSignature ROPE_ADJACENT_PAIRS = KernelSignature.of("rope", "rope_adjacent_pairs", POINTER, POINTER, POINTER, INT, INT);
    /** (x, cos, sin, heads, headDim) */
    public static final KernelSignature ROPE_ROTATE_HALF = KernelSignature.of("rope", "rope_rotate_half", POINTER, POINTER, POINTER, INT, INT);
    /** (k, v, keyCaches, valueCaches, positions, kvDim) */
    public static final KernelSignature KV_STORE = KernelSignature.of("attention", "kv_store", POINTER, POINTER, POINTER, POINTER, POINTER, INT);
    /** (q, keyCaches, valueCaches, positions, out, scores, heads, kvHeads, headDim, scoreStride, scale, window) */
    public static final KernelSignature ATTENTION = KernelSignature.of("attention", "attention",
            POINTER, POINTER, POINTER, POINTER, POINTER, POINTER, INT, INT, INT, INT, FLOAT, INT);
    /** (gate, up, out, count) */
    public static final KernelSignature SWIGLU = KernelSignature.of("swiglu", "swiglu", POINTER, POINTER, POINTER, INT);
    /** (x, delta, count) */
    public static final KernelSignature RESIDUAL_ADD = KernelSignature.of("residual_add", "residual_add", POINTER, POINTER, INT);
    /** (x, bias, width, count) */
    public static final KernelSignature BIAS_ADD = KernelSignature.of("bias_add", "bias_add", POINTER, POINTER, INT, INT);

    public static final List<KernelSignature> ALL = List.of(MATMUL_F32, MATMUL_F16, MATMUL_BF16, MATMUL_Q8_0, MATMUL_Q4_0,
            EMBEDDING_F32, EMBEDDING_F16, EMBEDDING_BF16, EMBEDDING_Q8_0, EMBEDDING_Q4_0,
            RMSNORM, ROPE_ADJACENT_PAIRS, ROPE_ROTATE_HALF, KV_STORE, ATTENTION, SWIGLU, RESIDUAL_ADD, BIAS_ADD);

    /** Where the committed PTX lies on the class path: {@code <module>.ptx} in this folder. */
    public static final String PTX_RESOURCE_FOLDER = "/io/strata/cuda/kernels/";

    private Kernels() {
    }

    private static KernelSignature matmul(String entry) {
        return KernelSignature.of("matmul", entry, POINTER, POINTER, POINTER, INT, INT, INT);
    }

    private static KernelSignature embedding(String entry) {
        return KernelSignature.of("embedding", entry, POINTER, POINTER, POINTER, INT);
    }
}
