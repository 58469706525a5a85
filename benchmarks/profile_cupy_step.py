"""Where the time goes in one generic training step on CuPy, op by op, beside PyTorch CUDA.

    python benchmarks/profile_cupy_step.py [n_x n_h m dtype]     (default: the large size)

Each operation of the step is timed alone with CUDA events (cupyx.profiler.benchmark,
torch.cuda.Event), on the same shapes, so a gap between the two libraries shows up
against the operation that causes it.
"""

import sys

import numpy as np


def main(argv):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    import backend_nn as bnn

    if bnn.cuda_device_count() == 0:
        print("profile_cupy_step: no CUDA device is counted (CuPy counts 0): nothing to profile.")
        return 0
    import cupy
    import torch
    from cupyx.profiler import benchmark

    n_x, n_h, m = (int(a) for a in argv[:3]) if len(argv) >= 3 else (784, 1024, 60000)
    dtype = argv[3] if len(argv) > 3 else "float32"
    rng = np.random.RandomState(0)
    host = {"X": rng.randn(n_x, m), "W1": rng.randn(n_h, n_x) * 0.05, "b1": rng.randn(n_h, 1),
            "W2": rng.randn(1, n_h) * 0.05, "b2": rng.randn(1, 1), "Y": (rng.rand(1, m) > 0.5) * 1.0}
    c = {k: cupy.asarray(v, dtype=dtype) for k, v in host.items()}
    t = {k: torch.as_tensor(v, device="cuda", dtype=getattr(torch, dtype)) for k, v in host.items()}
    for d in (c, t):
        d["Z1"] = d["W1"] @ d["X"] + d["b1"]
        d["A1"] = (cupy if d is c else torch).tanh(d["Z1"])
        d["dZ2"] = d["W2"] @ d["A1"] - d["Y"]
        d["dZ1"] = d["W2"].T * d["dZ2"] * (1 - d["A1"] * d["A1"])
    ops = {
        "Z1 = W1 @ X": (lambda: c["W1"] @ c["X"], lambda: t["W1"] @ t["X"]),
        "Z1 + b1": (lambda: c["Z1"] + c["b1"], lambda: t["Z1"] + t["b1"]),
        "tanh(Z1)": (lambda: cupy.tanh(c["Z1"]), lambda: torch.tanh(t["Z1"])),
        "W2 @ A1": (lambda: c["W2"] @ c["A1"], lambda: t["W2"] @ t["A1"]),
        "dW2 = dZ2 @ A1.T": (lambda: c["dZ2"] @ c["A1"].T, lambda: t["dZ2"] @ t["A1"].T),
        "W2.T * dZ2 (outer)": (lambda: c["W2"].T * c["dZ2"], lambda: t["W2"].T * t["dZ2"]),
        "1 - A1 * A1": (lambda: 1 - c["A1"] * c["A1"], lambda: 1 - t["A1"] * t["A1"]),
        "dZ1 = P * Q": (lambda: c["dZ1"] * c["Z1"], lambda: t["dZ1"] * t["Z1"]),
        "dW1 = dZ1 @ X.T": (lambda: c["dZ1"] @ c["X"].T, lambda: t["dZ1"] @ t["X"].T),
        "db1 = sum(dZ1, 1)": (lambda: cupy.sum(c["dZ1"], axis=1, keepdims=True), lambda: t["dZ1"].sum(1, keepdim=True)),
    }
    print(f"n_x={n_x} n_h={n_h} m={m} {dtype}; µs per op (CUDA events, median)")
    print(f"{'operation':<24} {'cupy':>10} {'torch':>10}")
    tot_c = tot_t = 0.0
    for name, (fc, ft) in ops.items():
        r = benchmark(fc, n_repeat=20, n_warmup=3)
        tc = float(np.median(r.gpu_times)) * 1e6
        for _ in range(3):
            ft()
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        times = []
        for _ in range(20):
            s.record()
            ft()
            e.record()
            torch.cuda.synchronize()
            times.append(s.elapsed_time(e) * 1e3)
        tt = float(np.median(times))
        tot_c, tot_t = tot_c + tc, tot_t + tt
        print(f"{name:<24} {tc:>10.1f} {tt:>10.1f}")
    print(f"{'sum':<24} {tot_c:>10.1f} {tot_t:>10.1f}")

    # backend_nn's hidden lines as kernels (backend_nn/accelerate/cupy_lines.py) on the same arrays;
    # these timings include the GEMM W1 X of the forward line, which the rows above time apart
    from backend_nn.accelerate.cupy_lines import CupyLines
    from backend_nn.activations import get_activation

    lines, g = CupyLines(), get_activation("tanh")
    fused = {
        "forward line (W1 X, + b1, tanh)": lambda: lines.forward(c["X"], c["W1"], c["b1"], g, xp=cupy),
        "backward kernel (dW2, dZ1, db1)": lambda: lines.backward(c["dZ2"], c["A1"], None, c["W2"], g, xp=cupy,
                                                                     inv_m=1.0 / c["A1"].shape[1]),
    }
    print("\nbackend_nn fused lines (cupy), replacing the rows above from 'Z1 + b1' to 'db1' except the GEMMs")
    for name, fn in fused.items():
        r = benchmark(fn, n_repeat=20, n_warmup=3)
        print(f"{name:<40} {float(np.median(r.gpu_times)) * 1e6:>10.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
