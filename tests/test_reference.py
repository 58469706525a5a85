"""The course's published numbers (shared/course/REFERENCE.md), on every backend, float64."""

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.backend import to_numpy
from conftest import assert_close

W1_REF = [[-0.00416758, -0.00056267], [-0.02136196, 0.01640271], [-0.01793436, -0.00841747], [0.00502881, -0.01245288]]
W2_REF = [[-0.01057952, -0.00909008, 0.00551454, 0.02292208]]


def test_initialization_is_the_courses(backend):
    p = bnn.initialize_parameters(2, 4, 1, backend=backend.xp, device=backend.device)
    assert set(p) == {"W1", "b1", "W2", "b2"}
    assert_close(p["W1"], W1_REF, backend, atol=5e-9)
    assert_close(p["W2"], W2_REF, backend, atol=5e-9)
    assert_close(p["b1"], np.zeros((4, 1)), backend)
    assert_close(p["b2"], np.zeros((1, 1)), backend)


def test_initialization_leaves_global_numpy_state_alone():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    bnn.initialize_parameters(2, 4, 1)
    bnn.load_planar_dataset()
    assert np.random.rand() == expected


def test_forward_propagation_cache_means(backend):
    rng = np.random.RandomState(1)
    X = rng.randn(2, 3)
    b1 = rng.randn(4, 1)
    params = backend.params({"W1": np.round(W1_REF, 8), "b1": b1, "W2": np.round(W2_REF, 8), "b2": [[-1.3]]})
    A2, cache = bnn.forward_propagation(backend.asarray(X), params)
    assert set(cache) == {"Z1", "A1", "Z2", "A2"}
    means = {k: float(np.mean(to_numpy(v))) for k, v in cache.items()}
    expected = {"Z1": 0.262818640, "A1": 0.091999045, "Z2": -1.307666017, "A2": 0.212877681}
    for k, v in expected.items():
        assert means[k] == pytest.approx(v, abs=2e-8), k
    assert_close(A2, to_numpy(cache["A2"]), backend)


def test_compute_cost(backend):
    rng = np.random.RandomState(1)
    Y = rng.randn(1, 3) > 0
    A2 = backend.asarray([[0.5002307, 0.49985831, 0.50023963]])
    cost = bnn.compute_cost(A2, backend.asarray(Y, dtype=backend.xp.bool))
    assert type(cost) is float  # as the course's compute_cost returns it
    assert cost == pytest.approx(0.6930587610394646, rel=1e-12)
    params = bnn.initialize_parameters(2, 4, 1, backend=backend.xp, device=backend.device)
    assert bnn.compute_cost(A2, backend.asarray(Y, dtype=backend.xp.bool), params) == cost  # the earlier notebooks' call
    with pytest.raises(TypeError, match="the third argument is the earlier notebooks' parameters dict"):
        bnn.compute_cost(A2, backend.asarray(Y, dtype=backend.xp.bool), A2)


def test_backward_propagation(backend):
    rng = np.random.RandomState(1)
    X = rng.randn(2, 3)
    Y = rng.randn(1, 3) > 0
    params = backend.params({"W1": W1_REF, "b1": np.zeros((4, 1)), "W2": W2_REF, "b2": np.zeros((1, 1))})
    Xb = backend.asarray(X)
    Yb = backend.asarray(Y, dtype=backend.xp.bool)
    _, cache = bnn.forward_propagation(Xb, params)
    grads = bnn.backward_propagation(params, cache, Xb, Yb)
    assert set(grads) == {"dW1", "db1", "dW2", "db2"}
    tol = dict(rtol=0, atol=2e-8)
    assert_close(grads["dW1"], [[0.00301023, -0.00747267], [0.00257968, -0.00641288],
                                [-0.00156892, 0.003893], [-0.00652037, 0.01618243]], backend, **tol)
    assert_close(grads["db1"], [[0.00176201], [0.00150995], [-0.00091736], [-0.00381422]], backend, **tol)
    assert_close(grads["dW2"], [[0.00078841, 0.01765429, -0.00084166, -0.01022527]], backend, **tol)
    assert_close(grads["db2"], [[-0.16655712]], backend, **tol)


