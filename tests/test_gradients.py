"""Every backward function against centred finite differences; every backend against NumPy.

The reference is independent of the code under test: NumPy float64 centred differences of
a scalar built from the forward functions. Random shapes, seeds and activations come from
hypothesis (``assume`` drops draws where ReLU's kink lies within h of a Z: there a finite
difference means nothing).
"""

import numpy as np
import pytest
from hypothesis import assume, example, given, settings, strategies as st

import backend_nn as bnn
from backend_nn.activations import HIDDEN_ACTIVATIONS
from backend_nn.network import Network
from backend_nn.propagation import Lines, mean_of
from conftest import assert_close, assert_lines_match

ACTS = list(HIDDEN_ACTIVATIONS)
ALL_ACTS = ACTS + ["softmax"]
H = 1e-6


def _numeric_grad(f, P, h=H):
    """Centred differences of the scalar f() with respect to every entry of P (changed in place, restored)."""
    G = np.zeros_like(P)
    for idx in np.ndindex(P.shape):
        keep = P[idx]
        P[idx] = keep + h
        plus = f()
        P[idx] = keep - h
        minus = f()
        P[idx] = keep
        G[idx] = (plus - minus) / (2 * h)
    return G


def _problem(seed, dims, m, output="sigmoid"):
    rng = np.random.RandomState(seed)
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) * 0.7
        params[f"b{l}"] = rng.randn(dims[l], 1) * 0.3
    X = rng.randn(dims[0], m)
    if output == "softmax":
        Y = (np.arange(dims[-1])[:, None] == rng.randint(0, dims[-1], size=m)[None, :]).astype(np.float64)
    else:
        Y = (rng.rand(dims[-1], m) > 0.5).astype(np.float64)
    return params, X, Y


def _far_from_kinks(Zs, activation) -> bool:
    names = [activation] if isinstance(activation, str) else activation
    if not any(a in ("relu", "leaky_relu") for a in names):
        return True
    return all(np.min(np.abs(Z)) > 1e-4 for Z in Zs)


# --- the week-3 functions -------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1), n_x=st.integers(1, 4), n_h=st.integers(1, 5), m=st.integers(1, 7),
    layers=st.integers(1, 2), activation=st.sampled_from(ACTS),
    out=st.sampled_from([("sigmoid", 1), ("sigmoid", 2), ("softmax", 2), ("softmax", 4)]),
)
def test_backward_propagation_matches_finite_differences(seed, n_x, n_h, m, layers, activation, out):
    output, n_y = out
    params, X, Y = _problem(seed, [n_x] + [n_h] * layers + [n_y], m, output)
    _, cache = bnn.forward_propagation(X, params, activation=activation, output=output)
    L = layers + 1
    assume(_far_from_kinks([cache[f"Z{l}"] for l in range(1, L)], activation))

    def cost():
        _, c = bnn.forward_propagation(X, params, activation=activation, output=output)
        return bnn.compute_cost(c[f"A{L}"], Y, ZL=c[f"Z{L}"], output=output)

    grads = bnn.backward_propagation(params, cache, X, Y, activation=activation, output=output)
    assert set(grads) == {f"d{k}" for k in params}
    for k, P in params.items():
        np.testing.assert_allclose(grads["d" + k], _numeric_grad(cost, P), rtol=1e-5, atol=1e-8, err_msg=k)


# --- the week-4 functions, one at a time ---------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_prev=st.integers(1, 5), n=st.integers(1, 5), m=st.integers(1, 6),
       activation=st.sampled_from(ALL_ACTS))
def test_linear_activation_backward_matches_finite_differences(seed, n_prev, n, m, activation):
    """J = sum(R * A) for a fixed random R, so dA = R: every output of linear_activation_backward
    (dA_prev, dW, db, by the course's convention db = sum(dZ) / m and dW = dZ A^T / m) checked."""
    assume(activation != "softmax" or n >= 2)
    rng = np.random.RandomState(seed)
    A_prev, W, b, R = rng.randn(n_prev, m), rng.randn(n, n_prev), rng.randn(n, 1), rng.randn(n, m)
    A, cache = bnn.linear_activation_forward(A_prev, W, b, activation)
    assume(_far_from_kinks([cache[1]], activation))

    def J():
        return float(np.sum(R * bnn.linear_activation_forward(A_prev, W, b, activation)[0]))

    dA_prev, dW, db = bnn.linear_activation_backward(R, cache, activation)
    np.testing.assert_allclose(dA_prev, _numeric_grad(J, A_prev), rtol=1e-5, atol=1e-8, err_msg="dA_prev")
    np.testing.assert_allclose(dW * m, _numeric_grad(J, W), rtol=1e-5, atol=1e-8, err_msg="dW")
    np.testing.assert_allclose(db * m, _numeric_grad(J, b), rtol=1e-5, atol=1e-8, err_msg="db")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_x=st.integers(1, 4), hidden=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       m=st.integers(1, 6), activation=st.sampled_from(ACTS), softmax=st.booleans())
