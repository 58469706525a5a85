"""CuPy's optional fast paths (backend_nn/accelerate) against the generic step they stand beside.

Each path either runs the generic equations differently (a CUDA graph, cuBLAS
called directly inside the capture) or writes some of them a second time in
CUDA (the fused kernel, the fused hidden-layer lines): each is compared here
with the eager generic step, per activation and dtype. Tolerances: float64
rtol 1e-9 / atol 1e-12 over 300 steps (the kernels sum in another order:
round-off ~1e-16 a step, as in test_parity); float32 2e-4 / 1e-6.
Marked ``gpu``: without a CUDA device they are skipped, saying so.
"""

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.accelerate import choose_runner
from backend_nn.backend import get_namespace, to_numpy
from backend_nn.network import Network
from backend_nn.step import train_step
from conftest import assert_lines_match, assert_runner_matches_eager, assert_through_line_matches, hidden_layer_data

pytestmark = pytest.mark.gpu

FLOWER = bnn.load_planar_dataset()
ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu", "linear"]


@pytest.fixture
def cp():
    if bnn.cuda_device_count() == 0:
        pytest.skip("no CUDA GPU: CuPy counts 0 CUDA devices (or is not installed)")
    return get_namespace("cupy")


KINDS = {"fused": "cupy fused kernel", "graph": "cuda graph", "lines": "cupy lines"}


def _compare_runner_with_eager(xp, kind, p0, X, Y, net, lr, dtype, n_records=30, cost_every=10):
    from backend_nn.accelerate import compiled_runner

    runner = compiled_runner(p0, X, Y, net=net, learning_rate=lr, xp=xp, prefer=KINDS[kind])
    assert runner is not None, f"the {kind} path declined this network"
    assert_runner_matches_eager(runner, p0, X, Y, net, lr, dtype, xp=xp, n_records=n_records, cost_every=cost_every)
    return runner


