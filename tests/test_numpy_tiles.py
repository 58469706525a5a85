"""NumPy's optional fast path (accelerate/numpy_tiles.py): the hidden layer's lines tile by tile.

A1 and dZ1 must equal the generic lines' bit for bit (the same functions on slices); dW2 and
db1 are summed tile by tile, so they may differ in round-off (rtol 1e-12). A training run
with ``compile=True`` must follow the eager one step by step (rtol 1e-9, as in test_parity).
"""

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.accelerate import choose_runner, compiled_runner
from backend_nn.accelerate.numpy_tiles import MIN_ELEMENTS, TILE_ELEMENTS, TiledLines
from backend_nn.activations import HIDDEN_ACTIVATIONS
from backend_nn.backend import get_namespace
from backend_nn.network import Network
from conftest import assert_lines_match


def _problem(n_x, n_h, m, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    Y = (X[:1] * X[-1:] > 0) * 1.0
    return X, Y, bnn.initialize_parameters_deep([n_x, n_h, 1], seed=seed, init="he")


@pytest.mark.parametrize("activation", list(HIDDEN_ACTIVATIONS))
@pytest.mark.parametrize("n_h, m", [(37, 1003), (3, 2 * TILE_ELEMENTS + 7)])  # partial tiles by rows; by columns
def test_tiled_lines_match_the_generic_lines(activation, n_h, m):
    X, Y, p = _problem(4, n_h, m)
    net = Network.build([4, n_h, 1], bnn.get_activation(activation, negative_slope=0.05))
    caches = assert_lines_match(p, X, Y, net, TiledLines(), xp=np, rtol=1e-12, atol=1e-15,
                                cache_rtol=0, cache_atol=0)  # A1 and Z1: bit for bit
    assert (caches[0][1] is None) == (activation in ("tanh", "sigmoid")), "Z1 is dropped only where g' needs A alone"


@pytest.mark.parametrize("n_h, m", [(37, 1003), (3, 2 * TILE_ELEMENTS + 7)])
def test_tiled_lines_take_the_mean_where_the_step_says(n_h, m):
    """With the 1/m taken in dZ_L (course 2's init_utils and opt_utils), the tiles' sums are not scaled
    again: the gradients are the generic lines' with the same order."""
    X, Y, p = _problem(4, n_h, m)
    net = Network.build([4, n_h, 1], "relu")
    assert_lines_match(p, X, Y, net, TiledLines(), xp=np, rtol=1e-12, atol=1e-15, mean_in_dZ=True)


def test_training_with_compile_follows_the_eager_run():
    X, Y, p0 = _problem(3, 24, 3000)
    assert 24 * 3000 >= MIN_ELEMENTS
    xp = get_namespace("numpy")  # the namespace nn_model finds for NumPy data takes the tiled path
    net = Network.build([3, 24, 1], "tanh")
    _, choice = choose_runner(p0, X, Y, net=net, learning_rate=0.5, xp=xp, compile=True)
    assert choice.path == "numpy tiles", choice
    kw = dict(learning_rate=0.5, cost_every=10, seed=1)
    p_fast, c_fast = bnn.nn_model(X, Y, 24, 200, compile=True, **kw)
    p_eager, c_eager = bnn.nn_model(X, Y, 24, 200, **kw)
    np.testing.assert_allclose(c_fast, c_eager, rtol=1e-9, atol=1e-12)
    for k in p_eager:
        np.testing.assert_allclose(p_fast[k], p_eager[k], rtol=1e-9, atol=1e-12, err_msg=k)


def test_small_networks_do_not_take_the_tiles():
    X, Y = bnn.load_planar_dataset()
    p = bnn.initialize_parameters(2, 4, 1)
    net = Network.build([2, 4, 1], "tanh")
    assert compiled_runner(p, X, Y, net=net, learning_rate=1.2, xp=np, prefer="numpy tiles") is None
    _, choice = choose_runner(p, X, Y, net=net, learning_rate=1.2, xp=np, compile=True)
    assert choice.path != "numpy tiles" and choice.passed_over[0][0] == "numpy tiles", choice  # with its reason


@pytest.mark.parametrize("activation", ["tanh", "relu", ["relu", "tanh"]])
def test_tiled_lines_on_a_deep_network(activation):
    """[4, 300, 5, 1]: the tiled forward line runs for both hidden layers, the one-pass backward line
    for layer 3 (n_3 = 1); layer 2's W2^T dZ2 is a matrix product, and g' is taken over it tile by tile."""
    rng = np.random.RandomState(2)
    X, Y = rng.randn(4, 700), (rng.rand(1, 700) > 0.5) * 1.0
    p = bnn.initialize_parameters_deep([4, 300, 5, 1], seed=2, init="he")
    net = Network.build([4, 300, 5, 1], activation)
    assert_lines_match(p, X, Y, net, TiledLines(), xp=np, rtol=1e-12, atol=1e-15, cache_rtol=0, cache_atol=0)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear", ["leaky_relu", "sigmoid"]])
def test_tiled_lines_on_a_deep_softmax_network(activation, monkeypatch):
    """[5, 40, 30, 4] softmax: every hidden layer's forward line tiled; the backward lines are all
    matrix products (n_l > 1), g' taken over them tile by tile and in place (TiledLines.through, once per
    hidden layer): every gradient the generic lines' to the bit, with the softmax output's dZ_L. The
    product is the step's own: nothing else changes."""
    calls = []
    tiled_through = TiledLines.through
    monkeypatch.setattr(TiledLines, "through", lambda self, *a, **k: calls.append(1) or tiled_through(self, *a, **k))
    rng = np.random.RandomState(3)
    X = rng.randn(5, 900)
    labels = rng.randint(0, 4, size=900)
    Y = (np.arange(4)[:, None] == labels[None, :]) * 1.0
    p = bnn.initialize_parameters_deep([5, 40, 30, 4], seed=3, init="he")
    net = Network.build([5, 40, 30, 4], activation)
    assert net.output.name == "softmax"
    X0, p0 = X.copy(), {k: v.copy() for k, v in p.items()}
    assert_lines_match(p, X, Y, net, TiledLines(), xp=np, rtol=0, atol=0)
    assert len(calls) == 2, "g' of both hidden layers in tiles"
    np.testing.assert_array_equal(X, X0)
    for k in p:
        np.testing.assert_array_equal(p[k], p0[k])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_tiled_lines_with_dropout_equal_the_generic_lines(activation):
    """With dropout (course 2's inverted dropout, the course's masks), the forward line is tiled and keeps Z, even
    for tanh and sigmoid (the cache holds the dropped-out A, so g' is taken from Z: without it the generic line
    failed on None); the backward lines are the generic ones, D_l / keep_prob applied before g': every gradient
    the generic lines' to the bit. [4, 300, 5, 1] takes both backward routes: layer 3's one-pass line (n_3 = 1)
    and layer 2's product with g' in tiles (TiledLines.through) give way to the generic lines where a mask is."""
    from backend_nn.regularization import Dropout, dropout_masks

    dims, m = [4, 300, 5, 1], 700
    rng = np.random.RandomState(4)
    X, Y = rng.randn(4, m), (rng.rand(1, m) > 0.5) * 1.0
    p = bnn.initialize_parameters_deep(dims, seed=4, init="he")
    net = Network.build(dims, activation)
    dropout = Dropout(0.8, dropout_masks(dims, m, 0.8, xp=np, dtype=np.float64))
    caches = assert_lines_match(p, X, Y, net, TiledLines(), xp=np, rtol=0, atol=0, dropout=dropout)
    assert all(Z is not None for _, Z in caches)
