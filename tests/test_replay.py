"""Mini-batch epochs on static buffers (backend_nn.accelerate.replay): the bookkeeping a CUDA graph
replay needs (buffers for the parameters, the optimizer state with t as an array, the learning rate,
the batch of each width, the total), run here with the reference capture (the body called again) on
every backend with writeable arrays, against the eager epoch."""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
import pytest
from array_api_compat import is_writeable_array

import backend_nn as bnn
from backend_nn.accelerate.replay import StaticEpochs, run_eagerly
from backend_nn.backend import to_numpy
from backend_nn.batches import batch_slices
from backend_nn.network import Network
from backend_nn.optimizers import get_optimizer
from backend_nn.regularization import Dropout, dropout_masks
from backend_nn.step import eager_epochs, optimizer_step


@pytest.mark.parametrize("optimizer, lambd, keep_prob", [("gd", 0.0, 1.0), ("momentum", 0.2, 1.0),
                                                         ("adam", 0.0, 0.8), ("adam", 0.1, 1.0)])
def test_static_epochs_equal_the_eager_epochs(backend, optimizer, lambd, keep_prob):
    rng = np.random.RandomState(0)
    m, size = 300, 64  # four complete batches and a last one of 44
    X, Y = backend.asarray(rng.randn(5, m)), backend.asarray((rng.rand(1, m) > 0.5) * 1.0)
    if not is_writeable_array(X):
        pytest.skip(f"{backend}: arrays are not writeable, no static buffers")
    net = Network.build([5, 4, 3, 1], "relu", "sigmoid")
    opt = get_optimizer(optimizer)
    slices = batch_slices(m, size)
    dropouts = {} if keep_prob == 1.0 else {
        w: Dropout(keep_prob, dropout_masks(net.layer_dims, w, keep_prob, xp=backend.xp, dtype=X.dtype,
                                            device=backend.device))
        for w in {sl.stop - sl.start for sl in slices}}
    p0 = backend.params(bnn.initialize_parameters_deep(net.layer_dims, seed=3, init="he"))
    kw = dict(net=net, optimizer=opt, xp=backend.xp, lambd=lambd)
    eager = eager_epochs(**kw, slices=slices, dropouts=dropouts)
    static = StaticEpochs(partial(optimizer_step, **kw), xp=backend.xp, slices=slices, dropouts=dropouts,
                          capture=run_eagerly)
    pe, se = p0, opt.init(p0)
    ps, ss = p0, opt.init(p0)
    if optimizer == "adam":
        # the static buffers hold t as a 0-d float64 array, so beta ** t is the library's power of an array,
        # which may differ in the last bit from Python's (NumPy's SIMD power on AVX-512 at 0.999 ** 7): the
        # eager epochs here take the same kind of t, and what is compared is the bookkeeping, bit for bit
        se = {**se, "t": backend.xp.asarray(0.0, dtype=backend.xp.float64, device=backend.device)}
    totals = []
    for epoch, lr in enumerate((0.01, 0.01, 0.005)):  # a decayed rate goes into the same buffer
        pe, se, te = eager(pe, se, X, Y, lr)
        ps, ss, ts = static(ps, ss, X, Y, lr)
        totals.append((to_numpy(te), ts))
        assert ps is static.P  # its own buffers, handed back and used as they are
        for k in pe:
            np.testing.assert_array_equal(to_numpy(ps[k]), to_numpy(pe[k]), err_msg=f"epoch {epoch} {k}")
        np.testing.assert_array_equal(to_numpy(ts), to_numpy(te))
    for te, ts in totals:  # each epoch's total is its own (a window loop sums them), not the reused buffer
        np.testing.assert_array_equal(to_numpy(ts), te)
    if optimizer == "adam":
        assert float(to_numpy(ss["t"])) == float(to_numpy(se["t"])) == 3 * len(slices)
    for k in p0:  # the caller's arrays were never written
        np.testing.assert_array_equal(to_numpy(p0[k]), bnn.initialize_parameters_deep(net.layer_dims, seed=3,
                                                                                      init="he")[k])


def test_a_new_starting_point_is_loaded_into_the_buffers():
    rng = np.random.RandomState(1)
    X, Y = rng.randn(4, 128), (rng.rand(1, 128) > 0.5) * 1.0
    net = Network.build([4, 3, 1], "tanh", "sigmoid")
    opt = get_optimizer("adam")
    kw = dict(net=net, optimizer=opt, xp=np)
    slices = batch_slices(128, 32)
    static = StaticEpochs(partial(optimizer_step, **kw), xp=np, slices=slices, dropouts=None)
    eager = eager_epochs(**kw, slices=slices)
    p0 = bnn.initialize_parameters_deep(net.layer_dims, seed=3, init="he")
    p1, s1, _ = static(p0, opt.init(p0), X, Y, 0.01)
    other = {k: v * 0.5 for k, v in p0.items()}  # not its buffers: loaded, state t reset with it
    p2, s2, _ = static(other, opt.init(other), X, Y, 0.01)
    pe, se, _ = eager(other, opt.init(other), X, Y, 0.01)
    for k in pe:
        np.testing.assert_array_equal(p2[k], pe[k])
    assert float(s2["t"]) == se["t"] == len(slices)


