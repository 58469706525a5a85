"""Time full-batch training steps of a deep softmax network, side by side, in one run.

    python benchmarks/bench_deep.py                  # the deep size: (784, 512, 256, 10) softmax, m = 60,000, float32
    python benchmarks/bench_deep.py --gpu            # add CuPy and PyTorch CUDA rows (and JAX on its GPU)
    python benchmarks/bench_deep.py --quick          # a tiny size: proves the script works

Every implementation starts from the same data and parameters (He, seed 3) and runs the
same equations: ReLU hidden layers, a softmax output with the cross-entropy, full-batch
gradient descent. Before a row is timed its parameters after 2 steps are compared with a
NumPy float64 reference (relative difference of all parameters together <= 1e-4 in float32,
1e-9 in float64); a row that disagrees is WRONG and not timed. Rows are timed in
interleaved rounds (one step of each implementation per round, so a slow spell of a
shared machine lands on all; each after a 0.25 s pause, so the previous row's idle BLAS
threads have stopped spinning), after a warm-up that includes any compilation, whose time
is reported. The GEMM peak of this machine is measured in the same run; each row shows
its share of it (the step's GEMMs over its time). Ratios are time(row) / time(fastest peer).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import backend_nn as bnn  # noqa: E402
from implementations import (SETTLE_S, Unavailable, backend_nn_inputs, jax_full_precision,  # noqa: E402
                             no_gpu, positive_int, results_file, runs_on, settle, sync_for, torch_device,
                             torch_manual_steps, torch_sync)
from backend_nn.network import Network  # noqa: E402
from backend_nn.step import train_step  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
DEEP = ([784, 512, 256, 10], 60_000, "float32")
QUICK = ([20, 16, 8, 4], 300, "float32")
LR = 0.1


def problem(dims, m, dtype):
    rng = np.random.RandomState(0)
    X = rng.rand(dims[0], m)
    teacher = rng.randn(dims[-1], dims[0])
    labels = np.argmax(teacher @ (X - 0.5), axis=0)
    Y = (np.arange(dims[-1])[:, None] == labels[None, :]).astype(np.float64)
    p0 = bnn.initialize_parameters_deep(dims, seed=3, init="he")
    return X.astype(dtype), Y.astype(dtype), {k: v.astype(dtype) for k, v in p0.items()}


def gemm_flops(dims, m) -> float:
    """The step's GEMMs: W_l A_{l-1} and dZ_l A_{l-1}^T for every layer, W_l^T dZ_l for l >= 2."""
    return 2.0 * m * sum(n * n_prev * (2 if l == 1 else 3) for l, (n_prev, n) in enumerate(zip(dims, dims[1:]), 1))


# --- implementations: each is (name, device, step(k), params(), sync()) -------------------------------
def numpy_reference(dims, X, Y, p0, steps):
    """NumPy float64, the equations written out by hand."""
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    p = {k: v.astype(np.float64) for k, v in p0.items()}
    L, m = len(dims) - 1, X.shape[1]
    for _ in range(steps):
        A, caches = X, []
        for l in range(1, L + 1):
            Z = p[f"W{l}"] @ A + p[f"b{l}"]
            caches.append((A, Z))
            A = np.maximum(Z, 0) if l < L else np.exp(Z - Z.max(0)) / np.exp(Z - Z.max(0)).sum(0)
        dZ = A - Y
        for l in range(L, 0, -1):
            A_prev, _ = caches[l - 1]
            dW, db = dZ @ A_prev.T / m, dZ.sum(1, keepdims=True) / m
            if l > 1:
                dZ = (p[f"W{l}"].T @ dZ) * (caches[l - 2][1] > 0)
            p[f"W{l}"] = p[f"W{l}"] - LR * dW
            p[f"b{l}"] = p[f"b{l}"] - LR * db
    return p


