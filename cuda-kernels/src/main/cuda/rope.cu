// Rotary position embedding, in place, for n rows of `heads` heads of `headDim` values. Pair i of a head
// turns by the angle whose cosine and sine are cos[t][i], sin[t][i] (tables the host computes per row,
// so every backend turns by the same angles). The layouts differ only in which two values make pair i:
// adjacent (2i, 2i+1), as llama.cpp's GGUF Llamas, or rotate-half (i, i + headDim/2), as Hugging Face's.
// grid = n, block = 128.

__device__ __forceinline__ void turn(float* a, float* b, float c, float s) {
    float v0 = *a;
    float v1 = *b;
    *a = v0 * c - v1 * s;
    *b = v0 * s + v1 * c;
}

extern "C" __global__ void rope_adjacent_pairs(float* __restrict__ x, const float* __restrict__ cos,
                                               const float* __restrict__ sin, int heads, int headDim) {
    int half = headDim / 2;
    float* row = x + (long) blockIdx.x * heads * headDim;
    for (int k = threadIdx.x; k < heads * half; k += blockDim.x) {
        int h = k / half;
        int i = k % half;
        float* a = row + h * headDim + 2 * i;
        turn(a, a + 1, cos[(long) blockIdx.x * half + i], sin[(long) blockIdx.x * half + i]);
    }
}

extern "C" __global__ void rope_rotate_half(float* __restrict__ x, const float* __restrict__ cos,
                                            const float* __restrict__ sin, int heads, int headDim) {
    int half = headDim / 2;
    float* row = x + (long) blockIdx.x * heads * headDim;
    for (int k = threadIdx.x; k < heads * half; k += blockDim.x) {
        int h = k / half;
        int i = k % half;
        float* a = row + h * headDim + i;
        turn(a, a + half, cos[(long) blockIdx.x * half + i], sin[(long) blockIdx.x * half + i]);
    }
}
