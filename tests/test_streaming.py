"""Host data streamed to the backend window by window (backend_nn.streaming): the same batches in the
same order as in memory, so the same parameters step by step; memory maps never read whole; the
'auto' rule; bad input as clear errors with nothing changed."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn import streaming
from backend_nn.backend import to_numpy
from conftest import assert_on_backend, course_model


@pytest.fixture
def small_windows(monkeypatch):
    """Windows of about 3 batches of 64 examples of 6 float64 features: several windows an epoch,
    the last one shorter, so window edges, the tail batch and the prefetch all run."""
    monkeypatch.setattr(streaming, "WINDOW_BYTES", 6 * 8 * 64 * 3)


def _need_gpu():
    if bnn.cuda_device_count() == 0:
        pytest.skip("no CUDA GPU: CuPy is not installed or counts 0 CUDA devices")


def _data(m=500, n_x=6, classes=None, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    Y = rng.randint(0, classes, (1, m)) if classes else (rng.rand(1, m) > 0.5) * 1.0
    return X, Y


def _train(X, Y, backend, **kw):
    kw = {"mini_batch_size": 64, "num_epochs": 12, "print_cost": False, "cost_every": 1, **kw}
    return bnn.model(X, Y, kw.pop("dims", [6, 5, 3, 1]), kw.pop("optimizer", "adam"), backend=backend.xp,
                     device=backend.device, **kw)


@pytest.mark.parametrize("optimizer, options", [
    ("gd", {"learning_rate": 0.05}),
    ("momentum", {"learning_rate": 0.05, "lambd": 0.3}),
    ("adam", {"keep_prob": 0.8}),
    ("adam", {"dims": [6, 5, 3], "output": "softmax", "labels": 3}),
])
def test_streamed_training_equals_in_memory_step_by_step(backend, small_windows, optimizer, options):
    options = dict(options)
    X, Y = _data(classes=options.pop("labels", None))
    X0, Y0 = X.copy(), Y.copy()
    p_mem, c_mem = _train(X, Y, backend, optimizer=optimizer, stream=False, **options)
    p_str, c_str = _train(X, Y, backend, optimizer=optimizer, stream=True, **options)
    for k in p_mem:
        assert_on_backend(p_str[k], backend, dtype=backend.xp.float64)
        # the same operations on the same batches: the same bits
        np.testing.assert_array_equal(to_numpy(p_str[k]), to_numpy(p_mem[k]), err_msg=k)
    # the epoch's cost is summed window by window: the same terms, added in another order
    np.testing.assert_allclose(c_str, c_mem, rtol=1e-13)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)


def test_streamed_training_equals_the_courses_loop(small_windows):
    X, Y = _data()
    ref, ref_costs = course_model(X, Y, [6, 5, 3, 1], "adam", 0.0007, 64, 201)
    p, costs = bnn.model(X, Y, [6, 5, 3, 1], "adam", num_epochs=201, print_cost=False, stream=True)
    for k in ref:
        np.testing.assert_allclose(p[k], ref[k], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(costs, ref_costs, rtol=1e-10)


@pytest.mark.parametrize("layout", ["columns", "rows"])
def test_a_memory_mapped_npy_streams_in_either_layout(tmp_path, small_windows, layout):
    """uint8 data (as images are stored), cast window by window: an (n_x, m) file, or an (m, n_x) file
    (example by example) passed as its .T."""
    rng = np.random.RandomState(1)
    X8 = rng.randint(0, 256, (6, 500)).astype(np.uint8)
    Y = (X8[:1] > 127) * 1
    path = tmp_path / "X.npy"
    np.save(path, X8 if layout == "columns" else np.ascontiguousarray(X8.T))
    mapped = np.load(path, mmap_mode="r")
    X = mapped if layout == "columns" else mapped.T
    assert isinstance(X, np.memmap)
    kw = dict(mini_batch_size=64, num_epochs=5, print_cost=False, dtype="float32")
    p_mem, c_mem = bnn.model(X8.astype(np.float32) / 255, Y, [6, 4, 1], "adam", **kw, stream=False)
    p_str, c_str = bnn.model(X, Y, [6, 4, 1], "adam", **kw, stream=True)
    # the same inputs up to the scale, which the first layer's weights absorb: compare with X scaled
    p_ref, _ = bnn.model(X8.astype(np.float32), Y, [6, 4, 1], "adam", **kw, stream=False)
    for k in p_ref:
        assert p_str[k].dtype == np.float32
        np.testing.assert_allclose(p_str[k], p_ref[k], rtol=2e-6, atol=1e-7, err_msg=k)
    assert p_mem.keys() == p_str.keys()


def test_a_memory_map_is_never_read_whole(tmp_path, monkeypatch):
    """Out of core: the process allocates about two windows (and a block of the checks before training),
    never X (8 MB here) or its shuffle."""
    monkeypatch.setattr(streaming, "WINDOW_BYTES", 2**18)
    monkeypatch.setattr(streaming, "CHECK_BYTES", 2**18)
    rng = np.random.RandomState(2)
    path = tmp_path / "big.npy"
    big = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(20_000, 50))
    big[:] = rng.randn(20_000, 50)
    del big
    X = np.load(path, mmap_mode="r").T  # (50, 20_000): 8 MB, example by example on disk
    Y = (np.asarray(X[:1]) > 0) * 1.0
    kw = dict(mini_batch_size=256, num_epochs=2, print_cost=False, stream=True)
    bnn.model(X[:, :1000], Y[:, :1000], [50, 8, 1], "adam", **kw)  # the modules a first run imports, first
    tracemalloc.start()
    try:
        bnn.model(X, Y, [50, 8, 1], "adam", **kw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / 4, f"peak {peak / 2**20:.1f} MiB for {X.nbytes / 2**20:.1f} MiB of X"


def test_auto_streams_what_would_not_fit(monkeypatch, caplog, small_windows):
    X, Y = _data()
    kw = dict(mini_batch_size=64, num_epochs=2, print_cost=False)
    with caplog.at_level(logging.INFO, logger="backend_nn"):
        bnn.model(X, Y, [6, 3, 1], "adam", **kw)
    assert "streamed" not in caplog.text  # fits: in memory
    caplog.clear()
    monkeypatch.setattr(streaming, "free_memory_of", lambda xp, device=None: X.nbytes)  # X and a shuffled copy: no
    with caplog.at_level(logging.INFO, logger="backend_nn"):
        p_auto, _ = bnn.model(X, Y, [6, 3, 1], "adam", **kw)
    assert "streamed from the host (to_backend)" in caplog.text
    p_mem, _ = bnn.model(X, Y, [6, 3, 1], "adam", **kw, stream=False)
    for k in p_mem:
        np.testing.assert_array_equal(p_auto[k], p_mem[k])
    # full batch needs all of X at once: auto does not stream it
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="backend_nn"):
        bnn.nn_model(X, Y, 3, num_iterations=2, optimizer="adam", learning_rate=0.01)
    assert "streamed" not in caplog.text


def test_front_doors_stream_too(backend, small_windows):
    X, Y = _data(classes=3)
    common = dict(batch_size=64, optimizer="momentum", backend=backend.xp, device=backend.device)
    runs = {
        "nn_model": lambda stream: bnn.nn_model(X, Y, [5, 4], 6, learning_rate=0.05, stream=stream, **common),
        "L_layer_model": lambda stream: bnn.L_layer_model(X, Y, [6, 5, 3], 0.05, 6, stream=stream, **common),
    }
    for name, fit in runs.items():
        p_mem, c_mem = fit(False)
        p_str, c_str = fit(True)
        for k in p_mem:
            np.testing.assert_array_equal(to_numpy(p_str[k]), to_numpy(p_mem[k]), err_msg=f"{name} {k}")
        np.testing.assert_allclose(c_str, c_mem, rtol=1e-13)


def test_streamed_training_resumes(tmp_path, small_windows):
    X, Y = _data()
    kw = dict(mini_batch_size=64, print_cost=False, stream=True)
    whole, _ = bnn.model(X, Y, [6, 4, 1], "adam", num_epochs=8, **kw)
    half, _ = bnn.model(X, Y, [6, 4, 1], "adam", num_epochs=4, **kw)
    bnn.save_model(tmp_path / "m.npz", half, with_training_state=True)
    rest, _ = bnn.model(X, Y, [6, 4, 1], "adam", num_epochs=4, parameters=bnn.load_model(tmp_path / "m.npz"), **kw)
    for k in whole:
        np.testing.assert_array_equal(rest[k], whole[k])


def test_streamed_windows_run_the_backends_compiled_epoch(caplog, small_windows):
    pytest.importorskip("jax")
    X, Y = _data()
    backend = type("B", (), {"xp": bnn.get_namespace("jax"), "device": None})()
    with caplog.at_level(logging.INFO, logger="backend_nn"):
        p_str, _ = _train(X, Y, backend, stream=True)
    assert "streamed from the host (to_backend), jax.jit epochs" in caplog.text
    p_mem, _ = _train(X, Y, backend, stream=False)
    for k in p_mem:
        np.testing.assert_allclose(to_numpy(p_str[k]), to_numpy(p_mem[k]), rtol=1e-12, atol=1e-15)


def test_gather_reads_columns_in_order_without_copying_x():
    rng = np.random.RandomState(3)
    X = rng.randn(4, 50)
    cols = rng.permutation(50)[:17]
    for source in (X, np.asfortranarray(X), X[:, ::1], np.ascontiguousarray(X.T).T, X[::-1][::-1]):
        got = streaming.gather(source, cols, np.dtype(np.float32))
        np.testing.assert_array_equal(got, X[:, cols].astype(np.float32))
        out = np.empty(streaming.gather_shape(source, 17), np.float64)
        got = streaming.gather(source, cols, np.dtype(np.float64), out=out)
        assert np.shares_memory(got, out)
        np.testing.assert_array_equal(got, X[:, cols])


@pytest.mark.parametrize("threads", [2, 3, 8])
def test_a_gather_in_pieces_on_threads_writes_the_same_bytes(threads, monkeypatch, tmp_path):
    """The pinned transfer's gather (threads=gather_threads()): every layout, a cast, a memory map, a window
    with fewer rows than threads, an out buffer; the same bytes as one thread's."""
    monkeypatch.setattr(streaming, "SPLIT_ELEMENTS", 64)  # small arrays, split as a window would be
    rng = np.random.RandomState(4)
    X = rng.randn(7, 300)
    np.save(tmp_path / "rows.npy", np.ascontiguousarray(X.T))
    cols = rng.permutation(300)[:211]
    sources = (X, X.astype(np.float32), np.asfortranarray(X), np.ascontiguousarray(X.T).T, X[:, ::1][::-1][::-1],
               np.load(tmp_path / "rows.npy", mmap_mode="r").T, X[:2])
    for source in sources:
        for dt in (np.dtype(np.float32), np.dtype(np.float64)):
            want = streaming.gather(source, cols, dt)
            got = streaming.gather(source, cols, dt, threads=threads)
            assert got.flags.c_contiguous == want.flags.c_contiguous and got.dtype == dt
            np.testing.assert_array_equal(got, np.asarray(source)[:, cols].astype(dt))
            out = np.full(streaming.gather_shape(source, cols.size), np.nan, dt)
            assert np.shares_memory(streaming.gather(source, cols, dt, out=out, threads=threads), out)
            np.testing.assert_array_equal(out.T if streaming.rows_layout(source) else out, want)
    assert 1 <= streaming.gather_threads() <= 8


