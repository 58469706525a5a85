"""The course's week-4 functions (DEEP.md) and multi-class softmax outputs, on every backend.

References are independent of the code under test: the course's conventions written out in
plain NumPy below (initialization streams, caches, the dA_L route, relu_backward), and
centred finite differences in test_gradients.py.
"""

import warnings

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.backend import to_numpy
from conftest import assert_close, assert_on_backend


# --- a plain-NumPy deep network, written the course's way ------------------------------------------
def _np_sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def _np_forward(X, params, hidden="relu", output="sigmoid"):
    """The course's forward pass in plain NumPy; ``hidden`` one name for every hidden layer or a list."""
    L = len(params) // 2
    hidden = [hidden] * (L - 1) if isinstance(hidden, str) else hidden
    A, caches = X, []
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        caches.append(((A, params[f"W{l}"], params[f"b{l}"]), Z))
        if l < L:
            A = np.maximum(0, Z) if hidden[l - 1] == "relu" else np.tanh(Z)
        elif output == "sigmoid":
            A = _np_sigmoid(Z)
        else:
            E = np.exp(Z - Z.max(axis=0))
            A = E / E.sum(axis=0)
    return A, caches


def _np_backward(AL, Y, caches, hidden="relu", output="sigmoid"):
    L, m = len(caches), AL.shape[1]
    hidden = [hidden] * (L - 1) if isinstance(hidden, str) else hidden
    grads = {}
    dZ = AL - Y
    for l in range(L, 0, -1):
        (A_prev, W, b), Z = caches[l - 1]
        if l < L:
            dA = grads[f"dA{l}"]
            dZ = dA * (Z > 0) if hidden[l - 1] == "relu" else dA * (1 - np.tanh(Z) ** 2)
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        grads[f"dA{l - 1}"] = W.T @ dZ
    return grads


def _one_hot(labels, K):
    return (np.arange(K)[:, None] == labels.reshape(1, -1)).astype(np.float64)


def _problem(seed=0, dims=(5, 4, 3, 1), m=12, output="sigmoid"):
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m)
    if output == "sigmoid":
        Y = (rng.rand(1, m) > 0.5) * 1.0
    else:
        Y = _one_hot(rng.randint(0, dims[-1], size=m), dims[-1])
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"], params[f"b{l}"] = rng.randn(dims[l], dims[l - 1]) * 0.5, rng.randn(dims[l], 1) * 0.1
    return X, Y, params


# --- DEEP.md's conventions ------------------------------------------------------------------------------
def test_initialize_parameters_deep_is_the_courses_stream(backend):
    p = bnn.initialize_parameters_deep([5, 4, 3], backend=backend.xp, device=backend.device)
    assert list(p) == ["W1", "b1", "W2", "b2"]
    assert_close(p["W1"][0, :], [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388], backend, atol=5e-9)
    assert_close(p["W2"][0, :], [-0.01185047, -0.0020565, 0.01486148, 0.00236716], backend, atol=5e-9)
    rng = np.random.RandomState(3)  # the course's stream, seeded with 3, W then b per layer (b draws nothing)
    for l, (n, n_prev) in enumerate([(4, 5), (3, 4)], start=1):
        assert_close(p[f"W{l}"], rng.randn(n, n_prev) * 0.01, backend, rtol=0)
        assert_close(p[f"b{l}"], np.zeros((n, 1)), backend, rtol=0)


def test_week4s_initialize_parameters_is_week3s_with_seed_1(backend):
    """Week 4's copy of initialize_parameters(n_x, n_h, n_y) seeds 1 where week 3's seeds 2 (the default):
    the notebook's published values for (3, 2, 1)."""
    p = bnn.initialize_parameters(3, 2, 1, seed=1, backend=backend.xp, device=backend.device)
    assert_close(p["W1"], [[0.01624345, -0.00611756, -0.00528172], [-0.01072969, 0.00865408, -0.02301539]], backend,
                 atol=5e-9)
    assert_close(p["W2"], [[0.01744812, -0.00761207]], backend, atol=5e-9)
    assert_close(p["b1"], np.zeros((2, 1)), backend, rtol=0)


def test_the_week4_application_initialization():
    """L_layer_model: seed 1, W_l = randn / sqrt(n_{l-1}); two_layer_model: seed 1, randn * 0.01."""
    rng = np.random.RandomState(1)
    p = bnn.initialize_parameters_deep([6, 4, 1], seed=1, init="xavier")
    np.testing.assert_array_equal(p["W1"], rng.randn(4, 6) / np.sqrt(6))
    np.testing.assert_array_equal(p["W2"], rng.randn(1, 4) / np.sqrt(4))
    rng = np.random.RandomState(1)
    X, Y = rng.randn(6, 20), (rng.rand(1, 20) > 0.5) * 1.0
    params, costs = bnn.L_layer_model(X, Y, [6, 4, 1], num_iterations=1)
    # the loop's cost is taken from the logits, compute_cost's from A_L: equal to round-off
    np.testing.assert_allclose(costs, [bnn.compute_cost(*_first_cost_inputs(X, Y, [6, 4, 1], "xavier"))], rtol=1e-14)
    params, costs = bnn.two_layer_model(X, Y, (6, 4, 1), num_iterations=1)
    np.testing.assert_allclose(costs, [bnn.compute_cost(*_first_cost_inputs(X, Y, [6, 4, 1], "random"))], rtol=1e-14)


def _first_cost_inputs(X, Y, dims, init):
    p = bnn.initialize_parameters_deep(dims, seed=1, init=init)
    AL, _ = _np_forward(X, p)
    return AL, Y


def test_forward_caches_and_returns_as_the_course_does(backend):
    X, _, params = _problem()
    pb = backend.params(params)
    Xb = backend.asarray(X)
    Z, lin = bnn.linear_forward(Xb, pb["W1"], pb["b1"])
    assert lin[0] is Xb and lin[1] is pb["W1"] and lin[2] is pb["b1"]
    assert_close(Z, params["W1"] @ X + params["b1"], backend, rtol=1e-13)
    for activation, f in (("relu", lambda z: np.maximum(0, z)), ("sigmoid", _np_sigmoid)):
        A, ((A_prev, W, b), Zc) = bnn.linear_activation_forward(Xb, pb["W1"], pb["b1"], activation)
        assert A_prev is Xb and W is pb["W1"] and b is pb["b1"]
        assert_close(Zc, params["W1"] @ X + params["b1"], backend, rtol=1e-13)
        assert_close(A, f(params["W1"] @ X + params["b1"]), backend, rtol=1e-13)
    AL, caches = bnn.L_model_forward(Xb, pb)
    ref_AL, ref_caches = _np_forward(X, params)
    assert isinstance(caches, list) and len(caches) == 3
    assert_close(AL, ref_AL, backend, rtol=1e-12)
    for (lin_b, Z_b), (lin_r, Z_r) in zip(caches, ref_caches, strict=True):
        assert_close(Z_b, Z_r, backend, rtol=1e-12)
        for got, want in zip(lin_b, lin_r, strict=True):
            assert_close(got, want, backend, rtol=1e-12)


def test_compute_cost_is_a_python_float(backend):
    AL = backend.asarray([[0.8, 0.9, 0.4]])
    Y = backend.asarray([[1.0, 1.0, 0.0]])
    cost = bnn.compute_cost(AL, Y)
    assert type(cost) is float
    assert cost == pytest.approx(-np.mean(np.log([0.8, 0.9, 0.6])), rel=1e-14)
    assert cost == pytest.approx(0.2797765635793422, rel=1e-12)


