"""Training on dask arrays (backend_nn.chunked): parity with NumPy float64, step by step, on dask's
local scheduler and on a LocalCluster of two worker processes; lazy chunked prediction; the graph
that does not grow; out of core from Zarr; the errors of a wrong layout.

Tolerances: a chunked step sums the chunks' gradients (each weighted by m_k / m) instead of one
sum over m, so parameters and costs differ from NumPy's by round-off only: rtol 1e-10, atol 1e-12.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="dask is not installed (pip install 'backend-nn[dask]')")
import dask

import backend_nn as bnn
from backend_nn import chunked

RTOL, ATOL = 1e-10, 1e-12


@pytest.fixture(scope="module")
def cluster_client():
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       silence_logs=40)
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(params=["threads", "cluster"])
def scheduler(request):
    """dask's local threads (no Client: the embedded default), or a LocalCluster of 2 processes."""
    if request.param == "threads":
        yield None
    else:
        client = request.getfixturevalue("cluster_client")
        with client.as_current():
            yield client


def _close(p, q):
    assert set(p) == set(q)
    for k in p:
        np.testing.assert_allclose(np.asarray(q[k]), p[k], rtol=RTOL, atol=ATOL, err_msg=k)


@pytest.fixture(scope="module")
def flower():
    return bnn.load_planar_dataset()


def test_nn_model_equals_numpy_step_by_step(flower, scheduler):
    X, Y = flower
    p0, c0 = bnn.nn_model(X, Y, 4, num_iterations=60, cost_every=1)
    Xd, Yd = da.from_array(X, chunks=(-1, 150)), da.from_array(Y, chunks=(-1, 150))  # 150, 150, 100
    p1, c1 = bnn.nn_model(Xd, Yd, 4, num_iterations=60, cost_every=1)
    assert isinstance(p1["W1"], np.ndarray) and p1.network == p0.network
    np.testing.assert_allclose(c1, c0, rtol=RTOL)
    _close(p0, p1)


def test_deep_softmax_equals_numpy(scheduler):
    X, Y = bnn.load_dataset("spiral")
    p0, c0 = bnn.L_layer_model(X, Y, [2, 8, 6, 3], learning_rate=0.5, num_iterations=40, cost_every=1)
    Xd, Yd = da.from_array(X, chunks=(-1, 70)), da.from_array(Y, chunks=(-1, 70))
    p1, c1 = bnn.L_layer_model(Xd, Yd, [2, 8, 6, 3], learning_rate=0.5, num_iterations=40, cost_every=1)
    np.testing.assert_allclose(c1, c0, rtol=RTOL)
    _close(p0, p1)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_mini_batches_equal_numpy(flower, scheduler, optimizer):
    """The course's shuffle across chunks: batches of 64 over chunks of 90 (not aligned), a last
    smaller batch, L2 and dropout too."""
    X, Y = flower
    kw = dict(learning_rate=0.01, mini_batch_size=64, num_epochs=6, print_cost=False, cost_every=1,
              lambd=0.1, keep_prob=0.8)
    p0, c0 = bnn.model(X, Y, [2, 5, 3, 1], optimizer, **kw)
    p1, c1 = bnn.model(da.from_array(X, chunks=(-1, 90)), da.from_array(Y, chunks=(-1, 90)), [2, 5, 3, 1],
                       optimizer, **kw)
    np.testing.assert_allclose(c1, c0, rtol=RTOL)
    _close(p0, p1)
    if optimizer == "adam":
        _close(p0.training_state["v"], p1.training_state["v"])
        assert p1.training_state["t"] == p0.training_state["t"]


def _chunk_batches(chunks):
    """The per-chunk shuffle's batches, written out: the chunks in RandomState(seed)'s order, then each
    chunk's columns in the same generator's next permutation, cut within the chunk."""
    edges = np.cumsum((0, *chunks))

    def batches(seed, m, size):
        rng = np.random.RandomState(seed)
        out = []
        for k in rng.permutation(len(chunks)):
            cols = edges[k] + rng.permutation(chunks[k])
            out.extend(cols[j:j + size] for j in range(0, len(cols), size))
        return out

    return batches


