// x[t][i] += bias[i] for every row t: a projection's bias (Qwen2's q/k/v). count = rows * width.
// grid = ceil(count / 256), block = 256.
extern "C" __global__ void bias_add(float* __restrict__ x, const float* __restrict__ bias, int width, int count) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) x[i] += bias[i % width];
}