def test_update_parameters_is_gradient_descent(backend):
    rng = np.random.RandomState(0)
    host = {"W1": rng.randn(4, 2), "b1": rng.randn(4, 1), "W2": rng.randn(1, 4), "b2": rng.randn(1, 1)}
    ghost = {"d" + k: rng.randn(*v.shape) for k, v in host.items()}
    params, grads = backend.params(host), backend.params(ghost)
    for new in (bnn.update_parameters(params, grads, learning_rate=1.2), bnn.update_parameters(params, grads)):
        for k in host:  # week 3's default learning_rate is the course's 1.2
            assert_close(new[k], host[k] - 1.2 * ghost["d" + k], backend, rtol=1e-15)
            assert_close(params[k], host[k], backend, rtol=0)  # the caller's arrays are untouched


def test_layer_sizes_gives_the_courses_hidden_layer_of_4():
    X, Y = bnn.load_planar_dataset()
    assert bnn.layer_sizes(X, Y) == (2, 4, 1)
    assert bnn.layer_sizes(X, Y, n_h=6) == (2, 6, 1)


def test_whole_model_small_case(backend):
    rng = np.random.RandomState(1)
    X = rng.randn(2, 3)
    Y = rng.randn(1, 3) > 0
    params, costs = bnn.nn_model(backend.asarray(X), backend.asarray(Y, dtype=backend.xp.bool), 4,
                                 num_iterations=10000, learning_rate=1.2, cost_every=1000)
    assert costs[0] == pytest.approx(0.692739, abs=5e-7)
    assert_close(params["W1"][0, :], [-0.65848169, 1.21866811], backend, atol=1e-6)
    assert_close(params["b2"], [[0.20459656]], backend, atol=1e-6)


def test_flower_dataset_is_the_courses():
    X, Y = bnn.load_planar_dataset()
    assert X.shape == (2, 400) and Y.shape == (1, 400)
    np.testing.assert_allclose(X[:, 0], [1.20444229, 3.57611415], atol=5e-9)
    np.testing.assert_allclose(X.mean(axis=1), [-0.04334591, 0.06856587], atol=5e-9)
    assert Y.sum() == 200 and set(np.unique(Y)) == {0.0, 1.0}


def test_a_loop_of_train_steps_follows_the_courses_flower_run(backend):
    """The README's loop of bnn.train_step from the course's start: REFERENCE.md's costs at 0, 1000, 2000."""
    X, Y = bnn.load_planar_dataset()
    net = bnn.Network.build([2, 4, 1], "tanh")
    params = bnn.initialize_parameters(2, 4, 1, backend=backend.xp, device=backend.device)
    Xb, Yb = backend.asarray(X), backend.asarray(Y)
    costs = {}
    for i in range(2001):
        params, cost = bnn.train_step(params, Xb, Yb, learning_rate=1.2, net=net, check=i == 0)
        if i % 1000 == 0:
            costs[i] = round(float(cost), 6)
    assert costs == {0: 0.693048, 1000: 0.288083, 2000: 0.254385}
    assert params.network == net


def test_the_notebooks_hidden_layer_sweep_prints_its_accuracies():
    """The week-3 notebook's "tuning hidden layer size": nn_model(X, Y, n_h, num_iterations=5000) on the
    flower, then its accuracy of predict(parameters, X); it printed 67.5, 67.25, 90.75, 90.5 and 91.25 %
    for n_h = 1 .. 5."""
    X, Y = bnn.load_planar_dataset()
    accuracies = []
    for n_h in range(1, 6):
        parameters, _ = bnn.nn_model(X, Y, n_h, num_iterations=5000)
        predictions = bnn.predict(parameters, X)
        accuracies.append(float((np.dot(Y, predictions.T) + np.dot(1 - Y, 1 - predictions.T)).item() / Y.size * 100))
    assert accuracies == [67.5, 67.25, 90.75, 90.5, 91.25]
