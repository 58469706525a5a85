// The hidden activations g and their derivatives g', in CUDA, for the CuPy kernels
// (shallow_step.cu, hidden_lines.cu; backend_nn/accelerate/_cuda.py puts each source together).
// The same formulas as backend_nn/activations.py, which the parity tests compare them with:
// the course's sigmoid 1 / (1 + exp(-z)) with z raised to -709 (double) / -88 (float) first, so
// that exp cannot overflow; a NaN in z stays NaN (sigmoid and relu compare so that NaN takes the z
// branch, as maximum does in the generic code: a diverged run is caught, not hidden as 0); relu'(0) = 0
// as the course's relu_backward has it; tanh' and sigmoid' written through a = g(z).
// Filled in by Python: T (float or double), ACT (0 tanh, 1 sigmoid, 2 relu, 3 leaky relu, 4 linear).

__device__ __forceinline__ T sigmoid_f(T z) {
    const T cap = sizeof(T) == 8 ? (T)709 : (T)88;
    return (T)1 / ((T)1 + exp(-(z < -cap ? -cap : z)));  // a NaN stays NaN, as in maximum(Z, -cap)
}

__device__ __forceinline__ T act_f(T z, T slope) {
#if ACT == 0
    return tanh(z);
#elif ACT == 1
    return sigmoid_f(z);
#elif ACT == 2
    return z <= 0 ? (T)0 : z;  // a NaN stays NaN, as in maximum(0, Z)
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
    return z > 0 ? (T)1 : (T)0;
#elif ACT == 3
    return z > 0 ? (T)1 : slope;
#else
    return (T)1;
#endif
}
