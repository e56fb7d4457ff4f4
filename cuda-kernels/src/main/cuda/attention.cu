// Causal grouped-query attention over each row's own key/value cache on the device.
//
// Row t of a batch belongs to some sequence; keyCaches[t] and valueCaches[t] hold the device addresses of
// that sequence's cache for this layer, laid out [position][kvHeads][headDim] in F32, and positions[t] is
// the row's position. Rows of one sequence at several positions (a prefill) each see positions
// 0..positions[t] (or the last `window` of them when window > 0), so their keys must be stored first
// (kv_store), all of them, before attention runs.

// Stores row t's key and value (kvDim = kvHeads * headDim values each) at its position in its caches.
// grid = n, block = 256.
extern "C" __global__ void kv_store(const float* __restrict__ k, const float* __restrict__ v,
                                    const unsigned long long* __restrict__ keyCaches,
                                    const unsigned long long* __restrict__ valueCaches,
                                    const int* __restrict__ positions, int kvDim) {
    int t = blockIdx.x;
    float* kc = (float*) keyCaches[t] + (long) positions[t] * kvDim;
    float* vc = (float*) valueCaches[t] + (long) positions[t] * kvDim;
    for (int i = threadIdx.x; i < kvDim; i += blockDim.x) {
        kc[i] = k[(long) t * kvDim + i];
        vc[i] = v[(long) t * kvDim + i];
    }
}

#define ATTENTION_THREADS 128

__device__ float block_fold(float v, float* shared, bool max) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int stride = ATTENTION_THREADS / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            float other = shared[threadIdx.x + stride];
            shared[threadIdx.x] = max ? fmaxf(shared[threadIdx.x], other) : shared[threadIdx.x] + other;
        }
        __syncthreads();
    }
    float result = shared[0];
    __syncthreads();
    return result;
}

// out[t][h] = sum_j softmax_j(scale * q[t][h] . K[j][h / group]) * V[j][h / group] over the row's visible
// positions j. grid = (heads, n), block = 128 (the fold trees assume exactly that). scores is scratch of
// n * heads * scoreStride floats, scoreStride > every position.
extern "C" __global__ void attention(const float* __restrict__ q, const unsigned long long* __restrict__ keyCaches,
                                     const unsigned long long* __restrict__ valueCaches,
                                     const int* __restrict__ positions, float* __restrict__ out,
                                     float* __restrict__ scores, int heads, int kvHeads, int headDim,
                                     int scoreStride, float scale, int window) {
    __shared__ float fold[ATTENTION_THREADS];
    int h = blockIdx.x;
    int t = blockIdx.y;
    int kvh = h / (heads / kvHeads);
    int kvDim = kvHeads * headDim;
    int pos = positions[t];
    int first = window > 0 && pos - window + 1 > 0 ? pos - window + 1 : 0;
    const float* qh = q + ((long) t * heads + h) * headDim;
    const float* kc = (const float*) keyCaches[t] + kvh * headDim;
    const float* vc = (const float*) valueCaches[t] + kvh * headDim;
    float* s = scores + ((long) t * heads + h) * scoreStride;

    float best = -INFINITY;
    for (int j = first + threadIdx.x; j <= pos; j += ATTENTION_THREADS) {
        const float* kj = kc + (long) j * kvDim;
        float dot = 0.0f;
        for (int d = 0; d < headDim; d++) dot += qh[d] * kj[d];
        dot *= scale;
        s[j] = dot;
        best = fmaxf(best, dot);
    }
    best = block_fold(best, fold, true);
    float total = 0.0f;
    for (int j = first + threadIdx.x; j <= pos; j += ATTENTION_THREADS) {
        float e = expf(s[j] - best);
        s[j] = e;
        total += e;
    }
    total = block_fold(total, fold, false);
    __syncthreads();
    float inverse = 1.0f / total;
    float* oh = out + ((long) t * heads + h) * headDim;
    for (int d = threadIdx.x; d < headDim; d += ATTENTION_THREADS) {
        float acc = 0.0f;
        for (int j = first; j <= pos; j++) acc += s[j] * inverse * vc[(long) j * kvDim + d];
        oh[d] = acc;
    }
}
