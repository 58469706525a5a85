"""Time full-batch steps on dask arrays against NumPy in one process, side by side, in one run.

    python benchmarks/bench_dask.py            # the data-bound size, the m sweep, the overhead model, out of core
    python benchmarks/bench_dask.py --quick    # small sizes: proves the script works

Rows, all on the same data and the same initial parameters (nn_model's, seed 2):
- ``numpy``: nn_model on NumPy arrays in this process (its BLAS on every core);
- ``dask threads``: nn_model on a dask array with dask's local scheduler (no Client);
- ``LocalCluster``: nn_model on a dask array persisted on a LocalCluster of 2 worker processes,
  1 thread each (dask gives each worker one BLAS thread).
Before a row is timed its parameters after 3 steps are compared with NumPy's (rtol 1e-10); a row
that disagrees is WRONG and not timed. A step's time is (T(n2) - T(n1)) / (n2 - n1) of two runs of
n2 and n1 iterations, so the one-time work (checks, persisting, the parameters' first trip) is left
out; it is shown apart as setup. Rows are timed in interleaved rounds (median shown). Ratios are
time(row) / time(numpy).

Mini-batch Adam epochs on the cluster: the course's shuffle (every batch gathered from all chunks)
against the per-chunk shuffle (``shuffle="chunks"``), beside NumPy in one process.

Also measured, for the scale model in benchmarks/README.md: the scheduler's cost per task (a graph of
no-op tasks), one chunk's compute time, the bytes a step moves. And out of core: a data set larger
than the workers' memory limits (set low) trains from Zarr on disk, compared with the same steps in
memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dask  # noqa: E402
import dask.array as da  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

import backend_nn as bnn  # noqa: E402
from backend_nn import chunked  # noqa: E402
from implementations import positive_int, results_file  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def problem(n_x, m, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    w = rng.standard_normal((1, n_x))
    Y = ((w @ X + 0.5 * rng.standard_normal((1, m))) > 0).astype(np.float64)
    return X, Y


def train(X, Y, n_h, n):
    t = time.perf_counter()
    p, _ = bnn.nn_model(X, Y, n_h, num_iterations=n, cost_every=max(1, n))
    return time.perf_counter() - t, p


def close(p, q):
    return all(np.allclose(np.asarray(q[k]), p[k], rtol=1e-10, atol=1e-12) for k in p)


def enough_steps(run, n1, n2, at_least=1.0):
    """n2, raised (up to 5000) until T(n2) - T(n1) takes about ``at_least`` seconds. The step's time is
    guessed from the difference of two runs, or, where noise makes that difference (nearly) nothing,
    from T(n2) / n2 (an overestimate: it holds the setup too), so a noisy guess never asks for 5000 steps."""
    t1, t2 = run(n1), run(n2)
    guess = (t2 - t1) / (n2 - n1)
    if guess < t2 / n2 / 10:
        guess = t2 / n2
    return max(n2, min(5000, n1 + int(at_least / max(guess, 1e-6))))


def step_time(run, n1, n2, rounds):
    """median over rounds of (T(n2) - T(n1)) / (n2 - n1), and the median setup T(n1) - n1 * step."""
    steps, setups = [], []
    for _ in range(rounds):
        t1 = run(n1)
        t2 = run(n2)
        s = (t2 - t1) / (n2 - n1)
        steps.append(s)
        setups.append(t1 - n1 * s)
    return statistics.median(steps), statistics.median(setups)


def compare(n_x, m, n_h, chunk, client, *, n1, n2, rounds, log, at_least=1.0):
    """numpy / dask threads / LocalCluster at one size: {row: (step s, setup s)}."""
    X, Y = problem(n_x, m)
    ref3 = train(X, Y, n_h, 3)[1]
    Xd, Yd = da.from_array(X, chunks=(-1, chunk)), da.from_array(Y, chunks=(-1, chunk))
    with client.as_current():
        Xc, Yc = client.persist([Xd, Yd])
    rows = {
        "numpy": lambda n: train(X, Y, n_h, n)[0],
        "dask threads": lambda n: train(Xd, Yd, n_h, n)[0],
    }

    def on_cluster(n):
        with client.as_current():
            return train(Xc, Yc, n_h, n)[0]

    rows["LocalCluster"] = on_cluster
    wrong = []
    for name in ("dask threads", "LocalCluster"):
        if name == "LocalCluster":
            with client.as_current():
                ok = close(ref3, train(Xc, Yc, n_h, 3)[1])
        else:
            ok = close(ref3, train(Xd, Yd, n_h, 3)[1])
        if not ok:
            log(f"  {name}: WRONG (parameters after 3 steps differ from NumPy's): not timed")
            rows.pop(name)
            wrong.append(name)
    out = {name: [] for name in rows}
    n2s = {name: enough_steps(run, n1, n2, at_least) for name, run in rows.items()}
    for _ in range(rounds):  # interleaved
        for name, run in rows.items():
            out[name].append(step_time(run, n1, n2s[name], 1))
    res = {name: (statistics.median(s for s, _ in v), statistics.median(u for _, u in v)) for name, v in out.items()}
    base = res["numpy"][0]
    log(f"n_x = {n_x}, m = {m:,}, n_h = {n_h}, float64, chunks of {chunk:,} ({-(-m // chunk)} chunks)")
    log(f"  {'row':<14} {'ms / step':>10} {'ratio':>7} {'setup s':>8}")
    for name, (s, u) in res.items():
        log(f"  {name:<14} {s * 1e3:>10.2f} {s / base:>7.2f} {u:>8.2f}")
    return {**{name: {"step_s": s, "setup_s": u, "ratio": s / base} for name, (s, u) in res.items()},
            **{name: {"status": "WRONG"} for name in wrong}}


def mini_batch(n_x, m, n_h, chunk, batch, client, *, rounds, log):
    """Adam epochs over mini-batches on the LocalCluster, the course's shuffle against the per-chunk one,
    beside NumPy in one process (the course's shuffle): {row: epoch s}."""
    X, Y = problem(n_x, m)
    dims = [n_x, n_h, 1]
    kw = dict(learning_rate=0.001, mini_batch_size=batch, print_cost=False, activation="tanh")

    def fit(X, Y, epochs, **more):
        t = time.perf_counter()
        p, _ = bnn.model(X, Y, dims, "adam", num_epochs=epochs, **kw, **more)
        return time.perf_counter() - t, p

    Xd, Yd = da.from_array(X, chunks=(-1, chunk)), da.from_array(Y, chunks=(-1, chunk))
    with client.as_current():
        Xc, Yc = client.persist([Xd, Yd])
        same = close(fit(X, Y, 1)[1], fit(Xc, Yc, 1)[1])

    def on_cluster(shuffle):
        def run(n):
            with client.as_current():
                return fit(Xc, Yc, n, shuffle=shuffle)[0]
        return run

    rows = {"numpy (course shuffle)": lambda n: fit(X, Y, n)[0],
            "LocalCluster, course shuffle": on_cluster("course"),
            "LocalCluster, per chunk": on_cluster("chunks")}
    times = {name: [] for name in rows}
    for _ in range(rounds):  # interleaved
        for name, run in rows.items():
            times[name].append(step_time(run, 1, 3, 1)[0])
    res = {name: statistics.median(v) for name, v in times.items()}
    base = res["numpy (course shuffle)"]
    log(f"mini-batch Adam epochs: n_x = {n_x}, m = {m:,}, n_h = {n_h}, batches of {batch}, chunks of {chunk:,}; "
        f"course shuffle on the cluster equals NumPy after an epoch: {same}")
    log(f"  {'row':<30} {'s / epoch':>10} {'ratio':>7}")
    for name, s in res.items():
        log(f"  {name:<30} {s:>10.3f} {s / base:>7.2f}")
    return {name: {"epoch_s": s, "ratio": s / base} for name, s in res.items()} | {"same_as_numpy": bool(same)}


def task_overhead(client, n_tasks=2000):
    """Seconds per no-op task on the cluster (submission, scheduling, the result's trip)."""
    def noop(x):
        return x

    best = float("inf")
    for _ in range(3):
        with client.as_current():
            t = time.perf_counter()
            dask.compute(*[dask.delayed(noop, pure=False)(i) for i in range(n_tasks)])
            best = min(best, (time.perf_counter() - t) / n_tasks)
    return best


def chunk_compute(n_x, chunk, n_h):
    """One chunk's gradients on one thread (threadpoolctl), seconds: the work a task does."""
    from threadpoolctl import threadpool_limits

    from backend_nn.network import Network
    from backend_nn.step import gradients

    X, Y = problem(n_x, chunk)
    net = Network.build([n_x, n_h, 1], "tanh", None)
    p = bnn.initialize_parameters_deep(net.layer_dims, seed=2)
    with threadpool_limits(1):
        gradients(p, X, Y, net=net, xp=np)
        t = time.perf_counter()
        for _ in range(5):
            gradients(p, X, Y, net=net, xp=np)
    return (time.perf_counter() - t) / 5


def _peak_rss(reset=False):
    """This process's peak resident memory in bytes since the last reset (Linux: VmHWM, reset through
    /proc/self/clear_refs), resetting it after reading when asked."""
    with open("/proc/self/status") as f:
        peak = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
    if reset:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    return peak


def out_of_core(n_x, m, n_h, chunk, limit, steps, log):
    """X larger than the workers' memory limits, read from Zarr at each step; compared with NumPy."""
    folder = Path(tempfile.mkdtemp(prefix="backend_nn-zarr-"))
    try:
        rng_chunks = da.random.default_rng(0).standard_normal((n_x, m), chunks=(-1, chunk))
        rng_chunks.to_zarr(str(folder / "X.zarr"))
        Xz = da.from_zarr(str(folder / "X.zarr"))
        w = np.random.default_rng(1).standard_normal((1, n_x))
        Y = (Xz.map_blocks(lambda b: (w @ b > 0).astype(np.float64), chunks=((1,), Xz.chunks[1]), dtype=np.float64))
        Y.to_zarr(str(folder / "Y.zarr"))
        Yz = da.from_zarr(str(folder / "Y.zarr"))
        disk = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=limit,
                          dashboard_address=None, silence_logs=40) as cluster, Client(cluster) as client:
            total_limit = sum(chunked.worker_memory_limits(client).values())
            base = max(client.run(_peak_rss, True).values())
            t = time.perf_counter()
            p_disk, c_disk = bnn.nn_model(Xz, Yz, n_h, num_iterations=steps, cost_every=1)
            t_disk = time.perf_counter() - t
            peak = max(client.run(_peak_rss).values())
        X, Yh = np.asarray(Xz.compute()), np.asarray(Yz.compute())
        t = time.perf_counter()
        p_mem, c_mem = bnn.nn_model(X, Yh, n_h, num_iterations=steps, cost_every=1)
        t_mem = time.perf_counter() - t
        same = close(p_mem, p_disk) and np.allclose(c_disk, c_mem, rtol=1e-10)
        log(f"out of core: X ({n_x}, {m:,}) float64 = {X.nbytes / 2**20:,.0f} MiB ({disk / 2**20:,.0f} MiB of Zarr "
            f"on disk), 2 workers with a {limit} memory limit each ({total_limit / 2**20:,.0f} MiB in all)")
        log(f"  {steps} steps from Zarr in {t_disk:.1f} s; in memory (NumPy) {t_mem:.1f} s; largest worker's peak "
            f"RSS {peak / 2**20:,.0f} MiB (at rest {base / 2**20:,.0f} MiB); same parameters and costs as in memory: "
            f"{same}")
        return {"X_MiB": X.nbytes / 2**20, "zarr_MiB": disk / 2**20, "limit_total_MiB": total_limit / 2**20,
                "steps": steps, "disk_s": t_disk, "memory_s": t_mem, "peak_worker_rss_MiB": peak / 2**20,
                "worker_rss_at_rest_MiB": base / 2**20,
                "same_result": bool(same)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=positive_int, default=5)
    ap.add_argument("--out", type=results_file, default=None)
    args = ap.parse_args(argv)
    if args.quick:
        args.rounds = 1
    at_least = 0.5 if args.quick else 1.0  # seconds of timed steps per row and round
    lines = []

    def log(s=""):
        print(s, flush=True)
        lines.append(s)

    cores = len(os.sched_getaffinity(0))
    log(f"{platform.platform()}; numpy {np.__version__}, dask {dask.__version__}; {cores} cores")
    results = {}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster, set_as_default=False) as client:
        env = dask.config.get("distributed.nanny.pre-spawn-environ")
        log(f"LocalCluster: 2 worker processes x 1 thread; worker env {env}")
        big = (64, 40_000, 32, 5_000) if args.quick else (64, 400_000, 32, 50_000)
        n1, n2 = (2, 6) if args.quick else (4, 16)
        log()
        results["data_bound"] = compare(*big, client, n1=n1, n2=n2, rounds=args.rounds, log=log, at_least=at_least)
        log()
        sweep = {}
        ms = (400, 4_000) if args.quick else (400, 4_000, 40_000, 100_000, 200_000)
        for m in ms:
            sweep[m] = compare(64, m, 32, max(m // 8, 50), client, n1=5 if m < 40_000 else n1,
                               n2=10 if m < 40_000 else n2, rounds=args.rounds, log=log, at_least=at_least)
        log("the flower (n_x = 2, m = 400, n_h = 4), one chunk of 400:")
        Xf, Yf = bnn.load_planar_dataset()
        flower_rows = {}
        for name, data, ctx in (("numpy", (Xf, Yf), None),
                                ("dask threads", (da.from_array(Xf), da.from_array(Yf)), None),
                                ("LocalCluster", (da.from_array(Xf), da.from_array(Yf)), client)):
            def run(n, data=data, ctx=ctx):
                if ctx is None:
                    return train(*data, 4, n)[0]
                with ctx.as_current():
                    return train(*data, 4, n)[0]
            flower_rows[name] = step_time(run, 10, enough_steps(run, 10, 30, at_least), args.rounds)[0]
        for name, s in flower_rows.items():
            log(f"  {name:<14} {s * 1e3:>10.3f} ms / step  ratio {s / flower_rows['numpy']:.1f}")
        sweep["flower"] = flower_rows
        results["sweep"] = {str(k): v for k, v in sweep.items()}
        log()
        per_task = task_overhead(client, 300 if args.quick else 2000)
        n_x, _, n_h, chunk = big
        comp = chunk_compute(n_x, chunk, n_h)
        params = (n_h * n_x + n_h + n_h + 1) * 8
        log(f"model inputs: {per_task * 1e3:.3f} ms per no-op task on the cluster; one chunk of {chunk:,} examples "
            f"computes its gradients in {comp * 1e3:.1f} ms on one thread; parameters {params:,} B (out to each "
            "worker once a step), each chunk's gradients as many bytes back")
        results["model"] = {"per_task_s": per_task, "chunk_compute_s": comp, "chunk": chunk, "param_bytes": params}
        log()
        mb = (16, 4_000, 8, 1_000, 256) if args.quick else (64, 400_000, 32, 50_000, 1024)
        results["mini_batch"] = mini_batch(*mb, client, rounds=min(args.rounds, 3), log=log)
    log()
    if args.quick:
        results["out_of_core"] = out_of_core(16, 200_000, 8, 25_000, "400MB", 3, log)
    else:
        results["out_of_core"] = out_of_core(64, 1_600_000, 32, 50_000, "300MB", 5, log)
    out = args.out or RESULTS / f"dask-{'quick' if args.quick else 'cpu-2core'}.json"
    out.write_text(json.dumps(results, indent=1))
    out.with_suffix(".log").write_text("\n".join(lines) + "\n")
    print(f"wrote {out} and {out.with_suffix('.log')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
