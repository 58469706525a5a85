"""Where a full-batch training step's time goes: the kernels of backend_nn's default step beside PyTorch's
hand-written step, and the step's GEMMs timed alone at their own shapes.

    python benchmarks/profile_step.py --size mid --dtype float64     # on a CUDA machine: CuPy against PyTorch CUDA
    python benchmarks/profile_step.py --size deep                    # (784, 512, 256, 10) softmax, float32
    python benchmarks/profile_step.py --size mid --cpu               # no GPU: the PyTorch backend on the CPU

Two tables for each size:

1. The step's GEMMs (W_l A_{l-1}; dW_l = dZ_l A_{l-1}^T; W_l^T dZ_l from layer 2), each timed alone with
   the library's matmul on arrays laid out as the step has them (A^T a transposed view). Their sum is the
   floor of this size's step; the "peak floor" is the same flops at the GEMM peak of a square 8192² (GPU)
   or 2048² (CPU) matmul, which is what bench_training's "peak" column divides by. Shapes with few output
   tiles (a 128-row layer, a (128, 784) weight gradient) cannot reach that peak.
2. torch.profiler over ``--steps`` steps of each implementation: the kernels by device time a step
   (CUPTI sees every kernel of the process, CuPy's and those a CUDA graph replays too), their total,
   and the wall time a step. On the CPU the rows are PyTorch's operators instead.

The lent GPU machine has 15 minutes a session: ``run_gpu.sh OUT profile-step`` runs mid (float64 and
float32) and deep, about a minute.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import backend_nn as bnn  # noqa: E402
from implementations import (backend_nn_inputs, no_gpu, positive_int, torch_device,  # noqa: E402
                             torch_manual_steps, torch_sync)

#: name: (layer_dims, m, hidden activation, output, default dtype) -- bench_training's and bench_deep's sizes
SIZES = {
    "mid": ([784, 128, 1], 10_000, "tanh", "sigmoid", "float64"),
    "large": ([784, 1024, 1], 60_000, "tanh", "sigmoid", "float32"),
    "deep": ([784, 512, 256, 10], 60_000, "relu", "softmax", "float32"),
    "quick": ([20, 16, 8, 3], 500, "relu", "softmax", "float32"),
}


def problem(dims: list[int], m: int, output: str, dtype: str):
    """X (n_x, m), Y (n_y, m) one-hot or 0/1, He parameters (seed 3), all of ``dtype``, on the host."""
    rng = np.random.RandomState(0)
    X = rng.rand(dims[0], m)
    if output == "softmax":
        labels = rng.randint(0, dims[-1], m)
        Y = (np.arange(dims[-1])[:, None] == labels[None, :]) * 1.0
    else:
        Y = (rng.rand(1, m) > 0.5) * 1.0
    p0 = bnn.initialize_parameters_deep(dims, seed=3, init="he")
    return X.astype(dtype), Y.astype(dtype), {k: v.astype(dtype) for k, v in p0.items()}


def gemm_shapes(dims: list[int], m: int) -> list[tuple[str, tuple[int, int], tuple[int, int], bool]]:
    """(what, left shape, right shape, right transposed) for each GEMM of one step."""
    out = []
    for l in range(1, len(dims)):
        n, n_prev = dims[l], dims[l - 1]
        out.append((f"Z{l} = W{l} A{l - 1}", (n, n_prev), (n_prev, m), False))
        out.append((f"dW{l} = dZ{l} A{l - 1}^T", (n, m), (n_prev, m), True))
        if l >= 2:
            out.append((f"dA{l - 1} = W{l}^T dZ{l}", (n_prev, n), (n, m), False))
    return out


def time_gemms(dims: list[int], m: int, dtype: str, gpu: bool, repeats: int = 20) -> tuple[list[dict], float]:
    """Each GEMM of the step alone (median of ``repeats``), and the square matmul's peak, GFLOP/s."""
    rng = np.random.RandomState(1)
    if gpu:
        import cupy

        def timed(f, repeats=repeats):
            start, end = cupy.cuda.Event(), cupy.cuda.Event()
            f()
            times = []
            for _ in range(repeats):
                start.record()
                f()
                end.record()
                end.synchronize()
                times.append(cupy.cuda.get_elapsed_time(start, end) / 1e3)
            return statistics.median(times)

        put, n_sq = cupy.asarray, 8192
    else:
        def timed(f, repeats=repeats):
            f()
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                f()
                times.append(time.perf_counter() - t)
            return statistics.median(times)

        put, n_sq = np.asarray, 2048
    rows = []
    for what, (a0, a1), (b0, b1), transposed in gemm_shapes(dims, m):
        A = put(rng.rand(a0, a1).astype(dtype))
        B = put(rng.rand(b0, b1).astype(dtype))
        right = B.T if transposed else B
        seconds = timed(lambda: A @ right)
        flops = 2.0 * a0 * a1 * (b0 if transposed else b1)
        rows.append({"what": what, "shape": f"({a0}, {a1}) x ({right.shape[0]}, {right.shape[1]})",
                     "us": seconds * 1e6, "gflops": flops / seconds / 1e9, "flops": flops})
    S = put(rng.rand(n_sq, n_sq).astype(dtype))
    peak = 2.0 * n_sq**3 / timed(lambda: S @ S, repeats=5) / 1e9
    return rows, peak