@pytest.mark.parametrize("optimizer, lr", [("gd", 0.3), ("adam", 0.01)])
def test_per_chunk_shuffle_is_its_documented_stream(flower, scheduler, optimizer, lr):
    """shuffle="chunks" against the course's loop in plain NumPy with the per-chunk batches written out:
    chunks of 90, 90, 90, 90, 40 and batches of 64 (each chunk's last is smaller)."""
    from conftest import course_model

    X, Y = flower
    dims = [2, 5, 3, 1]
    ref_p, ref_costs = course_model(X, Y, dims, optimizer, lr, 64, 6, batches=_chunk_batches((90,) * 4 + (40,)))
    Xd, Yd = da.from_array(X, chunks=(-1, 90)), da.from_array(Y, chunks=(-1, 90))
    p, costs = bnn.model(Xd, Yd, dims, optimizer, lr, num_epochs=6, print_cost=False, shuffle="chunks", cost_every=1)
    np.testing.assert_allclose(costs[::100], ref_costs, rtol=RTOL)
    _close(ref_p, p)
    q, _ = bnn.nn_model(Xd, Yd, [5, 3], num_iterations=6, learning_rate=lr, activation="relu", init="he", seed=3,
                        optimizer=optimizer, batch_size=64, shuffle="chunks")
    _close(ref_p, q)


class _CountingSource:
    """An array-like that counts the reads dask makes of it (a stand-in for a store on disk)."""

    def __init__(self, a):
        self.a, self.shape, self.dtype, self.ndim, self.reads = a, a.shape, a.dtype, a.ndim, []

    def __getitem__(self, key):
        self.reads.append(key)
        return self.a[key]


def test_per_chunk_shuffle_with_uneven_chunks_and_dropout(flower):
    """Chunks of 50, 200 and 150 with batches of 64: the first chunk is narrower than a batch, and every
    batch width gets its dropout masks (the widths come from all the chunks, not the first)."""
    X, Y = flower
    Xd = da.from_array(X, chunks=((2,), (50, 200, 150)))
    Yd = da.from_array(Y, chunks=((1,), (50, 200, 150)))
    kw = dict(num_epochs=3, print_cost=False, shuffle="chunks", cost_every=1, mini_batch_size=64)
    p1, c1 = bnn.model(Xd, Yd, [2, 5, 1], "gd", 0.3, keep_prob=0.8, **kw)
    from backend_nn.batches import batch_slices

    widths = {sl.stop - sl.start for c in (50, 200, 150) for sl in batch_slices(c, 64)}
    assert {sl.stop - sl.start for sl in chunked.chunk_slices((50, 200, 150), 64)} == widths == {50, 64, 8, 22}
    p0, c0 = bnn.model(Xd, Yd, [2, 5, 1], "gd", 0.3, keep_prob=1.0, **kw)
    assert not np.allclose(c1, c0)  # dropout was applied
    from conftest import course_model

    ref_p, _ = course_model(X, Y, [2, 5, 1], "gd", 0.3, 64, 3, batches=_chunk_batches((50, 200, 150)))
    _close(ref_p, p0)


def test_per_chunk_shuffle_reads_each_chunk_once_an_epoch(flower, monkeypatch):
    """Out of core, an epoch of the per-chunk shuffle reads each chunk once; the course's shuffle reads
    every chunk for every window (each batch gathers columns from all of them)."""
    X, Y = flower
    source = _CountingSource(X)
    Xs, Yd = da.from_array(source, chunks=(-1, 50), meta=np.empty((0, 0))), da.from_array(Y, chunks=(-1, 50))
    assert not chunked.in_memory(Xs)
    monkeypatch.setattr(chunked, "_memory_for_data", lambda: 0)

    def reads_per_epoch(shuffle):
        counts = []
        for epochs in (1, 3):
            source.reads.clear()
            bnn.model(Xs, Yd, [2, 3, 1], "gd", num_epochs=epochs, print_cost=False, shuffle=shuffle)
            counts.append(len(source.reads))
        return (counts[1] - counts[0]) / 2  # the checks before training read every chunk too: left out

    assert reads_per_epoch("chunks") == Xs.npartitions == 8
    assert reads_per_epoch("course") >= 4 * Xs.npartitions