_FORKED_GATHER = """
import os, signal, threading
import numpy as np
from backend_nn import streaming
streaming.SPLIT_ELEMENTS = 10
X, cols = np.random.RandomState(5).rand(8, 100), np.arange(99, -1, -2)
want = streaming.gather(X, cols, np.dtype(np.float64), threads=8)
pool = streaming._pool()
everyone = threading.Barrier(pool._max_workers)  # all its threads made (a pool may make fewer), then idle
for done in [pool.submit(everyone.wait) for _ in range(pool._max_workers)]:
    done.result(timeout=20)
pid = os.fork()
if pid == 0:
    code = 1
    try:
        signal.alarm(20)  # a hang ends the child (SIGALRM)
        code = 0 if np.array_equal(streaming.gather(X, cols, np.dtype(np.float64), threads=8), want) else 2
    finally:
        os._exit(code)
_, status = os.waitpid(pid, 0)
raise SystemExit(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")
def test_a_forked_child_gathers_on_threads_of_its_own():
    """The gather's thread pool in a child forked after it ran: the child has none of its threads, and a
    pool carried over waited for them forever (a plain ThreadPoolExecutor does). In a process of its own:
    pytest's has JAX's and PyTorch's threads, which a fork does not take along either."""
    proc = subprocess.run([sys.executable, "-c", _FORKED_GATHER], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])


