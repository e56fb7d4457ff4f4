// out[t][c] = E[tokens[t]][c]: one row of an embedding table per token, decoded from its file encoding
// to F32 exactly as the CPU decodes it (d * q in float). grid = n, block = 256.
#include <cuda_fp16.h>

__device__ __forceinline__ float half_bits(unsigned short bits) {
    return __half2float(__ushort_as_half(bits));
}

extern "C" __global__ void embedding_f32(const float* __restrict__ table, const int* __restrict__ tokens,
                                         float* __restrict__ out, int dim) {
    const float* row = table + (long) tokens[blockIdx.x] * dim;
    for (int c = threadIdx.x; c < dim; c += blockDim.x) out[(long) blockIdx.x * dim + c] = row[c];
}

extern "C" __global__ void embedding_f16(const unsigned short* __restrict__ table, const int* __restrict__ tokens,
                                         float* __restrict__ out, int dim) {
    const unsigned short* row = table + (long) tokens[blockIdx.x] * dim;
    for (int c = threadIdx.x; c < dim; c += blockDim.x) out[(long) blockIdx.x * dim + c] = half_bits(row[c]);
}

extern "C" __global__ void embedding_bf16(const unsigned short* __restrict__ table, const int* __restrict__ tokens,
                                          float* __restrict__ out, int dim) {
    const unsigned short* row = table + (long) tokens[blockIdx.x] * dim;
    for (int c = threadIdx.x; c < dim; c += blockDim.x) {
        out[(long) blockIdx.x * dim + c] = __uint_as_float(((unsigned int) row[c]) << 16);
    }
}

extern "C" __global__ void embedding_q8_0(const unsigned char* __restrict__ table, const int* __restrict__ tokens,
                                          float* __restrict__ out, int dim) {
    const unsigned char* row = table + (long) tokens[blockIdx.x] * (dim / 32) * 34;
    for (int c = threadIdx.x; c < dim; c += blockDim.x) {
        const unsigned char* block = row + (c / 32) * 34;
        float d = half_bits(*(const unsigned short*) block);
        out[(long) blockIdx.x * dim + c] = d * (float) ((const signed char*) (block + 2))[c % 32];
    }
}

extern "C" __global__ void embedding_q4_0(const unsigned char* __restrict__ table, const int* __restrict__ tokens,
                                          float* __restrict__ out, int dim) {
    const unsigned char* row = table + (long) tokens[blockIdx.x] * (dim / 32) * 18;
    for (int c = threadIdx.x; c < dim; c += blockDim.x) {
        const unsigned char* block = row + (c / 32) * 18;
        float d = half_bits(*(const unsigned short*) block);
        int j = c % 32;
        unsigned char q = block[2 + (j & 15)];
        int nibble = j < 16 ? (q & 15) : (q >> 4);
        out[(long) blockIdx.x * dim + c] = d * (float) (nibble - 8);
    }
}
