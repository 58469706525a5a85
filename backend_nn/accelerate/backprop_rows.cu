// The backward lines around a hidden layer whose next layer has one unit (n_y = 1), in one pass.
//
// An optional fast path beside the generic Array API code (backend_nn/accelerate/cupy_elementwise.py
// compiles it with NVRTC; the parity tests compare it with the generic lines). With W = W2 (1, n),
// dZn = dZ2 (1, m), and Z, A = Z1, A1 (n, m), row-major:
//
//   dW[i]   = sum_j dZn[j] A[i, j]                      (dW2 = dZ2 A1^T, before / m)
//   dZ[i,j] = W[i] dZn[j] g'(Z[i, j])                   (dZ1 = W2^T dZ2 * g'(Z1))
//   db[i]   = sum_j dZ[i, j]                            (db1 = sum(dZ1, axis=1), before / m)
//
// One thread block per row i; its threads stride over j and the two sums are reduced by warp
// shuffles and shared memory. Filled in by Python: T (float or double), ACT (0 tanh, 1 sigmoid,
// 2 relu, 3 leaky relu, 4 linear). tanh and sigmoid write g' through A; Z is then not read.

__device__ __forceinline__ T hidden_dZ(T wd, T z, T a, T slope) {
#if ACT == 0
    return wd * ((T)1 - a * a);
#elif ACT == 1
    return wd * (a * ((T)1 - a));
#elif ACT == 2
    return z >= 0 ? wd : (T)0;
#elif ACT == 3
    return z >= 0 ? wd : wd * slope;
#else
    return wd;
#endif
}

__device__ __forceinline__ T warp_sum(T v) {
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
    return v;
}

extern "C" __global__ void backprop_rows(const T* __restrict__ W, const T* __restrict__ dZn,
                                         const T* __restrict__ Z, const T* __restrict__ A,
                                         T* __restrict__ dZ, T* __restrict__ dW, T* __restrict__ db,
                                         const long long m, const T slope) {
    const long long row = (long long)blockIdx.x * m;
    const T w = W[blockIdx.x];
    T sum_dw = 0, sum_db = 0;
    for (long long j = threadIdx.x; j < m; j += blockDim.x) {
        const T d = dZn[j];
        const T a = A[row + j];
        const T dz = hidden_dZ(w * d, Z[row + j], a, slope);
        dZ[row + j] = dz;
        sum_dw += d * a;
        sum_db += dz;
    }
    __shared__ T part_dw[32], part_db[32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    sum_dw = warp_sum(sum_dw);
    sum_db = warp_sum(sum_db);
    if (lane == 0) {
        part_dw[warp] = sum_dw;
        part_db[warp] = sum_db;
    }
    __syncthreads();
    if (warp == 0) {
        const int n_warps = (blockDim.x + 31) >> 5;
        sum_dw = warp_sum(lane < n_warps ? part_dw[lane] : (T)0);
        sum_db = warp_sum(lane < n_warps ? part_db[lane] : (T)0);
        if (lane == 0) {
            dW[blockIdx.x] = sum_dw;
            db[blockIdx.x] = sum_db;
        }
    }
}
