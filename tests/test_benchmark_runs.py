"""The benchmark script works (at a tiny size). It asserts no time: benchmarks are not tests."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def quick_run(script: str, tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    """Run benchmarks/<script> --quick (and ``extra``) writing JSON in tmp_path: (the process, the JSON)."""
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick", *extra, "--out", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc, json.loads(out.read_text())


def test_benchmark_quick_run(tmp_path):
    proc, data = quick_run("bench_training.py", tmp_path)
    assert "GPU rows: skipped" in proc.stdout
    rows = {(r["size"], r["impl"]): r for r in data["rows"]}
    for impl in ("plain NumPy (course code)", "backend_nn [numpy]"):
        r = rows[("flower", impl)]
        assert r["status"] == "ok", r
        assert r["us_per_step"] > 0 and r["rel_diff"] <= 1e-9 and r["gflops"] > 0
    # every row is timed, skipped with a reason, or reported as wrong/error -- never silently missing
    assert all(r["status"] in ("ok", "skipped", "WRONG", "error") for r in data["rows"])
    assert all(r.get("why") for r in data["rows"] if r["status"] != "ok")
    assert not any(r["status"] in ("WRONG", "error") for r in data["rows"]), [r for r in data["rows"] if r["status"] != "ok"]
    assert data["peaks"]["cpu/float64"] > 0


def test_deep_benchmark_quick_run(tmp_path):
    proc, data = quick_run("bench_deep.py", tmp_path)
    rows = {r["impl"]: r for r in data["rows"]}
    assert rows["backend_nn [numpy]"]["status"] == "ok" and rows["backend_nn [numpy]"]["rel_diff"] <= 1e-4
    assert all(r["status"] in ("ok", "skipped") for r in rows.values()), rows  # nothing WRONG, nothing broken
    assert all(r.get("why") for r in rows.values() if r["status"] != "ok")
    assert all(r["ms_per_step"] > 0 for r in rows.values() if r["status"] == "ok")


def test_minibatch_benchmark_quick_run(tmp_path):
    proc, data = quick_run("bench_minibatch.py", tmp_path)
    rows = data["rows"]
    ours = [r for r in rows if r["impl"] == "backend_nn [numpy, default]"]
    assert len(ours) == 2 and all(r["status"] == "ok" and r["rel_diff"] <= 1e-7 for r in ours)
    assert [r["path"] for r in ours] == ["numpy replay epochs"] * 2  # the default row says what it ran
    assert all(r["status"] in ("ok", "skipped") for r in rows), [r for r in rows if r["status"] not in ("ok", "skipped")]
    assert all(r.get("why") for r in rows if r["status"] != "ok")


def test_minibatch_benchmark_with_batches_of_a_third_of_m_or_more(tmp_path):
    """The parity check ran 3 batches whatever m held: at m = 512, batch 256 made a third, empty one, and every row
    was an error or WRONG (NaN); a batch above m was the same. Now the check runs the whole batches there are, and
    a batch above m is skipped with a line."""
    proc, data = quick_run("bench_minibatch.py", tmp_path, "--batches", "256", "1024")
    rows = data["rows"]
    assert {r["batch"] for r in rows} == {256}
    assert all(r["status"] in ("ok", "skipped") for r in rows), [r for r in rows if r["status"] not in ("ok", "skipped")]
    assert any(r["status"] == "ok" and r["impl"] == "backend_nn [numpy, default]" for r in rows)
    assert "batch 1024 is more than its m = 512 examples: skipped" in proc.stdout


def test_dask_benchmark_quick_run(tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'backend-nn[dask]')")
    pytest.importorskip("threadpoolctl", reason="threadpoolctl is not installed (the bench extra)")
    proc, data = quick_run("bench_dask.py", tmp_path, "--rounds", "1")
    for size in (data["data_bound"], *[v for k, v in data["sweep"].items() if k != "flower"]):
        assert set(size) == {"numpy", "dask threads", "LocalCluster"}, size  # none WRONG
        # a step time is a difference of two run times, (T(n2) - T(n1)) / (n2 - n1): in a one-round quick run on a
        # busy machine it can come out below 0; the script's job here is to produce one for every row
        assert all(math.isfinite(r["step_s"]) for r in size.values())
    assert data["out_of_core"]["same_result"] is True
    assert data["model"]["per_task_s"] > 0 and data["model"]["chunk_compute_s"] > 0


def test_stream_benchmark_quick_run(tmp_path):
    proc, data = quick_run("bench_stream.py", tmp_path)
    rows = data["rows"]
    numpy_rows = {r["row"]: r for r in rows if r["backend"] == "numpy"}
    assert set(numpy_rows) == {"in memory", "streamed, host array", "streamed, memory map (rows)",
                               "streamed, memory map (columns)"}
    # timings are differences of two noisy runs at this tiny size: finite, not necessarily positive
    assert all(r["max_rel_diff"] <= 1e-6 and np.isfinite(r["ms_per_epoch"]) for r in rows), rows


@pytest.mark.parametrize("script", ["bench_deep.py", "bench_minibatch.py", "bench_stream.py"])
def test_gpu_benchmarks_without_a_gpu_say_so_and_write_nothing(tmp_path, script):
    """bench_deep --gpu crashed in its CuPy GEMM peak (cudaErrorInsufficientDriver where CuPy is installed without
    a driver); bench_minibatch --gpu wrote a results file of CuPy rows in "error"; bench_stream printed empty tables."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from implementations import no_gpu

    if script == "bench_stream.py":
        import backend_nn as bnn

        why = None if bnn.cuda_device_count() else "CuPy counts 0"
    else:
        why = no_gpu()
    if why is None:
        pytest.skip("a CUDA device is counted here: the GPU rows run (pytest -m gpu and benchmarks/run_gpu.sh)")
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--gpu", "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "no GPU rows to run, nothing written." in proc.stdout
    assert not out.exists() and "Traceback" not in proc.stderr