def make_backend_nn(dims, X, Y, p0, backend, *, compiled, prefer=None, device=None):
    """backend_nn's step on ``backend`` (``device="cuda"``: PyTorch's CUDA), eager or on a fast path."""
    xp, Xb, Yb, p = backend_nn_inputs(backend, X, Y, p0, device=device)
    net = Network.build(dims, "relu", "softmax")
    state = {"p": p}
    label = backend if device is None else f"{backend} {device}"
    if compiled:
        from backend_nn.accelerate import choose_runner

        runner, choice = choose_runner(state["p"], Xb, Yb, net=net, learning_rate=LR, xp=xp, compile=True,
                                       prefer=prefer)
        if choice.path == "eager":
            raise Unavailable(f"no fast path: {choice}")
        name = f"backend_nn [{label}, {choice.path}]"

        def step(k):
            state["p"], _ = runner(state["p"], k, 1)
    else:
        from array_api_compat import is_writeable_array

        inplace = is_writeable_array(state["p"]["W1"])
        name = f"backend_nn [{label}]"

        def step(k):
            p = state["p"]
            for _ in range(k):
                p, _ = train_step(p, Xb, Yb, net=net, learning_rate=LR, xp=xp, inplace=inplace)
            state["p"] = p
    return (name, runs_on(backend, device), step, lambda: {k: bnn.to_numpy(v) for k, v in state["p"].items()},
            sync_for(backend, state, device))


def make_torch(dims, X, Y, p0, *, cuda, autograd):
    import torch

    dev = torch_device("cuda" if cuda else "cpu")
    Xt, Yt = torch.as_tensor(X, device=dev), torch.as_tensor(Y, device=dev)
    p = {k: torch.as_tensor(v, device=dev).clone() for k, v in p0.items()}
    L = len(dims) - 1
    if autograd:
        for v in p.values():
            v.requires_grad_(True)
        opt = torch.optim.SGD(list(p.values()), lr=LR)

        def step(k):
            for _ in range(k):
                opt.zero_grad(set_to_none=True)
                A = Xt
                for l in range(1, L):
                    A = torch.relu(p[f"W{l}"] @ A + p[f"b{l}"])
                ZL = p[f"W{L}"] @ A + p[f"b{L}"]
                torch.nn.functional.cross_entropy(ZL.T, Yt.T).backward()
                opt.step()
    else:
        step = torch_manual_steps(p, Xt, Yt, hidden="relu", output="softmax", learning_rate=LR)
    name = f"PyTorch {'autograd + SGD' if autograd else 'manual'} [{dev}]"
    sync = torch_sync(dev)
    return name, "gpu" if cuda else "cpu", step, lambda: {k: v.detach().cpu().numpy() for k, v in p.items()}, sync


def make_jax(dims, X, Y, p0):
    import jax.numpy as jnp

    jax = jax_full_precision()
    Xj, Yj = jnp.asarray(X), jnp.asarray(Y)
    L, m = len(dims) - 1, X.shape[1]

    @jax.jit
    def one(p):
        def cost(p):
            A = Xj
            for l in range(1, L):
                A = jax.nn.relu(p[f"W{l}"] @ A + p[f"b{l}"])
            ZL = p[f"W{L}"] @ A + p[f"b{L}"]
            return -jnp.sum(Yj * jax.nn.log_softmax(ZL, axis=0)) / m

        g = jax.grad(cost)(p)
        return {k: p[k] - LR * g[k] for k in p}

    state = {"p": {k: jnp.asarray(v) for k, v in p0.items()}}

    def step(k):
        for _ in range(k):
            state["p"] = one(state["p"])

    where = runs_on("jax")
    return (f"JAX jit step, jax.grad [{where}]", where, step, lambda: {k: np.asarray(v) for k, v in state["p"].items()},
            sync_for("jax", state))


#: The CPU rows --cpu-baselines-only keeps (a short run on the GPU machine: the others compile for a minute).
CPU_BASELINES = ("backend_nn [numpy]", "PyTorch manual [cpu]")


