// A small CPU stand-in for the CUDA features our kernels use, so their indexing and fold logic can be
// checked on machines without a GPU: blocks run one after another, a block's threads as std::threads,
// __syncthreads and warp shuffles as barriers over the block. It says nothing about the real device's
// memory model, FMA contraction or speed; KernelsMatchHostMathTest checks the kernels on a GPU.
#pragma once
#include <barrier>
#include <cstring>
#include <functional>
#include <math.h>
#include <thread>
#include <vector>

#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__
#define __shared__ static

struct EmulatedDim { int x = 0, y = 0, z = 0; };
inline thread_local EmulatedDim threadIdx, blockIdx;
inline EmulatedDim blockDim;
inline std::barrier<>* emulatedBarrier;
inline float emulatedShuffle[1024];

inline void __syncthreads() { emulatedBarrier->arrive_and_wait(); }

// Every thread of the block must call it, as every lane of every warp does in our kernels.
inline float __shfl_xor_sync(unsigned, float v, int laneMask) {
    emulatedShuffle[threadIdx.x] = v;
    emulatedBarrier->arrive_and_wait();
    float r = emulatedShuffle[threadIdx.x ^ laneMask];
    emulatedBarrier->arrive_and_wait();
    return r;
}

inline float __uint_as_float(unsigned int u) { float f; std::memcpy(&f, &u, 4); return f; }
struct __half { unsigned short bits; };
inline __half __ushort_as_half(unsigned short b) { return __half{b}; }
inline float __half2float(__half h) { _Float16 f; std::memcpy(&f, &h.bits, 2); return (float) f; }

/** Runs {@code body} as a grid of gridX × gridY blocks of {@code threads} threads. */
inline void launch(int gridX, int gridY, int threads, const std::function<void()>& body) {
    blockDim.x = threads;
    for (int by = 0; by < gridY; by++) {
        for (int bx = 0; bx < gridX; bx++) {
            std::barrier<> barrier(threads);
            emulatedBarrier = &barrier;
            std::vector<std::thread> block;
            for (int t = 0; t < threads; t++) {
                block.emplace_back([&, t] { threadIdx.x = t; blockIdx.x = bx; blockIdx.y = by; body(); });
            }
            for (auto& t : block) t.join();
        }
    }
}