@pytest.mark.parametrize("script, args, message", [
    # each ran: "--repeats 0" to a StatisticsError after its set-up, "--min-time -1" the whole benchmark, a
    # bad --out to a FileNotFoundError once the timings were done (and lost), "--sizes bogus" no size at all
    # (writing an empty results file), "--batches 0" to a ZeroDivisionError, "--rounds 0" with its default
    ("bench_training.py", ["--repeats", "0"], "argument --repeats: expected a positive integer; got 0"),
    ("bench_training.py", ["--min-time", "-1"], "argument --min-time: expected a positive, finite number; got -1"),
    ("bench_training.py", ["--sizes", "bogus"], "argument --sizes: invalid choice: 'bogus'"),
    ("bench_training.py", ["--out", "results"], "argument --out: results is a folder; give a file name in it"),
    ("bench_minibatch.py", ["--batches", "0"], "argument --batches: expected a positive integer; got 0"),
    ("bench_deep.py", ["--rounds", "0"], "argument --rounds: expected a positive integer; got 0"),
])
def test_benchmark_arguments_are_checked_before_the_run(tmp_path, script, args, message):
    (tmp_path / "results").mkdir()
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick", *args],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.stdout == ""  # nothing ran


def test_the_cupy_profile_without_a_gpu_says_so():
    import backend_nn as bnn

    if bnn.cuda_device_count():
        pytest.skip("a CUDA device is counted here: the profile runs (benchmarks/run_gpu.sh profile)")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "profile_cupy_step.py"), "20", "8", "64"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "no CUDA device is counted (CuPy counts 0): nothing to profile." in proc.stdout
    assert "Traceback" not in proc.stderr


def test_the_step_profile_runs_on_the_cpu_and_without_a_gpu_says_so():
    """profile_step.py: the GEMMs alone and both implementations' operators (--cpu); on a machine with no GPU,
    the GPU profile says so in one line."""
    pytest.importorskip("torch")
    import backend_nn as bnn

    script = str(ROOT / "benchmarks" / "profile_step.py")
    proc = subprocess.run([sys.executable, script, "--size", "quick", "--cpu", "--steps", "2", "--top", "3"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    out = proc.stdout
    assert out.count(" = W") + out.count(" = dZ") == 8, out  # Z1..Z3, dW1..dW3, dA1, dA2 of [20, 16, 8, 3]
    assert "sum: this size floor" in out
    assert "backend_nn [torch, no flag: torch lines]:" in out and "PyTorch manual [cpu]:" in out
    assert out.count("aten::mm") == 2, out  # the matrix products are among each side's top operators
    if not bnn.cuda_device_count():
        proc = subprocess.run([sys.executable, script, "--size", "quick"], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0 and "--cpu profiles the PyTorch backend on the CPU instead" in proc.stdout


def test_sweep_picture_tells_every_row_apart():
    """Eleven rows drew two in the same blue (tab10 has ten colours): each row now has its own colour, and
    backend_nn's rows are solid, the peers dashed. The flower alone (no sweep) draws no picture of dots."""
    pytest.importorskip("matplotlib")
    import importlib.util

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    spec = importlib.util.spec_from_file_location("bench_training", ROOT / "benchmarks" / "bench_training.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    names = [f"backend_nn [row {i}]" for i in range(7)] + [f"peer {i}" for i in range(6)]
    rows = [dict(status="ok", n_x=2, n_h=4, dtype="float64", m=m, impl=name, us_per_step=1.0 + i)
            for i, name in enumerate(names) for m in (100, 1000)]
    fig = bench.sweep_figure(rows)
    try:
        lines = fig.axes[0].get_lines()
        assert sorted(line.get_label() for line in lines) == sorted(names)
        assert len({matplotlib.colors.to_hex(line.get_color()) for line in lines}) == len(names)
        assert {line.get_linestyle() for line in lines if line.get_label().startswith("backend_nn")} == {"-"}
        assert {line.get_linestyle() for line in lines if line.get_label().startswith("peer")} == {"--"}
    finally:
        plt.close(fig)
    assert bench.sweep_figure([r for r in rows if r["m"] == 100]) is None