def test_predict_is_lazy_and_chunked_like_X(flower):
    X, Y = flower
    p, _ = bnn.nn_model(X, Y, 4, num_iterations=200)
    Xd = da.from_array(X, chunks=(-1, 128))
    labels = bnn.predict(p, Xd)
    AL = bnn.predict_output(p, Xd)
    assert chunked.is_dask(labels) and chunked.is_dask(AL)
    assert labels.chunks == ((1,), Xd.chunks[1]) and AL.chunks == ((1,), Xd.chunks[1])
    np.testing.assert_array_equal(labels.compute(), bnn.predict(p, X))
    np.testing.assert_allclose(AL.compute(), bnn.predict_output(p, X), rtol=1e-13)
    assert bnn.accuracy(labels.compute(), Y) == bnn.accuracy(bnn.predict(p, X), Y)
    # parameters that are dask arrays too (everything made with da.from_array): computed once, the same
    # labels (it was "X's chunks are numpy arrays but the parameters are dask arrays")
    lazy_p = bnn.Parameters({k: da.from_array(v) for k, v in p.items()}, network=p.network)
    np.testing.assert_array_equal(bnn.predict(lazy_p, Xd).compute(), bnn.predict(p, X))
    np.testing.assert_array_equal(bnn.predict(Xd, Y, lazy_p).compute(), bnn.predict(p, X))
    # a float32 model predicts float64 chunks in float32, as it does host X: each chunk cast to W1's dtype
    p32 = bnn.to_backend(p, "numpy", dtype="float32")
    AL32 = bnn.predict_output(p32, Xd)
    computed = AL32.compute()
    assert AL32.dtype == np.float32 and computed.dtype == np.float32
    np.testing.assert_array_equal(computed, bnn.predict_output(p32, X))
    # X chunked over its features too: each block gets all of them (one row each would be a 1-feature forward pass)
    np.testing.assert_array_equal(bnn.predict(p, da.from_array(X, chunks=(1, 128))).compute(), bnn.predict(p, X))


def test_predict_of_non_finite_chunk_says_so(flower):
    X, Y = flower
    p, _ = bnn.nn_model(X, Y, 4, num_iterations=10)
    bad = X.copy()
    bad[0, 300] = np.nan
    lazy = bnn.predict(p, da.from_array(bad, chunks=(-1, 100)))
    with pytest.raises(ValueError, match="NaN or inf"):
        lazy.compute()


def test_backend_dask_moves_host_data_in_chunks(flower):
    X, Y = flower
    X0, Y0 = X.copy(), Y.copy()
    p0, c0 = bnn.nn_model(X, Y, 4, num_iterations=30)
    p1, c1 = bnn.nn_model(X, Y, 4, num_iterations=30, backend="dask", chunks=128)
    np.testing.assert_allclose(c1, c0, rtol=RTOL)
    _close(p0, p1)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)
    Xd = chunked.to_dask(X, chunks=128)
    assert Xd.chunks == ((2,), (128, 128, 128, 16))
    assert chunked.to_dask(X).chunks == ((2,), (400,))  # dask's "auto": a small array is one chunk


def test_graph_does_not_grow_with_iterations(flower):
    """Each compute holds at most STEPS_PER_COMPUTE steps' tasks, however long the run."""
    from dask.callbacks import Callback

    X, Y = flower
    Xd, Yd = da.from_array(X, chunks=(-1, 100)), da.from_array(Y, chunks=(-1, 100))
    sizes: list[int] = []

    class Count(Callback):
        def _start_state(self, dsk, state):
            sizes.append(len(dsk))

    def largest(n):
        sizes.clear()
        with Count():
            bnn.nn_model(Xd, Yd, 4, num_iterations=n, cost_every=10)
        return max(sizes)

    assert largest(200) == largest(40)


def test_each_run_names_its_parameters_tasks_afresh(flower, monkeypatch):
    """The parameters enter each compute under a key of their own. They were named after id() of a list of the
    run and a count from 0, which the next run in the process could repeat (CPython reuses the memory of a freed
    list): a cluster still holding such a key would hand an earlier run's parameters to the next. Here every id()
    in the module is the same, as when each run's list lands where the last one was."""
    from dask.callbacks import Callback

    monkeypatch.setattr(chunked, "id", lambda obj: 1, raising=False)

    X, Y = flower
    Xd, Yd = da.from_array(X, chunks=(-1, 100)), da.from_array(Y, chunks=(-1, 100))
    runs: list[set] = []

    class Keys(Callback):
        def _start_state(self, dsk, state):
            runs[-1].update(str(k) for k in dsk if str(k).startswith("backend_nn-parameters"))

    for seed in (2, 5, 2):
        runs.append(set())
        with Keys():
            bnn.nn_model(Xd, Yd, 4, num_iterations=30, cost_every=10, seed=seed)
    assert all(runs) and len(set.union(*runs)) == sum(map(len, runs))


