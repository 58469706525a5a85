"""The CuPy fast paths' CUDA kernels compute the generic equations: checked on the CPU.

test_cuda_sources shows the kernels compile; test_cupy_fast_paths shows their values on a GPU,
where one is lent. Between the two, here: each kernel's own source is built for the CPU by the C++
compiler (tests/cuda_on_cpu.py: each CUDA thread a fiber, barriers, warp shuffles) and the fast
paths' Python runs with a stand-in ``cupy`` whose arrays are NumPy's, against the generic lines and
the generic step. A change to a kernel's indexing, its partial sums, its NaN handling or the grid
the Python gives it then fails on any machine with g++ or clang++ (C++17), before it meets a GPU. Speed, and
what only a GPU's compiler or memory model decides, stay test_cupy_fast_paths'.

Tolerances: the kernels sum in another order than NumPy: float64 rtol 1e-12, float32 1e-5 per line; the
through kernel's row sums within round-off of the float64 sum of its own terms (conftest.assert_row_sums_close:
a fixed rtol is unsound where they cancel); over a run of steps 1e-9 / 2e-4 (conftest.assert_runner_matches_eager,
which test_cupy_fast_paths uses too).
"""

import sys

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.activations import get_activation
from backend_nn.network import Network
from backend_nn.step import train_step
from conftest import assert_lines_match, assert_runner_matches_eager, assert_through_line_matches, hidden_layer_data
from cuda_on_cpu import compiler_problem, fake_cupy

ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu", "linear"]
SMS = 4  # the stand-in device's multiprocessors: a few rows of a small array already need several column blocks


@pytest.fixture(scope="module")
def built():
    problem = compiler_problem()
    if problem:
        pytest.skip(f"the CUDA kernels cannot be built for the CPU here: {problem}")


@pytest.fixture
def cp(built, monkeypatch):
    """The stand-in CuPy in place of any real one, and the fast paths' kernel caches empty before and
    after (a kernel built here must never be handed to a real GPU, nor one of a GPU to this)."""
    from backend_nn.accelerate import cupy_fused, cupy_lines

    caches = (cupy_lines._kernels, cupy_lines._multiprocessors, cupy_fused._kernel)
    for cache in caches:
        cache.cache_clear()
    fake = fake_cupy(multiprocessors=SMS)
    monkeypatch.setitem(sys.modules, "cupy", fake)
    yield fake
    for cache in caches:
        cache.cache_clear()


def _tolerances(dtype):
    return (1e-12, 1e-14) if dtype == "float64" else (1e-5, 1e-6)