def test_a_window_gathered_from_rows_reaches_the_backend_without_a_host_copy(backend):
    """A window gathered from an example-by-example X is column-major; to_backend makes host data
    C-contiguous for other libraries, a host copy of every window (1.4x the epoch on PyTorch). It goes
    as its C-contiguous transpose and is transposed on the backend, with the same values."""
    rng = np.random.RandomState(4)
    X = np.ascontiguousarray(rng.randn(50, 6)).T  # (n_x, m) = (6, 50), stored example by example
    Y = (rng.rand(1, 50) > 0.5) * 1.0
    cols = rng.permutation(50)[:17]
    host = streaming.HostData(X, backend.xp, backend.device, backend.xp.float64)
    transfer = streaming.GenericTransfer(host, Y, 17)
    copies, real = [], streaming.to_backend

    def to_backend(a, *args, **kw):
        copies.append(a.flags.c_contiguous)
        return real(a, *args, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(streaming, "to_backend", to_backend)
        Xw, Yw, _ = transfer.put(X, Y, cols)
    assert copies == [True, True]  # what to_backend is handed needs no copy to be C-contiguous
    assert_on_backend(Xw, backend)
    np.testing.assert_array_equal(to_numpy(Xw), X[:, cols])
    np.testing.assert_array_equal(to_numpy(Yw), Y[:, cols])


def test_windows_hold_whole_batches():
    slices = bnn.batches.batch_slices(500, 64)
    spans = streaming.windows(slices, 150)
    assert [(a, b) for a, b, _ in spans] == [(0, 192), (192, 384), (384, 500)]
    assert spans[-1][2] == (slice(0, 64), slice(64, 116))
    assert [(a, b) for a, b, _ in streaming.windows(slices, 10)] == [(s.start, s.stop) for s in slices]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_auto_counts_the_memory_a_run_and_a_prediction_need(monkeypatch, tmp_path, dtype):
    """'auto' streams where what it counts exceeds the backend's free memory, and not where it fits exactly: a run
    needs X and Y in the training dtype and their shuffled copy (host float64 X used in place by NumPy counts once);
    a prediction needs each layer's Z and A for every column, and X unless NumPy uses it in place."""
    X, Y = _data()  # (6, 500) float64, Y (1, 500)
    free: list = [None]
    monkeypatch.setattr(streaming, "free_memory_of", lambda xp, device=None: free[0])
    size = np.dtype(dtype).itemsize
    in_place = dtype == "float64"
    mapped = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=X.dtype, shape=X.shape)
    mapped[...] = X
    one_hot = np.eye(3)[:, np.arange(500) % 3]
    for Yh, n_y in [(Y, 1), (Y.ravel(), 1), (one_hot, 3)]:  # one label per example, or K one-hot rows
        run = size * 500 * (6 + n_y) * (1 if in_place else 2)
        for Xh, need in [(X, run), (mapped, size * 500 * (6 + n_y) * 2)]:
            for free[0], streams in [(None, False), (need, False), (need - 1, True)]:
                assert streaming.wanted("auto", Xh, Yh, np, dtype=dtype, device=None, batch_size=64) is streams
            # full batch needs all of X at once: never streamed
            assert streaming.wanted("auto", Xh, Yh, np, dtype=dtype, device=None, batch_size=None) is False
    layers = size * 500 * 2 * (5 + 3)
    monkeypatch.setattr(streaming, "WINDOW_BYTES", size * 6 * 100)  # windows of 100 columns
    for Xh, need in [(X, layers + (0 if in_place else size * 500 * 6)), (mapped, layers + size * 500 * 6)]:
        for free[0], windows in [(None, False), (need, False), (need - 1, True)]:
            assert streaming.predicts_in_windows(Xh, np, dtype=dtype, device=None, layer_dims=[6, 5, 3]) is windows
    # where one window would be all of X, windows save nothing: not asked for, whatever the memory (nor read)
    monkeypatch.setattr(streaming, "WINDOW_BYTES", size * 6 * 500)
    free[0] = 0
    assert streaming.predicts_in_windows(X, np, dtype=dtype, device=None, layer_dims=[6, 5, 3]) is False
    for other in (X.tolist(), X[0], X[None]):  # a list, a 1-D or a 3-D X: one piece, whose checks say what is wrong
        assert streaming.predicts_in_windows(other, np, dtype=dtype, device=None, layer_dims=[6, 5, 3]) is False
    assert streaming.rows_layout(np.asfortranarray(X))  # an (m, n_x) file's .T: examples stored one by one
    assert not any(streaming.rows_layout(a) for a in (X, X[:, ::2], X[:, :1].copy()))  # by rows, gapped, both


