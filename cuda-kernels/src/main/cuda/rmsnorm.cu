// out[t][i] = weight[i] * (x[t][i] / sqrt(mean_i(x[t][i]^2) + eps)). grid = n, block = 256 (the
// reduction tree below assumes exactly 256 threads, so its fold order never changes).
#define RMSNORM_THREADS 256

extern "C" __global__ void rmsnorm(const float* __restrict__ x, const float* __restrict__ weight,
                                   float* __restrict__ out, int dim, float eps) {
    __shared__ float partial[RMSNORM_THREADS];
    const float* xt = x + (long) blockIdx.x * dim;
    float sum = 0.0f;
    for (int i = threadIdx.x; i < dim; i += RMSNORM_THREADS) sum += xt[i] * xt[i];
    partial[threadIdx.x] = sum;
    __syncthreads();
    for (int stride = RMSNORM_THREADS / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
        __syncthreads();
    }
    float scale = 1.0f / sqrtf(partial[0] / dim + eps);
    float* ot = out + (long) blockIdx.x * dim;
    for (int i = threadIdx.x; i < dim; i += RMSNORM_THREADS) ot[i] = weight[i] * (scale * xt[i]);
}