def test_out_of_core_from_zarr_equals_in_memory(flower, tmp_path, monkeypatch):
    """Data that do not fit are not persisted: each step reads the chunks from Zarr again."""
    pytest.importorskip("zarr", reason="zarr is not installed")
    X, Y = flower
    da.from_array(X, chunks=(-1, 100)).to_zarr(str(tmp_path / "X.zarr"))
    da.from_array(Y, chunks=(-1, 100)).to_zarr(str(tmp_path / "Y.zarr"))
    Xz, Yz = da.from_zarr(str(tmp_path / "X.zarr")), da.from_zarr(str(tmp_path / "Y.zarr"))
    placed = []
    real_place = chunked.place

    def spy(X, Y, persist=None):
        out = real_place(X, Y, persist=persist)
        placed.append(out[0] is X)  # True: left lazy, read from the store
        return out

    monkeypatch.setattr(chunked, "_memory_for_data", lambda: 0)  # "the workers' memory is full"
    monkeypatch.setattr(chunked, "place", spy)
    p1, c1 = bnn.nn_model(Xz, Yz, 4, num_iterations=30, cost_every=1)
    p0, c0 = bnn.nn_model(X, Y, 4, num_iterations=30, cost_every=1)
    assert placed == [True]
    np.testing.assert_allclose(c1, c0, rtol=RTOL)
    _close(p0, p1)


def test_out_of_core_holds_few_chunks_at_once(flower, tmp_path, monkeypatch):
    """Read from their source, the chunks are read afresh every step and let go after their part: a graph
    of several steps would hold every chunk until its last step (the whole data set in memory)."""
    pytest.importorskip("zarr", reason="zarr is not installed")
    from dask.callbacks import Callback

    X, Y = flower
    da.from_array(X, chunks=(-1, 25)).to_zarr(str(tmp_path / "X.zarr"))
    Xz, Yz = da.from_zarr(str(tmp_path / "X.zarr")), da.from_array(Y, chunks=(-1, 25))
    assert not chunked.in_memory(Xz) and chunked.in_memory(Yz)
    monkeypatch.setattr(chunked, "_memory_for_data", lambda: 0)
    reads, held = [], []

    class Watch(Callback):
        def _posttask(self, key, result, dsk, state, worker_id):
            if isinstance(key, tuple) and key[0] == Xz.name:
                reads.append(key)
            held.append(sum(1 for k in state["cache"] if isinstance(k, tuple) and k[0] == Xz.name))

    with Watch(), dask.config.set(scheduler="synchronous"):
        bnn.nn_model(Xz, Yz, 4, num_iterations=12, cost_every=1)
    n = Xz.npartitions  # 16
    assert len(reads) >= 12 * n  # every step read every chunk (and the input checks once more)
    assert max(held) <= 2 < n


def test_the_chunks_are_spread_over_the_workers_the_scheduler_counts_not_its_cache(flower, cluster_client,
                                                                                    monkeypatch):
    """Client.scheduler_info() answers from a cache that the Client's periodic refresh fills without the workers
    (recent distributed asks for n_workers=0): a run that met a refresh found none, and spreading its chunks
    raised IndexError (seen once in the suite on 2 busy cores). The workers and their memory are asked of the
    scheduler and the workers themselves."""
    from distributed import futures_of

    X, Y = flower
    monkeypatch.setattr(cluster_client, "scheduler_info", lambda *a, **k: {"workers": {}})  # the refreshed cache
    with cluster_client.as_current():
        limits = chunked.worker_memory_limits(cluster_client)
        assert sorted(limits) == sorted(cluster_client.nthreads()) and all(v > 0 for v in limits.values())
        Xp, Yp = chunked.place(da.from_array(X, chunks=(-1, 100)), da.from_array(Y, chunks=(-1, 100)))
        holders = cluster_client.who_has(futures_of(Xp))
        assert {w for ws in holders.values() for w in ws} == set(cluster_client.nthreads())  # both workers
        groups = chunked._groups(Xp)  # a step's tasks: one per worker thread, each over the chunks it holds
        assert len(groups) == 2 and sorted(i for g in groups for i in g) == [0, 1, 2, 3]
        p1, c1 = bnn.nn_model(Xp, Yp, 4, num_iterations=30, cost_every=1)
    p0, c0 = bnn.nn_model(X, Y, 4, num_iterations=30, cost_every=1)
    np.testing.assert_allclose(c1, c0, rtol=RTOL)
    _close(p0, p1)


