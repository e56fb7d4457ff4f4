// A fake libcuda.so.1 for checking the Java side of the GPU backend on a CPU (see run.sh): device memory
// is host memory, each kernel is its math as plain C loops, launches check their geometry and run at once.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
extern "C" {
typedef int CUresult;
#define P(i) (*(void**) params[i])
#define I(i) (*(int*) params[i])
#define F(i) (*(float*) params[i])
static float h2f(uint16_t b) { _Float16 h; memcpy(&h, &b, 2); return (float) h; }
static float bf(uint16_t b) { uint32_t u = (uint32_t) b << 16; float f; memcpy(&f, &u, 4); return f; }
static float dec(int enc, const uint8_t* w, long r, int c, int cols) {
    switch (enc) {
        case 0: return ((const float*) w)[r * cols + c];
        case 1: return h2f(((const uint16_t*) w)[r * cols + c]);
        case 2: return bf(((const uint16_t*) w)[r * cols + c]);
        case 3: { const uint8_t* b = w + (r * (cols / 32) + c / 32) * 34; uint16_t d; memcpy(&d, b, 2); return h2f(d) * (float) (int8_t) b[2 + c % 32]; }
        default: { const uint8_t* b = w + (r * (cols / 32) + c / 32) * 18; uint16_t d; memcpy(&d, b, 2); int j = c % 32; int q = b[2 + (j & 15)];
            return h2f(d) * (float) ((j < 16 ? (q & 15) : (q >> 4)) - 8); }
    }
}
static void matmul(int enc, void** params) {
    const uint8_t* w = (const uint8_t*) P(0); const float* x = (const float*) P(1); float* y = (float*) P(2);
    int rows = I(3), cols = I(4), n = I(5);
    for (int r = 0; r < rows; r++) for (int t = 0; t < n; t++) { float s = 0; for (int c = 0; c < cols; c++) s += dec(enc, w, r, c, cols) * x[(long) t * cols + c]; y[(long) t * rows + r] = s; }
}
static void embedding(int enc, void** params, int gx) {
    const uint8_t* w = (const uint8_t*) P(0); const int* tok = (const int*) P(1); float* out = (float*) P(2); int dim = I(3);
    for (int t = 0; t < gx; t++) for (int c = 0; c < dim; c++) out[(long) t * dim + c] = dec(enc, w, tok[t], c, dim);
}
struct Fn { const char* name; };
static Fn fns[] = {{"matmul_f32"}, {"matmul_f16"}, {"matmul_bf16"}, {"matmul_q8_0"}, {"matmul_q4_0"},
    {"embedding_f32"}, {"embedding_f16"}, {"embedding_bf16"}, {"embedding_q8_0"}, {"embedding_q4_0"},
    {"rmsnorm"}, {"rope_adjacent_pairs"}, {"rope_rotate_half"}, {"kv_store"}, {"attention"}, {"swiglu"}, {"residual_add"}, {"bias_add"}};
static long launches = 0;

CUresult cuInit(unsigned) { return 0; }
CUresult cuDriverGetVersion(int* v) { *v = 13000; return 0; }
CUresult cuDeviceGetCount(int* n) { *n = 1; return 0; }
CUresult cuDeviceGet(int* d, int o) { if (o != 0) return 101; *d = 0; return 0; }
CUresult cuDeviceGetName(char* name, int len, int) { strncpy(name, "Fake CPU device", len); return 0; }
CUresult cuDeviceGetAttribute(int* v, int attr, int) { *v = attr == 75 ? 9 : attr == 76 ? 0 : 1; return 0; }
CUresult cuDeviceTotalMem_v2(size_t* b, int) { *b = 1ull << 32; return 0; }
CUresult cuDevicePrimaryCtxRetain(void** c, int) { *c = (void*) 0x1; return 0; }
CUresult cuDevicePrimaryCtxRelease_v2(int) { return 0; }
CUresult cuCtxSetCurrent(void*) { return 0; }
CUresult cuCtxSynchronize() { return 0; }
CUresult cuMemGetInfo_v2(size_t* f, size_t* t) { *f = 1ull << 31; *t = 1ull << 32; return 0; }
CUresult cuMemAlloc_v2(unsigned long long* p, size_t n) { void* m = malloc(n); memset(m, 0xAB, n); *p = (unsigned long long) m; return m ? 0 : 2; }
CUresult cuMemFree_v2(unsigned long long p) { free((void*) p); return 0; }
CUresult cuMemcpyHtoD_v2(unsigned long long d, const void* s, size_t n) { memcpy((void*) d, s, n); return 0; }
CUresult cuMemcpyDtoH_v2(void* d, unsigned long long s, size_t n) { memcpy(d, (void*) s, n); return 0; }
CUresult cuMemcpyDtoD_v2(unsigned long long d, unsigned long long s, size_t n) { memcpy((void*) d, (void*) s, n); return 0; }
CUresult cuMemcpyHtoDAsync_v2(unsigned long long d, const void* s, size_t n, void*) { memcpy((void*) d, s, n); return 0; }
CUresult cuMemcpyDtoHAsync_v2(void* d, unsigned long long s, size_t n, void*) { memcpy(d, (void*) s, n); return 0; }
CUresult cuMemsetD8_v2(unsigned long long d, unsigned char v, size_t n) { memset((void*) d, v, n); return 0; }
CUresult cuStreamCreate(void** s, unsigned) { *s = (void*) 0x2; return 0; }
CUresult cuStreamDestroy_v2(void*) { return 0; }
CUresult cuStreamSynchronize(void*) { return 0; }
CUresult cuModuleLoadData(void** m, const void* image) { if (!strstr((const char*) image, ".entry")) return 200; *m = (void*) 0x3; return 0; }
CUresult cuModuleUnload(void*) { return 0; }
CUresult cuModuleGetFunction(void** f, void*, const char* name) {
    for (auto& fn : fns) if (!strcmp(fn.name, name)) { *f = &fn; return 0; }
    return 500;
}
CUresult cuGetErrorName(CUresult e, const char** s) { *s = e == 500 ? "CUDA_ERROR_NOT_FOUND" : "CUDA_ERROR_FAKE"; return 0; }
CUresult cuGetErrorString(CUresult, const char** s) { *s = "fake driver"; return 0; }
CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned, unsigned bx, unsigned, unsigned, unsigned, void*, void** params, void**) {
    std::string n = ((Fn*) f)->name;
    launches++;
    if (n.rfind("matmul_", 0) == 0) {
        int enc = n == "matmul_f32" ? 0 : n == "matmul_f16" ? 1 : n == "matmul_bf16" ? 2 : n == "matmul_q8_0" ? 3 : 4;
        if (bx != 256 || gx != (unsigned) ((I(3) + 7) / 8) || gy != (unsigned) ((I(5) + 3) / 4)) return 1;
        matmul(enc, params);
    } else if (n.rfind("embedding_", 0) == 0) {
        int enc = n == "embedding_f32" ? 0 : n == "embedding_f16" ? 1 : n == "embedding_bf16" ? 2 : n == "embedding_q8_0" ? 3 : 4;
        embedding(enc, params, gx);
    } else if (n == "rmsnorm") {
        const float* x = (const float*) P(0); const float* w = (const float*) P(1); float* o = (float*) P(2); int dim = I(3); float eps = F(4);
        if (bx != 256) return 1;
        for (unsigned t = 0; t < gx; t++) { float ss = 0; for (int i = 0; i < dim; i++) ss += x[t * dim + i] * x[t * dim + i];
            float s = 1.0f / sqrtf(ss / dim + eps); for (int i = 0; i < dim; i++) o[t * dim + i] = w[i] * (s * x[t * dim + i]); }
    } else if (n.rfind("rope_", 0) == 0) {
        bool adj = n == "rope_adjacent_pairs"; float* x = (float*) P(0); const float* c = (const float*) P(1); const float* s = (const float*) P(2);
        int heads = I(3), hd = I(4), half = hd / 2;
        for (unsigned t = 0; t < gx; t++) for (int h = 0; h < heads; h++) for (int i = 0; i < half; i++) {
            float* row = x + ((long) t * heads + h) * hd; int a = adj ? 2 * i : i; int b = adj ? a + 1 : a + half;
            float v0 = row[a], v1 = row[b], cc = c[t * half + i], ss = s[t * half + i]; row[a] = v0 * cc - v1 * ss; row[b] = v0 * ss + v1 * cc; }
    } else if (n == "kv_store") {
        const float* k = (const float*) P(0); const float* v = (const float*) P(1); auto kp = (const unsigned long long*) P(2);
        auto vp = (const unsigned long long*) P(3); const int* pos = (const int*) P(4); int kvDim = I(5);
        for (unsigned t = 0; t < gx; t++) { memcpy((float*) kp[t] + (long) pos[t] * kvDim, k + (long) t * kvDim, 4 * kvDim);
            memcpy((float*) vp[t] + (long) pos[t] * kvDim, v + (long) t * kvDim, 4 * kvDim); }
    } else if (n == "attention") {
        const float* q = (const float*) P(0); auto kp = (const unsigned long long*) P(1); auto vp = (const unsigned long long*) P(2);
        const int* pos = (const int*) P(3); float* out = (float*) P(4); int heads = I(6), kvh = I(7), hd = I(8), stride = I(9); float scale = F(10);
        if ((int) gx != heads || bx != 128) return 1;
        int kvDim = kvh * hd;
        for (unsigned t = 0; t < gy; t++) { if (pos[t] >= stride) return 1;
            for (int h = 0; h < heads; h++) { int g = h / (heads / kvh); const float* K = (const float*) kp[t] + g * hd; const float* V = (const float*) vp[t] + g * hd;
                const float* qh = q + ((long) t * heads + h) * hd; float sc[8192]; float mx = -INFINITY;
                for (int j = 0; j <= pos[t]; j++) { float d = 0; for (int e = 0; e < hd; e++) d += qh[e] * K[(long) j * kvDim + e]; sc[j] = d * scale; mx = fmaxf(mx, sc[j]); }
                float tot = 0; for (int j = 0; j <= pos[t]; j++) { sc[j] = expf(sc[j] - mx); tot += sc[j]; }
                for (int e = 0; e < hd; e++) { float a = 0; for (int j = 0; j <= pos[t]; j++) a += sc[j] / tot * V[(long) j * kvDim + e]; out[((long) t * heads + h) * hd + e] = a; } } }
    } else if (n == "swiglu") {
        const float* g = (const float*) P(0); const float* u = (const float*) P(1); float* o = (float*) P(2); int c = I(3);
        if (gx * bx < (unsigned) c) return 1;
        for (int i = 0; i < c; i++) o[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
    } else if (n == "residual_add") {
        float* x = (float*) P(0); const float* d = (const float*) P(1); int c = I(2); if (gx * bx < (unsigned) c) return 1;
        for (int i = 0; i < c; i++) x[i] += d[i];
    } else if (n == "bias_add") {
        float* x = (float*) P(0); const float* b = (const float*) P(1); int w = I(2), c = I(3); if (gx * bx < (unsigned) c) return 1;
        for (int i = 0; i < c; i++) x[i] += b[i % w];
    } else return 500;
    return 0;
}
}
