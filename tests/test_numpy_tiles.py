"""NumPy's optional fast path (accelerate/numpy_tiles.py): the hidden layer's lines tile by tile.

A1 and dZ1 must equal the generic lines' bit for bit (the same functions on slices); dW2 and
db1 are summed tile by tile, so they may differ in round-off (rtol 1e-12). A training run
with ``compile=True`` must follow the eager one step by step (rtol 1e-9, as in test_parity).
"""

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.accelerate import compiled_runner
from backend_nn.accelerate.numpy_tiles import MIN_ELEMENTS, TILE_ELEMENTS, with_tiled_lines
from backend_nn.activations import ACTIVATIONS, get_activation
from backend_nn.backend import get_namespace
from conftest import assert_hooked_lines_match


def _problem(n_x, n_h, m, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    Y = (X[:1] * X[-1:] > 0) * 1.0
    return X, Y, bnn.initialize_parameters_deep([n_x, n_h, 1], seed=seed, init="he")


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("n_h, m", [(37, 1003), (3, 2 * TILE_ELEMENTS + 7)])  # partial tiles by rows; by columns
def test_tiled_lines_match_the_generic_lines(activation, n_h, m):
    X, Y, p = _problem(4, n_h, m)
    g = get_activation(activation, negative_slope=0.05)
    cache_t = assert_hooked_lines_match(p, X, Y, g, with_tiled_lines(g), xp=np, rtol=1e-12, atol=1e-15,
                                        cache_rtol=0, cache_atol=0)  # A1 and Z1: bit for bit
    assert (cache_t["Z1"] is None) == (activation in ("tanh", "sigmoid")), "Z1 is dropped only where g' needs A alone"


def test_training_with_compile_follows_the_eager_run():
    X, Y, p0 = _problem(3, 24, 3000)
    assert 24 * 3000 >= MIN_ELEMENTS
    xp = get_namespace("numpy")  # the namespace nn_model finds for NumPy data takes the tiled path
    assert compiled_runner(p0, X, Y, g=get_activation("tanh"), learning_rate=0.5, xp=xp) is not None
    kw = dict(learning_rate=0.5, cost_every=10, seed=1)
    p_fast, c_fast = bnn.nn_model(X, Y, 24, 200, compile=True, **kw)
    p_eager, c_eager = bnn.nn_model(X, Y, 24, 200, **kw)
    np.testing.assert_allclose(c_fast, c_eager, rtol=1e-9, atol=1e-12)
    for k in p_eager:
        np.testing.assert_allclose(p_fast[k], p_eager[k], rtol=1e-9, atol=1e-12, err_msg=k)


def test_small_networks_keep_the_eager_loop():
    X, Y = bnn.load_planar_dataset()
    p = bnn.initialize_parameters(2, 4, 1)
    assert compiled_runner(p, X, Y, g=get_activation("tanh"), learning_rate=1.2, xp=np) is None


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_tiled_lines_on_a_deep_network(activation):
    """[4, 300, 5, 1]: the forward hook runs for both hidden layers, the backward hook for layer 3
    only (n_3 = 1); layer 2's W2^T dZ2 is a matrix product and takes the generic line."""
    rng = np.random.RandomState(2)
    X, Y = rng.randn(4, 700), (rng.rand(1, 700) > 0.5) * 1.0
    p = bnn.initialize_parameters_deep([4, 300, 5, 1], seed=2, init="he")
    g = get_activation(activation)
    assert_hooked_lines_match(p, X, Y, g, with_tiled_lines(g), xp=np, rtol=1e-12, atol=1e-15,
                              cache_rtol=0, cache_atol=0)