def test_classifier_takes_dask_rows(cluster_client):
    pytest.importorskip("sklearn", reason="scikit-learn is not installed")
    X, Y = bnn.load_dataset("spiral")
    rows, y = X.T, Y.ravel()
    c0 = bnn.NNClassifier(n_h=8, num_iterations=100).fit(rows, y)
    with cluster_client.as_current():
        c1 = bnn.NNClassifier(n_h=8, num_iterations=100).fit(da.from_array(rows, chunks=(100, -1)),
                                                            da.from_array(y, chunks=100))
        labels = c1.predict(da.from_array(rows, chunks=(100, -1)))
        assert chunked.is_dask(labels) and labels.chunks == ((100, 100, 100),)
        np.testing.assert_array_equal(labels.compute(), c0.predict(rows))
        np.testing.assert_allclose(c1.predict_proba(da.from_array(rows, chunks=(100, -1))).compute(),
                                   c0.predict_proba(rows), rtol=1e-10)
    with pytest.raises(ValueError, match=r"rechunk\(\{1: -1\}\)"):
        c0.predict(da.from_array(rows, chunks=(100, 1)))


def test_the_classifier_takes_backend_dask_as_nn_model_does(caplog):
    # it was "unknown backend 'dask'": the classifier's other options are nn_model's, and nn_model takes it
    pytest.importorskip("sklearn", reason="scikit-learn is not installed")
    X, Y = bnn.load_dataset("spiral")
    rows, y = X.T, Y.ravel()
    c0 = bnn.NNClassifier(n_h=8, num_iterations=100).fit(rows, y)
    with caplog.at_level(logging.INFO, logger="backend_nn"):
        c1 = bnn.NNClassifier(n_h=8, num_iterations=100, backend="dask").fit(rows, y)
        bnn.NNClassifier(n_h=8, num_iterations=100, backend="numpy").fit(rows, y)  # another name: not dask
    assert isinstance(c1.parameters_["W1"], np.ndarray)  # trained on dask's NumPy chunks
    paths = [r.getMessage().split(": ")[1].split(" (")[0] for r in caplog.records
             if r.getMessage().startswith("training")]
    assert paths == ["dask chunks", "numpy replay"]
    _close(c0.parameters_, c1.parameters_)
    np.testing.assert_array_equal(c1.predict(rows), c0.predict(rows))
    c2 = bnn.NNClassifier(n_h=8, num_iterations=100, backend="dask").fit(da.from_array(rows, chunks=(100, -1)), y)
    _close(c0.parameters_, c2.parameters_)
    with pytest.raises(ValueError, match=r"X must be 2-D \(n_samples, n_features\); got shape \(300, 2, 1\)"):
        bnn.NNClassifier(backend="dask").fit(da.from_array(rows[:, :, None]), y)


# --- bad input: each a clear error, the caller's arrays unchanged ------------------------------------
def test_X_chunked_over_features_says_how_to_rechunk(flower):
    X, Y = flower
    with pytest.raises(ValueError, match=r"chunked over its rows \(features\).*X.rechunk\(\{0: -1\}\)"):
        bnn.nn_model(da.from_array(X, chunks=(1, 100)), da.from_array(Y, chunks=(1, 100)), 4, num_iterations=5)


def test_X_and_Y_chunked_differently(flower):
    X, Y = flower
    with pytest.raises(ValueError, match=r"chunked differently.*Y.rechunk\(\{1: X.chunks\[1\]\}\)"):
        bnn.nn_model(da.from_array(X, chunks=(-1, 100)), da.from_array(Y, chunks=(-1, 150)), 4, num_iterations=5)


def test_host_Y_is_chunked_like_dask_X(flower):
    X, Y = flower
    p1, _ = bnn.nn_model(da.from_array(X, chunks=(-1, 100)), Y, 4, num_iterations=10)
    p0, _ = bnn.nn_model(X, Y, 4, num_iterations=10)
    _close(p0, p1)
    # and host X is chunked like a dask Y: it was "X and Y are chunked differently: X (400,), Y (100, ...)"
    p2, _ = bnn.nn_model(X, da.from_array(Y, chunks=(-1, 100)), 4, num_iterations=10)
    _close(p0, p2)


def test_string_labels_in_a_dask_Y_are_refused_with_what_to_do(flower):
    X, Y = flower
    with pytest.raises(TypeError, match=r"Y must hold numeric labels .* got dtype <U\d+. Encode other labels first"):
        bnn.nn_model(da.from_array(X, chunks=(-1, 100)), da.from_array(Y.astype(str), chunks=(-1, 100)), 4,
                     num_iterations=5)


