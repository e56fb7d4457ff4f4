// The kernels of src/main/cuda run on the CPU emulation against the same math in double:
// g++ -std=c++20 -pthread -I src/test/emulation -I src/main/cuda src/test/emulation/kernels_on_cpu.cpp
#include "cuda_emulation.h"
#include <cstdio>
#include <cstdint>
#include <random>
#include <string>
#include "matmul.cu"
#include "embedding.cu"
#include "rmsnorm.cu"
#include "rope.cu"
#include "attention.cu"
#include "swiglu.cu"
#include "residual_add.cu"
#include "bias_add.cu"

static std::mt19937 rng(7);
static float uni(float a, float b) { return std::uniform_real_distribution<float>(a, b)(rng); }
static unsigned short f2h(float f) { _Float16 h = (_Float16) f; unsigned short b; memcpy(&b, &h, 2); return b; }
static float h2f(unsigned short b) { _Float16 h; memcpy(&h, &b, 2); return (float) h; }
static int fails = 0;
static void near(const std::vector<float>& e, const std::vector<float>& a, const char* what) {
    float range = 1e-3f; for (float v : e) range = std::max(range, std::fabs(v));
    for (size_t i = 0; i < e.size(); i++) if (!(std::fabs(e[i] - a[i]) <= 1e-4f * range)) {
        printf("FAIL %s[%zu]: %g vs %g\n", what, i, e[i], a[i]); fails++; return; }
    printf("ok   %s (%zu values)\n", what, e.size());
}
static float decode(const std::string& enc, const std::vector<uint8_t>& w, int r, int c, int cols) {
    if (enc == "f32") { float f; memcpy(&f, &w[((size_t) r * cols + c) * 4], 4); return f; }
    if (enc == "f16") { unsigned short b; memcpy(&b, &w[((size_t) r * cols + c) * 2], 2); return h2f(b); }
    if (enc == "bf16") { unsigned short b; memcpy(&b, &w[((size_t) r * cols + c) * 2], 2); return __uint_as_float((unsigned) b << 16); }
    if (enc == "q8_0") { size_t blk = ((size_t) r * (cols / 32) + c / 32) * 34; unsigned short b; memcpy(&b, &w[blk], 2);
        return h2f(b) * (float) (int8_t) w[blk + 2 + c % 32]; }
    size_t blk = ((size_t) r * (cols / 32) + c / 32) * 18; unsigned short b; memcpy(&b, &w[blk], 2);
    int j = c % 32; int q = w[blk + 2 + (j & 15)]; int nib = j < 16 ? (q & 15) : (q >> 4);
    return h2f(b) * (float) (nib - 8);
}
static std::vector<uint8_t> weights(const std::string& enc, int rows, int cols) {
    size_t n = (size_t) rows * cols; std::vector<uint8_t> w;
    if (enc == "f32") { w.resize(n * 4); for (size_t i = 0; i < n; i++) { float f = uni(-1, 1); memcpy(&w[i * 4], &f, 4); } }
    else if (enc == "f16") { w.resize(n * 2); for (size_t i = 0; i < n; i++) { auto b = f2h(uni(-1, 1)); memcpy(&w[i * 2], &b, 2); } }
    else if (enc == "bf16") { w.resize(n * 2); for (size_t i = 0; i < n; i++) { float f = uni(-1, 1); unsigned u; memcpy(&u, &f, 4); unsigned short b = u >> 16; memcpy(&w[i * 2], &b, 2); } }
    else { int bb = enc == "q8_0" ? 34 : 18; w.resize(n / 32 * bb); for (auto& x : w) x = rng() & 255;
        for (size_t b = 0; b < n / 32; b++) { auto d = f2h(uni(0.001f, 0.05f)); memcpy(&w[b * bb], &d, 2); } }
    return w;
}
int main() {
    for (std::string enc : {"f32", "f16", "bf16", "q8_0", "q4_0"}) {
        int rows = 24, cols = 320, n = 6;
        auto w = weights(enc, rows, cols);
        std::vector<float> x(n * cols); for (auto& v : x) v = uni(-1, 1);
        std::vector<float> y(n * rows), ref(n * rows);
        for (int r = 0; r < rows; r++) for (int t = 0; t < n; t++) { double s = 0;
            for (int c = 0; c < cols; c++) s += (double) decode(enc, w, r, c, cols) * x[t * cols + c]; ref[t * rows + r] = (float) s; }
        auto run = [&](const float* xs, float* ys, int nn) {
            launch((rows + 7) / 8, (nn + 3) / 4, 256, [&] {
                if (enc == "f32") matmul_f32((const float*) w.data(), xs, ys, rows, cols, nn);
                else if (enc == "f16") matmul_f16((const unsigned short*) w.data(), xs, ys, rows, cols, nn);
                else if (enc == "bf16") matmul_bf16((const unsigned short*) w.data(), xs, ys, rows, cols, nn);
                else if (enc == "q8_0") matmul_q8_0(w.data(), xs, ys, rows, cols, nn);
                else matmul_q4_0(w.data(), xs, ys, rows, cols, nn); });
        };
        run(x.data(), y.data(), n);
        near(ref, y, ("matmul " + enc).c_str());
        std::vector<float> one(rows);
        bool same = true;
        for (int t = 0; t < n; t++) { run(&x[t * cols], one.data(), 1);
            if (memcmp(one.data(), &y[t * rows], rows * 4) != 0) same = false; }
        printf("%s   matmul %s token alone == in batch\n", same ? "ok" : "FAIL", enc.c_str()); if (!same) fails++;
        // embedding
        int tokens[3] = {5, 0, 23}; int dim = cols; std::vector<float> out(3 * dim), eref(3 * dim);
        for (int t = 0; t < 3; t++) for (int c = 0; c < dim; c++) eref[t * dim + c] = decode(enc, w, tokens[t], c, cols);
        launch(3, 1, 256, [&] {
            if (enc == "f32") embedding_f32((const float*) w.data(), tokens, out.data(), dim);
            else if (enc == "f16") embedding_f16((const unsigned short*) w.data(), tokens, out.data(), dim);
            else if (enc == "bf16") embedding_bf16((const unsigned short*) w.data(), tokens, out.data(), dim);
            else if (enc == "q8_0") embedding_q8_0(w.data(), tokens, out.data(), dim);
            else embedding_q4_0(w.data(), tokens, out.data(), dim); });
        bool eq = memcmp(out.data(), eref.data(), out.size() * 4) == 0;
        printf("%s   embedding %s exact\n", eq ? "ok" : "FAIL", enc.c_str()); if (!eq) fails++;
    }
    { // rmsnorm
        int dim = 1000, n = 3; std::vector<float> x(n * dim), w(dim), o(n * dim), r(n * dim);
        for (auto& v : x) v = uni(-1, 1); for (auto& v : w) v = uni(-1, 1);
        for (int t = 0; t < n; t++) { double ss = 0; for (int i = 0; i < dim; i++) ss += (double) x[t*dim+i] * x[t*dim+i];
            double s = 1 / sqrt(ss / dim + 1e-5); for (int i = 0; i < dim; i++) r[t*dim+i] = (float) (w[i] * s * x[t*dim+i]); }
        launch(n, 1, 256, [&] { rmsnorm(x.data(), w.data(), o.data(), dim, 1e-5f); });
        near(r, o, "rmsnorm");
    }
    for (int adjacent = 0; adjacent < 2; adjacent++) { // rope
        int heads = 4, hd = 16, n = 3, half = hd / 2; std::vector<float> x(n * heads * hd), c(n * half), s(n * half);
        for (auto& v : x) v = uni(-1, 1); for (int i = 0; i < n * half; i++) { double a = uni(0, 6.28); c[i] = cos(a); s[i] = sin(a); }
        std::vector<float> r = x;
        for (int t = 0; t < n; t++) for (int h = 0; h < heads; h++) for (int i = 0; i < half; i++) {
            int base = (t * heads + h) * hd; int a = adjacent ? base + 2 * i : base + i; int b = adjacent ? a + 1 : a + half;
            r[a] = x[a] * c[t*half+i] - x[b] * s[t*half+i]; r[b] = x[a] * s[t*half+i] + x[b] * c[t*half+i]; }
        std::vector<float> y = x;
        launch(n, 1, 128, [&] { if (adjacent) rope_adjacent_pairs(y.data(), c.data(), s.data(), heads, hd);
                                else rope_rotate_half(y.data(), c.data(), s.data(), heads, hd); });
        near(r, y, adjacent ? "rope adjacent" : "rope rotate-half");
    }
    { // kv_store + attention over two sequences
        int heads = 8, kvh = 2, hd = 32, kvDim = kvh * hd, ctx = 40; float scale = 1 / sqrtf(hd);
        int seq[4] = {0, 0, 0, 1}; int pos[4] = {5, 6, 7, 0}; int n = 4;
        std::vector<float> keys[2], vals[2], kc[2], vc[2];
        for (int s = 0; s < 2; s++) { keys[s].resize(ctx * kvDim); vals[s].resize(ctx * kvDim); for (auto& v : keys[s]) v = uni(-1, 1);
            for (auto& v : vals[s]) v = uni(-1, 1); kc[s].assign(ctx * kvDim, 0); vc[s].assign(ctx * kvDim, 0); }
        std::copy(keys[0].begin(), keys[0].begin() + 5 * kvDim, kc[0].begin()); std::copy(vals[0].begin(), vals[0].begin() + 5 * kvDim, vc[0].begin());
        std::vector<float> q(n * heads * hd), k(n * kvDim), v(n * kvDim); for (auto& x : q) x = uni(-1, 1);
        for (int t = 0; t < n; t++) for (int i = 0; i < kvDim; i++) { k[t*kvDim+i] = keys[seq[t]][pos[t]*kvDim+i]; v[t*kvDim+i] = vals[seq[t]][pos[t]*kvDim+i]; }
        unsigned long long kp[4], vp[4]; for (int t = 0; t < n; t++) { kp[t] = (unsigned long long) kc[seq[t]].data(); vp[t] = (unsigned long long) vc[seq[t]].data(); }
        std::vector<float> out(n * heads * hd), scores(n * heads * ctx);
        launch(n, 1, 256, [&] { kv_store(k.data(), v.data(), kp, vp, pos, kvDim); });
        launch(heads, n, 128, [&] { attention(q.data(), kp, vp, pos, out.data(), scores.data(), heads, kvh, hd, ctx, scale, 0); });
        std::vector<float> ref(n * heads * hd);
        for (int t = 0; t < n; t++) for (int h = 0; h < heads; h++) { int g = h / (heads / kvh); std::vector<double> sc(pos[t] + 1); double mx = -1e30;
            for (int j = 0; j <= pos[t]; j++) { double d = 0; for (int e = 0; e < hd; e++) d += (double) q[(t*heads+h)*hd+e] * keys[seq[t]][j*kvDim+g*hd+e];
                sc[j] = d * scale; mx = std::max(mx, sc[j]); }
            double tot = 0; for (auto& s : sc) { s = exp(s - mx); tot += s; }
            for (int e = 0; e < hd; e++) { double a = 0; for (int j = 0; j <= pos[t]; j++) a += sc[j] / tot * vals[seq[t]][j*kvDim+g*hd+e]; ref[(t*heads+h)*hd+e] = (float) a; } }
        near(ref, out, "kv_store + attention");
    }
    { // swiglu, residual, bias
        int count = 1000, width = 100; std::vector<float> g(count), u(count), o(count), r(count), x(count), b(width), rx(count);
        for (int i = 0; i < count; i++) { g[i] = uni(-3, 3); u[i] = uni(-1, 1); r[i] = (float) (g[i] / (1 + exp(-g[i])) * u[i]); }
        launch((count + 255) / 256, 1, 256, [&] { swiglu(g.data(), u.data(), o.data(), count); });
        near(r, o, "swiglu");
        for (int i = 0; i < width; i++) b[i] = uni(-1, 1);
        for (int i = 0; i < count; i++) { x[i] = g[i]; rx[i] = g[i] + u[i] + b[i % width]; }
        launch((count + 255) / 256, 1, 256, [&] { residual_add(x.data(), u.data(), count); });
        launch((count + 255) / 256, 1, 256, [&] { bias_add(x.data(), b.data(), width, count); });
        near(rx, x, "residual_add + bias_add");
    }
    printf(fails ? "%d FAILED\n" : "all kernels agree with the host\n", fails);
    return fails != 0;
}
