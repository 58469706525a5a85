"""Time full-batch gradient-descent training steps of the shallow network, side by side.

    python benchmarks/bench_training.py            # CPU rows (GPU rows shown as skipped, with why)
    python benchmarks/bench_training.py --gpu      # add CuPy, PyTorch CUDA (and JAX on its GPU)
    python benchmarks/bench_training.py --quick    # tiny sizes, few repeats: proves the script works

Every implementation starts from the same data and parameters. Before it is
timed, its parameters after a few steps are compared with a NumPy float64
reference; a row that disagrees is reported as WRONG and not timed. Times are
medians of several repeats after a warm-up; GPU work is synchronized before
the clock is read. Each row shows achieved GFLOP/s (the GEMMs of the step) and
its share of the GEMM peak this script measures on the same machine.
Results: a table on stdout, JSON (and a plot, with matplotlib) in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import backend_nn as bnn  # noqa: E402
from implementations import (SETTLE_S, Problem, Unavailable, all_makers, make_plain_numpy, positive_float,  # noqa: E402
                             positive_int, results_file, settle)

RESULTS = Path(__file__).resolve().parent / "results"

SIZES = {  # name: (n_x, n_h, m, dtypes)
    "flower": (2, 4, 400, ("float64", "float32")),
    "mid": (784, 128, 10_000, ("float64", "float32")),
    "large": (784, 1024, 60_000, ("float32",)),
}
SWEEP_M = [10**2, 10**3, 10**4, 10**5, 10**6]
SWEEP_NET = (2, 4)  # the flower's network, at growing m
QUICK = {"flower": (2, 4, 400, ("float64",)), "mid": (16, 8, 500, ("float32",))}


def check_steps(pb: Problem) -> int:
    return 3


def reference_params(pb: Problem, steps: int) -> dict:
    """NumPy float64 course code: the parameters after ``steps`` steps."""
    ref = Problem(pb.n_x, pb.n_h, pb.m, "float64")
    ref.learning_rate = pb.learning_rate
    impl = make_plain_numpy(ref)
    impl.run(steps)
    return impl.params()


def agrees(got: dict, ref: dict, dtype: str) -> tuple[bool, float]:
    """Relative difference of all parameters together, ||P - P_ref|| / ||P_ref||.

    Tolerance: 1e-9 in float64 (summation order only); 1e-4 in float32 (eps
    1.2e-7 times the reduction lengths and the few steps taken). All
    parameters are taken together because after 3 steps the biases are ~1e-5
    and a per-array ratio would measure float32's absolute round-off in them.
    """
    keys = sorted(ref)
    g = np.concatenate([np.asarray(got[k], dtype=np.float64).ravel() for k in keys])
    r = np.concatenate([ref[k].ravel() for k in keys])
    diff = float(np.linalg.norm(g - r) / max(np.linalg.norm(r), 1e-300))
    return diff <= (1e-9 if dtype == "float64" else 1e-4), diff


def choose_k(impl, min_time: float) -> int:
    """Steps per timed run, so that one run lasts about ``min_time``.

    Each k is run once untimed first: compiled paths (JAX's static chunk length)
    compile per k, and that must not be what is timed or what chooses k.
    """
    k = 1
    while True:
        impl.run(k)  # warm-up at this k: compile, allocate, load kernels
        impl.sync()
        t0 = time.perf_counter()
        impl.run(k)
        impl.sync()
        dt = time.perf_counter() - t0
        if dt >= min_time or k >= 2**16:
            return k
        k *= 2 if dt * 4 > min_time else 8


def time_once(impl, k: int) -> float:
    """Seconds per step of one run of k steps, device work included."""
    t0 = time.perf_counter()
    impl.run(k)
    impl.sync()
    return (time.perf_counter() - t0) / k


def gemm_peak_cpu(dtype: str, n: int = 2048) -> float:
    a = np.random.rand(n, n).astype(dtype)
    b = np.random.rand(n, n).astype(dtype)
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(5))
    return 2 * n**3 / best / 1e9


def _timed(f) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def gpu_peaks(dtype: str) -> dict:
    import cupy

    n = 8192
    a = cupy.random.rand(n, n, dtype=dtype)
    b = cupy.random.rand(n, n, dtype=dtype)
    from cupyx.profiler import benchmark

    r = benchmark(lambda: a @ b, n_repeat=10, n_warmup=3)
    gemm = 2 * n**3 / float(np.median(r.gpu_times)) / 1e9
    x = cupy.empty(2**28, dtype=cupy.float32)  # 1 GiB
    y = cupy.empty_like(x)
    r = benchmark(lambda: y.__setitem__(Ellipsis, x), n_repeat=10, n_warmup=3)
    bw = 2 * x.nbytes / float(np.median(r.gpu_times)) / 1e9
    return {"gemm_gflops": gemm, "copy_GBps": bw}


def blas_info() -> list:
    try:
        from threadpoolctl import threadpool_info

        keys = ("internal_api", "num_threads", "architecture", "version")
        return [{k: d.get(k) for k in keys} for d in threadpool_info()]
    except ImportError:
        return [{"note": "threadpoolctl not installed"}]


def run_problem(pb: Problem, makers, args, peaks) -> list[dict]:
    """Check every implementation, then time them in interleaved rounds.

    Round r times each implementation once, in turn, so that a slow spell of a
    shared machine lands on all of them rather than on whichever ran then; the
    reported time is each one's median over the rounds. Each run starts after a
    pause (:func:`implementations.settle`), so no other row's idle threads spin
    beside it.
    """
    rows: list[dict] = []
    live = []  # (row, impl, k)
    steps = check_steps(pb)
    ref = reference_params(pb, steps)
    for label, make in makers:
        row = {"size": pb_name(pb), "n_x": pb.n_x, "n_h": pb.n_h, "m": pb.m, "dtype": pb.dtype, "impl": label}
        rows.append(row)
        try:
            impl = make(pb)
        except Unavailable as why:
            row.update(status="skipped", why=str(why))
            continue
        except Exception as exc:  # a broken peer is a row, not a crash
            row.update(status="error", why=f"{type(exc).__name__}: {exc}"[:200])
            continue
        row["impl"] = impl.name
        if impl.note:
            row["path"] = impl.note
        try:
            impl.run(steps)
            impl.sync()
            ok, diff = agrees(impl.params(), ref, pb.dtype)
        except Exception as exc:
            row.update(status="error", why=f"{type(exc).__name__}: {exc}"[:200])
            continue
        row["rel_diff"] = diff
        if not ok:
            row.update(status="WRONG", why=f"parameters differ from the NumPy float64 reference by {diff:.2e}")
            continue
        row["peak_memory_bytes"] = measure_memory(impl)
        live.append((row, impl, choose_k(impl, args.min_time)))
    times = {id(row): [] for row, _, _ in live}
    for _ in range(args.repeats):
        for row, impl, k in live:
            settle(0 if args.quick else SETTLE_S)
            times[id(row)].append(time_once(impl, k))
    for row, impl, k in live:
        sec = statistics.median(times[id(row)])
        gflops = pb.flops_per_step / sec / 1e9
        peak_gemm = peaks.get((impl.device, pb.dtype))
        row.update(status="ok", device=impl.device, us_per_step=sec * 1e6, steps_timed=k, gflops=gflops,
                   peak_fraction=gflops / peak_gemm if peak_gemm else None, bytes_needed=pb.bytes_needed)
    for row in rows:
        print(_fmt(row), flush=True)
    return rows


def measure_memory(impl) -> int | None:
    """Host: the arrays NumPy and friends report to tracemalloc over 2 steps. GPU: what the
    library's allocator gained over 2 steps (CuPy's pool, PyTorch's peak), from a baseline
    taken when the implementation was made, so other live implementations do not count."""
    if impl.device == "cpu":
        tracemalloc.start()
        impl.run(2)
        impl.sync()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak or None
    impl.run(2)
    impl.sync()
    return impl.memory()


def pb_name(pb: Problem) -> str:
    for name, (n_x, n_h, m, _) in SIZES.items():
        if (pb.n_x, pb.n_h, pb.m) == (n_x, n_h, m):
            return name
    return f"sweep m={pb.m}" if (pb.n_x, pb.n_h) == SWEEP_NET else f"{pb.n_x}x{pb.n_h}x{pb.m}"


def _fmt(r: dict) -> str:
    head = f"{r['size']:<14} {r['dtype']:<8} {r['impl']:<40}"
    if r["status"] != "ok":
        return f"{head} {r['status']}: {r.get('why', '')}"
    frac = f"{100 * r['peak_fraction']:5.1f}%" if r.get("peak_fraction") else "    -"
    mem = f"{r['peak_memory_bytes'] / 2**20:9.1f}" if r.get("peak_memory_bytes") else "        -"
    path = f"  ({r['path']})" if r.get("path") else ""
    return (f"{head} {r['us_per_step']:12.1f} {r['gflops']:9.2f} {frac} {mem} {r['bytes_needed'] / 2**20:9.1f}{path}")


HEADER = (f"{'size':<14} {'dtype':<8} {'implementation':<40} {'us/step':>12} {'GFLOP/s':>9} {'peak':>6} "
          f"{'mem MiB':>9} {'need MiB':>9}")


def ratios(rows: list[dict]) -> list[str]:
    """Side-by-side ratios that the issue's targets are stated in."""
    out = []
    by = {(r["size"], r["dtype"], r["impl"]): r for r in rows if r["status"] == "ok"}
    sizes = sorted({(r["size"], r["dtype"]) for r in rows})
    for size, dt in sizes:
        base = by.get((size, dt, "plain NumPy (course code)"))
        here = {k[2]: v for k, v in by.items() if k[:2] == (size, dt)}
        if not base or not here:
            continue
        parts = [f"{name}: {r['us_per_step'] / base['us_per_step']:.2f}x" for name, r in here.items()
                 if name != "plain NumPy (course code)"]
        out.append(f"{size} {dt}: time over the plain NumPy course code's (below 1 is faster) -- " + "; ".join(parts))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gpu", action="store_true", help="include the GPU rows (CuPy, PyTorch CUDA)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes and repeats, to prove the script works")
    ap.add_argument("--sizes", nargs="*", choices=[*SIZES, "sweep"], help="subset of: flower mid large sweep")
    ap.add_argument("--cpu-baselines-only", action="store_true",
                    help="of the CPU rows keep only plain NumPy and backend_nn [numpy] (for a short GPU run)")
    ap.add_argument("--repeats", type=positive_int, default=5)
    ap.add_argument("--min-time", type=positive_float, default=0.2, help="seconds per timed repeat (default 0.2)")
    ap.add_argument("--out", type=results_file, default=None,
                    help="JSON file (default: benchmarks/results/<machine>.json)")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.min_time = 2, 0.01

    problems = []
    sizes = QUICK if args.quick else SIZES
    chosen = set(args.sizes or list(sizes) + ([] if args.quick else ["sweep"]))
    for name, (n_x, n_h, m, dtypes) in sizes.items():
        if name in chosen:
            problems += [Problem(n_x, n_h, m, dt) for dt in dtypes]
    if "sweep" in chosen and not args.quick:
        problems += [Problem(*SWEEP_NET, m, dt) for m in SWEEP_M for dt in ("float64", "float32") if m != 400]

    env = {"python": platform.python_version(), "machine": platform.machine(), "processor": platform.processor(),
           "cpu_count": os.cpu_count(), "numpy": np.__version__, "backend_nn": bnn.__version__,
           "blas": blas_info(), "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
           "gpu": None}
    peaks = {}
    for dt in ("float64", "float32"):
        peaks[("cpu", dt)] = gemm_peak_cpu(dt, 1024 if args.quick else 2048)
    if args.gpu and bnn.cuda_device_count() > 0:
        import cupy

        props = cupy.cuda.runtime.getDeviceProperties(0)
        env["gpu"] = {"name": props["name"].decode(), "driver": cupy.cuda.runtime.driverGetVersion(),
                      "runtime": cupy.cuda.runtime.runtimeGetVersion(), "cupy": cupy.__version__}
        for dt in ("float64", "float32"):
            gp = gpu_peaks(dt)
            peaks[("gpu", dt)] = gp["gemm_gflops"]
            env["gpu"][f"{dt}_gemm_gflops"] = gp["gemm_gflops"]
            env["gpu"]["copy_GBps"] = gp["copy_GBps"]
    for mod in ("torch", "jax", "sklearn", "cupy"):
        try:
            env[mod] = __import__(mod).__version__
        except ImportError:
            env[mod] = None
    print("environment:", json.dumps(env, default=str))
    print("measured GEMM peaks (GFLOP/s):", {f"{d}/{t}": round(v, 1) for (d, t), v in peaks.items()})
    if not args.gpu:
        print("GPU rows: skipped (run with --gpu on a CUDA machine)")
    elif bnn.cuda_device_count() == 0:
        print("GPU rows: skipped, no CUDA GPU counted")
    print(HEADER)
    makers = all_makers(gpu=args.gpu)
    if args.quick:  # torch.compile takes ~20 s a problem: not for a smoke test
        makers = [(label, mk) for label, mk in makers if label != "backend_nn [torch, compiled]"]
    if args.cpu_baselines_only:
        keep = ("plain NumPy (course code)", "backend_nn [numpy]", "backend_nn [numpy, default]",
                "backend_nn [numpy, numpy tiles]")
        makers = [(label, mk) for label, mk in makers if label in keep or "cupy" in label or "cuda" in label]
    rows = []
    for pb in problems:
        rows += run_problem(pb, makers, args, peaks)
    print()
    print(HEADER)
    for r in rows:
        print(_fmt(r))
    print()
    for line in ratios(rows):
        print(line)

    RESULTS.mkdir(exist_ok=True)
    tag = "quick" if args.quick else ("gpu" if args.gpu else "cpu")
    out = args.out or RESULTS / f"{tag}-{platform.node() or 'machine'}.json"
    out.write_text(json.dumps({"environment": env, "peaks": {f"{d}/{t}": v for (d, t), v in peaks.items()},
                               "rows": rows}, indent=1, default=str))
    print(f"wrote {out}")
    _plot(rows, out.with_suffix(".png"))
    return 0


def _plot(rows, path: Path) -> None:
    """The sweep's float64 rows as a log-log picture of time against m, where the sweep was run."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot")
        return
    fig = sweep_figure(rows)
    if fig is None:  # a curve needs the sweep (--sizes sweep), not the flower alone
        print("no plot: the sweep's sizes were not run (--sizes sweep)")
        return
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def sweep_figure(rows):
    """The figure of :func:`_plot`, or None where fewer than two of the sweep's m were timed. Each row has
    a colour of its own (tab20: tab10 gave two of eleven rows the same blue); backend_nn's rows are solid
    with dots, the peers dashed with squares."""
    import matplotlib.pyplot as plt

    sweep = [r for r in rows if r["status"] == "ok" and (r["n_x"], r["n_h"]) == SWEEP_NET and r["dtype"] == "float64"]
    if len({r["m"] for r in sweep}) < 2:
        return None
    fig, ax = plt.subplots(figsize=(8, 5))
    colors = plt.get_cmap("tab20").colors
    for i, name in enumerate(sorted({r["impl"] for r in sweep})):
        pts = sorted((r["m"], r["us_per_step"]) for r in sweep if r["impl"] == name)
        ours = name.startswith("backend_nn")
        # the dark colours first, then the light ones
        ax.loglog([p[0] for p in pts], [p[1] for p in pts], marker="o" if ours else "s",
                  linestyle="-" if ours else "--", color=colors[(2 * i) % 20 + (2 * i) // 20 % 2], label=name)
    ax.set_xlabel("m (examples)")
    ax.set_ylabel("time per training step (µs)")
    ax.set_title("Shallow network (n_x=2, n_h=4), float64: time per full-batch step")
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(main())