def test_compute_cost_prints_the_courses_numbers_to_the_last_digit():
    """On NumPy float64 the cost is the course's expression in its order, -1 / m * sum(Y log A + (1 - Y)
    log(1 - A)): the notebooks' code to the last bit on the same machine (a log1p, or -sum / m, is off in
    the last bit), and so their printed costs (each printed from its machine's log: to a few ulps)."""
    def course(AL, Y):
        return -1 / AL.shape[1] * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))

    for AL, Y, printed in [
        (np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 0]]), 0.2797765635793422),  # week 4
        (np.array([[0.5002307, 0.49985831, 0.50023963]]), np.random.RandomState(1).randn(1, 3) > 0,
         0.6930587610394646),  # week 3
    ]:
        cost = bnn.compute_cost(AL, Y)
        assert cost == course(AL, Y) and cost == pytest.approx(printed, rel=1e-15, abs=0)
    rng = np.random.RandomState(1)
    params = {k: rng.randn(*shape) for k, shape in
              zip(["W1", "b1", "W2", "b2", "W3", "b3"], [(2, 3), (2, 1), (3, 2), (3, 1), (1, 3), (1, 1)])}
    a3, Y = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]]), np.array([[1, 1, 0, 1, 0]])
    cost = bnn.compute_cost_with_regularization(a3, Y, params, lambd=0.1)
    l2 = (1 / 5) * (0.1 / 2) * (np.sum(np.square(params["W1"])) + np.sum(np.square(params["W2"]))
                                + np.sum(np.square(params["W3"])))  # the notebook's expression
    assert cost == course(a3, Y) + l2 and cost == pytest.approx(1.7864859451590758, rel=1e-15, abs=0)


def test_relu_is_the_courses_maximum_and_keeps_a_nan(backend):
    """The course's relu: np.maximum(0, Z). A NaN stays NaN, so a broken run is caught as divergence
    rather than trained on as if the unit were off."""
    Z = np.array([[-2.0, 0.0, 3.5, np.nan]])
    A = bnn.get_activation("relu")(backend.asarray(Z), xp=backend.xp)
    np.testing.assert_array_equal(bnn.to_numpy(A), np.maximum(0, Z))
    assert np.isnan(bnn.to_numpy(A)[0, 3])


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.3])
def test_leaky_relu_and_its_derivative_are_the_formulas_exactly(backend, slope):
    """Z for Z > 0 else slope Z; g' = 1 for Z > 0 else slope (at 0 too): exactly, NaN kept, zeros' signs too."""
    Z = np.array([[-2.0, -0.0, 0.0, 1e-300, 3.5, np.nan, -1e300]])  # no subnormals: XLA flushes them
    act = bnn.get_activation("leaky_relu", negative_slope=slope)
    A = bnn.to_numpy(act(backend.asarray(Z), xp=backend.xp))
    want = np.where(Z > 0, Z, slope * Z)
    np.testing.assert_array_equal(A, want)
    np.testing.assert_array_equal(np.signbit(A), np.signbit(want))
    g = bnn.to_numpy(act.grad(backend.asarray(Z), None, xp=backend.xp))
    np.testing.assert_array_equal(g, np.where(Z > 0, 1.0, slope))


def test_a_network_names_a_leaky_relus_slope_where_it_is_not_the_courses():
    """str(Network), as the CLI and the progress line show a network: leaky_relu bare at the default 0.01,
    with its slope otherwise."""
    from backend_nn.network import Network

    assert str(Network.build([2, 4, 3, 1], "leaky_relu")) == "[2, 4, 3, 1], hidden leaky_relu x2, output sigmoid"
    assert str(Network.build([2, 4, 1], "leaky_relu", negative_slope=0.01)) == "[2, 4, 1], hidden leaky_relu, output sigmoid"
    assert str(Network.build([2, 4, 3, 1], ["tanh", "leaky_relu"], negative_slope=0.2)) == \
        "[2, 4, 3, 1], hidden tanh, leaky_relu(0.2), output sigmoid"


def test_relu_backward_is_zero_at_zero(backend):
    """The course's relu_backward: dZ[Z <= 0] = 0."""
    A_prev = backend.asarray(np.eye(3))
    W = backend.asarray(np.eye(3))
    b = backend.asarray(np.array([[0.0], [-1.0], [1.0]]))  # Z = I + b: zeros on and off the diagonal
    _, cache = bnn.linear_activation_forward(A_prev, W, b, "relu")
    dA = backend.asarray(np.ones((3, 3)))
    dA_prev, dW, db = bnn.linear_activation_backward(dA, cache, "relu")
    Z = np.eye(3) + np.array([[0.0], [-1.0], [1.0]])
    dZ = (Z > 0) * 1.0
    assert_close(db, dZ.sum(axis=1, keepdims=True) / 3, backend, rtol=1e-15)
    assert_close(dW, dZ @ np.eye(3) / 3, backend, rtol=1e-15)
    assert_close(dA_prev, np.eye(3) @ dZ, backend, rtol=1e-15)


def _course_week4_backward(AL, Y, caches):
    """The week-4 notebook's backward functions, as a learner writes them."""
    def linear_backward(dZ, cache):
        A_prev, W, b = cache
        m = A_prev.shape[1]
        return np.dot(W.T, dZ), 1. / m * np.dot(dZ, A_prev.T), 1. / m * np.sum(dZ, axis=1, keepdims=True)

    def relu_backward(dA, Z):
        dZ = np.array(dA, copy=True)
        dZ[Z <= 0] = 0
        return dZ

    def sigmoid_backward(dA, Z):
        s = 1 / (1 + np.exp(-Z))
        return dA * s * (1 - s)

    grads, L = {}, len(caches)
    Y = Y.reshape(AL.shape)
    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    (lin, Z) = caches[L - 1]
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(sigmoid_backward(dAL, Z), lin)
    for l in reversed(range(L - 1)):
        lin, Z = caches[l]
        grads[f"dA{l}"], grads[f"dW{l + 1}"], grads[f"db{l + 1}"] = linear_backward(
            relu_backward(grads[f"dA{l + 1}"], Z), lin)
    return grads


@pytest.mark.parametrize("seed", range(4))
def test_the_week4_functions_are_the_notebooks_bit_for_bit_on_numpy(seed):
    """L_model_forward and L_model_backward (through linear_activation_backward, relu_backward and
    sigmoid_backward) against the notebook's code on NumPy: the same bits. (The signs of zeros in
    W^T dZ are BLAS's: np.dot of an (n, 1) by (1, m) gives +0 where the product does not.)"""
    rng = np.random.RandomState(seed)
    dims = [int(n) for n in rng.randint(1, 7, size=4)]
    m = int(rng.randint(1, 30))
    X, Y = rng.randn(dims[0], m), (rng.rand(1, m) > 0.5).astype(int)
    params = {}
    for l in range(1, 4):
        params[f"W{l}"], params[f"b{l}"] = rng.randn(dims[l], dims[l - 1]), rng.randn(dims[l], 1)
    params["W3"], params["b3"] = rng.randn(1, dims[2]), rng.randn(1, 1)
    AL, caches = bnn.L_model_forward(X, params)
    ref = _course_week4_backward(AL, Y, caches)
    grads = bnn.L_model_backward(AL, Y, caches)
    assert sorted(grads) == sorted(ref)
    for k in ref:
        np.testing.assert_array_equal(grads[k], ref[k], err_msg=k)


def test_the_notebooks_helpers_by_their_names(backend):
    """dnn_utils' sigmoid(Z) / relu(Z) return (A, cache = Z); relu_backward / sigmoid_backward(dA, cache)
    return dZ as the course writes them (dZ[Z <= 0] = 0; dA * s * (1 - s)); week 3's and course 2's
    sigmoid(x) / relu(x) return A alone. All on the backend of their input."""
    from backend_nn import dnn_utils

    Z = np.array([[-30.0, -2.0, 0.0], [0.0, 0.5, 30.0]])
    dA = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    Zb, dAb = backend.asarray(Z), backend.asarray(dA)
    s = 1 / (1 + np.exp(-Z))  # the course's helper
    A, cache = dnn_utils.sigmoid(Zb)
    assert cache is Zb
    assert_close(A, s, backend, rtol=1e-15)
    A, cache = dnn_utils.relu(Zb)
    assert cache is Zb
    assert_close(A, np.maximum(0, Z), backend, rtol=0)
    assert_close(bnn.sigmoid(Zb), s, backend, rtol=1e-15)
    assert_close(bnn.relu(Zb), np.maximum(0, Z), backend, rtol=0)

    dZ = dA.copy()
    dZ[Z <= 0] = 0  # the course's relu_backward
    assert_close(bnn.relu_backward(dAb, Zb), dZ, backend, rtol=0)
    np.testing.assert_array_equal(np.signbit(to_numpy(bnn.relu_backward(dAb, Zb))), np.signbit(dZ))  # +0., not -0.
    assert_close(dnn_utils.sigmoid_backward(dAb, Zb), dA * s * (1 - s), backend, rtol=1e-15)
    assert dnn_utils.relu_backward is bnn.relu_backward
    np.testing.assert_array_equal(dA, np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]))  # the caller's arrays kept