# --- bad input: clear errors, nothing changed ------------------------------------------------------------
def test_stream_true_needs_host_data_and_batches():
    X, Y = _data()
    with pytest.raises(ValueError, match=r"stream=True streams mini-batches: give batch_size="):
        bnn.nn_model(X, Y, 3, num_iterations=2, stream=True)
    with pytest.raises(ValueError, match=r"stream must be 'auto' .*; got 'yes'"):
        bnn.model(X, Y, [6, 3, 1], "adam", num_epochs=1, print_cost=False, stream="yes")
    strict = pytest.importorskip("array_api_strict")
    with pytest.raises(ValueError, match=r"stream=True streams host data .*X is a array_api_strict"):
        bnn.model(strict.asarray(X), strict.asarray(Y), [6, 3, 1], "adam", num_epochs=1, print_cost=False,
                  stream=True)


def test_streamed_data_are_checked_before_training(tmp_path):
    X, Y = _data()
    bad = X.copy()
    bad[2, 7] = np.nan
    bad[0, 400] = np.inf
    bad0 = bad.copy()
    kw = dict(num_epochs=1, print_cost=False, stream=True)
    with pytest.raises(ValueError, match=r"X must be finite; it holds 2 NaN or inf value\(s\)"):
        bnn.model(bad, Y, [6, 3, 1], "adam", **kw)
    np.testing.assert_array_equal(bad, bad0)
    huge = X * 1e300
    with pytest.raises(ValueError, match=r"beyond the range of float32 \(largest \|x\| = "):
        bnn.model(huge, Y, [6, 3, 1], "adam", dtype="float32", **kw)
    with pytest.raises(ValueError, match=r"did you mean X.T\?"):
        bnn.model(X.T, Y, [6, 3, 1], "adam", **kw)
    with pytest.raises(ValueError, match=r"layers_dims\[0\] = 5 must be n_x"):
        bnn.model(X, Y, [5, 3, 1], "adam", **kw)
    with pytest.raises(TypeError, match=r"X must hold real numbers; got dtype complex128"):
        bnn.model(X.astype(complex), Y, [6, 3, 1], "adam", **kw)
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.2"):
        bnn.model(X, Y * 3, [6, 3, 3], "adam", **kw)