def makers(gpu: bool, cpu_baselines_only: bool = False):
    rows = [
        ("backend_nn [numpy]", lambda *a: make_backend_nn(*a, "numpy", compiled=False)),
        ("backend_nn [numpy, tiles]", lambda *a: make_backend_nn(*a, "numpy", compiled=True)),
        ("backend_nn [torch]", lambda *a: make_backend_nn(*a, "torch", compiled=False)),
        ("backend_nn [torch, lines]", lambda *a: make_backend_nn(*a, "torch", compiled=True, prefer="torch lines")),
        ("backend_nn [jax, jit]", lambda *a: make_backend_nn(*a, "jax", compiled=True)),
        ("backend_nn [torch, compile]", lambda *a: make_backend_nn(*a, "torch", compiled=True)),
        ("PyTorch manual [cpu]", lambda *a: make_torch(*a, cuda=False, autograd=False)),
        ("PyTorch autograd [cpu]", lambda *a: make_torch(*a, cuda=False, autograd=True)),
        ("JAX jit [cpu]", make_jax),
    ]
    if cpu_baselines_only:  # the JAX rows stay: on a machine with a GPU they run on it
        rows = [r for r in rows if r[0] in CPU_BASELINES or "jax" in r[0].lower()]
    if gpu:
        rows += [
            ("backend_nn [cupy]", lambda *a: make_backend_nn(*a, "cupy", compiled=False)),
            ("backend_nn [cupy, cuda graph]",
             lambda *a: make_backend_nn(*a, "cupy", compiled=True, prefer="cuda graph")),
            ("backend_nn [cupy, cupy lines]",
             lambda *a: make_backend_nn(*a, "cupy", compiled=True, prefer="cupy lines")),
            ("backend_nn [torch cuda, lines]",
             lambda *a: make_backend_nn(*a, "torch", compiled=True, prefer="torch lines", device="cuda")),
            ("PyTorch manual [cuda]", lambda *a: make_torch(*a, cuda=True, autograd=False)),
            ("PyTorch autograd [cuda]", lambda *a: make_torch(*a, cuda=True, autograd=True)),
        ]
    return rows