def _lines_kernels(dtype, activation):
    """(forward_rows, backprop_rows, through_rows) as cupy_lines compiled them (each counts its launches)."""
    from backend_nn.accelerate.cupy_lines import _kernels

    return _kernels(0, dtype, activation)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_hidden_lines_kernels_match_the_generic_lines(cp, activation, dtype):
    """forward_rows and backprop_rows on shallow networks, with sizes that are not multiples of a block:
    n_h = 37 with one column block per row, n_h = 3 with each row split among 5 column blocks whose
    partial sums the Python adds up; then a deep network, where through_rows serves the layers fed by a
    matrix product, with the 1/m in dW and db and in dZ_L (course 2's order)."""
    from backend_nn.accelerate.cupy_lines import CupyLines, _column_blocks

    g = get_activation(activation, negative_slope=0.05)
    rtol, atol = _tolerances(dtype)
    for n_h, m, blocks in [(37, 1003, 1), (3, 5001, 5)]:
        assert _column_blocks(n_h, m) == blocks
        X, Y = hidden_layer_data(np, 5, m, dtype)
        p = bnn.initialize_parameters_deep([5, n_h, 1], seed=4, init="he", dtype=dtype)
        caches = assert_lines_match(p, X, Y, Network.build([5, n_h, 1], g), CupyLines(), xp=np, rtol=rtol, atol=atol)
        assert (caches[0][1] is None) == (activation in ("tanh", "sigmoid")), "Z1 is dropped only where g' needs A"
    X, Y = hidden_layer_data(np, 5, 2100, dtype, seed=1)
    p = bnn.initialize_parameters_deep([5, 9, 3, 1], seed=3, init="he", dtype=dtype)
    for mean_in_dZ in (False, True):
        assert_lines_match(p, X, Y, Network.build([5, 9, 3, 1], g), CupyLines(), xp=np, rtol=rtol, atol=atol,
                           mean_in_dZ=mean_in_dZ)
    launched = {name for name, kernel in zip(("forward_rows", "backprop_rows", "through_rows"),
                                             _lines_kernels(dtype, activation)) if kernel.launches}
    assert launched == {"forward_rows", "backprop_rows", "through_rows"}, f"only {sorted(launched)} ran"


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_hidden_lines_kernels_with_dropout(cp, activation):
    """The CUDA graph epochs (mini-batch training on CuPy, by default) run the step with these kernels, dropout
    included. There the forward kernel keeps Z (the cache holds the dropped-out A, so g' is taken from Z) and
    the backward lines are the generic ones after the mask. It dropped Z for tanh and sigmoid, and the generic
    line failed on None: the graph epochs of nn_model(..., keep_prob=0.8) fell back to the eager ones."""
    from backend_nn.accelerate.cupy_lines import CupyLines
    from backend_nn.regularization import Dropout, dropout_masks

    g = get_activation(activation, negative_slope=0.05)
    dims, m = [5, 9, 3, 1], 700
    X, Y = hidden_layer_data(np, 5, m, "float64", seed=2)
    p = bnn.initialize_parameters_deep(dims, seed=2, init="he")
    dropout = Dropout(0.8, dropout_masks(dims, m, 0.8, xp=np, dtype=np.float64))
    caches = assert_lines_match(p, X, Y, Network.build(dims, g), CupyLines(), xp=np, rtol=1e-12, atol=1e-14,
                                dropout=dropout)
    assert all(Z is not None for _, Z in caches)
    assert _lines_kernels("float64", g.name)[0].launches == 2, "the forward kernel, for both hidden layers"


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("m, sms, blocks", [(5001, SMS, 5), (50001, 132, 49)])  # the second: an H100's grid
def test_through_kernel_writes_over_the_product_and_nothing_else(cp, monkeypatch, activation, dtype, m, sms, blocks):
    """dZ = D * g'(Z) and db = sum(dZ, axis=1) (/ m or not) in one kernel, written over D = W^T dZ_next, with
    each row split among column blocks (conftest.assert_through_line_matches, as the GPU test has it); at
    m = 50,001 on 132 SMs the GPU test's own grid, where the float32 row sums cancel (-0.24 of 25,873)."""
    from backend_nn.accelerate.cupy_lines import CupyLines, _column_blocks, _multiprocessors

    monkeypatch.setitem(cp.cuda.Device.attributes, "MultiProcessorCount", sms)
    _multiprocessors.cache_clear()
    n = 3
    assert _column_blocks(n, m) == blocks
    assert_through_line_matches(CupyLines(), xp=np, activation=activation, dtype=dtype, n=n, m=m)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fused_kernel_matches_the_generic_step(cp, activation, dtype):
    """The whole shallow training chunk in one block (shallow_step.cu): 12 steps on the flower (4 warps
    striding over 400 examples), then on 37 examples (a second warp with 5 of them), against the generic
    step; the costs of the steps that record one, and the parameters after. Then from other parameters than
    the ones it was built with (a runner starts where it is told, as the generic one does)."""
    from backend_nn.accelerate.cupy_fused import fused_runner

    g = get_activation(activation, negative_slope=0.05)
    X, Y = (a.astype(dtype) for a in bnn.load_planar_dataset())
    for n_h, m in [(4, 400), (3, 37)]:
        net = Network.build([2, n_h, 1], g)
        p0 = bnn.initialize_parameters(2, n_h, 1, dtype=dtype)
        runner = fused_runner(p0, X[:, :m], Y[:, :m], net=net, learning_rate=1.2, xp=np)
        assert runner.threads == min(128, -(-m // 32) * 32)
        assert_runner_matches_eager(runner, p0, X[:, :m], Y[:, :m], net, 1.2, dtype, xp=np, n_records=3, cost_every=4)
        p1 = bnn.initialize_parameters_deep([2, n_h, 1], seed=7, init="he", dtype=dtype)
        assert_runner_matches_eager(runner, p1, X[:, :m], Y[:, :m], net, 1.2, dtype, xp=np, n_records=1, cost_every=2)


@pytest.mark.parametrize("n_x, n_h, m, activation", [(1, 1, 5, "tanh"), (2, 15, 300, "relu"), (2, 4, 1, "leaky_relu")])
def test_fused_kernel_at_the_edges_of_what_it_takes(cp, n_x, n_h, m, activation):
    """The smallest network, the largest one the accumulators allow (n_h n_x + 2 n_h + 2 = 62 of
    MAX_ACCUMULATORS = 64), and a single example (one warp, 31 lanes idle)."""
    from backend_nn.accelerate.cupy_fused import MAX_ACCUMULATORS, fused_runner

    assert n_h * n_x + 2 * n_h + 2 <= MAX_ACCUMULATORS
    rng = np.random.RandomState(0)
    X, Y = rng.randn(n_x, m), (rng.rand(1, m) > 0.5) * 1.0
    net = Network.build([n_x, n_h, 1], activation)
    p0 = bnn.initialize_parameters_deep([n_x, n_h, 1], seed=1, init="he")
    runner = fused_runner(p0, X, Y, net=net, learning_rate=0.5, xp=np)
    assert_runner_matches_eager(runner, p0, X, Y, net, 0.5, "float64", xp=np, n_records=2, cost_every=3)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "leaky_relu"])