@pytest.mark.gpu
def test_gpu_pinned_transfer_equals_the_generic_one(small_windows, monkeypatch):
    """CuPy: the pinned buffers and copy stream (compile='auto', which takes CUDA graph epochs a window) against
    the generic to_backend transfer (compile=False: eager epochs, generic copies), and against NumPy. The graphs'
    kernels sum in another order than the eager lines (measured on an H100: 1 ulp in b1), so round-off apart.
    Each window of X is gathered in pieces on threads, as a large one is."""
    _need_gpu()
    monkeypatch.setattr(streaming, "SPLIT_ELEMENTS", 64)
    X, Y = _data()
    for layout in (X, np.ascontiguousarray(X.T).T):
        kw = dict(mini_batch_size=64, num_epochs=6, print_cost=False, stream=True, backend="cupy")
        pinned, c1 = bnn.model(layout, Y, [6, 5, 3, 1], "adam", **kw)
        generic, c2 = bnn.model(layout, Y, [6, 5, 3, 1], "adam", **kw, compile=False)
        graphs, c4 = bnn.model(layout, Y, [6, 5, 3, 1], "adam", **kw, compile=True)  # CUDA graph epochs a window
        host, c3 = bnn.model(layout, Y, [6, 5, 3, 1], "adam", mini_batch_size=64, num_epochs=6, print_cost=False)
        for k in host:
            np.testing.assert_allclose(to_numpy(pinned[k]), to_numpy(generic[k]), rtol=1e-12, atol=1e-15, err_msg=k)
            np.testing.assert_allclose(to_numpy(pinned[k]), to_numpy(graphs[k]), rtol=1e-12, atol=1e-15, err_msg=k)
            np.testing.assert_allclose(to_numpy(pinned[k]), host[k], rtol=1e-10, atol=1e-13, err_msg=k)
            np.testing.assert_allclose(to_numpy(graphs[k]), host[k], rtol=1e-10, atol=1e-13, err_msg=k)