def test_the_helpers_take_numbers_as_the_notebooks_call_them():
    """sigmoid(0) is 0.5 and sigmoid(np.array([0, 2])) is [0.5, 0.8808], as course 1's first exercise
    prints; integers become floats as np.exp makes them."""
    assert bnn.sigmoid(0) == 0.5
    np.testing.assert_allclose(bnn.sigmoid(np.array([0, 2])), [0.5, 0.88079708], rtol=1e-8)
    assert bnn.sigmoid(np.array([0, 2])).dtype == np.float64
    np.testing.assert_array_equal(bnn.relu([-1, 2]), [0.0, 2.0])
    assert bnn.sigmoid(np.float32(1)).dtype == np.float32


@pytest.mark.parametrize("call, message", [
    (lambda Z: bnn.relu_backward(np.ones((2, 3)), ((Z, Z, Z), Z)), "takes the activation cache, Z itself"),
    (lambda Z: bnn.sigmoid_backward(np.ones((3, 2)), Z), r"dA must have the shape of Z, \(2, 3\); got \(3, 2\)"),
    (lambda Z: bnn.relu_backward(np.ones((2, 3)), Z > 0), "Z has dtype bool"),
    (lambda Z: bnn.relu_backward([[1.0, 2.0, 3.0]] * 2, Z), "dA must be an array"),
    (lambda Z: bnn.sigmoid(Z > 0), "takes real numbers; got an array of dtype bool"),
    (lambda Z: bnn.relu(Z.astype(complex)), "takes real numbers; got an array of dtype complex128"),
    (lambda Z: bnn.linear_activation_forward(Z, np.eye(2), np.zeros((2, 1)), bnn.relu),
     "an activation is chosen by its name: pass 'relu', not the function relu"),
    (lambda Z: bnn.nn_model(Z, np.array([[0.0, 1.0, 1.0]]), 2, 1, activation=bnn.sigmoid),
     "pass 'sigmoid', not the function sigmoid"),
])
def test_the_helpers_say_what_they_expected(call, message):
    Z = np.arange(6.0).reshape(2, 3) - 2
    with pytest.raises((TypeError, ValueError), match=message):
        call(Z)


def test_L_model_backward_takes_the_dAL_route_and_names_the_grads(backend):
    X, Y, params = _problem()
    AL, caches = _np_forward(X, params)
    ref = _np_backward(AL, Y, caches)
    ALb, cachesb = bnn.L_model_forward(backend.asarray(X), backend.params(params))
    grads = bnn.L_model_backward(ALb, backend.asarray(Y), cachesb)
    assert set(grads) == {"dA0", "dA1", "dA2", "dW1", "dW2", "dW3", "db1", "db2", "db3"}
    for k, v in ref.items():
        assert_close(grads[k], v, backend, rtol=1e-10, atol=1e-14)
    # the general route: an AL that is not sigmoid(Z_L) is taken as it is, through dA_L
    fake = np.clip(AL * 0.9 + 0.05, 0.01, 0.99)
    g_fake = bnn.L_model_backward(backend.asarray(fake), backend.asarray(Y), cachesb)
    dA = -(Y / fake - (1 - Y) / (1 - fake))
    s = _np_sigmoid(caches[-1][1])
    dZ = dA * s * (1 - s)
    assert_close(g_fake["db3"], dZ.sum(axis=1, keepdims=True) / X.shape[1], backend, rtol=1e-10)
    # Y reshaped like AL, as the course does
    g_flat = bnn.L_model_backward(ALb, backend.asarray(Y.ravel()), cachesb)
    assert_close(g_flat["dW1"], ref["dW1"], backend, rtol=1e-10, atol=1e-14)


def test_backpropagation_through_another_activation_than_the_forward_pass_is_refused(backend):
    """L_model_forward(X, p, activation="leaky_relu"), then L_model_backward(AL, Y, caches) with its default relu,
    gave relu's gradients of a leaky_relu network (dW1's entries 4% and 11% off), in silence; week 3's pair the same,
    with tanh.
    The caches say which activation made them: A_l is g(Z_l)."""
    X, Y = bnn.load_dataset("flower")
    p = {k: backend.asarray(v) for k, v in bnn.initialize_parameters_deep([2, 4, 3, 1]).items()}
    Xb, Yb = backend.asarray(X), backend.asarray(Y)
    AL, caches = bnn.L_model_forward(Xb, p, activation="leaky_relu")
    with pytest.raises(ValueError, match=r"^caches\[1\]\[0\]\[0\] \(A1\) is not relu\(caches\[0\]\[1\] \(Z1\)\) in "
                                         r"788 of 1600 entries \(e\.g\. A = -3\.63\d*e-05 where relu\(Z\) = 0\), but "
                                         r"leaky_relu of caches\[0\]\[1\] \(Z1\): the forward pass computed another "
                                         r"activation than the relu that backpropagation would differentiate\. "
                                         r"L_model_backward\(AL, Y, caches, activation=\.\.\.\) takes the forward "
                                         r"pass's: activation='leaky_relu'\.$"):
        bnn.L_model_backward(AL, Yb, caches)
    bnn.L_model_backward(AL, Yb, caches, activation="leaky_relu")  # said: fine
    AL, caches = bnn.L_model_forward(Xb, p, activation=["relu", "tanh"])
    with pytest.raises(ValueError, match=r"caches\[2\]\[0\]\[0\] \(A2\) is not relu.* activation='tanh'"):
        bnn.L_model_backward(AL, Yb, caches)  # the second hidden layer's
    grads = bnn.L_model_backward(AL, Yb, caches, activation=["relu", "tanh"])  # each layer through its own g
    AL_ref, caches_ref = _np_forward(X, {k: bnn.to_numpy(v) for k, v in p.items()}, hidden=["relu", "tanh"])
    ref = _np_backward(AL_ref, Y, caches_ref, hidden=["relu", "tanh"])
    for k, v in ref.items():
        assert_close(grads[k], v, backend, rtol=1e-10, atol=1e-14)
    p3 = {k: backend.asarray(v) for k, v in bnn.initialize_parameters(2, 4, 1).items()}
    _, cache = bnn.forward_propagation(Xb, p3, activation="relu")
    with pytest.raises(ValueError, match=r"^cache\['A1'\] is not tanh\(cache\['Z1'\]\) .* but relu of cache\['Z1'\]: "
                                         r".* backward_propagation\(parameters, cache, X, Y, activation=\.\.\.\) takes "
                                         r"the forward pass's: activation='relu'\.$"):
        bnn.backward_propagation(p3, cache, Xb, Yb)
    assert set(bnn.backward_propagation(p3, cache, Xb, Yb, activation="relu")) == {"dW1", "db1", "dW2", "db2"}
    # the week-3 assignment's own test-case cache, written out to 8 digits: A1 = tanh(Z1) to that round-off
    cache = {k: backend.asarray(v) for k, v in {
        "A1": [[-0.00616578, 0.0020626, 0.00349619], [-0.05225116, 0.02725659, -0.02646251],
               [-0.02009721, 0.0036869, 0.02883756], [0.02152675, -0.01385234, 0.02599885]],
        "A2": [[0.5002307, 0.49985831, 0.50023963]],
        "Z1": [[-0.00616586, 0.0020626, 0.0034962], [-0.05229879, 0.02726335, -0.02646869],
               [-0.02009991, 0.00368692, 0.02884556], [0.02153007, -0.01385322, 0.02600471]],
        "Z2": [[0.00092281, -0.00056678, 0.00095853]]}.items()}
    p3 = {k: backend.asarray(v) for k, v in bnn.initialize_parameters(3, 4, 1).items()}
    grads = bnn.backward_propagation(p3, cache, backend.asarray(np.ones((3, 3))), backend.asarray([[1.0, 0.0, 1.0]]))
    assert tuple(grads["dW1"].shape) == (4, 3)


