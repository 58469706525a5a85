// The lines around a hidden layer, one kernel each, for any size.
//
// An optional fast path beside the generic Array API code (backend_nn/accelerate/cupy_lines.py
// compiles it with NVRTC; the parity tests compare it with the generic lines). Arrays are row-major.
// Filled in by Python: T (float or double), ACT, UNROLL, and act_f / act_d from activations.cuh.
//
// forward_rows, with P = W1 X (n, m) and b = b1 (n, 1):
//
//   Z[i, j] = P[i, j] + b[i],  A[i, j] = g(Z[i, j])              (Z1 = W1 X + b1, A1 = g(Z1))
//
// Z and A may be P itself (written in place); keep_z = 0 writes A only (tanh, sigmoid: g' is
// written through A). A 2-d grid, blockIdx.y the row: no index arithmetic beyond one add.
//
// backprop_rows, with W = W2 (1, n), dZn = dZ2 (1, m), and Z, A = Z1, A1 (n, m):
//
//   dW[i]   = sum_j dZn[j] A[i, j]                      (dW2 = dZ2 A1^T, before / m)
//   dZ[i,j] = W[i] dZn[j] g'(Z[i, j])                   (dZ1 = W2^T dZ2 * g'(Z1))
//   db[i]   = sum_j dZ[i, j]                            (db1 = sum(dZ1, axis=1), before / m)
//
// A 2-d grid: blockIdx.y is the row i, blockIdx.x a block of columns (several where n is small,
// so that all SMs get work). A block's threads stride over its columns; the two sums are reduced
// by warp shuffles and shared memory into partial sums, one row of them per column block, which
// the caller adds up. tanh and sigmoid write g' through A; Z is then not read.
//
// through_rows, into a hidden layer from a layer of n_l > 1 units, with D = W^T dZn (n, m) from
// cuBLAS and Z, A = Z_{l-1}, A_{l-1} (n, m):
//
//   dZ[i,j] = D[i, j] g'(Z[i, j])                        (dZ_{l-1} = W_l^T dZ_l * g'(Z_{l-1}))
//   db[i]   = sum_j dZ[i, j]                             (db_{l-1} = sum(dZ_{l-1}, axis=1), before / m)
//
// One pass over D where the generic code makes four for relu (Z > 0, its cast, the product, the
// row sums). The grid and the partial sums are backprop_rows'. dZ may be D itself (written in place).

// Each thread loads UNROLL elements (blockDim apart, so a warp's loads stay coalesced) before
// it computes and stores any: more bytes in flight per thread, which HBM needs to be kept busy.
// UNROLL is defined by Python, which sizes the grid with it.

extern "C" __global__ void forward_rows(const T* P, const T* __restrict__ b, T* Z, T* A, const long long m,
                                        const int keep_z, const T slope) {
    const long long row = (long long)blockIdx.y * m;
    const T bias = b[blockIdx.y];
    const long long step = (long long)blockDim.x * UNROLL;
    for (long long j0 = (long long)blockIdx.x * step + threadIdx.x; j0 < m; j0 += (long long)gridDim.x * step) {
        T z[UNROLL];
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            const long long j = j0 + (long long)u * blockDim.x;
            z[u] = j < m ? P[row + j] + bias : (T)0;
        }
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            const long long j = j0 + (long long)u * blockDim.x;
            if (j < m) {
                if (keep_z) Z[row + j] = z[u];
                A[row + j] = act_f(z[u], slope);
            }
        }
    }
}

__device__ __forceinline__ T warp_sum(T v) {
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
    return v;
}

// backprop_rows and through_rows are one body: the gradient flowing into row i is W[i] dZn[j] (OUTER,
// n_l = 1: an outer product, and dW's sums beside db's) or D[i, j] (cuBLAS's product W^T dZn).
template <bool OUTER>
__device__ __forceinline__ void back_rows(const T* __restrict__ W, const T* __restrict__ dZn, const T* D,
                                          const T* __restrict__ Z, const T* __restrict__ A, T* dZ,
                                          T* __restrict__ dW, T* __restrict__ db, const long long m, const T slope) {
    const long long row = (long long)blockIdx.y * m;
    const T w = OUTER ? W[blockIdx.y] : (T)1;
    const long long chunk = (m + gridDim.x - 1) / gridDim.x;  // this block's columns: [begin, end)
    const long long begin = (long long)blockIdx.x * chunk;
    const long long end = begin + chunk < m ? begin + chunk : m;
    T sum_dw = 0, sum_db = 0;
    const long long step = (long long)blockDim.x * UNROLL;
    for (long long j0 = begin + threadIdx.x; j0 < end; j0 += step) {
        T d[UNROLL], a[UNROLL], z[UNROLL];
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            const long long j = j0 + (long long)u * blockDim.x;
            const bool in = j < end;
            d[u] = in ? (OUTER ? dZn[j] : D[row + j]) : (T)0;
            a[u] = in ? A[row + j] : (T)0;
            z[u] = in ? Z[row + j] : (T)0;
        }
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            const long long j = j0 + (long long)u * blockDim.x;
            if (j < end) {
                const T dz = (OUTER ? w * d[u] : d[u]) * act_d(z[u], a[u], slope);
                dZ[row + j] = dz;
                if (OUTER) sum_dw += d[u] * a[u];
                sum_db += dz;
            }
        }
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
        if (lane == 0) {  // partial sums, (gridDim.x, n): one row per column block
            const long long k = (long long)blockIdx.x * gridDim.y + blockIdx.y;
            if (OUTER) dW[k] = sum_dw;
            db[k] = sum_db;
        }
    }
}

extern "C" __global__ void backprop_rows(const T* __restrict__ W, const T* __restrict__ dZn,
                                         const T* __restrict__ Z, const T* __restrict__ A,
                                         T* __restrict__ dZ, T* __restrict__ dW, T* __restrict__ db,
                                         const long long m, const T slope) {
    back_rows<true>(W, dZn, nullptr, Z, A, dZ, dW, db, m, slope);
}

extern "C" __global__ void through_rows(const T* D, const T* __restrict__ Z, const T* __restrict__ A, T* dZ,
                                        T* __restrict__ db, const long long m, const T slope) {
    back_rows<false>(nullptr, nullptr, D, Z, A, dZ, nullptr, db, m, slope);
}