def gemm_peak(dtype: str, gpu: bool) -> dict:
    """GFLOP/s of one large matmul on each device: the ceiling the rows are measured against."""
    peaks = {}
    n = 2048
    a = np.random.RandomState(1).rand(n, n).astype(dtype)
    a @ a
    t = time.perf_counter()
    for _ in range(3):
        a @ a
    peaks["cpu"] = 3 * 2 * n**3 / (time.perf_counter() - t) / 1e9
    if gpu and bnn.cuda_device_count() > 0:  # PyTorch alone may see the GPU: its rows run, CuPy's peak is not read
        import cupy

        n = 8192
        g = cupy.asarray(np.random.RandomState(1).rand(n, n).astype(dtype))
        g @ g
        cupy.cuda.Device().synchronize()
        t = time.perf_counter()
        for _ in range(5):
            g @ g
        cupy.cuda.Device().synchronize()
        peaks["gpu"] = 5 * 2 * n**3 / (time.perf_counter() - t) / 1e9
    return peaks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gpu", action="store_true", help="add the GPU rows (CuPy, PyTorch CUDA)")
    ap.add_argument("--quick", action="store_true", help="a tiny size, few rounds")
    ap.add_argument("--cpu-baselines-only", action="store_true",
                    help=f"of the CPU rows keep only {' and '.join(CPU_BASELINES)} (and JAX's, which run on its GPU "
                         "where it has one): for a short GPU run")
    ap.add_argument("--rounds", type=positive_int, default=None,
                    help="interleaved timing rounds (default 5; 2 with --quick)")
    ap.add_argument("--out", type=results_file, default=None, help="JSON results (default: results/deep-<host>.json)")
    args = ap.parse_args(argv)
    if args.gpu and (why := no_gpu()):
        print(f"--gpu: {why}: no GPU rows to run, nothing written.")
        return 0
    dims, m, dtype = QUICK if args.quick else DEEP
    rounds = args.rounds or (2 if args.quick else 5)
    X, Y, p0 = problem(dims, m, dtype)
    flops = gemm_flops(dims, m)
    ref = numpy_reference(dims, X, Y, p0, 2)
    keys = sorted(ref)
    r_vec = np.concatenate([ref[k].ravel() for k in keys])
    print(f"deep size: layers {dims}, relu hidden, softmax output, m = {m}, {dtype}; {flops / 1e9:.1f} GFLOP a step")
    peaks = gemm_peak(dtype, args.gpu)
    print("GEMM peak, GFLOP/s: " + ", ".join(f"{d} {v:,.0f}" for d, v in peaks.items()))

    rows, live = [], []
    for label, make in makers(args.gpu, args.cpu_baselines_only):
        row = {"impl": label}
        try:
            t0 = time.perf_counter()
            name, device, step, params, sync = make(dims, X, Y, p0)
            step(1)  # two steps of one, as timed: a compiled path compiles for that chunk length here
            step(1)
            sync()
            row["first_two_steps_s"] = time.perf_counter() - t0  # includes any compilation
            got = params()
            g_vec = np.concatenate([np.asarray(got[k], dtype=np.float64).ravel() for k in keys])
            row["rel_diff"] = float(np.linalg.norm(g_vec - r_vec) / np.linalg.norm(r_vec))
            tol = 1e-4 if dtype == "float32" else 1e-9
            if not row["rel_diff"] <= tol:
                row.update(status="WRONG", why=f"parameters after 2 steps differ from NumPy float64 by "
                                                 f"{row['rel_diff']:.2e} > {tol:g}")
            else:
                row.update(impl=name, device=device, status="ok", times=[])
                live.append((row, step, sync))
        except Unavailable as exc:
            row.update(status="skipped", why=str(exc))
        except ImportError as exc:
            row.update(status="skipped", why=f"not installed: {exc.name or exc}")
        except Exception as exc:  # a row that fails says why, and the others still run
            row.update(status="error", why=f"{type(exc).__name__}: {exc}")
        rows.append(row)
    for _ in range(rounds):
        for row, step, sync in live:
            sync()
            settle(0 if args.quick else SETTLE_S)
            t = time.perf_counter()
            step(1)
            sync()
            row["times"].append(time.perf_counter() - t)
    for row, _, _ in live:
        row["ms_per_step"] = 1e3 * statistics.median(row["times"])
        row["gemm_peak_share"] = flops / (row["ms_per_step"] / 1e3) / 1e9 / peaks[row["device"]]
    peers = [r for r in rows if r["status"] == "ok" and not r["impl"].startswith("backend_nn")]
    print(f"\n{'implementation':<36} {'ms/step':>10} {'% GEMM peak':>12} {'vs fastest peer':>16} "
          f"{'first 2 steps s':>16} {'rel diff':>9}")
    for device in ("cpu", "gpu"):
        best = min((r["ms_per_step"] for r in peers if r["device"] == device), default=None)
        for r in rows:
            if r.get("device", "cpu" if "cuda" not in r["impl"] and "cupy" not in r["impl"] else "gpu") != device:
                continue
            if r["status"] != "ok":
                print(f"{r['impl']:<36} {r['status']:>10}  {r['why']}")
                continue
            r["ratio_to_fastest_peer"] = r["ms_per_step"] / best if best else None
            ratio = f"{r['ratio_to_fastest_peer']:.2f}x" if best else "-"
            print(f"{r['impl']:<36} {r['ms_per_step']:>10.1f} {100 * r['gemm_peak_share']:>11.1f}% {ratio:>16} "
                  f"{r['first_two_steps_s']:>16.2f} {r['rel_diff']:>9.1e}")
    out = args.out or RESULTS / f"deep-{platform.node() or 'host'}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    info = {"dims": dims, "m": m, "dtype": dtype, "rounds": rounds, "gemm_gflops_per_step": flops / 1e9,
            "peaks_gflops": peaks, "numpy": np.__version__, "machine": platform.platform(),
            "rows": [{k: v for k, v in r.items() if k != "times"} | {"times_s": r.get("times", [])} for r in rows]}
    out.write_text(json.dumps(info, indent=1))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