def test_the_week4_assignments_published_backward_numbers(backend):
    """The notebook's own test cases, as its testCases file draws them, and the values it prints:
    linear_backward (seed 1), linear_activation_backward (seed 2) and L_model_backward (seed 3; AL
    drawn by randn, 1.79 and 0.44, so not a probability: the general route takes it as it is; caches
    a tuple)."""
    def b(a):
        return backend.asarray(np.asarray(a, dtype=np.float64))

    rng = np.random.RandomState(1)
    dZ, A, W, bias = rng.randn(3, 4), rng.randn(5, 4), rng.randn(3, 5), rng.randn(3, 1)
    dA_prev, dW, db = bnn.linear_backward(b(dZ), (b(A), b(W), b(bias)))
    assert_close(dA_prev, [[-1.15171336, 0.06718465, -0.3204696, 2.09812712],
                           [0.60345879, -3.72508701, 5.81700741, -3.84326836],
                           [-0.4319552, -1.30987417, 1.72354705, 0.05070578],
                           [-0.38981415, 0.60811244, -1.25938424, 1.47191593],
                           [-2.52214926, 2.67882552, -0.67947465, 1.48119548]], backend, rtol=0, atol=5e-9)
    assert_close(dW, [[0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
                      [0.85508818, 0.37530413, -0.59912655, 0.71278189, -0.58931808],
                      [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907]], backend, rtol=0, atol=5e-9)
    assert_close(db, [[-0.14713786], [-0.11313155], [-0.13209101]], backend, rtol=0, atol=5e-9)

    rng = np.random.RandomState(2)
    dA, A, W, bias, Z = rng.randn(1, 2), rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1), rng.randn(1, 2)
    printed = {
        "sigmoid": ([[0.11017994, 0.01105339], [0.09466817, 0.00949723], [-0.05743092, -0.00576154]],
                    [[0.10266786, 0.09778551, -0.01968084]], [[-0.05729622]]),
        "relu": ([[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]],
                 [[0.44513824, 0.37371418, -0.10478989]], [[-0.20837892]]),
    }
    for activation, expected in printed.items():
        got = bnn.linear_activation_backward(b(dA), ((b(A), b(W), b(bias)), b(Z)), activation)
        for g, e in zip(got, expected, strict=True):
            assert_close(g, e, backend, rtol=0, atol=5e-9)

    rng = np.random.RandomState(3)
    AL, Y = rng.randn(1, 2), np.array([[1, 0]])
    A1, W1, b1, Z1 = rng.randn(4, 2), rng.randn(3, 4), rng.randn(3, 1), rng.randn(3, 2)
    A2, W2, b2, Z2 = rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1), rng.randn(1, 2)
    caches = (((b(A1), b(W1), b(b1)), b(Z1)), ((b(A2), b(W2), b(b2)), b(Z2)))
    grads = bnn.L_model_backward(b(AL), backend.asarray(Y), caches)
    printed = {
        "dA0": [[0.0, 0.52257901], [0.0, -0.3269206], [0.0, -0.32070404], [0.0, -0.74079187]],
        "dA1": [[0.12913162, -0.44014127], [-0.14175655, 0.48317296], [0.01663708, -0.05670698]],
        "dW1": [[0.41010002, 0.07807203, 0.13798444, 0.10502167], [0.0, 0.0, 0.0, 0.0],
                [0.05283652, 0.01005865, 0.01777766, 0.0135308]],
        "dW2": [[-0.39202432, -0.13325855, -0.04601089]],
        "db1": [[-0.22007063], [0.0], [-0.02835349]],
        "db2": [[0.15187861]],
    }
    for k, e in printed.items():
        assert_close(grads[k], e, backend, rtol=0, atol=5e-9)