def test_unknown_chunk_sizes_predict_lazily_and_training_says_how_to_know_them(flower):
    """After a boolean mask a dask array's shape is (2, nan). Prediction needs only n_x, so it runs lazily,
    chunk by chunk (predict once said "cannot convert float NaN to integer", then asked for the sizes);
    training needs m, and says how to know it; accuracy names which argument's sizes are unknown."""
    X, Y = flower
    kept = np.arange(400) % 3 != 0
    keep = da.from_array(kept, chunks=100)
    Xu, Yu = da.from_array(X, chunks=(-1, 100))[:, keep], da.from_array(Y, chunks=(-1, 100))[:, keep]
    p, _ = bnn.nn_model(X, Y, 4, num_iterations=200)
    labels = bnn.predict(p, Xu)
    assert labels.shape[0] == 1 and labels.shape[1] != labels.shape[1]  # (1, nan): lazy, sizes still unknown
    np.testing.assert_array_equal(labels.compute(), bnn.predict(p, X[:, kept]))
    np.testing.assert_allclose(bnn.predict_output(p, Xu).compute(), bnn.predict_output(p, X[:, kept]), rtol=1e-12)
    clf = bnn.NNClassifier(num_iterations=200).fit(X.T, Y.ravel())
    for method in ("predict", "predict_proba", "predict_log_proba"):
        np.testing.assert_allclose(getattr(clf, method)(Xu.T).compute(), getattr(clf, method)(X.T[kept]), rtol=1e-12)
    assert clf.score(Xu.T, Y.ravel()[kept]) == clf.score(X.T[kept], Y.ravel()[kept])
    with pytest.raises(ValueError, match=r"predictions is an array of unknown size, shape \(1, nan\).* call "
                                         r"predictions.compute_chunk_sizes\(\) first"):
        bnn.accuracy(labels, Y[:, kept])
    for call in (lambda: bnn.nn_model(Xu, Yu, 4, num_iterations=5),
                 lambda: bnn.model(Xu, Yu, [2, 3, 1], "gd", num_epochs=1, print_cost=False)):
        with pytest.raises(ValueError, match=r"unknown size, shape \(2, nan\).* call x.compute_chunk_sizes\(\) first"):
            call()
    Xu.compute_chunk_sizes()
    assert bnn.predict(p, Xu).shape == (1, int(kept.sum()))


@pytest.mark.filterwarnings("ignore:the matrix subclass")
def test_chunks_that_are_not_array_api_arrays(flower):
    X, Y = flower
    Xm = da.from_array(np.asmatrix(X), chunks=(-1, 100), asarray=False)
    with pytest.raises(TypeError, match="not arrays of an Array API library"):
        bnn.nn_model(Xm, Y, 4, num_iterations=5)
    masked = da.ma.masked_array(da.from_array(X, chunks=(-1, 100)), mask=X > 3)
    with pytest.raises(TypeError, match="MaskedArray chunks"):
        bnn.nn_model(masked, Y, 4, num_iterations=5)


def test_parameters_of_another_library_than_the_chunks(flower):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    X, Y = flower
    p, _ = bnn.nn_model(torch.asarray(X), torch.asarray(Y), 4, num_iterations=5)
    with pytest.raises(TypeError, match="X's chunks are numpy arrays but the parameters are torch arrays"):
        bnn.predict(p, da.from_array(X, chunks=(-1, 100)))
    q, _ = bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=1, print_cost=False)
    torch_q = bnn.Parameters({k: torch.asarray(v) for k, v in q.items()}, network=q.network,
                             training_state=q.training_state)
    with pytest.raises(TypeError, match=r"^parameters\['W1'\] is a torch.Tensor but the backend is numpy"):
        bnn.model(da.from_array(X, chunks=(-1, 100)), Y, [2, 3, 1], "adam", num_epochs=1, print_cost=False,
                  parameters=torch_q)


def test_shuffle_option_errors(flower):
    X, Y = flower
    with pytest.raises(ValueError, match=r"shuffle='chunks' shuffles within the chunks of a dask array, and X is an "
                                         r"array of numpy"):
        bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=2, shuffle="chunks")
    with pytest.raises(ValueError, match=r"and X is host data streamed in windows"):  # was "a backend_nn array"
        bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=2, shuffle="chunks", stream=True)
    with pytest.raises(ValueError, match=r"shuffle must be one of \('course', 'chunks'\).*got 'rows'"):
        bnn.nn_model(da.from_array(X), da.from_array(Y), 4, num_iterations=2, shuffle="rows")
    Xd, Yd = da.from_array(X, chunks=(-1, 100)), da.from_array(Y, chunks=(-1, 100))
    with pytest.raises(ValueError, match=r"shuffle='chunks' orders the examples of mini-batch epochs, and this run is "
                                         r"full batch .*give batch_size= with it"):  # was dropped in silence
        bnn.nn_model(Xd, Yd, 4, num_iterations=2, shuffle="chunks")


