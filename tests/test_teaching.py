"""The course's teaching facts, as tests (REFERENCE.md, "Teaching facts worth a test")."""

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn import activations as act
from backend_nn.backend import get_namespace
from backend_nn.outputs import SIGMOID, SOFTMAX

xp = get_namespace("numpy")


def test_zero_initialization_stays_symmetric():
    X, Y = bnn.load_planar_dataset()
    with pytest.warns(bnn.ConvergenceWarning, match="Every unit of hidden layer 1 computes the same function"):
        params, costs = bnn.nn_model(X, Y, 4, 1000, init="zeros")
    assert np.all(params["W1"] == 0) and np.all(params["W2"] == 0) and np.all(params["b1"] == 0)
    A2, cache = bnn.forward_propagation(X, params)
    assert np.all(cache["A1"] == cache["A1"][0])  # every hidden unit computes the same function
    assert bnn.accuracy(bnn.predict(params, X), Y) == 0.5
    # Only b2 can learn; on the balanced flower its gradient mean(A2 - Y) is 0 too.
    Xu, Yu = X[:, :300], Y[:, :300]  # 200 of class 0, 100 of class 1
    with pytest.warns(bnn.ConvergenceWarning, match=r"predicting Y's mean, 0.333, .* the symmetry lesson"):
        params, _ = bnn.nn_model(Xu, Yu, 4, 1000, init="zeros")
    assert np.all(params["W1"] == 0) and np.all(params["W2"] == 0) and np.all(params["b1"] == 0)
    assert params["b2"][0, 0] == pytest.approx(np.log(100 / 200), abs=1e-3)  # the log-odds of the labels


def test_random_initialization_breaks_symmetry():
    X, Y = bnn.load_planar_dataset()
    params, _ = bnn.nn_model(X, Y, 4, 1000)
    assert len({tuple(row) for row in np.round(params["W1"], 6)}) == 4


def test_stable_cost_equals_naive_cost_where_finite():
    rng = np.random.RandomState(0)
    Z2 = rng.randn(1, 200) * 3  # where the naive formula is itself accurate
    Y = (rng.rand(1, 200) > 0.5).astype(float)
    A2 = 1 / (1 + np.exp(-Z2))
    naive = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    assert float(SIGMOID.cost_from_logits(Z2, Y, xp=xp)) == pytest.approx(naive, rel=1e-10)
    assert float(SIGMOID.cost_from_probabilities(A2, Y, xp=xp)) == pytest.approx(naive, rel=1e-10)
    assert bnn.compute_cost(A2, Y, Z2=Z2) == pytest.approx(naive, rel=1e-10)
    assert bnn.compute_cost(A2, Y) == pytest.approx(naive, rel=1e-10)


def test_stable_softmax_cost_equals_naive_cost_and_survives_huge_logits():
    rng = np.random.RandomState(1)
    Z = rng.randn(4, 50) * 2
    Y = (np.arange(4)[:, None] == rng.randint(0, 4, size=50)[None, :]) * 1.0
    A = np.exp(Z) / np.sum(np.exp(Z), axis=0, keepdims=True)
    naive = -np.sum(Y * np.log(A)) / 50
    np.testing.assert_allclose(act.softmax(Z, xp=xp), A, rtol=1e-13)
    assert float(SOFTMAX.cost_from_logits(Z, Y, xp=xp)) == pytest.approx(naive, rel=1e-12)
    assert bnn.compute_cost(A, Y) == pytest.approx(naive, rel=1e-12)
    big = Z * 1000  # exp would overflow without the column max taken out
    assert np.all(np.isfinite(act.softmax(big, xp=xp))) and np.allclose(np.sum(act.softmax(big, xp=xp), axis=0), 1)
    assert np.isfinite(float(SOFTMAX.cost_from_logits(big, Y, xp=xp)))