@pytest.mark.gpu
def test_choice_names_the_transfer_where_a_gpu_is_counted(caplog, small_windows):
    _need_gpu()
    X, Y = _data()
    with caplog.at_level(logging.INFO, logger="backend_nn"):
        bnn.model(X, Y, [6, 3, 1], "adam", num_epochs=1, print_cost=False, stream=True, backend="cupy")
    assert "streamed from the host (pinned buffers, copy stream)" in caplog.text


def test_a_shuffle_that_does_not_fit_says_how_to_stream(monkeypatch):
    def no_room(*args, **kwargs):
        raise MemoryError("Unable to allocate 1.46 GiB for an array with shape (784, 500000)")

    monkeypatch.setattr(bnn.batches, "shuffled", no_room)
    X, Y = _data()
    with pytest.raises(MemoryError, match=r"Unable to allocate 1\.46 GiB .*stream=True keeps X on the host"):
        bnn.model(X, Y, [6, 3, 1], "adam", num_epochs=1, print_cost=False, stream=False)


def test_host_data_of_any_kind_stream(small_windows):
    X, Y = _data()
    kw = dict(mini_batch_size=64, num_epochs=2, print_cost=False)
    p_ref, _ = bnn.model(X, Y, [6, 3, 1], "adam", **kw, stream=False)
    for Xh in (X.tolist(), np.ma.masked_array(X, mask=np.zeros_like(X, bool))):
        p, _ = bnn.model(Xh, Y.tolist(), [6, 3, 1], "adam", **kw, stream=True)
        for k in p_ref:
            np.testing.assert_array_equal(p[k], p_ref[k])
    masked = np.ma.masked_array(X, mask=np.zeros_like(X, bool))
    masked[1, 3] = np.ma.masked
    with pytest.raises(ValueError, match=r"masked array with 1 masked cell\(s\)"):
        bnn.model(masked, Y, [6, 3, 1], "adam", **kw, stream=True)


