// y[t][r] = sum_c W[r][c] * x[t][c] for rows r < rows and tokens t < n, with W in its file encoding.
//
// One kernel per encoding, the same for every batch width: a warp owns one row, a block owns
// MATMUL_ROWS rows and MATMUL_TOKENS tokens (grid = ceil(rows / MATMUL_ROWS) x ceil(n / MATMUL_TOKENS),
// block = 32 * MATMUL_ROWS threads). Each lane reads a fixed slice of the row and adds it into one
// accumulator per token in a fixed order, and the warp folds its lanes in a fixed butterfly, so a token's
// result has the same bits whatever it was batched with. Weight blocks are decoded once per block of
// tokens and applied to each of them.
#include <cuda_fp16.h>

#define MATMUL_ROWS 8
#define MATMUL_TOKENS 4

__device__ __forceinline__ float half_bits_to_float(unsigned short bits) {
    return __half2float(__ushort_as_half(bits));
}

__device__ __forceinline__ float bf16_bits_to_float(unsigned short bits) {
    return __uint_as_float(((unsigned int) bits) << 16);
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

// Writes the folded accumulators of this warp's row for the block's tokens.
__device__ __forceinline__ void store_row(float (&acc)[MATMUL_TOKENS], float* y, int row, int rows, int t0, int n) {
    int lane = threadIdx.x & 31;
    for (int t = 0; t < MATMUL_TOKENS; t++) {
        float sum = warp_sum(acc[t]);
        if (lane == 0 && t0 + t < n) {
            y[(long) (t0 + t) * rows + row] = sum;
        }
    }
}

// Dense rows (F32, F16, BF16): lane l reads columns 4l..4l+3 of every 128-column stripe.
#define DENSE_MATMUL(NAME, TYPE, LOAD)                                                                   \
extern "C" __global__ void NAME(const TYPE* __restrict__ w, const float* __restrict__ x,                  \
                                float* __restrict__ y, int rows, int cols, int n) {                      \
    int row = blockIdx.x * MATMUL_ROWS + (threadIdx.x >> 5);                                             \
    int t0 = blockIdx.y * MATMUL_TOKENS;                                                                 \
    if (row >= rows) return;                                                                             \
    int lane = threadIdx.x & 31;                                                                         \
    const TYPE* wr = w + (long) row * cols;                                                              \
    float acc[MATMUL_TOKENS] = {0.0f, 0.0f, 0.0f, 0.0f};                                                 \
    for (int base = lane * 4; base < cols; base += 128) {                                                \
        float wv[4];                                                                                     \
        for (int e = 0; e < 4; e++) wv[e] = base + e < cols ? LOAD(wr[base + e]) : 0.0f;                \
        for (int t = 0; t < MATMUL_TOKENS; t++) {                                                        \
            if (t0 + t >= n) break;                                                                      \
            const float* xt = x + (long) (t0 + t) * cols;                                                \
            float part = 0.0f;                                                                           \
            for (int e = 0; e < 4; e++) if (base + e < cols) part += wv[e] * xt[base + e];               \
            acc[t] += part;                                                                              \
        }                                                                                                \
    }                                                                                                    \
    store_row(acc, y, row, rows, t0, n);                                                                 \
}

#define LOAD_F32(v) (v)
#define LOAD_F16(v) half_bits_to_float(v)
#define LOAD_BF16(v) bf16_bits_to_float(v)

DENSE_MATMUL(matmul_f32, float, LOAD_F32)
DENSE_MATMUL(matmul_f16, unsigned short, LOAD_F16)
DENSE_MATMUL(matmul_bf16, unsigned short, LOAD_BF16)

// Q8_0: blocks of 34 bytes (F16 scale d, 32 signed bytes q), value = d * q. Four lanes share a block,
// eight values each; a warp covers eight blocks per step.
extern "C" __global__ void matmul_q8_0(const unsigned char* __restrict__ w, const float* __restrict__ x,
                                       float* __restrict__ y, int rows, int cols, int n) {
    int row = blockIdx.x * MATMUL_ROWS + (threadIdx.x >> 5);
    int t0 = blockIdx.y * MATMUL_TOKENS;
    if (row >= rows) return;
    int lane = threadIdx.x & 31;
    int blocks = cols / 32;
    int piece = lane & 3;
    const unsigned char* wr = w + (long) row * blocks * 34;
    float acc[MATMUL_TOKENS] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int b = lane >> 2; b < blocks; b += 8) {
        const unsigned char* block = wr + (long) b * 34;
        float d = half_bits_to_float(*(const unsigned short*) block);
        const signed char* q = (const signed char*) (block + 2) + piece * 8;
        float qv[8];
        for (int e = 0; e < 8; e++) qv[e] = (float) q[e];
        int c = b * 32 + piece * 8;
        for (int t = 0; t < MATMUL_TOKENS; t++) {
            if (t0 + t >= n) break;
            const float* xt = x + (long) (t0 + t) * cols + c;
            float part = 0.0f;
            for (int e = 0; e < 8; e++) part += qv[e] * xt[e];
            acc[t] += d * part;
        }
    }
    store_row(acc, y, row, rows, t0, n);
}

// Q4_0: blocks of 18 bytes (F16 scale d, 16 bytes of nibbles), value j = d * ((q[j] & 15) - 8) and
// value j + 16 = d * ((q[j] >> 4) - 8). Four lanes share a block: lane piece p takes bytes 4p..4p+3,
// i.e. values 4p..4p+3 and 16+4p..16+4p+3.
extern "C" __global__ void matmul_q4_0(const unsigned char* __restrict__ w, const float* __restrict__ x,
                                       float* __restrict__ y, int rows, int cols, int n) {
    int row = blockIdx.x * MATMUL_ROWS + (threadIdx.x >> 5);
    int t0 = blockIdx.y * MATMUL_TOKENS;
    if (row >= rows) return;
    int lane = threadIdx.x & 31;
    int blocks = cols / 32;
    int piece = lane & 3;
    const unsigned char* wr = w + (long) row * blocks * 18;
    float acc[MATMUL_TOKENS] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int b = lane >> 2; b < blocks; b += 8) {
        const unsigned char* block = wr + (long) b * 18;
        float d = half_bits_to_float(*(const unsigned short*) block);
        const unsigned char* q = block + 2 + piece * 4;
        float lo[4], hi[4];
        for (int e = 0; e < 4; e++) {
            lo[e] = (float) ((int) (q[e] & 15) - 8);
            hi[e] = (float) ((int) (q[e] >> 4) - 8);
        }
        int c = b * 32 + piece * 4;
        for (int t = 0; t < MATMUL_TOKENS; t++) {
            if (t0 + t >= n) break;
            const float* xt = x + (long) (t0 + t) * cols + c;
            float part = 0.0f;
            for (int e = 0; e < 4; e++) part += lo[e] * xt[e];
            for (int e = 0; e < 4; e++) part += hi[e] * xt[16 + e];
            acc[t] += d * part;
        }
    }
    store_row(acc, y, row, rows, t0, n);
}