def test_other_backend_or_chunks_without_dask(flower):
    X, Y = flower
    with pytest.raises(ValueError, match="leave backend= unset"):
        bnn.nn_model(da.from_array(X, chunks=(-1, 100)), Y, 4, num_iterations=5, backend="numpy")
    with pytest.raises(ValueError, match=r"leave backend= unset .* not array\(\[0, 1, 2\]\)\.$"):
        # an array there was NumPy's "truth value of an array ... is ambiguous" (compared by ==)
        bnn.nn_model(da.from_array(X, chunks=(-1, 100)), Y, 4, num_iterations=5, backend=np.arange(3))
    for run in (lambda: bnn.nn_model(da.from_array(X, chunks=(-1, 100)), Y, 4, num_iterations=5, device="cpu"),
                lambda: bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=2, print_cost=False, backend="dask", device=0)):
        with pytest.raises(ValueError, match=r"^dask data stay where their chunks are .*: give no device; got "
                                             r"device=('cpu'|0)\.$"):
            run()  # it was dropped in silence
    with pytest.raises(ValueError, match="chunks= is for dask arrays"):
        bnn.nn_model(X, Y, 4, num_iterations=5, chunks=100)
    with pytest.raises(ValueError, match="chunks must be a positive integer"):
        bnn.nn_model(X, Y, 4, num_iterations=5, backend="dask", chunks=0)
    # a dask X is rechunked by chunks=: checked first (dask's own error was a ZeroDivisionError)
    Xd = da.from_array(X, chunks=(-1, 100))
    for bad, error in ((0, ValueError), (-5, ValueError), (2.5, TypeError)):
        with pytest.raises(error, match="chunks must be a positive integer"):
            bnn.nn_model(Xd, Y, 4, num_iterations=5, chunks=bad)


def test_chunks_rechunk_a_dask_X_and_a_narrower_dtype_is_range_checked(flower):
    X, Y = flower
    _, Xc, Yc = chunked.prepare_X_Y(da.from_array(X, chunks=(-1, 100)), Y, dtype="float64", chunks=50)
    assert Xc.chunks[1] == Yc.chunks[1] == (50,) * 8
    big = X.copy()
    big[0, 3] = 1e300  # finite in float64, inf in float32: refused as host X is, not trained on as inf
    with pytest.raises(ValueError, match=r"X holds values beyond the range of float32 \(largest \|x\| = 1e\+300\)"):
        bnn.nn_model(da.from_array(big, chunks=(-1, 100)), Y, 4, num_iterations=2, dtype="float32")


def test_data_are_persisted_where_they_take_at_most_the_room_counted(flower, monkeypatch):
    X, Y = flower
    Xd, Yd = da.from_array(X, chunks=(-1, 100)), da.from_array(Y, chunks=(-1, 100))
    need = Xd.nbytes + Yd.nbytes
    for room, persisted in [(need, True), (need - 1, False), (None, True)]:  # None: the room is not known
        monkeypatch.setattr(chunked, "_memory_for_data", lambda: room)
        Xp, Yp = chunked.place(Xd, Yd)
        assert (Xp is not Xd and Yp is not Yd) is persisted, room
        np.testing.assert_array_equal(Xp.compute(), X)


def test_non_finite_dask_X_and_bad_labels(flower):
    X, Y = flower
    bad = X.copy()
    bad[1, 7] = np.inf
    with pytest.raises(ValueError, match="X must be finite"):
        bnn.nn_model(da.from_array(bad, chunks=(-1, 100)), Y, 4, num_iterations=5)
    with pytest.raises(ValueError, match="class labels 0..K-1"):
        bnn.nn_model(da.from_array(X, chunks=(-1, 100)), Y * 3 + 1, 4, num_iterations=5)
    with pytest.raises(ValueError, match=r"did you mean X.T"):
        bnn.nn_model(da.from_array(X.T, chunks=(100, -1)), Y, 4, num_iterations=5)