def test_predict_goes_window_by_window_where_x_would_not_fit(backend, monkeypatch, small_windows):
    X, Y = _data(classes=3)
    params, _ = bnn.model(X, Y, [6, 5, 3], "adam", num_epochs=3, print_cost=False, backend=backend.xp,
                          device=backend.device)
    whole = to_numpy(bnn.predict_output(params, X))
    labels = to_numpy(bnn.predict(params, X))
    calls = []
    real = streaming.forward_in_windows
    monkeypatch.setattr(streaming, "free_memory_of", lambda xp, device=None: X.nbytes // 2)
    monkeypatch.setattr(streaming, "forward_in_windows", lambda *a, **k: calls.append(1) or real(*a, **k))
    AL = bnn.predict_output(params, X)
    assert calls, "predicted in one piece"
    assert_on_backend(AL, backend, dtype=backend.xp.float64)
    np.testing.assert_allclose(to_numpy(AL), whole, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(to_numpy(bnn.predict(params, X)), labels)
    with pytest.raises(ValueError, match=r"did you mean X.T\?"):
        bnn.predict(params, np.ascontiguousarray(X.T))
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"X must be finite; it holds 1 NaN"):
        bnn.predict(params, bad)


class _StandInCupy:
    """Just enough of cupy / cupyx for PinnedTransfer, on NumPy, logging what touches the streams: the
    slots' bookkeeping (which event guards which buffer) is then checked where no GPU is counted."""

    class Array(np.ndarray):
        def set(self, host, stream=None):
            assert isinstance(host, np.ndarray) and host.shape == self.shape and host.dtype == self.dtype
            assert host.flags.c_contiguous and self.flags.c_contiguous, "set() copies contiguous buffers"
            self[...] = host
            _StandInCupy.log.append(("copy", stream.name, host.ctypes.data))

    class Event:
        def __init__(self, name):
            self.name = name

        def synchronize(self):
            _StandInCupy.log.append(("host waits", self.name))

    class Stream:
        def __init__(self, name="copy", non_blocking=False):
            self.name, self.n = name, 0

        def record(self):
            self.n += 1
            return _StandInCupy.Event(f"{self.name}#{self.n}")

        def wait_event(self, event):
            _StandInCupy.log.append((f"{self.name} waits", event.name))

    class Device:
        def __init__(self, device=None):
            self.id = 0 if device is None else device

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    log: list = []

    def __init__(self):
        compute = self.Stream("compute")
        self.cuda = type("cuda", (), {"Stream": self.Stream, "Device": self.Device,
                                      "get_current_stream": staticmethod(lambda: compute)})

    def empty(self, shape, dtype):
        return np.empty(shape, dtype).view(self.Array)

    def empty_pinned(self, shape, dtype):
        return np.empty(shape, dtype)


@pytest.mark.parametrize("layout", ["columns", "rows"])
def test_pinned_transfer_guards_each_slot_with_events(monkeypatch, layout):
    import sys

    from backend_nn.accelerate.cupy_stream import PinnedTransfer

    fake = _StandInCupy()
    _StandInCupy.log = []
    monkeypatch.setitem(sys.modules, "cupy", fake)
    monkeypatch.setitem(sys.modules, "cupyx", fake)
    X, Y = _data(m=100)
    Xh = X if layout == "columns" else np.ascontiguousarray(X.T).T
    Yf = np.ascontiguousarray((np.arange(2)[:, None] == Y).astype(np.float32))
    data = streaming.HostData(Xh, None, 0, np.float32)
    transfer = PinnedTransfer(data, Yf, 40)
    assert transfer.threads == streaming.gather_threads()
    # the device the data go to: named by number or as CuPy's Device, else the current one
    for device, where in ((1, 1), (_StandInCupy.Device(2), 2), (None, 0)):
        assert PinnedTransfer(streaming.HostData(Xh, None, device, np.float32), Yf, 40).device_id == where
    monkeypatch.setattr(streaming, "SPLIT_ELEMENTS", 16)  # each window of X gathered in pieces, on threads
    transfer.threads = 3
    order = np.random.RandomState(0).permutation(100)
    got = []
    for a, b in ((0, 40), (40, 80), (80, 100)):  # three windows through two slots, the last one narrower
        cols = order[a:b]
        Xw, Yw, slot = transfer.put(Xh, Yf, cols)
        np.testing.assert_array_equal(Xw, X[:, cols].astype(np.float32))
        np.testing.assert_array_equal(Yw, Yf[:, cols])
        assert Xw.shape == (6, b - a)
        slot.ready()
        slot.done()
        got.append(slot)
    assert got[0] is got[2] and got[0] is not got[1]
    log = _StandInCupy.log
    # the compute stream waits (on the GPU) for each window's copy before its steps
    assert [e[1] for e in log if e[0] == "compute waits"] == ["copy#1", "copy#2", "copy#3"]
    # the third window reuses slot 0: its copies (X and Y, the last two) come after the copy stream waited for
    # the steps that read slot 0 (compute#1, recorded after them) and the host for the copy out of its buffer
    copies = [i for i, e in enumerate(log) if e[0] == "copy"]
    assert len(copies) == 6
    assert log.index(("copy waits", "compute#1")) < copies[-2]
    assert log.index(("host waits", "copy#1")) < copies[-2]
    assert ("copy waits", "compute#2") not in log  # slot 1 was not reused


def test_the_next_epochs_first_window_is_fetched_ahead_and_dropped_when_the_seed_differs(monkeypatch):
    from backend_nn.batches import batch_slices, permutation

    X, Y = _data(m=300)
    Yf = np.ascontiguousarray(Y.astype(np.float64))
    data = streaming.HostData(X, bnn.get_namespace("numpy"), None, np.float64)
    puts, seen = [], []

    class Recording(streaming.GenericTransfer):
        def put(self, X_, Y_, cols):
            puts.append(cols.copy())
            return super().put(X_, Y_, cols)

    def inner(window_slices):
        def run(params, state, Xw, Yw, lr):
            seen.append(np.asarray(Xw).copy())
            return params, state, 0.0
        return run

    monkeypatch.setattr(streaming, "WINDOW_BYTES", 6 * 8 * 100)  # windows of 100 columns: three an epoch
    epoch = streaming.host_epochs(inner, slices=batch_slices(300, 50), X=data, Y=Yf, transfer=Recording)
    for seed in (11, 12, 20):  # 12 follows 11: its first window was fetched during epoch 11; 20 does not
        epoch({}, {}, streaming.shuffled(data, Yf, seed)[0], Yf, 0.1)
        np.testing.assert_array_equal(np.concatenate(seen[-3:], axis=1), X[:, permutation(300, seed)])
    # one fetching thread, first in first out: the fetches in the order they were asked for
    import time

    deadline = time.monotonic() + 10
    while len(puts) < 11 and time.monotonic() < deadline:  # the last one (epoch 21's) may still be running
        time.sleep(0.01)
    expected = [permutation(300, s)[a:a + 100] for s in (11,) for a in (0, 100, 200)]
    expected += [permutation(300, 12)[a:a + 100] for a in (0, 100, 200)]  # its first while 11's last trained
    expected += [permutation(300, 13)[:100]]  # fetched ahead for 13, dropped: 20 came
    expected += [permutation(300, 20)[a:a + 100] for a in (0, 100, 200)] + [permutation(300, 21)[:100]]
    assert len(puts) == len(expected)
    for got, want in zip(puts, expected):
        np.testing.assert_array_equal(got, want)
