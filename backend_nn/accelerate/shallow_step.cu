// The shallow network's whole training loop in one CUDA kernel, for small networks.
//
// An optional fast path beside the generic Array API code (backend_nn/accelerate/cupy_fused.py
// compiles it with NVRTC and the parity tests compare it with the generic step). One thread
// block owns the parameters in shared memory and runs n_records * cost_every gradient-descent
// steps; each thread takes examples i = tid, tid + blockDim, ... and accumulates its share of
// the gradients, which a warp-shuffle + shared-memory reduction then sums. Per example i:
//
//   z1 = W1 x + b1, a1 = g(z1)          (n_h)
//   z2 = W2 a1 + b2, a2 = sigmoid(z2)   (n_y = 1)
//   J += softplus(z2) - y z2            (first step of each record only)
//   dz2 = a2 - y;  dW2 += dz2 a1^T;  db2 += dz2
//   dz1 = W2^T dz2 * g'(z1);  dW1 += dz1 x^T;  db1 += dz1
//
// and after the reduction every parameter P -= learning_rate * dP / m.
// Filled in by Python: T (float or double), NX, NH, ACT, and act_f / act_d from activations.cuh.

#define NW1 (NH * NX)
#define ACC (NW1 + 2 * NH + 2)  // accumulators: dW1, db1, dW2, db2, cost

extern "C" __global__ void shallow_train(
    const T* __restrict__ X, const T* __restrict__ Y,
    T* W1g, T* b1g, T* W2g, T* b2g, T* costs,
    int m, T lr, int n_records, int cost_every, T slope)
{
    __shared__ T W1[NW1];
    __shared__ T b1[NH];
    __shared__ T W2[NH];
    __shared__ T b2;
    __shared__ T red[32][ACC];
    const int tid = threadIdx.x, nthreads = blockDim.x;
    const int lane = tid & 31, warp = tid >> 5, nwarps = (nthreads + 31) >> 5;
    for (int v = tid; v < NW1; v += nthreads) W1[v] = W1g[v];
    for (int v = tid; v < NH; v += nthreads) { b1[v] = b1g[v]; W2[v] = W2g[v]; }
    if (tid == 0) b2 = b2g[0];
    __syncthreads();
    const T inv_m = (T)1 / (T)m;

    for (int r = 0; r < n_records; ++r) {
        for (int s = 0; s < cost_every; ++s) {
            T acc[ACC];
#pragma unroll
            for (int v = 0; v < ACC; ++v) acc[v] = (T)0;
            for (int i = tid; i < m; i += nthreads) {
                T x[NX];
#pragma unroll
                for (int k = 0; k < NX; ++k) x[k] = X[(size_t)k * m + i];
                const T y = Y[i];
                T z1[NH], a1[NH];
                T z2 = b2;
#pragma unroll
                for (int j = 0; j < NH; ++j) {
                    T z = b1[j];
#pragma unroll
                    for (int k = 0; k < NX; ++k) z += W1[j * NX + k] * x[k];
                    z1[j] = z;
                    a1[j] = act_f(z, slope);
                    z2 += W2[j] * a1[j];
                }
                const T a2 = sigmoid_f(z2);
                if (s == 0) acc[ACC - 1] += (z2 > 0 ? z2 : (T)0) + log1p(exp(-fabs(z2))) - y * z2;
                const T dz2 = a2 - y;
                acc[ACC - 2] += dz2;
#pragma unroll
                for (int j = 0; j < NH; ++j) {
                    acc[NW1 + NH + j] += dz2 * a1[j];
                    const T dz1 = W2[j] * dz2 * act_d(z1[j], a1[j], slope);
                    acc[NW1 + j] += dz1;
#pragma unroll
                    for (int k = 0; k < NX; ++k) acc[j * NX + k] += dz1 * x[k];
                }
            }
#pragma unroll
            for (int v = 0; v < ACC; ++v) {
                T val = acc[v];
                for (int off = 16; off > 0; off >>= 1) val += __shfl_down_sync(0xffffffffu, val, off);
                if (lane == 0) red[warp][v] = val;
            }
            __syncthreads();
            for (int v = tid; v < ACC; v += nthreads) {
                T tot = (T)0;
                for (int w = 0; w < nwarps; ++w) tot += red[w][v];
                tot *= inv_m;
                if (v < NW1) W1[v] -= lr * tot;
                else if (v < NW1 + NH) b1[v - NW1] -= lr * tot;
                else if (v < NW1 + 2 * NH) W2[v - NW1 - NH] -= lr * tot;
                else if (v == ACC - 2) b2 -= lr * tot;
                else if (s == 0) costs[r] = tot;
            }
            __syncthreads();
        }
    }
    for (int v = tid; v < NW1; v += nthreads) W1g[v] = W1[v];
    for (int v = tid; v < NH; v += nthreads) { b1g[v] = b1[v]; W2g[v] = W2[v]; }
    if (tid == 0) b2g[0] = b2;
}