@pytest.mark.gpu
def test_cupy_graph_epochs_equal_the_eager_epochs(caplog):
    """compile=True on CuPy, and the default: the step of each batch width a CUDA graph, replayed per batch."""
    import logging

    if bnn.cuda_device_count() == 0:
        pytest.skip("no CUDA GPU: CuPy is not installed or counts 0 CUDA devices")
    rng = np.random.RandomState(2)
    X, Y = rng.randn(6, 500), (rng.rand(1, 500) > 0.5) * 1.0
    kw = dict(mini_batch_size=64, num_epochs=5, print_cost=False, backend="cupy", cost_every=1)
    with caplog.at_level(logging.INFO, logger="backend_nn"):
        graph, c1 = bnn.model(X, Y, [6, 5, 3, 1], "adam", compile=True, **kw)
        eager, c2 = bnn.model(X, Y, [6, 5, 3, 1], "adam", compile=False, **kw)
    assert "cuda graph epochs" in caplog.text
    for k in eager:
        np.testing.assert_allclose(to_numpy(graph[k]), to_numpy(eager[k]), rtol=1e-10, atol=1e-13, err_msg=k)
    np.testing.assert_allclose(c1, c2, rtol=1e-10)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="backend_nn"):
        default, c0 = bnn.model(X, Y, [6, 5, 3, 1], "adam", **kw)
    assert "cuda graph epochs" in caplog.text, "the default (compile='auto') takes the graph epochs"
    for k in eager:
        np.testing.assert_array_equal(to_numpy(default[k]), to_numpy(graph[k]), err_msg=k)
    np.testing.assert_array_equal(c0, c1)


@pytest.mark.gpu
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_cupy_graph_epochs_take_dropout_on_every_hidden_activation(caplog, activation):
    """keep_prob < 1 with tanh (nn_model's hidden layer) or sigmoid hidden layers: the graph's forward kernel
    keeps Z for the dropout's backward line. It dropped Z there, the graph failed to build, and the run fell
    back to the eager epochs with a FastPathWarning (here an error)."""
    import logging

    if bnn.cuda_device_count() == 0:
        pytest.skip("no CUDA GPU: CuPy is not installed or counts 0 CUDA devices")
    rng = np.random.RandomState(4)
    X, Y = rng.randn(6, 500), (rng.rand(1, 500) > 0.5) * 1.0
    kw = dict(learning_rate=0.01, num_iterations=3, activation=activation, optimizer="adam", batch_size=64,
              keep_prob=0.8, backend="cupy", cost_every=1)
    with warnings.catch_warnings(), caplog.at_level(logging.INFO, logger="backend_nn"):
        warnings.simplefilter("error")
        graph, c1 = bnn.L_layer_model(X, Y, [6, 5, 3, 1], **kw)
    assert "cuda graph epochs" in caplog.text
    eager, c2 = bnn.L_layer_model(X, Y, [6, 5, 3, 1], **kw, compile=False)
    for k in eager:
        np.testing.assert_allclose(to_numpy(graph[k]), to_numpy(eager[k]), rtol=1e-10, atol=1e-13, err_msg=k)
    np.testing.assert_allclose([float(c) for c in c1], [float(c) for c in c2], rtol=1e-10)  # 0-d CuPy arrays


@pytest.mark.gpu
def test_cupy_graph_epochs_let_go_of_the_device_memory_they_took():
    """A notebook trains one model after another: each run's graphs (mini-batch and full batch), their private
    pools, the cuBLAS handles and their workspaces (32 MiB each) go with the run. The device's free memory after
    five more runs is what it was after the first (within 8 MiB: the driver's own bookkeeping)."""
    import gc

    if bnn.cuda_device_count() == 0:
        pytest.skip("no CUDA GPU: CuPy is not installed or counts 0 CUDA devices")
    import cupy

    rng = np.random.RandomState(3)
    X, Y = rng.randn(20, 3000), (rng.rand(1, 3000) > 0.5) * 1.0
    kw = dict(mini_batch_size=256, num_epochs=2, print_cost=False, backend="cupy")

    def free_after_a_run() -> int:
        result = bnn.model(X, Y, [20, 64, 32, 1], "adam", **kw)  # mini-batch: a graph per batch width
        full = bnn.L_layer_model(X, Y, [20, 64, 32, 1], num_iterations=30, backend="cupy")  # full batch: one graph
        assert np.isfinite(result.costs).all() and np.isfinite(full.costs).all()
        del result, full
        gc.collect()
        cupy.get_default_memory_pool().free_all_blocks()
        cupy.cuda.Device().synchronize()
        return cupy.cuda.runtime.memGetInfo()[0]

    first = free_after_a_run()
    later = [free_after_a_run() for _ in range(5)]
    assert min(later) >= first - 8 * 2**20, [(first - f) / 2**20 for f in later]
