"""backward_propagation against centred finite differences of the cost.

The reference is independent of the code under test: NumPy float64 finite
differences of J(parameters) = compute_cost(forward_propagation(...)). Random
shapes, seeds and activations come from hypothesis; every backend is checked
against NumPy's analytic gradients.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import backend_nn as bnn
from backend_nn.activations import ACTIVATIONS
from conftest import assert_close, assert_hooked_lines_match

ACTS = list(ACTIVATIONS)


def _problem(seed, n_x, n_h, n_y, m, layers=1):
    rng = np.random.RandomState(seed)
    dims = [n_x] + [n_h] * layers + [n_y]
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) * 0.7
        params[f"b{l}"] = rng.randn(dims[l], 1) * 0.3
    X = rng.randn(n_x, m)
    Y = (rng.rand(n_y, m) > 0.5).astype(np.float64)
    return params, X, Y


def _cost(params, X, Y, activation):
    _, cache = bnn.forward_propagation(X, params, activation=activation)
    L = len(params) // 2
    return float(bnn.compute_cost(cache[f"A{L}"], Y, Z2=cache[f"Z{L}"]))


def _finite_differences(params, X, Y, activation, h=1e-6):
    grads = {}
    for k, P in params.items():
        G = np.zeros_like(P)
        for idx in np.ndindex(P.shape):
            plus = {kk: vv.copy() for kk, vv in params.items()}
            minus = {kk: vv.copy() for kk, vv in params.items()}
            plus[k][idx] += h
            minus[k][idx] -= h
            G[idx] = (_cost(plus, X, Y, activation) - _cost(minus, X, Y, activation)) / (2 * h)
        grads["d" + k] = G
    return grads


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_x=st.integers(1, 4), n_h=st.integers(1, 5), n_y=st.integers(1, 2), m=st.integers(1, 7),
    layers=st.integers(1, 2),
    activation=st.sampled_from(ACTS),
)
def test_backward_matches_finite_differences(seed, n_x, n_h, n_y, m, layers, activation):
    params, X, Y = _problem(seed, n_x, n_h, n_y, m, layers)
    _, cache = bnn.forward_propagation(X, params, activation=activation)
    # ReLU's kink: finite differences are meaningless within h of Z = 0.
    if activation in ("relu", "leaky_relu") and any(np.min(np.abs(cache[f"Z{l}"])) < 1e-4 for l in range(1, layers + 1)):
        return
    grads = bnn.backward_propagation(params, cache, X, Y, activation=activation)
    fd = _finite_differences(params, X, Y, activation)
    for k in fd:
        np.testing.assert_allclose(grads[k], fd[k], rtol=1e-5, atol=1e-8, err_msg=k)


@pytest.mark.parametrize("activation", ACTS)
def test_every_backend_gives_numpys_gradients(backend, activation):
    params, X, Y = _problem(7, 3, 5, 1, 11)
    _, cache = bnn.forward_propagation(X, params, activation=activation)
    ref = bnn.backward_propagation(params, cache, X, Y, activation=activation)
    p_b = backend.params(params)
    Xb, Yb = backend.asarray(X), backend.asarray(Y)
    _, cache_b = bnn.forward_propagation(Xb, p_b, activation=activation)
    grads = bnn.backward_propagation(p_b, cache_b, Xb, Yb, activation=activation)
    for k, v in ref.items():
        assert_close(grads[k], v, backend, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("dims", [[3, 5, 1], [3, 5, 4, 1], [3, 4, 1, 1]])
def test_fused_line_hooks_are_wired_like_the_generic_lines(activation, dims):
    """The hooks a backend may attach to an activation (CuPy's kernels use them), played here by
    NumPy versions of the same lines, must give the generic gradients. With [3, 5, 4, 1] the
    backward hook applies to layer 3 and declines layer 2 (a matrix product): db2 then comes from
    the hook's row sums and db1 from the generic sum."""
    import dataclasses

    from backend_nn.activations import FusedBackprop, get_activation
    from backend_nn.backend import get_namespace

    xp = get_namespace("numpy")
    g = get_activation(activation)
    calls = {"forward": 0, "backward": 0}

    def forward(WA, b):
        calls["forward"] += 1
        Z = WA + b
        return (None if activation in ("tanh", "sigmoid") else Z), g(Z, xp=xp)

    def backprop(W, dZ, Z_prev, A_prev):
        if W.shape[0] != 1:
            return None
        calls["backward"] += 1
        dZ_prev = (W.T @ dZ) * g.grad(Z_prev, A_prev, xp=xp)
        return FusedBackprop(dZ @ A_prev.T, dZ_prev, np.sum(dZ_prev, axis=1, keepdims=True))

    hooked = dataclasses.replace(g, fused_forward=forward, fused_backprop=backprop)
    rng = np.random.RandomState(0)
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"], params[f"b{l}"] = rng.randn(dims[l], dims[l - 1]), rng.randn(dims[l], 1)
    X, Y = rng.randn(dims[0], 11), (rng.rand(1, 11) > 0.5) * 1.0
    assert_hooked_lines_match(params, X, Y, g, hooked, xp=xp, rtol=1e-13, atol=1e-15)
    assert calls["forward"] == len(dims) - 2
    assert calls["backward"] == sum(1 for l in range(2, len(dims)) if dims[l] == 1)
