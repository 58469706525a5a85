// The few CUDA C++ features backend_nn's kernels use, on the CPU, so that a machine without a GPU
// runs the kernels' own sources (tests/cuda_on_cpu.py compiles them with this header in front).
//
// A launch runs the grid's blocks one after another. Each CUDA thread of a block is a fiber
// (ucontext), all on the calling thread: a fiber runs until it waits at a barrier, then the next
// one runs, so __syncthreads() is a barrier of the block's threads and a warp shuffle one of the
// warp's, and the kernels' reductions run as written, with their indexing, their partial sums and
// their barriers, deterministically. What this cannot show is speed, or what only a GPU's compiler
// or memory model decides.
//
//   __shared__           one static per kernel: blocks run one at a time, so it is the block's
//   __syncthreads()      a barrier of blockDim.x threads
//   __shfl_down_sync     lane + delta's value through a per-warp buffer (lanes past the warp keep
//                        their own, as CUDA's shfl_down does), with a barrier of the warp's threads on
//                        each side. Every lane of a warp must call it, as on a GPU.
//   threadIdx, blockIdx  the running fiber's; blockDim, gridDim the launch's
// A barrier that can never complete (threads of a block that do not all reach it) stops the process
// with a message, as a hung kernel would be, rather than hanging. A read or write outside the arrays
// (tests/cuda_on_cpu.py puts an inaccessible page after each) names the kernel, block and thread on
// stderr (pytest -s shows it; captured, it is lost with the process), then lets the process's own
// handler (Python's faulthandler: the test and the kernel's caller) report the segmentation fault.

#pragma once

#include <math.h>  // libstdc++'s and libc++'s: the float overloads of exp, tanh, ... as on a GPU
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static

namespace cuda_on_cpu {

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

struct Barrier {
    unsigned size = 0, arrived = 0, generation = 0;
};

struct Fiber {
    ucontext_t context;
    char* stack;
    bool done;
};

constexpr size_t kStackBytes = 256 * 1024;

inline dim3 thread_idx, block_idx, block_dim, grid_dim;
inline ucontext_t scheduler;
constexpr unsigned kMaxThreads = 1024;  // a block's, as on a GPU
inline Fiber fibers[kMaxThreads];
inline unsigned running = 0;
inline unsigned long long progress = 0;  // arrivals at barriers and fibers finished: what a pass may change
inline Barrier block_barrier, warp_barriers[kMaxThreads / 32];
inline double shuffle_buffer[kMaxThreads];
inline void (*kernel_body)(void*) = nullptr;
inline void* kernel_args = nullptr;

inline void yield() { swapcontext(&fibers[running].context, &scheduler); }

inline void wait(Barrier& b) {
    const unsigned generation = b.generation;
    ++progress;
    if (++b.arrived == b.size) {
        b.arrived = 0;
        ++b.generation;
        return;
    }
    while (b.generation == generation) yield();
}

inline const char* kernel_name = "";
inline struct sigaction previous_segv;

inline void on_segv(int, siginfo_t*, void*) {  // async-signal-safe calls only
    char line[256] = "cuda_on_cpu: kernel ";
    strncat(line, kernel_name, 120);
    strncat(line, " read or wrote outside its arrays (block ", 60);
    char digits[3][16];
    const unsigned values[3] = {block_idx.x, block_idx.y, thread_idx.x};
    for (int i = 0; i < 3; ++i) {
        char* d = digits[i] + 15;
        *d = 0;
        unsigned v = values[i];
        do { *--d = char('0' + v % 10); v /= 10; } while (v);
        strncat(line, d, 15);
        strncat(line, i == 0 ? ", " : i == 1 ? "), thread " : "\n", 12);
    }
    ssize_t ignored = write(2, line, strlen(line));
    (void)ignored;
    sigaction(SIGSEGV, &previous_segv, nullptr);  // the fault recurs at once, for that handler
}

inline void fiber_main() {
    kernel_body(kernel_args);
    fibers[running].done = true;
    ++progress;
}  // returns to the scheduler (uc_link)

// Runs body(args), the kernel called name, for every thread of a (gx, gy) grid of (bx, 1, 1) blocks, block by block.
inline void launch(const char* name, unsigned gx, unsigned gy, unsigned bx, void (*body)(void*), void* args) {
    if (bx == 0 || bx > kMaxThreads) {
        fprintf(stderr, "cuda_on_cpu: a block has 1 to %u threads; got %u\n", kMaxThreads, bx);
        abort();
    }
    kernel_name = name;
    kernel_body = body;
    kernel_args = args;
    struct sigaction segv;
    memset(&segv, 0, sizeof segv);
    segv.sa_sigaction = on_segv;
    segv.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &segv, &previous_segv);
    grid_dim = {gx, gy, 1};
    block_dim = {bx, 1, 1};
    for (unsigned t = 0; t < bx; ++t) fibers[t].stack = static_cast<char*>(malloc(kStackBytes));
    for (unsigned y = 0; y < gy; ++y) {
        for (unsigned x = 0; x < gx; ++x) {
            block_idx = {x, y, 0};
            block_barrier = {bx, 0, 0};
            for (unsigned w = 0; w * 32 < bx; ++w) warp_barriers[w] = {bx - w * 32 < 32 ? bx - w * 32 : 32, 0, 0};
            for (unsigned t = 0; t < bx; ++t) {
                Fiber& f = fibers[t];
                f.done = false;
                getcontext(&f.context);
                f.context.uc_stack.ss_sp = f.stack;
                f.context.uc_stack.ss_size = kStackBytes;
                f.context.uc_link = &scheduler;
                makecontext(&f.context, fiber_main, 0);
            }
            for (unsigned alive = bx; alive > 0;) {
                const unsigned long long before = progress;
                alive = 0;
                for (unsigned t = 0; t < bx; ++t) {
                    if (fibers[t].done) continue;
                    running = t;
                    thread_idx = {t, 0, 0};
                    swapcontext(&scheduler, &fibers[t].context);
                    alive += !fibers[t].done;
                }
                if (alive > 0 && progress == before) {
                    fprintf(stderr, "cuda_on_cpu: block (%u, %u): %u threads wait at a barrier that can never "
                                 "complete (not every thread of the block or warp reaches it)\n", x, y, alive);
                    abort();
                }
            }
        }
    }
    sigaction(SIGSEGV, &previous_segv, nullptr);
    for (unsigned t = 0; t < bx; ++t) free(fibers[t].stack);
    kernel_body = nullptr;
}

}  // namespace cuda_on_cpu

#define threadIdx (cuda_on_cpu::thread_idx)
#define blockIdx (cuda_on_cpu::block_idx)
#define blockDim (cuda_on_cpu::block_dim)
#define gridDim (cuda_on_cpu::grid_dim)

inline void __syncthreads() { cuda_on_cpu::wait(cuda_on_cpu::block_barrier); }

template <class V>
inline V __shfl_down_sync(unsigned /*mask: every lane*/, V v, int delta) {
    using namespace cuda_on_cpu;
    const unsigned t = thread_idx.x, warp = t / 32, lane = t % 32;
    shuffle_buffer[t] = static_cast<double>(v);  // exact for float and double
    wait(warp_barriers[warp]);
    const V out = lane + delta < warp_barriers[warp].size ? static_cast<V>(shuffle_buffer[t + delta]) : v;
    wait(warp_barriers[warp]);  // every lane has read before any writes again
    return out;
}