def implementations(dims, m, hidden, output, dtype, gpu: bool):
    """(name, step(k), sync) of backend_nn's default step and PyTorch's hand-written one."""
    import torch

    from backend_nn.accelerate import choose_runner
    from backend_nn.network import Network

    X, Y, p0 = problem(dims, m, output, dtype)
    backend = "cupy" if gpu else "torch"
    xp, Xb, Yb, p = backend_nn_inputs(backend, X, Y, p0)
    net = Network.build(dims, hidden, output)
    box = {"p": p}
    runner, choice = choose_runner(box["p"], Xb, Yb, net=net, learning_rate=0.1, xp=xp, compile="auto")

    def ours(k):  # one cost record of k steps, as nn_model's default records one every 100 or more
        box["p"], _ = runner(box["p"], 1, k)

    dev = torch_device("cuda" if gpu else "cpu")
    sync = torch_sync(dev)  # the whole device: CuPy's queued work too
    Xt, Yt = torch.as_tensor(X, device=dev), torch.as_tensor(Y, device=dev)
    p = {k: torch.as_tensor(v, device=dev).clone() for k, v in p0.items()}
    theirs = torch_manual_steps(p, Xt, Yt, hidden=hidden, output=output, learning_rate=0.1)

    return [(f"backend_nn [{backend}, no flag: {choice.path}]", ours, sync),
            (f"PyTorch manual [{dev.type}]", theirs, sync)]


def profile(name, step, sync, steps: int, gpu: bool, top: int) -> None:
    """The kernels (GPU) or operators (CPU) of ``steps`` steps, by device (or CPU) time a step."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    step(2)
    sync()
    t = time.perf_counter()
    step(steps)
    sync()
    wall = (time.perf_counter() - t) / steps
    with torch_profile(activities=[ProfilerActivity.CUDA if gpu else ProfilerActivity.CPU]) as prof:
        step(steps)
        sync()
    events = [e for e in prof.key_averages() if (e.self_device_time_total if gpu else e.self_cpu_time_total) > 0]
    own = (lambda e: e.self_device_time_total) if gpu else (lambda e: e.self_cpu_time_total)
    events.sort(key=own, reverse=True)
    total = sum(own(e) for e in events) / steps
    print(f"\n{name}: {wall * 1e6:,.1f} us a step (wall, outside the profiler); "
          f"{'kernels' if gpu else 'operators'} {total:,.1f} us a step")
    print(f"  {'us/step':>9} {'calls/step':>10}  {'kernel' if gpu else 'operator'}")
    for e in events[:top]:
        print(f"  {own(e) / steps:>9,.1f} {e.count / steps:>10.1f}  {e.key[:100]}")
    if len(events) > top:
        rest = sum(own(e) for e in events[top:]) / steps
        print(f"  {rest:>9,.1f} {'':>10}  ({len(events) - top} more)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=list(SIZES), default="mid")
    ap.add_argument("--dtype", choices=["float32", "float64"], default=None, help="default: the size's own")
    ap.add_argument("--steps", type=positive_int, default=20)
    ap.add_argument("--top", type=positive_int, default=15, help="kernels shown per implementation")
    ap.add_argument("--cpu", action="store_true", help="no GPU: the PyTorch backend and PyTorch on the CPU")
    args = ap.parse_args(argv)
    gpu = not args.cpu
    if gpu and (why := no_gpu()):
        print(f"profile_step: {why}; --cpu profiles the PyTorch backend on the CPU instead.")
        return 0
    dims, m, hidden, output, dtype = SIZES[args.size]
    dtype = args.dtype or dtype
    print(f"{args.size}: layers {dims}, {hidden} hidden, {output} output, m = {m}, {dtype}, "
          f"{'GPU' if gpu else 'CPU'}")
    rows, peak = time_gemms(dims, m, dtype, gpu)
    flops = sum(r["flops"] for r in rows)
    floor = sum(r["us"] for r in rows)
    print(f"\nthe step's GEMMs alone ({'cupy' if gpu else 'numpy'} matmul; square matmul peak {peak:,.0f} GFLOP/s):")
    print(f"  {'GEMM':<24} {'shape':<32} {'us':>10} {'GFLOP/s':>10} {'of peak':>8}")
    for r in rows:
        print(f"  {r['what']:<24} {r['shape']:<32} {r['us']:>10,.1f} {r['gflops']:>10,.0f} {r['gflops'] / peak:>8.0%}")
    print(f"  {'sum: this size floor':<57} {floor:>10,.1f}   (the peak floor: {flops / peak / 1e3:,.1f} us)")
    for name, step, sync in implementations(dims, m, hidden, output, dtype, gpu):
        profile(name, step, sync, args.steps, gpu, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