def test_sigmoid_output_is_the_two_class_softmax():
    """Binary classification is the K = 2 case of softmax: softmax([z, 0]) = [sigmoid(z), 1 - sigmoid(z)]."""
    z = np.linspace(-6, 6, 25)[None, :]
    two = act.softmax(np.concatenate([z, np.zeros_like(z)]), xp=xp)
    np.testing.assert_allclose(two[0], act.sigmoid(z, xp=xp)[0], rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_cost_stays_finite_where_A2_rounds_to_0_or_1(dtype):
    Z2 = np.array([[-1000.0, 1000.0, -40.0, 40.0]], dtype=dtype)
    Y = np.array([[1.0, 0.0, 1.0, 0.0]], dtype=dtype)
    A2 = act.sigmoid(Z2, xp=xp)
    assert A2.dtype == dtype and np.all(np.isfinite(A2))
    exact = bnn.compute_cost(A2, Y, Z2=Z2)
    assert exact == pytest.approx((1000 + 1000 + 40 + 40) / 4, rel=1e-6)
    assert np.isfinite(bnn.compute_cost(A2, Y))  # from A2 alone: clipped, finite


def test_sigmoid_is_accurate_in_both_tails():
    z = np.array([-40.0, -5.0, 0.0, 5.0, 40.0])
    np.testing.assert_allclose(act.sigmoid(z, xp=xp), 1 / (1 + np.exp(-z)), rtol=1e-15)
    assert act.sigmoid(np.array([-40.0]), xp=xp)[0] > 0


def test_activation_derivatives():
    z = np.linspace(-3, 3, 13)
    a = act.sigmoid(z, xp=xp)
    np.testing.assert_allclose(act.sigmoid_derivative(z, a, xp=xp), a * (1 - a))
    assert act.sigmoid_derivative(np.array(0.0), act.sigmoid(np.array(0.0), xp=xp), xp=xp) == 0.25
    assert np.max(act.sigmoid_derivative(z, a, xp=xp)) <= 0.25
    t = act.tanh(z, xp=xp)
    np.testing.assert_allclose(act.tanh_derivative(z, t, xp=xp), 1 - np.tanh(z) ** 2)
    zz = np.array([-2.0, -1e-9, 0.0, 1e-9, 2.0])
    np.testing.assert_array_equal(act.relu_derivative(zz, None, xp=xp), [0, 0, 0, 1, 1])  # relu'(0) = 0
    np.testing.assert_array_equal(act.relu(zz, xp=xp), [0, 0, 0, 1e-9, 2])
    np.testing.assert_array_equal(act.leaky_relu_derivative(zz, None, xp=xp), [0.01, 0.01, 0.01, 1, 1])
    np.testing.assert_allclose(act.leaky_relu(zz, xp=xp), [-0.02, -1e-11, 0, 1e-9, 2])
    # the derivatives are the slopes of the functions
    h = 1e-6
    for name, (f, df) in act.HIDDEN_ACTIVATIONS.items():
        zs = np.array([-1.3, -0.4, 0.7, 2.1])
        numeric = (f(zs + h, xp=xp) - f(zs - h, xp=xp)) / (2 * h)
        np.testing.assert_allclose(df(zs, f(zs, xp=xp), xp=xp), numeric, rtol=1e-6, err_msg=name)


def test_linear_hidden_layer_collapses_to_logistic_regression():
    X, Y = bnn.load_planar_dataset()
    params, _ = bnn.nn_model(X, Y, 4, 2000, activation="linear")
    # The network computes sigmoid(W2 (W1 X + b1) + b2) = sigmoid(w X + b): one linear boundary.
    w = params["W2"] @ params["W1"]
    b = params["W2"] @ params["b1"] + params["b2"]
    A2, _ = bnn.forward_propagation(X, params)
    np.testing.assert_allclose(A2, 1 / (1 + np.exp(-(w @ X + b))), rtol=1e-10)
    acc = bnn.accuracy(bnn.predict(params, X), Y)
    assert 0.40 <= acc <= 0.55  # like logistic regression on the flower (about 47%)