def test_a_nan_in_the_hidden_layer_stays_nan_in_the_kernels(cp, activation):
    """A NaN weight makes a NaN cost through the fused kernel and through the lines' kernels, as it does
    through the generic step's maximum(0, Z) and maximum(Z, -cap): a diverged unit is not read as 0."""
    from backend_nn.accelerate.cupy_fused import fused_runner
    from backend_nn.accelerate.cupy_lines import lines_runner

    X, Y = bnn.load_planar_dataset()
    p0 = bnn.initialize_parameters(2, 4, 1)
    p0["W1"][1, 0] = float("nan")
    net = Network.build([2, 4, 1], activation)
    _, generic_cost = train_step(p0, X, Y, net=net, learning_rate=1.2, xp=np)
    assert np.isnan(float(generic_cost))
    for make in (fused_runner, lines_runner):
        _, costs = make(p0, X, Y, net=net, learning_rate=1.2, xp=np)(p0, 2, 1)
        assert np.isnan(np.asarray(costs)).all(), (make.__name__, costs)


def test_lines_runner_trains_as_the_generic_step(cp):
    """The whole eager step with the lines' kernels (lines_runner), on a deep softmax network and on a
    shallow one, 6 steps each, against the generic step. It compiles the kernels of the network's own hidden
    activations, at build, and no others."""
    from backend_nn.accelerate.cupy_lines import _kernels, lines_runner

    rng = np.random.RandomState(3)
    X = rng.randn(5, 1500)
    Y = (np.arange(4)[:, None] == rng.randint(0, 4, size=1500)[None, :]) * 1.0
    for dims, activation, Yd, compiled in [([5, 12, 7, 4], ["tanh", "relu"], Y, 2), ([5, 6, 1], "sigmoid", Y[:1], 3)]:
        net = Network.build(dims, activation)
        p0 = bnn.initialize_parameters_deep(dims, seed=3, init="he")
        runner = lines_runner(p0, X, Yd, net=net, learning_rate=0.1, xp=np)
        assert _kernels.cache_info().currsize == compiled  # (device, dtype, activation): tanh, relu, then sigmoid
        assert_runner_matches_eager(runner, p0, X, Yd, net, 0.1, "float64", xp=np, n_records=2, cost_every=3)


@pytest.mark.parametrize("dims", [[2, 7, 1], [2, 7, 2, 1], [2, 8, 1], [2, 8, 2, 1]])
def test_the_lines_kernels_take_a_grids_rows_and_leave_more_to_the_generic_lines(cp, monkeypatch, dims):
    """One row of blocks per row of the array, and a grid has at most 65,535 rows (CUDA's limit on gridDim.y,
    which the stand-in keeps, and cupy_lines' _MAX_ROWS): a hidden layer of as many units runs the kernels
    (forward and backprop_rows where the output is one unit, forward and through_rows where a layer of two
    follows), one more the generic lines, with the same values. Here with both limits at 7 rows (65,535 rows
    in the stand-in took 8 minutes)."""
    import cuda_on_cpu
    from backend_nn.accelerate import cupy_lines

    assert cupy_lines._MAX_ROWS == cuda_on_cpu.GRID_MAX[1] == 65535
    monkeypatch.setattr(cupy_lines, "_MAX_ROWS", 7)
    monkeypatch.setattr(cuda_on_cpu, "GRID_MAX", (2**31 - 1, 7))
    g = get_activation("relu")
    X, Y = hidden_layer_data(np, 2, 300, "float64")
    p = bnn.initialize_parameters_deep(dims, seed=1, init="he")
    kernels = _lines_kernels("float64", "relu")
    before = [k.launches for k in kernels]
    assert_lines_match(p, X, Y, Network.build(dims, g), cupy_lines.CupyLines(), xp=np, rtol=1e-12, atol=1e-14)
    launched = [k.launches - b for k, b in zip(kernels, before)]
    fits, deep = dims[1] <= 7, len(dims) == 4
    # (forward_rows, backprop_rows, through_rows): the layer of two units takes the kernels at any width
    assert launched == [int(fits) + deep, 1 if deep or fits else 0, int(fits and deep)], launched
    with pytest.raises(RuntimeError, match=r"grid \(1, 8\) of blocks of 256 threads: CUDA takes grids up to"):
        kernels[0]((1, 8), (256,), (np.zeros((8, 1)), np.zeros((8, 1)), np.zeros((8, 1)), np.zeros((8, 1)),
                                    np.int64(1), np.int32(0), np.float64(0)))