@example(seed=3616, n_x=4, hidden=[1, 4, 4], m=4, activation="linear", softmax=False)  # A_L 0.99998: CI, session 32
def test_L_model_backward_matches_finite_differences(seed, n_x, hidden, m, activation, softmax):
    """grads["dW" + str(l)], grads["db" + str(l)] are dJ/dW_l, dJ/db_l of the mean cost; grads["dA0"]
    is m dJ/dX (the course's dA_{l-1} = W_l^T dZ_l, before any / m)."""
    output, n_y = ("softmax", 3) if softmax else ("sigmoid", 1)
    dims = [n_x, *hidden, n_y]
    params, X, Y = _problem(seed, dims, m, output)
    AL, caches = bnn.L_model_forward(X, params, activation=activation, output=output)
    assume(_far_from_kinks([c[1] for c in caches[:-1]], activation))

    def J():  # from the logits: through A_L near 0 or 1, log(1 - A_L) cancels to ~1e-12 and h = 1e-6 amplifies it
        AL, caches = bnn.L_model_forward(X, params, activation=activation, output=output)
        return bnn.compute_cost(AL, Y, ZL=caches[-1][1], output=output)

    grads = bnn.L_model_backward(AL, Y, caches, activation=activation, output=output)
    L = len(dims) - 1
    assert set(grads) == ({f"dA{l}" for l in range(L)} | {f"dW{l}" for l in range(1, L + 1)}
                          | {f"db{l}" for l in range(1, L + 1)})
    for k, P in params.items():
        np.testing.assert_allclose(grads["d" + k], _numeric_grad(J, P), rtol=1e-5, atol=1e-8, err_msg=k)
    np.testing.assert_allclose(grads["dA0"], m * _numeric_grad(J, X), rtol=1e-5, atol=1e-8, err_msg="dA0")


# --- every backend, NumPy's numbers ---------------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("dims, output", [([3, 5, 1], "sigmoid"), ([3, 5, 4, 3], "softmax")])
def test_every_backend_gives_numpys_gradients(backend, activation, dims, output):
    params, X, Y = _problem(7, dims, 11, output)
    _, cache = bnn.forward_propagation(X, params, activation=activation, output=output)
    ref = bnn.backward_propagation(params, cache, X, Y, activation=activation, output=output)
    p_b = backend.params(params)
    Xb, Yb = backend.asarray(X), backend.asarray(Y)
    _, cache_b = bnn.forward_propagation(Xb, p_b, activation=activation, output=output)
    grads = bnn.backward_propagation(p_b, cache_b, Xb, Yb, activation=activation, output=output)
    for k, v in ref.items():
        assert_close(grads[k], v, backend, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_every_backend_gives_numpys_week4_gradients(backend, activation):
    params, X, Y = _problem(8, [4, 5, 3, 1], 9)
    AL, caches = bnn.L_model_forward(X, params, activation=activation)
    ref = bnn.L_model_backward(AL, Y, caches, activation=activation)
    AL_b, caches_b = bnn.L_model_forward(backend.asarray(X), backend.params(params), activation=activation)
    assert_close(AL_b, AL, backend, rtol=1e-12)
    grads = bnn.L_model_backward(AL_b, backend.asarray(Y), caches_b, activation=activation)
    assert set(grads) == set(ref)
    for k, v in ref.items():
        assert_close(grads[k], v, backend, rtol=1e-10, atol=1e-14)


# --- the seam: a fast path's Lines -------------------------------------------------------------------
class _CountingLines(Lines):
    """A fast path's Lines as they are written (CuPy's kernels, NumPy's tiles): their own forward
    line dropping Z where g' needs A alone, their own backward line where n_l = 1, else super()."""

    def __init__(self):
        self.calls = {"forward": 0, "backward": 0, "fallback": 0}

    def forward(self, A_prev, W, b, g, *, xp, keep_Z=False):
        self.calls["forward"] += 1
        Z = W @ A_prev + b
        return (Z if keep_Z or g.needs_Z else None), g(Z, xp=xp)

    def backward(self, dZ, A_prev, Z_prev, W, g_prev, *, xp, inv_m, dropout=None, l=0):
        if W.shape[0] != 1:
            self.calls["fallback"] += 1
            return super().backward(dZ, A_prev, Z_prev, W, g_prev, xp=xp, inv_m=inv_m)
        self.calls["backward"] += 1
        dZ_prev = (W.T @ dZ) * g_prev.grad(Z_prev, A_prev, xp=xp)
        return mean_of(dZ @ A_prev.T, inv_m), dZ_prev, mean_of(np.sum(dZ_prev, axis=1, keepdims=True), inv_m)


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("dims", [[3, 5, 1], [3, 5, 4, 1], [3, 4, 1, 1], [3, 6, 5, 4]])
@pytest.mark.parametrize("mean_in_dZ", [False, True])
def test_a_fast_paths_lines_are_wired_like_the_generic_lines(activation, dims, mean_in_dZ):
    """Through the seam the gradients are the generic ones, with the fast path's lines called
    once per hidden layer forward and once per layer above a hidden one backward; with the 1/m
    taken in dZ_L too (course 2's order), where the lines get inv_m=None."""
    lines = _CountingLines()
    rng = np.random.RandomState(0)
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"], params[f"b{l}"] = rng.randn(dims[l], dims[l - 1]), rng.randn(dims[l], 1)
    X = rng.randn(dims[0], 11)
    net = Network.build(dims, activation)
    if dims[-1] == 1:
        Y = (rng.rand(1, 11) > 0.5) * 1.0
    else:
        Y = (np.arange(dims[-1])[:, None] == rng.randint(0, dims[-1], size=11)[None, :]) * 1.0
    assert_lines_match(params, X, Y, net, lines, xp=np, rtol=1e-13, atol=1e-15, mean_in_dZ=mean_in_dZ)
    assert lines.calls["forward"] == len(dims) - 2
    assert lines.calls["backward"] == sum(1 for l in range(2, len(dims)) if dims[l] == 1)
    assert lines.calls["fallback"] == sum(1 for l in range(2, len(dims)) if dims[l] != 1)