@pytest.mark.filterwarnings("error")
def test_float32_or_integer_dask_X_trains_in_float64_without_a_warning(flower):
    """The range check of a cast compared a float32 |X| max with float64's largest value, which NumPy cast
    to float32: "RuntimeWarning: overflow encountered in cast" on every run of a float32 dask X (a
    widening cast, which cannot overflow). The result is the in-memory one."""
    X, Y = flower
    for Xh in (X.astype(np.float32), np.round(X * 100).astype(np.int32)):
        p, costs = bnn.nn_model(da.from_array(Xh, chunks=(-1, 100)), Y, 4, num_iterations=5)
        ref, ref_costs = bnn.nn_model(Xh, Y, 4, num_iterations=5)
        assert p["W1"].dtype == np.float64
        np.testing.assert_allclose(costs, ref_costs, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(p["W1"], ref["W1"], rtol=RTOL, atol=ATOL)


def test_diverging_run_on_dask_is_an_error(flower):
    X, Y = flower
    with pytest.raises(bnn.TrainingDivergedError, match="diverged between iterations 1 and 100") as info:
        bnn.nn_model(da.from_array(X, chunks=(-1, 100)), Y, 4, 1000, learning_rate=1e6)
    assert info.value.iteration == 100


def test_dask_default_scheduler_untouched(flower):
    X, Y = flower
    before = dask.config.get("scheduler", None)
    bnn.nn_model(da.from_array(X, chunks=(-1, 100)), Y, 4, num_iterations=5)
    assert dask.config.get("scheduler", None) == before


@pytest.mark.gpu
def test_cupy_chunks_equal_numpy_on_threads_and_on_a_local_cuda_cluster(flower):
    """CuPy chunks: the parameters come back as CuPy arrays and equal NumPy's. With dask-cuda installed,
    also on a LocalCUDACluster (one worker per GPU, the multi-GPU set-up the README shows)."""
    if bnn.cuda_device_count() == 0:
        pytest.skip("no CUDA GPU: CuPy is not installed or counts 0 devices")
    import cupy

    X, Y = flower
    p0, c0 = bnn.nn_model(X, Y, 4, num_iterations=40, cost_every=1)
    Xd = da.from_array(X, chunks=(-1, 100)).map_blocks(cupy.asarray)
    Yd = da.from_array(Y, chunks=(-1, 100)).map_blocks(cupy.asarray)
    p1, c1 = bnn.nn_model(Xd, Yd, 4, num_iterations=40, cost_every=1)
    assert isinstance(p1["W1"], cupy.ndarray)
    np.testing.assert_allclose(c1, c0, rtol=RTOL)
    _close(p0, {k: cupy.asnumpy(v) for k, v in p1.items()})
    dask_cuda = pytest.importorskip("dask_cuda", reason="dask-cuda is not installed (pip install dask-cuda)")
    distributed = pytest.importorskip("distributed")
    with dask_cuda.LocalCUDACluster(dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.nthreads()) == bnn.cuda_device_count()
        p2, c2 = bnn.nn_model(Xd, Yd, 4, num_iterations=40, cost_every=1)
    np.testing.assert_allclose(c2, c0, rtol=RTOL)
    _close(p0, {k: cupy.asnumpy(v) for k, v in p2.items()})


@pytest.mark.parametrize("kwargs", [{}, {"optimizer": "adam", "batch_size": 8},
                                    {"optimizer": "adam", "batch_size": 8, "shuffle": "chunks"}])
def test_empty_chunks_are_left_out(kwargs):
    """A chunk of no examples (a boolean mask's) was a ZeroDivisionError in full-batch training and "max() arg is
    an empty sequence" with shuffle="chunks"; the run now equals the one without it, bit for bit."""
    rs = np.random.RandomState(0)
    X = rs.randn(2, 40)
    Y = (X[:1] > 0).astype(np.int64)
    with_empty = bnn.nn_model(da.from_array(X, chunks=(2, (10, 0, 30, 0))), da.from_array(Y, chunks=(1, (10, 0, 30, 0))),
                              3, 5, **kwargs)
    without = bnn.nn_model(da.from_array(X, chunks=(2, (10, 30))), da.from_array(Y, chunks=(1, (10, 30))), 3, 5, **kwargs)
    np.testing.assert_array_equal(with_empty[1], without[1])
    for k in without[0]:
        np.testing.assert_array_equal(with_empty[0][k], without[0][k])


def test_a_run_that_learned_only_the_class_shares_says_so(scheduler):
    """The check reads dask data in one compute: Y's mean and X's largest |value|."""
    from test_numerics_and_backends import _unscaled_flower

    Xu, Yu = _unscaled_flower()
    with pytest.warns(bnn.ConvergenceWarning, match=r"the cost of predicting Y's mean, 0.571, for every example "
                      r"\(0.682908\): the network learned nothing from X .* X's features reach 1407.82 in size"):
        bnn.nn_model(da.from_array(Xu, chunks=(2, 100)), Yu, 4, num_iterations=300, backend="dask")
