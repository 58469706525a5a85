"""Mini-batch epochs with the data streamed from the host, against the same epochs with the data
already on the backend, side by side in one run (issue 9: data larger than the device).

    python benchmarks/bench_stream.py                 # CPU rows: NumPy, PyTorch (if installed)
    python benchmarks/bench_stream.py --gpu           # the CuPy rows instead: on the device / pinned / generic
    python benchmarks/bench_stream.py --quick         # a tiny size: proves the script works

The problem: (784, 128, 10) softmax, m = 60,000, float32, Adam (lr 0.001), batches 256 and 1024,
``bnn.model`` with the course's shuffle. Rows:

- ``in memory``: X on the backend (``stream=False``): each epoch shuffles a copy of X there;
- ``streamed, host array``: ``stream=True`` from a NumPy (n_x, m) array;
- ``streamed, memory map (rows)``: ``np.load(path, mmap_mode="r").T`` of an (m, n_x) .npy, stored
  example by example (the layout the README recommends); ``(columns)``: an (n_x, m) .npy. The
  file is in the page cache after the first epoch (this measures the gather and the copy, not
  the disk);
- CuPy (``--gpu``): ``pinned``: the default (pinned buffers, a copy stream); ``generic``:
  ``compile=False`` (``to_backend`` from pageable memory; CuPy's epochs are eager either way).

Before it is timed, each row trains one epoch and its parameters are compared with its backend's
``in memory`` row (max relative difference shown; the same batches in the same order). An epoch
is (T(1 + k epochs) - T(1 epoch)) / k, so the checks before training (a pass over X) and the
initialization are not counted; rows run in interleaved rounds, the median shown. ``ratio`` is
time(row) / time(in memory) of the same backend and batch size. ``peak MiB``: the most the
process allocated at once during a 1-epoch run (tracemalloc: NumPy's allocations; for CuPy the
memory pool's bytes), X itself not counted for the memory maps (they are file pages).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import backend_nn as bnn  # noqa: E402
from implementations import positive_int, results_file  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def problem(dims, m, folder: Path):
    rng = np.random.RandomState(0)
    X = rng.rand(dims[0], m).astype(np.float32)
    labels = np.argmax(rng.randn(dims[-1], dims[0]) @ (X - 0.5), axis=0)[None, :]
    np.save(folder / "rows.npy", np.ascontiguousarray(X.T))
    np.save(folder / "cols.npy", X)
    return X, labels


def rows_for(X, folder: Path, gpu: bool):
    """(name, backend, X source, extra options) for every row this machine can run."""
    sources = {
        "host array": X,
        "memory map (rows)": np.load(folder / "rows.npy", mmap_mode="r").T,
        "memory map (columns)": np.load(folder / "cols.npy", mmap_mode="r"),
    }
    if gpu:
        return [("cupy", "in memory", X, {"stream": False}),
                ("cupy", "streamed, host array, pinned", X, {"stream": True}),
                ("cupy", "streamed, memory map (rows), pinned", sources["memory map (rows)"], {"stream": True}),
                ("cupy", "streamed, host array, generic", X, {"stream": True, "compile": False})]
    out = [("numpy", "in memory", X, {"stream": False})]
    out += [("numpy", f"streamed, {k}", v, {"stream": True}) for k, v in sources.items()]
    try:
        import torch  # noqa: F401

        out += [("torch", "in memory", X, {"stream": False}), ("torch", "streamed, host array", X, {"stream": True})]
    except ImportError:
        print("PyTorch is not installed: its rows are skipped")
    return out


def train(backend, X, labels, dims, bs, epochs, options):
    params, _ = bnn.model(X, labels, dims, "adam", learning_rate=0.001, mini_batch_size=bs, num_epochs=epochs,
                          print_cost=False, backend=backend, dtype="float32", cost_every=epochs, **options)
    if backend == "cupy":
        import cupy

        cupy.cuda.Device().synchronize()
    return params


def peak_bytes(backend, X, labels, dims, bs, options) -> int:
    if backend == "cupy":
        import cupy

        pool = cupy.get_default_memory_pool()
        pool.free_all_blocks()
        train(backend, X, labels, dims, bs, 1, options)
        return int(pool.total_bytes())
    tracemalloc.start()
    try:
        train(backend, X, labels, dims, bs, 1, options)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gpu", action="store_true", help="the CuPy rows instead of the CPU ones")
    ap.add_argument("--quick", action="store_true", help="a tiny problem, one round")
    ap.add_argument("--rounds", type=positive_int, default=3)
    ap.add_argument("--out", type=results_file, default=None, help="write the results as JSON here")
    args = ap.parse_args(argv)
    if args.gpu and bnn.cuda_device_count() == 0:  # its GPU rows are CuPy's
        print("--gpu: no CUDA device is counted (CuPy counts 0): no GPU rows to run, nothing written.")
        return 0
    dims, m, batches, k = ([784, 128, 10], 60_000, (256, 1024), 2)
    rounds = args.rounds
    if args.quick:
        dims, m, batches, k, rounds = [20, 8, 3], 600, (64,), 1, 1
    results = {"machine": platform.processor() or platform.machine(), "python": platform.python_version(),
               "numpy": np.__version__, "dims": dims, "m": m, "rows": []}
    print(f"bench_stream: layers {dims}, m = {m}, float32, Adam, {rounds} round(s), epoch = (T(1+{k}) - T(1)) / {k}")
    with tempfile.TemporaryDirectory(prefix="bench_stream-") as tmp:
        folder = Path(tmp)
        X, labels = problem(dims, m, folder)
        rows = rows_for(X, folder, args.gpu)
        for bs in batches:
            base = {}
            checked = []
            for backend, name, src, opt in rows:
                p = train(backend, src, labels, dims, bs, 1, opt)  # warm-up, and the parity check
                p = {key: bnn.to_numpy(v) for key, v in p.items()}
                if name == "in memory":
                    base[backend] = p
                ref = base[backend]
                diff = max(float(np.max(np.abs(p[key] - ref[key])) / max(float(np.max(np.abs(ref[key]))), 1e-30))
                           for key in ref)
                checked.append((backend, name, src, opt, diff))
            times = {i: [] for i in range(len(checked))}
            for _ in range(rounds):
                for i, (backend, name, src, opt, _) in enumerate(checked):
                    t0 = time.perf_counter()
                    train(backend, src, labels, dims, bs, 1, opt)
                    t1 = time.perf_counter()
                    train(backend, src, labels, dims, bs, 1 + k, opt)
                    t2 = time.perf_counter()
                    times[i].append(((t2 - t1) - (t1 - t0)) / k)
            print(f"\nbatch {bs}:")
            print(f"  {'backend':<7} {'row':<38} {'ms/epoch':>9} {'ratio':>6} {'peak MiB':>9} {'max rel diff':>13}")
            mem_time = {}
            for i, (backend, name, src, opt, diff) in enumerate(checked):
                ms = 1e3 * statistics.median(times[i])
                if name == "in memory":
                    mem_time[backend] = ms
                peak = peak_bytes(backend, src, labels, dims, bs, opt) / 2**20
                ratio = ms / mem_time[backend]
                print(f"  {backend:<7} {name:<38} {ms:9.1f} {ratio:6.2f} {peak:9.1f} {diff:13.1e}")
                results["rows"].append({"batch": bs, "backend": backend, "row": name, "ms_per_epoch": ms,
                                        "ratio": ratio, "peak_mib": peak, "max_rel_diff": diff,
                                        "runs_ms": [1e3 * t for t in times[i]]})
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