def test_the_week4_assignments_published_forward_and_update_numbers(backend):
    """The notebook's test cases for linear_forward (seed 1), linear_activation_forward (seed 2),
    L_model_forward (seed 6) and update_parameters (parameters from seed 2, gradients from seed 3),
    drawn as its testCases file draws them, against the values it prints."""
    def b(a):
        return backend.asarray(np.asarray(a, dtype=np.float64))

    rng = np.random.RandomState(1)
    A, W, bias = rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1)
    Z, cache = bnn.linear_forward(b(A), b(W), b(bias))
    assert_close(Z, [[3.26295337, -1.23429987]], backend, rtol=0, atol=5e-9)
    assert len(cache) == 3

    rng = np.random.RandomState(2)
    A_prev, W, bias = b(rng.randn(3, 2)), b(rng.randn(1, 3)), b(rng.randn(1, 1))
    A, _ = bnn.linear_activation_forward(A_prev, W, bias, "sigmoid")
    assert_close(A, [[0.96890023, 0.11013289]], backend, rtol=0, atol=5e-9)
    A, _ = bnn.linear_activation_forward(A_prev, W, bias, "relu")
    assert_close(A, [[3.43896131, 0.0]], backend, rtol=0, atol=5e-9)

    rng = np.random.RandomState(6)
    X = rng.randn(5, 4)
    p = {k: b(rng.randn(*shape)) for k, shape in [("W1", (4, 5)), ("b1", (4, 1)), ("W2", (3, 4)), ("b2", (3, 1)),
                                                  ("W3", (1, 3)), ("b3", (1, 1))]}
    AL, caches = bnn.L_model_forward(b(X), p)
    assert_close(AL, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]], backend, rtol=0, atol=5e-9)
    assert len(caches) == 3

    rng = np.random.RandomState(2)
    p = {k: b(rng.randn(*shape)) for k, shape in [("W1", (3, 4)), ("b1", (3, 1)), ("W2", (1, 3)), ("b2", (1, 1))]}
    rng = np.random.RandomState(3)
    g = {k: b(rng.randn(*shape)) for k, shape in [("dW1", (3, 4)), ("db1", (3, 1)), ("dW2", (1, 3)), ("db2", (1, 1))]}
    new = bnn.update_parameters(p, g, 0.1)
    printed = {
        "W1": [[-0.59562069, -0.09991781, -2.14584584, 1.82662008], [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
               [-1.0535704, -0.86128581, 0.68284052, 2.20374577]],
        "b1": [[-0.04659241], [-1.28888275], [0.53405496]],
        "W2": [[-0.55569196, 0.0354055, 1.32964895]],
        "b2": [[-0.84610769]],
    }
    for k, e in printed.items():
        assert_close(new[k], e, backend, rtol=0, atol=5e-9)


def test_update_parameters_takes_any_dict_of_W_and_b(backend):
    """Nothing requires the shapes to chain (DEEP.md); extra grads (dA0) are ignored."""
    p = {"W1": backend.asarray(np.ones((2, 3))), "b1": backend.asarray(np.ones((2, 1))),
         "W2": backend.asarray(np.ones((5, 7))), "b2": backend.asarray(np.ones((5, 1)))}
    g = {"d" + k: backend.asarray(np.full(tuple(v.shape), 2.0)) for k, v in p.items()}
    g["dA0"] = backend.asarray(np.zeros((3, 4)))
    new = bnn.update_parameters(p, g, 0.1)
    for k in p:
        assert_close(new[k], np.full(tuple(p[k].shape), 0.8), backend, rtol=1e-15)
        assert_close(p[k], np.ones(tuple(p[k].shape)), backend, rtol=0)  # the caller's arrays are left alone


# --- softmax and labels ----------------------------------------------------------------------------------
def test_softmax_network_forward_backward_against_numpy(backend):
    X, Y, params = _problem(1, (4, 6, 5, 3), 10, "softmax")
    AL, caches = _np_forward(X, params, output="softmax")
    ref = _np_backward(AL, Y, caches)
    pb = backend.params(params)
    ALb, cachesb = bnn.L_model_forward(backend.asarray(X), pb, output="softmax")
    assert_close(ALb, AL, backend, rtol=1e-12)
    assert_close(bnn.linear_activation_forward(backend.asarray(X), pb["W1"], pb["b1"], "softmax")[0],
                 _np_forward(X, {"W1": params["W1"], "b1": params["b1"]}, output="softmax")[0], backend, rtol=1e-12)
    labels = backend.asarray(np.argmax(Y, axis=0)[None, :], dtype=backend.xp.int64)
    for Yb in (backend.asarray(Y), labels):  # one-hot, or labels one-hot encoded at the edge
        grads = bnn.L_model_backward(ALb, Yb, cachesb, output="softmax")
        for k in ("dW1", "db1", "dW2", "db2", "dW3", "db3"):
            assert_close(grads[k], ref[k], backend, rtol=1e-10, atol=1e-14)
    assert bnn.compute_cost(ALb, labels) == pytest.approx(-np.sum(Y * np.log(AL)) / 10, rel=1e-12)
    # without output=, the rule for K > 1 output units: softmax, forward and backward
    assert_close(bnn.L_model_forward(backend.asarray(X), pb)[0], AL, backend, rtol=1e-12)
    grads = bnn.L_model_backward(ALb, backend.asarray(Y), cachesb)
    for k in ("dW1", "db1", "dW3", "db3"):
        assert_close(grads[k], ref[k], backend, rtol=1e-10, atol=1e-14)


def test_predict_returns_labels(backend):
    X, Y, _ = _problem(2, (3, 5, 4), 40, "softmax")
    labels = np.argmax(Y, axis=0)[None, :]
    params, costs = bnn.L_layer_model(backend.asarray(X), backend.asarray(labels, dtype=backend.xp.int64),
                                      [3, 5, 4], learning_rate=0.5, num_iterations=300)
    assert params.network.output.name == "softmax" and costs[-1] < costs[0]
    pred = bnn.predict(params, backend.asarray(X))
    assert_on_backend(pred, backend, backend.xp.int64)
    assert tuple(pred.shape) == (1, 40)
    AL = bnn.predict_output(params, backend.asarray(X))
    np.testing.assert_array_equal(to_numpy(pred), np.argmax(to_numpy(AL), axis=0)[None, :])
    acc = bnn.accuracy(pred, backend.asarray(labels))
    assert acc == bnn.accuracy(pred, backend.asarray(Y)) and 0.5 < acc <= 1.0  # one-hot Y gives the same


def test_a_softmax_over_two_classes_takes_0_1_labels():
    """output="softmax" with 0/1 labels (1, m) is K = 2 classes, one-hot encoded at the edge: nn_model, given the
    hidden layer only, makes two output units; their labels are 0/1 integers, A_L's argmax, and fit the flower."""
    X, Y = bnn.load_planar_dataset()
    params, _ = bnn.nn_model(X, Y.astype(np.int64), [4], 1000, learning_rate=0.5, output="softmax")
    assert str(params.network) == "[2, 4, 2], hidden tanh, output softmax"
    pred = bnn.predict(params, X)
    assert pred.dtype == np.int64 and set(np.unique(pred)) == {0, 1}
    np.testing.assert_array_equal(pred, np.argmax(bnn.predict_output(params, X), axis=0)[None, :])
    assert bnn.accuracy(pred, Y) > 0.85


# --- training ------------------------------------------------------------------------------------------
def _reference_training(X, Y, dims, lr, steps, hidden="relu", output="sigmoid", seed=1):
    p = bnn.initialize_parameters_deep(dims, seed=seed, init="xavier")
    history = []
    for _ in range(steps):
        AL, caches = _np_forward(X, p, hidden, output)
        grads = _np_backward(AL, Y, caches, hidden, output)
        p = {k: v - lr * grads["d" + k] for k, v in p.items()}
        history.append(p)
    return history


@pytest.mark.parametrize("hidden, output, dims", [("relu", "sigmoid", [4, 8, 5, 1]), ("tanh", "softmax", [4, 8, 5, 3])])
def test_deep_training_equals_numpy_step_by_step(backend, hidden, output, dims):
    """Parity at every step for 50 steps, float64: rtol 1e-9 / atol 1e-12 (round-off of other
    summation orders, ~1e-16 a step, as in test_parity)."""
    rng = np.random.RandomState(5)
    X = rng.randn(4, 64)
    labels = (X[0] * X[1] > 0).astype(int) + (output == "softmax") * (X[2] > 0)
    Y = (labels[None, :] * 1.0) if output == "sigmoid" else _one_hot(labels, 3)
    ref = _reference_training(X, Y, dims, 0.3, 50, hidden, output)
    Yb = backend.asarray(labels[None, :], dtype=backend.xp.int64) if output == "softmax" else backend.asarray(Y)
    for steps in (1, 7, 50):
        params, _ = bnn.L_layer_model(backend.asarray(X), Yb, dims, learning_rate=0.3, num_iterations=steps,
                                      activation=hidden)
        for k, v in ref[steps - 1].items():
            assert_close(params[k], v, backend, rtol=1e-9, atol=1e-12)


FAST = [("numpy", "numpy tiles"), ("jax", "jax.jit"), ("torch", "torch.compile")]


@pytest.mark.parametrize("library, path", FAST)
@pytest.mark.parametrize("hidden, output, dims", [(["relu", "tanh"], "softmax", [6, 40, 30, 4]),
                                                  ("leaky_relu", "sigmoid", [6, 50, 20, 1])])
def test_every_fast_path_trains_deep_and_softmax_networks_like_numpy(library, path, hidden, output, dims):
    """The fast path (compile=True) against NumPy's eager run, costs and parameters: rtol 1e-9."""
    pytest.importorskip({"numpy": "numpy", "jax": "jax", "torch": "torch"}[library])
    from backend_nn.accelerate import choose_runner
    from backend_nn.network import Network

    rng = np.random.RandomState(6)
    m = 2000
    X = rng.randn(6, m)
    labels = (X[0] > 0).astype(int) + (X[1] > 0) * (output == "softmax") + (X[2] > 0) * (output == "softmax")
    Y = labels[None, :] * 1.0
    if library == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
    xp = bnn.get_namespace(library)
    Xb, Yb = bnn.to_backend(X, xp), bnn.to_backend(Y, xp)
    net = Network.build(dims, hidden, output)
    p0 = bnn.initialize_parameters_deep(dims, backend=xp)
    Yf = bnn.to_backend(_one_hot(labels, dims[-1]) if output == "softmax" else Y, xp)
    _, choice = choose_runner(p0, Xb, Yf, net=net, learning_rate=0.1, xp=xp, compile=True)
    assert choice.path == path, choice
    kw = dict(learning_rate=0.1, num_iterations=60, cost_every=5, activation=hidden, output=output, seed=2, init="he")
    fast_p, fast_c = bnn.L_layer_model(Xb, Yb, dims, compile=True, **kw)
    eager_p, eager_c = bnn.L_layer_model(X, Y, dims, **kw)
    np.testing.assert_allclose(fast_c, eager_c, rtol=1e-9, atol=1e-12)
    for k in eager_p:
        np.testing.assert_allclose(to_numpy(fast_p[k]), eager_p[k], rtol=1e-9, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("learning_rate, iterations, W1_row, b3", [
    (0.0075, 2, [0.51384638, -0.19333098, -0.16705238, -0.33923196, 0.273477], 0.0013201),
    (0.02, 3, [0.51439065, -0.19296367, -0.16714033, -0.33902173, 0.27291558], 0.00525865),
])
def test_L_layer_model_gives_the_applications_published_values(learning_rate, iterations, W1_row, b3):
    """The week-4 application's check of L_layer_model: X = randn(10, 10) after seed(1), its labels,
    layers (10, 5, 6, 1); the values it publishes, and its types (costs [array(0.70723944)])."""
    rng = np.random.RandomState(1)
    X, Y = rng.randn(10, 10), np.array([[1, 1, 1, 1, 0, 0, 0, 1, 1, 0]])
    params, costs = bnn.L_layer_model(X, Y, (10, 5, 6, 1), learning_rate, iterations)
    np.testing.assert_allclose(params["W1"][0, :5], W1_row, atol=5e-9)
    np.testing.assert_allclose(params["b3"], [[b3]], atol=5e-9)
    assert [k for k in params] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert len(costs) == 1 and isinstance(costs[0], np.ndarray) and costs[0].shape == ()
    np.testing.assert_allclose(costs[0], 0.70723944, atol=5e-9)


@pytest.mark.parametrize("learning_rate, iterations, W1_row, b2", [
    (0.0075, 2, [0.01624965, -0.00610741, -0.00528734, -0.01072836, 0.008664], -0.00689018),
    (0.1, 3, [0.01640028, -0.00585699, -0.00542633, -0.01069332, 0.0089055], -0.13451354),
])
def test_two_layer_model_gives_the_applications_published_values(learning_rate, iterations, W1_row, b2):
    """The week-4 application's check of two_layer_model trains on Y = randn(1, 10): targets, not
    labels. They are taken, as the course's equations take them, with a warning that says so."""
    rng = np.random.RandomState(1)
    X, Y = rng.randn(10, 10), rng.randn(1, 10)
    with pytest.warns(UserWarning, match=r"Y holds targets outside \[0, 1\], e\.g\. \[-0\.447.*a sigmoid output trains "
                                         r"on them .* the cross-entropy then has no lower bound"):
        params, costs = bnn.two_layer_model(X, Y, (10, 4, 1), learning_rate, iterations)
    np.testing.assert_allclose(params["W1"][0, :5], W1_row, atol=5e-9)
    np.testing.assert_allclose(params["b2"], [[b2]], atol=5e-9)
    assert len(costs) == 1 and isinstance(costs[0], np.ndarray) and costs[0].shape == ()
    np.testing.assert_allclose(costs[0], 0.69315968, atol=5e-9)


def test_soft_targets_train_a_sigmoid_output_on_every_backend(backend):
    rng = np.random.RandomState(0)
    X, Y = rng.randn(3, 40), rng.uniform(0.05, 0.95, size=(1, 40))
    Y[0, :2] = 0.0, 1.0  # soft targets beside 0/1 labels, all inside [0, 1]: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        eager, eager_costs = bnn.L_layer_model(X, Y, [3, 5, 1], 0.1, 30, cost_every=1, compile=False)
    params, costs = bnn.L_layer_model(backend.asarray(X), backend.asarray(Y), [3, 5, 1], 0.1, 30, cost_every=1)
    np.testing.assert_allclose(costs, eager_costs, rtol=1e-12)
    for k in eager:
        assert_close(params[k], eager[k], backend, rtol=1e-10, atol=1e-13)
    A, caches = bnn.L_model_forward(X, eager)  # the cost the course writes, from the probabilities
    J = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    assert bnn.compute_cost(A, Y) == pytest.approx(J, rel=1e-12)
    grads = bnn.L_model_backward(A, Y, caches)
    A1 = caches[1][0][0]  # layer 2's linear cache (A_prev, W, b)
    np.testing.assert_allclose(grads["dW2"], (A - Y) @ A1.T / 40, rtol=1e-12)  # dZ_L = A_L - Y, soft Y too


def test_L_model_backward_refuses_an_AL_its_division_cannot_take(backend):
    """dA_L = -(Y / AL - (1 - Y) / (1 - AL)) at an AL of exactly 1 (a sigmoid rounded off) gave NaN
    gradients: with NumPy's warning only, and silently on the other backends. Any other AL is taken, as
    the course's own check takes AL = randn(1, 2)."""
    X, Y = bnn.load_planar_dataset()
    p = bnn.initialize_parameters_deep([2, 3, 1], backend=backend.xp, device=backend.device)
    AL, caches = bnn.L_model_forward(backend.asarray(X), p)
    Yb = backend.asarray(Y)
    saturated = backend.xp.where(backend.asarray(np.arange(400) == 7), backend.xp.ones_like(AL), AL)
    with pytest.raises(ValueError, match=r"AL holds 1 value\(s\) of exactly 0 or 1, or NaN or inf: dA_L = -\(Y / AL - "
                                         r"\(1 - Y\) / \(1 - AL\)\).* its dZ_L = AL - Y needs no division"):
        bnn.L_model_backward(saturated, Yb, caches)
    grads = bnn.L_model_backward(AL * 3 - 1, Yb, caches)  # not probabilities, and taken (the general route)
    assert sorted(grads) == ["dA0", "dA1", "dW1", "dW2", "db1", "db2"]


def test_a_learners_own_activation_written_another_way_is_taken_as_that_activation():
    """The caches' A_l are compared with g_l(Z_l) up to round-off, relative to both: a notebook's tanh written
    (e^Z - e^-Z) / (e^Z + e^-Z), and its sigmoid e^Z / (1 + e^Z), differ from the library's in the last bits on
    either side, and are taken as they are, with the gradients of the A_l given."""
    rng = np.random.RandomState(7)
    X, Y = rng.randn(3, 50) * 0.01, (rng.rand(1, 50) > 0.5) * 1.0  # small Z too: there tanh(Z) is Z to 1e-4
    p = bnn.initialize_parameters_deep([3, 6, 4, 1])
    for name, own in (("tanh", lambda Z: (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z))),
                      ("sigmoid", lambda Z: np.exp(Z) / (1 + np.exp(Z)))):
        for scale in (1.0, 300.0):
            AL, caches = bnn.L_model_forward(X * scale, p, activation=name)
            mine = [((own(caches[l - 1][1]) if l else A_prev, W, b), Z) for l, ((A_prev, W, b), Z) in enumerate(caches)]
            assert any(not np.array_equal(a[0][0], c[0][0]) for a, c in zip(mine, caches)), name
            grads = bnn.L_model_backward(AL, Y, mine, activation=name)
            want = bnn.L_model_backward(AL, Y, caches, activation=name)
            for k in want:
                np.testing.assert_allclose(grads[k], want[k], rtol=1e-9, atol=1e-15, err_msg=f"{name} {k}")


def test_L_model_backward_refuses_caches_of_another_forward_pass():
    """Caches in reverse order, or from a forward pass over other examples, were reported by the layer that
    failed, "dA must have the shape of Z, (4, 400); got (1, 400)", a function the learner never called."""
    X, Y = bnn.load_planar_dataset()
    p = bnn.initialize_parameters_deep([2, 4, 1])
    AL, caches = bnn.L_model_forward(X, p)
    for wrong, z in ((caches[::-1], r"\(4, 400\)"), (bnn.L_model_forward(X[:, :10], p)[1], r"\(1, 10\)")):
        with pytest.raises(ValueError, match=r"^AL \(1, 400\) is not the output of caches\[-1\], whose Z_L is "
                                             + z + r": AL and caches come from one L_model_forward"):
            bnn.L_model_backward(AL, Y, wrong)


def test_targets_outside_0_1_that_run_away_are_named_when_the_run_diverges():
    rng = np.random.RandomState(1)
    X, Y = rng.randn(10, 10), rng.randn(1, 10)
    with pytest.warns(UserWarning, match=r"targets outside \[0, 1\]"):
        with pytest.raises(bnn.TrainingDivergedError, match=r"The cost fell below 0 first \(to -[0-9.e+]+\): Y's "
                                                            r"targets outside \[0, 1\] give the cross-entropy no lower"):
            bnn.L_layer_model(X, Y, (10, 4, 1), 1.0, 20000)


@pytest.mark.parametrize("Y, match", [
    (np.array([[0.0, 1, 2, 1]]), r"found other whole numbers, e\.g\. \[2\.0\]: class labels 0\.\.K-1 need a softmax"),
    (np.array([[0.0, 1, np.nan, 0.5]]), r"Y must hold 0/1 labels or finite targets; found \[nan\]"),
    (np.array([[0, 1, -1, 1]]), r"found other whole numbers, e\.g\. \[-1\.0\]"),
    # the first distinct values, in their order: it read "e.g. [2.0, 2.0, 2.0, 2.0, 2.0]"
    (np.array([[0, 2, 1, 2, 2, 2, 2, 5, 2, 3, 4, 7, 9]]), r"e\.g\. \[2\.0, 5\.0, 3\.0, 4\.0, 7\.0\]: class labels"),
])
def test_whole_numbers_and_nan_are_no_sigmoid_targets(Y, match):
    X = np.random.RandomState(0).randn(2, Y.shape[1])
    with pytest.raises(ValueError, match=match):
        bnn.L_layer_model(X, Y, [2, 3, 1], num_iterations=2)


@pytest.mark.parametrize("Y, shown", [(np.array([[0.0, 1.5, 1.0, 0.25]]), r"\[1\.5\]"),
                                      (np.array([[0.0, 1.0, -0.25, 0.5]]), r"\[-0\.25\]")])
def test_targets_above_1_or_below_0_are_named_on_either_side(Y, shown):
    X = np.random.RandomState(0).randn(2, Y.shape[1])
    with pytest.warns(UserWarning, match=r"^Y holds targets outside \[0, 1\], e\.g\. " + shown + ": a sigmoid"):
        bnn.L_layer_model(X, Y, [2, 3, 1], num_iterations=2)


def test_L_layer_model_prints_and_records_as_the_course_does(capsys):
    rng = np.random.RandomState(0)
    X, Y = rng.randn(3, 30), (rng.rand(1, 30) > 0.5) * 1.0
    params, costs = bnn.L_layer_model(X, Y, [3, 4, 1], num_iterations=250, print_cost=True)
    # the course's type: 0-d float64 arrays (its tests check isinstance(c, np.ndarray) and c.shape == ())
    assert isinstance(costs, list) and len(costs) == 3
    assert all(type(c) is np.ndarray and c.shape == () and c.dtype == np.float64 for c in costs)
    out = capsys.readouterr().out.splitlines()
    # every 100 iterations and the last one, as the course's loop prints them; its costs list has the former
    assert [line.split(":")[0] for line in out] == [f"Cost after iteration {i}" for i in (0, 100, 200, 249)]
    assert float(out[1].split(": ")[1]) == costs[1]
    # the last one is the cost of iteration 249's forward pass: 249 steps of the same run, then one more
    p249, _ = bnn.L_layer_model(X, Y, [3, 4, 1], num_iterations=249)
    AL, _ = bnn.L_model_forward(X, p249)
    assert float(out[3].split(": ")[1]) == pytest.approx(bnn.compute_cost(AL, Y), rel=1e-12)
    quiet, quiet_costs = bnn.L_layer_model(X, Y, [3, 4, 1], num_iterations=250)  # the printing changes nothing
    assert quiet_costs == costs
    for k in quiet:
        np.testing.assert_array_equal(quiet[k], params[k])
    _, costs201 = bnn.L_layer_model(X, Y, [3, 4, 1], num_iterations=201, print_cost=True)  # 200, the last: once
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == [f"Cost after iteration {i}" for i in (0, 100, 200)]
    assert len(costs201) == 3 and float(out[2].split(": ")[1]) == costs201[2]  # and recorded, as i % 100 == 0 is


def test_nn_model_takes_hidden_layer_sizes_and_class_labels():
    rng = np.random.RandomState(1)
    X = rng.randn(2, 90)
    labels = np.digitize(X[0], [-0.5, 0.5])[None, :]  # 0, 1, 2
    params, costs = bnn.nn_model(X, labels, [6, 5], 500, learning_rate=0.5, activation="relu")
    assert params.network.layer_dims == (2, 6, 5, 3) and params.network.output.name == "softmax"
    assert bnn.accuracy(bnn.predict(params, X), labels) > 0.8
    binary, _ = bnn.nn_model(X, (labels > 0) * 1, 4, 10)
    assert binary.network.output.name == "sigmoid" and binary.network.layer_dims == (2, 4, 1)


# --- bad input: clear errors, the caller's arrays unchanged ---------------------------------------------
def _unchanged(*arrays):
    return [a.copy() for a in arrays]


@pytest.mark.parametrize("call, exc, match", [
    (lambda X, L: bnn.L_layer_model(X, L, [3, 4, 3]), ValueError, r"layers_dims\[0\] = 3 must be n_x.*\(4, 30\)"),
    (lambda X, L: bnn.L_layer_model(X.T, L, [4, 4, 3]), ValueError, r"did you mean X.T"),
    (lambda X, L: bnn.L_layer_model(X, L, [4, 4, 2]), ValueError, r"labels must be in 0..1 for the 2 output units; found \[2.0"),
    (lambda X, L: bnn.L_layer_model(X, L - 1, [4, 4, 3]), ValueError, r"labels must be in 0..2.*found \[-1.0"),
    (lambda X, L: bnn.L_layer_model(X, L + 0.5, [4, 4, 3]), ValueError, r"whole numbers 0..2; found \[0.5"),
    (lambda X, L: bnn.L_layer_model(X, np.ones((3, 30)), [4, 4, 3]), ValueError,
     r"Y \(K, m\) must be one-hot, exactly one 1 in every column; columns \[0, 1, 2, 3, 4\] sum to \[3.0"),
    (lambda X, L: bnn.L_layer_model(X, L[:, :20], [4, 4, 3]), ValueError, r"same number of examples m"),
    (lambda X, L: bnn.L_layer_model(X, L, [4, 5, 5, 3], activation=["relu"]), ValueError,
     r"activation lists 1 activation\(s\) but the network has 2 hidden layer\(s\)"),
    (lambda X, L: bnn.L_layer_model(X, L, [4, 5, 3], activation=["softmax"]), ValueError, r"softmax is an output"),
    (lambda X, L: bnn.L_layer_model(X, L, [4, 5, 1], output="softmax"), ValueError, r"softmax output needs K >= 2"),
    (lambda X, L: bnn.L_layer_model(X, L, [4, 0, 3]), ValueError, r"layers_dims\[1\] must be a positive integer"),
    (lambda X, L: bnn.L_layer_model(X, L, [4]), ValueError, r"at least \[n_x, n_L\]"),
    (lambda X, L: bnn.nn_model(X, L, [], 10), ValueError, r"non-empty list of hidden-layer sizes"),
    (lambda X, L: bnn.compute_cost(np.full((3, 30), 1 / 3), L + 3), ValueError, r"labels must be in 0..2"),
    (lambda X, L: bnn.compute_cost(np.full((1, 30), 1.5), L), ValueError, r"AL must hold probabilities in \[0, 1\]"),
])
def test_bad_deep_input_is_a_clear_error(call, exc, match):
    rng = np.random.RandomState(0)
    X, labels = rng.randn(4, 30), rng.randint(0, 3, size=(1, 30)).astype(np.float64)
    labels[0, :3] = [0, 1, 2]
    before = _unchanged(X, labels)
    with pytest.raises(exc, match=match):
        call(X, labels)
    np.testing.assert_array_equal(X, before[0])
    np.testing.assert_array_equal(labels, before[1])


def test_shapes_that_do_not_chain_are_refused_by_the_week4_functions():
    X, Y, params = _problem()
    bad = dict(params, W2=np.ones((3, 7)))
    with pytest.raises(ValueError, match=r"do not chain: W2 has shape \(3, 7\)"):
        bnn.L_model_forward(X, bad)
    with pytest.raises(ValueError, match=r"W \(4, 5\) expects 5 input rows, but A has shape \(3, 12\)"):
        bnn.linear_forward(X[:3], params["W1"], params["b1"])
    with pytest.raises(TypeError, match=r"cache must be \(\(A_prev, W, b\), Z\)"):
        bnn.linear_activation_backward(np.ones((4, 12)), (X, params["W1"]), "relu")
    with pytest.raises(ValueError, match=r"unknown activation 'swish'"):
        bnn.linear_activation_forward(X, params["W1"], params["b1"], "swish")


def test_layers_dims_are_checked_against_host_lists_before_training():
    X, Y = bnn.load_planar_dataset()
    for call in (lambda: bnn.L_layer_model(X.tolist(), Y.tolist(), [3, 4, 1], num_iterations=5),
                 lambda: bnn.model(X.tolist(), Y.tolist(), [3, 4, 1], "gd", num_epochs=2, print_cost=False)):
        with pytest.raises(ValueError, match=r"layers_dims\[0\] = 3 must be n_x, the number of rows of X \(2, 400\)"):
            call()


def test_one_example_with_a_one_hot_Y_trains():
    """Y (K, 1) beside X (n_x, 1) is one example, one-hot: it was refused as "examples as rows"."""
    X1, Y1 = np.array([[0.3], [0.1]]), np.eye(3)[:, 1:2]
    p, costs = bnn.L_layer_model(X1, Y1, [2, 2, 3], num_iterations=2)
    labels = np.array([[1]])  # the same example with its label, encoded by the library
    q, costs_labels = bnn.L_layer_model(X1, labels, [2, 2, 3], num_iterations=2)
    np.testing.assert_array_equal(costs, costs_labels)
    p0 = bnn.initialize_parameters_deep([2, 2, 3], seed=1, init="xavier")  # L_layer_model's start
    Z2 = p0["W2"] @ np.maximum(p0["W1"] @ X1 + p0["b1"], 0) + p0["b2"]
    assert costs[0] == pytest.approx(-np.log(np.exp(Z2[1, 0]) / np.exp(Z2).sum()), rel=1e-12)
    # as many classes as features: the same shapes as m examples of one feature laid out as rows; not guessed
    X3 = np.array([[0.3], [0.1], [0.5]])
    with pytest.raises(ValueError, match=r"did you mean X.T and Y.T\? \(For one example with a one-hot Y, give its "
                                         r"class label instead, Y = \[\[k\]\]"):
        bnn.L_layer_model(X3, np.eye(3)[:, 1:2], [3, 2, 3], num_iterations=2)
    assert len(bnn.L_layer_model(X3, [[1]], [3, 2, 3], num_iterations=2)[1]) == 1


def test_an_activation_of_your_own_trains_everywhere_and_its_mistakes_are_said_before_any_work(backend):
    """Activation(name, forward, derivative) is tried once on a small Z of the run's dtype. A forward
    without the xp keyword was "tanh() got an unexpected keyword argument 'xp'" after a FastPathWarning
    that blamed the NumPy replay; a forward that returned float32 lowered a float64 run in silence."""
    import warnings

    X, Y = bnn.load_planar_dataset()
    Xb, Yb = backend.asarray(X), backend.asarray(Y)
    softsign = bnn.Activation("softsign", lambda Z, xp: Z / (1 + xp.abs(Z)), lambda Z, A, xp: 1 / (1 + xp.abs(Z)) ** 2)
    p, costs = bnn.nn_model(Xb, Yb, 4, 50, activation=softsign)
    assert_on_backend(p["W1"], backend, backend.xp.float64)
    A = to_numpy(bnn.predict_output(p, Xb))
    ref = _np_sigmoid(to_numpy(p["W2"]) @ (lambda Z: Z / (1 + np.abs(Z)))(to_numpy(p["W1"]) @ X + to_numpy(p["b1"]))
                      + to_numpy(p["b2"]))
    np.testing.assert_allclose(A, ref, rtol=1e-12)
    mistakes = [
        (bnn.Activation("t1", np.tanh, lambda Z, A, xp: 1 - A ** 2), TypeError,
         r"activation 't1': its forward must be g\(Z, \*, xp\) -> A, .*; calling it so failed: .*'xp'"),
        (bnn.Activation("t2", lambda Z, xp: xp.tanh(Z), lambda Z, A: 1 - A ** 2), TypeError,
         r"activation 't2': its derivative must be g'\(Z, A, \*, xp\)"),
        (bnn.Activation("t3", lambda Z, xp: xp.tanh(Z), None), ValueError, r"activation 't3' has no derivative"),
        (bnn.Activation("t4", lambda Z, xp: xp.astype(xp.tanh(Z), xp.float32), lambda Z, A, xp: 1 - A ** 2), TypeError,
         r"activation 't4': g\(Z, xp=xp\) gave .*float32 for .*float64 Z; it must keep Z's dtype"),
        (bnn.Activation("t5", lambda Z, xp: Z[:1, ...], lambda Z, A, xp: Z), ValueError,
         r"activation 't5': g\(Z, xp=xp\) gave shape \(1, 2\) for Z of shape \(3, 2\)"),
    ]
    for act, exc, match in mistakes:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no FastPathWarning first
            with pytest.raises(exc, match=match):
                bnn.nn_model(Xb, Yb, 4, 5, activation=act)
            with pytest.raises(exc, match=match):  # the mini-batch model builds its network on its own
                bnn.model(Xb, Yb, [2, 4, 1], "adam", num_epochs=1, print_cost=False, activation=act)
            with pytest.raises(exc, match=match):
                bnn.train_step(dict(p), Xb, Yb, learning_rate=0.1, net=bnn.Network.build([2, 4, 1], act))


@pytest.mark.parametrize("output, dims", [("sigmoid", (5, 1)), ("softmax", (5, 3))])
def test_a_network_without_hidden_layers_goes_forward_and_back(output, dims):
    """layer_dims [n_x, n_y]: logistic (or softmax) regression, L = 1, no hidden layer to compare a cache
    against; its gradients are the plain-NumPy reference's."""
    X, Y, params = _problem(4, dims, 12, output)
    AL, caches = bnn.L_model_forward(X, params, output=output)
    grads = bnn.L_model_backward(AL, Y, caches, output=output)
    AL_ref, caches_ref = _np_forward(X, params, output=output)
    ref = _np_backward(AL_ref, Y, caches_ref, output=output)
    assert sorted(grads) == ["dA0", "dW1", "db1"]
    for k in ("dW1", "db1", "dA0"):
        np.testing.assert_allclose(grads[k], ref[k], rtol=1e-12, atol=1e-15, err_msg=k)


def test_linear_forward_takes_2_d_arrays_only():
    """A 1-D A whose length matches W's columns would broadcast to a wrong (n, n) Z; a 1-D W is refused too."""
    W, b = np.ones((3, 2)), np.zeros((3, 1))
    for A, W_ in ((np.ones(2), W), (np.ones((2, 4)), np.ones(2))):
        with pytest.raises(ValueError, match=r"^A and W must be 2-D: A \(n_prev, m\), W \(n, n_prev\); got A "):
            bnn.linear_forward(A, W_, b)


def test_L_model_backward_refuses_a_1_d_AL_without_an_output_named():
    """The output kind is looked up before AL's shape is read; without output= that lookup must not fail first."""
    X, Y, params = _problem(5, (5, 4, 1), 12)
    AL, caches = bnn.L_model_forward(X, params)
    with pytest.raises(ValueError, match=r"^AL must be 2-D \(n_L, m\); got shape \(12,\)\.$"):
        bnn.L_model_backward(AL[0], Y, caches)