@pytest.mark.parametrize("kind", ["fused", "graph", "lines"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fast_paths_match_the_generic_step_on_the_flower(cp, kind, activation, dtype):
    dt = getattr(cp, dtype)
    X, Y = bnn.to_backend(FLOWER[0], cp, dtype=dt), bnn.to_backend(FLOWER[1], cp, dtype=dt)
    net = Network.build([2, 4, 1], bnn.get_activation(activation, negative_slope=0.05))
    lr = 1.2 if activation in ("tanh", "sigmoid") else 0.05
    p0 = bnn.initialize_parameters(2, 4, 1, backend=cp, dtype=dtype)
    _compare_runner_with_eager(cp, kind, p0, X, Y, net, lr, dtype)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_graph_with_cublas_on_a_network_too_big_for_the_broadcast_matmul(cp, activation, dtype):
    """n_h * n_x * m = 96 * 64 * 3001 > GRAPH_MAX_ELEMENTS: only the captured cuBLAS GEMMs can take it."""
    from backend_nn.accelerate.cupy_graph import GRAPH_MAX_ELEMENTS

    n_x, n_h, m = 64, 96, 3001
    assert n_x * n_h * m > GRAPH_MAX_ELEMENTS
    X, Y = hidden_layer_data(cp, n_x, m, getattr(cp, dtype))
    p0 = bnn.initialize_parameters(n_x, n_h, 1, backend=cp, dtype=dtype, init="he" if activation == "relu" else "random")
    runner = _compare_runner_with_eager(cp, "graph", p0, X, Y, Network.build([n_x, n_h, 1], activation), 0.5,
                                        dtype, n_records=5, cost_every=4)
    assert runner.keep is not None, "the graph fell back to the broadcast matmul"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_captured_gemm_matches_cupy_matmul_for_every_layout(cp, dtype):
    """C-, F- and non-contiguous operands, and dimensions of 1, called eagerly on the runner's stream."""
    from backend_nn.accelerate.cupy_graph import _CapturableGemm, _new_stream

    stream = _new_stream()
    gemm, why = _CapturableGemm.create(stream)
    assert gemm is not None, f"cuBLAS could not be loaded for direct calls: {why}"
    rng = np.random.RandomState(1)
    dt = getattr(cp, dtype)
    shapes = [(7, 5, 3), (1, 9, 4), (6, 1, 8), (5, 4, 1), (1, 300, 1), (33, 17, 65)]
    with stream:
        for M, K, N in shapes:
            a_host, b_host = rng.randn(M, K), rng.randn(K, N)
            layouts = {
                "C": (cp.asarray(a_host, dtype=dt), cp.asarray(b_host, dtype=dt)),
                "F": (cp.asarray(a_host.T, dtype=dt).T, cp.asarray(b_host.T, dtype=dt).T),
                "strided": (cp.asarray(np.repeat(a_host, 2, axis=1), dtype=dt)[:, ::2],
                            cp.asarray(np.repeat(b_host, 2, axis=0), dtype=dt)[::2]),
            }
            for name, (a, b) in layouts.items():
                got = gemm.matmul(a, b)
                assert got.shape == (M, N) and got.dtype == dt
                rtol = 1e-12 if dtype == "float64" else 1e-5
                np.testing.assert_allclose(to_numpy(got), a_host @ b_host, rtol=rtol, atol=rtol * 10,
                                           err_msg=f"{name} {M}x{K} @ {K}x{N}")
    stream.synchronize()


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("n_h, m", [(37, 1003), (3, 50001)])  # one column block per row; many
def test_fused_lines_match_the_generic_lines(cp, activation, dtype, n_h, m):
    """The forward line and the backward kernel (dW2, dZ1, db1 in one pass) on shallow networks
    whose sizes are not multiples of the block; with n_h = 3 each row is split among column
    blocks whose partial sums are added afterwards."""
    from backend_nn.accelerate.cupy_lines import CupyLines, _column_blocks

    X, Y = hidden_layer_data(cp, 5, m, getattr(cp, dtype))
    p = bnn.initialize_parameters_deep([5, n_h, 1], seed=4, init="he", backend=cp, dtype=dtype)
    assert (_column_blocks(n_h, m) > 1) == (n_h == 3)
    net = Network.build([5, n_h, 1], bnn.get_activation(activation, negative_slope=0.05))
    rtol, atol = (1e-12, 1e-14) if dtype == "float64" else (1e-5, 1e-6)
    caches = assert_lines_match(p, X, Y, net, CupyLines(), xp=cp, rtol=rtol, atol=atol)
    assert (caches[0][1] is None) == (activation in ("tanh", "sigmoid")), "Z1 is dropped only where g' needs A alone"


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("mean_in_dZ", [False, True])
def test_fused_lines_on_a_deep_network(cp, activation, mean_in_dZ):
    """With L = 3 the fused backward kernel applies to layer 3 (n_y = 1) and the generic lines
    run for W2^T dZ2 (a matrix product), taking db2 from the kernel's row sums; with the 1/m taken
    in dZ_L (course 2's order) the kernel's sums are not scaled again."""
    from backend_nn.accelerate.cupy_lines import CupyLines

    X, Y = bnn.to_backend(FLOWER[0], cp), bnn.to_backend(FLOWER[1], cp)
    p = bnn.initialize_parameters_deep([2, 6, 3, 1], seed=3, init="he", backend=cp)
    net = Network.build([2, 6, 3, 1], bnn.get_activation(activation, negative_slope=0.05))
    assert_lines_match(p, X, Y, net, CupyLines(), xp=cp, rtol=1e-12, atol=1e-15, cache_rtol=1e-14, cache_atol=1e-15,
                       mean_in_dZ=mean_in_dZ)


@pytest.mark.parametrize("activation", ["relu", ["tanh", "relu"]])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cupy_lines_on_a_deep_softmax_network(cp, activation, dtype):
    """[5, 40, 30, 4] softmax: the forward kernel on both hidden layers, the backward lines by cuBLAS."""
    from backend_nn.accelerate.cupy_lines import CupyLines

    rng = np.random.RandomState(3)
    X = bnn.to_backend(rng.randn(5, 900), cp, dtype=getattr(cp, dtype))
    labels = rng.randint(0, 4, size=900)
    Y = bnn.to_backend((np.arange(4)[:, None] == labels[None, :]) * 1.0, cp, dtype=getattr(cp, dtype))
    p = bnn.initialize_parameters_deep([5, 40, 30, 4], seed=3, init="he", backend=cp, dtype=dtype)
    net = Network.build([5, 40, 30, 4], activation)
    rtol, atol = (1e-12, 1e-14) if dtype == "float64" else (1e-5, 1e-6)
    assert_lines_match(p, X, Y, net, CupyLines(), xp=cp, rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_graph_on_a_deep_softmax_network(cp, dtype):
    """The CUDA graph of the generic step takes any depth and output: [5, 40, 30, 4] softmax."""
    rng = np.random.RandomState(3)
    dt = getattr(cp, dtype)
    X = bnn.to_backend(rng.randn(5, 900), cp, dtype=dt)
    labels = rng.randint(0, 4, size=900)
    Y = bnn.to_backend((np.arange(4)[:, None] == labels[None, :]) * 1.0, cp, dtype=dt)
    p0 = bnn.initialize_parameters_deep([5, 40, 30, 4], seed=3, init="he", backend=cp, dtype=dtype)
    runner = _compare_runner_with_eager(cp, "graph", p0, X, Y, Network.build([5, 40, 30, 4], "relu"), 0.1, dtype)
    assert runner.keep is not None


def test_cupy_backward_line_falls_back_where_it_does_not_apply(cp, monkeypatch):
    """n_l > 1 (a matrix product) and non-contiguous arrays take the generic line (super()); after a
    matrix product, through() takes the kernel where the layouts allow it and the generic line where not."""
    from backend_nn.accelerate import cupy_lines
    from backend_nn.activations import get_activation
    from backend_nn.propagation import Lines

    calls, throughs = [], []
    original, original_through = Lines.backward, Lines.through
    monkeypatch.setattr(Lines, "backward", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    monkeypatch.setattr(Lines, "through", lambda self, *a, **k: throughs.append(1) or original_through(self, *a, **k))
    lines, g = cupy_lines.CupyLines(), get_activation("tanh")
    A = cp.ones((4, 10))
    lines.backward(cp.ones((2, 10)), A, None, cp.ones((2, 4)), g, xp=cp, inv_m=0.1)
    assert (len(calls), len(throughs)) == (1, 0), "n_l = 2: the generic line, then the through kernel"
    lines.backward(cp.ones((1, 10)), cp.ones((10, 4)).T, None, cp.ones((1, 4)), g, xp=cp, inv_m=0.1)
    assert (len(calls), len(throughs)) == (2, 1), "an F-ordered A_prev: the generic lines throughout"
    lines.backward(cp.ones((1, 10)), A, None, cp.ones((1, 4)), g, xp=cp, inv_m=0.1)
    assert (len(calls), len(throughs)) == (2, 1), "the kernel serves n_l = 1 with C-ordered arrays"


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("n, m", [(37, 1003), (3, 50001)])  # one column block per row; many
def test_through_kernel_matches_the_generic_line(cp, activation, dtype, n, m):
    """dZ = W^T dZ_next * g'(Z) and db = sum(dZ, axis=1) / m after a matrix product (n_l = 5), in one
    kernel written over the product, against the generic line; with and without the 1/m; Z, A and the
    product's inputs are not written; for relu, leaky relu and linear the same bits (dA times 1, 0 or the
    slope), else round-off (g' formed in another order)."""
    from backend_nn.accelerate.cupy_lines import CupyLines, _column_blocks

    assert (_column_blocks(n, m) > 1) == (n == 3)
    assert_through_line_matches(CupyLines(), xp=cp, activation=activation, dtype=dtype, n=n, m=m)


def test_graph_without_a_loadable_cublas_falls_back_to_the_broadcast_matmul(cp, monkeypatch):
    """Where cuBLAS cannot be called directly, the graph records matmul as elementwise kernels:
    the flower still gets a graph (and the same answer); a network past GRAPH_MAX_ELEMENTS does not."""
    from backend_nn.accelerate import cupy_graph

    monkeypatch.setattr(cupy_graph._CapturableGemm, "create", classmethod(lambda cls, stream: (None, "test: none")))
    X, Y = bnn.to_backend(FLOWER[0], cp), bnn.to_backend(FLOWER[1], cp)
    p0 = bnn.initialize_parameters(2, 4, 1, backend=cp)
    runner = _compare_runner_with_eager(cp, "graph", p0, X, Y, Network.build([2, 4, 1], "tanh"), 1.2, "float64")
    assert runner.keep is None and runner.note == "broadcast matmul (no cuBLAS: test: none)"
    _, choice = choose_runner(p0, X, Y, net=Network.build([2, 4, 1], "tanh"), learning_rate=1.2, xp=cp,
                              compile="auto", prefer="cuda graph")
    assert choice.path == "cuda graph, broadcast matmul (no cuBLAS: test: none)"
    Xb, Yb = hidden_layer_data(cp, 64, 3001, cp.float64)
    big = bnn.initialize_parameters(64, 96, 1, backend=cp)
    from backend_nn.accelerate import Declined

    with pytest.raises(Declined, match="no capturable cuBLAS"):
        cupy_graph.graph_runner(big, Xb, Yb, net=Network.build([64, 96, 1], "tanh"), learning_rate=0.5, xp=cp)


def test_graph_on_a_deep_network(cp):
    """[2, 6, 3, 1]: inside the graph W3^T dZ3 is the fused kernel and W2^T dZ2 a captured cuBLAS
    product of a transposed (F-ordered) operand. Learning rate 0.1: at 0.5 this network's run turns
    unstable near step 230 and amplifies round-off 1e-16 -> 1e-2 within 30 steps, between eager
    CuPy and NumPy alike (measured on the H100), so no comparison of two summation orders survives it."""
    X, Y = bnn.to_backend(FLOWER[0], cp), bnn.to_backend(FLOWER[1], cp)
    p0 = bnn.initialize_parameters_deep([2, 6, 3, 1], seed=3, init="he", backend=cp)
    runner = _compare_runner_with_eager(cp, "graph", p0, X, Y, Network.build([2, 6, 3, 1], "tanh"), 0.1, "float64")
    assert runner.keep is not None


@pytest.mark.parametrize("kind", ["fused", "graph", "lines"])
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_a_nan_in_the_hidden_layer_stays_nan_on_every_path(cp, kind, activation):
    """A NaN in Z1 (here from a NaN weight) gives a NaN cost, as the generic step's maximum(0, Z) and
    maximum(Z, -cap) give it: the kernels' relu and sigmoid compiled to PTX's max, which returns the other
    operand, so a diverged unit read as 0 (relu) or ~0 (sigmoid) and the cost stayed finite."""
    from backend_nn.accelerate import compiled_runner

    X, Y = bnn.to_backend(FLOWER[0], cp), bnn.to_backend(FLOWER[1], cp)
    p0 = bnn.initialize_parameters(2, 4, 1, backend=cp)
    p0["W1"][1, 0] = float("nan")
    net = Network.build([2, 4, 1], activation)
    _, generic_cost = train_step(p0, X, Y, net=net, learning_rate=1.2, xp=cp)
    assert np.isnan(float(generic_cost))
    runner = compiled_runner(p0, X, Y, net=net, learning_rate=1.2, xp=cp, prefer=KINDS[kind])
    assert runner is not None, f"the {kind} path declined this network"
    _, costs = runner(p0, 2, 1)
    assert np.isnan(to_numpy(costs)).all(), to_numpy(costs)


@pytest.mark.parametrize("kind", ["fused", "graph", "lines"])
def test_fast_paths_on_a_second_device(cp, kind):
    """The kernels are cached per device: after device 0 has compiled and run a path, the same path on
    device 1 (arrays made there, nn_model(device=1)) runs its own kernels and gives the same answer."""
    if bnn.cuda_device_count() < 2:
        pytest.skip(f"needs 2 CUDA devices; CuPy counts {bnn.cuda_device_count()}")
    import cupy

    p0 = bnn.initialize_parameters(2, 4, 1, backend=cp)
    X, Y = bnn.to_backend(FLOWER[0], cp), bnn.to_backend(FLOWER[1], cp)
    _compare_runner_with_eager(cp, kind, p0, X, Y, Network.build([2, 4, 1], "tanh"), 1.2, "float64")
    with cupy.cuda.Device(1):
        p1 = bnn.initialize_parameters(2, 4, 1, backend=cp)
        X1, Y1 = bnn.to_backend(FLOWER[0], cp), bnn.to_backend(FLOWER[1], cp)
        assert X1.device.id == 1
        _compare_runner_with_eager(cp, kind, p1, X1, Y1, Network.build([2, 4, 1], "tanh"), 1.2, "float64")
    params, _ = bnn.nn_model(FLOWER[0], FLOWER[1], 4, num_iterations=200, backend="cupy", device=1)
    assert params["W1"].device.id == 1
