// The hidden activations g and their derivatives g', in CUDA, for the CuPy kernels
// (shallow_step.cu, hidden_lines.cu; backend_nn/accelerate/_cuda.py puts each source together).
// The same formulas as backend_nn/activations.py, which the parity tests compare them with:
// the stable sigmoid, and tanh' and sigmoid' written through a = g(z).
// Filled in by Python: T (float or double), ACT (0 tanh, 1 sigmoid, 2 relu, 3 leaky relu, 4 linear).

__device__ __forceinline__ T act_f(T z, T slope) {
#if ACT == 0
    return tanh(z);
#elif ACT == 1
    T e = exp(-fabs(z));
    T r = (T)1 / ((T)1 + e);
    return z >= 0 ? r : e * r;
#elif ACT == 2
    return z > 0 ? z : (T)0;
#elif ACT == 3
    return z > 0 ? z : slope * z;
#else
    return z;
#endif
}

__device__ __forceinline__ T act_d(T z, T a, T slope) {
#if ACT == 0
    return (T)1 - a * a;
#elif ACT == 1
    return a * ((T)1 - a);
#elif ACT == 2
    return z >= 0 ? (T)1 : (T)0;
#elif ACT == 3
    return z >= 0 ? (T)1 : slope;
#else
    return (T)1;
#endif
}
