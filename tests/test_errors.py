"""Bad input: a clear ValueError/TypeError saying what was expected and what arrived,
and the caller's arrays are never modified."""

import os
import pickle
import sys
import types
import warnings

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn import backend as be

X, Y = bnn.load_planar_dataset()


@pytest.fixture
def data():
    """Copies of the flower, with a snapshot to prove nothing was written to them."""
    Xc, Yc = X.copy(), Y.copy()
    yield Xc, Yc
    np.testing.assert_array_equal(Xc, X)
    np.testing.assert_array_equal(Yc, Y)


def params():
    return bnn.initialize_parameters(2, 4, 1)


@pytest.mark.parametrize("bad, exc, match", [
    (lambda X, Y: (X.T, Y), ValueError, r"examples as rows.*did you mean X\.T"),
    (lambda X, Y: (X[:, :300], Y), ValueError, r"same number of examples m.*\(2, 300\).*\(1, 400\)"),
    (lambda X, Y: (X, Y[0]), ValueError, r"Y must be 2-D.*\(400,\).*Y\.reshape\(1, -1\)"),
    (lambda X, Y: (X, Y * 2), ValueError, r"Y must hold 0/1 labels .*or class labels 0..K-1 with every class present; it holds \[0.0, 2.0\]\. Number the classes 0..K-1 \(np.unique"),
    # more than ten values end the list with ", ...]" (it read "] .... Number")
    (lambda X, Y: (X, Y * 0.01 + np.arange(400) / 1000), ValueError, r"it holds \[0\.0, 0\.001, [^]]*, 0\.009, \.\.\.\]\. Number the"),
    (lambda X, Y: (X, Y - 0.5), ValueError, r"it holds \[-0.5, 0.5\].* Fractional values are targets of a sigmoid "
                                            r"output only where it is asked for: output='sigmoid'\.$"),
    (lambda X, Y: (np.where(np.arange(400) == 7, np.nan, X), Y), ValueError, r"X must be finite.*2 NaN or inf"),
    (lambda X, Y: (np.where(np.arange(400) < 3, np.inf, X), Y), ValueError, r"X must be finite.*6 NaN or inf"),
    (lambda X, Y: (X[0], Y), ValueError, r"X must be 2-D.*got shape \(400,\) — did you mean X\.reshape\(1, -1\) "
                                         r"\(one feature\) or X\.reshape\(-1, 1\) \(one example\)\?"),
    (lambda X, Y: (X.astype(complex), Y), TypeError, r"X must hold real numbers; got dtype complex128"),
])
def test_nn_model_rejects_bad_data(data, bad, exc, match):
    Xb, Yb = bad(*data)
    with pytest.raises(exc, match=match):
        bnn.nn_model(Xb, Yb, 4, 10)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(n_h=0), ValueError, r"n_h must be a positive integer; got 0"),
    (dict(n_h=2.5), TypeError, r"n_h must be a positive integer; got float 2.5"),
    (dict(num_iterations=-3), ValueError, r"num_iterations must be a positive integer; got -3"),
    (dict(learning_rate=0.0), ValueError, r"learning_rate must be a positive, finite number; got 0.0"),
    (dict(learning_rate=-1), ValueError, r"learning_rate must be a positive, finite number; got -1.0"),
    (dict(learning_rate=float("nan")), ValueError, r"learning_rate must be a positive, finite number"),
    (dict(activation="swish"), ValueError, r"unknown activation 'swish'; expected one of 'relu', 'tanh', 'sigmoid', "
                                           r"'leaky_relu', 'linear'\.$"),  # not softmax: an output, refused here
    (dict(activation="softmax"), ValueError, r"softmax is an output activation \(output='softmax', which labels of "
                                             r"three or more classes get by default\); hidden layers take relu, tanh"),
    (dict(activation="leaky_relu", negative_slope=-0.5), ValueError, r"negative_slope must be in \[0, 1\)"),
    (dict(activation="leaky_relu", negative_slope=1), ValueError,  # slope 1: the linear activation, no kink
     r"negative_slope must be in \[0, 1\) for leaky_relu; got 1\.0"),
    # a slope beside activations without one was dropped in silence
    (dict(negative_slope=0.2), ValueError, r"negative_slope=0.2 is leaky_relu's slope, but the hidden layers are "
                                           r"\['tanh'\]: leave negative_slope unset, or use activation='leaky_relu'"),
    # NumPy's bools were numbers: float(np.True_) is 1.0, so learning_rate=np.True_ trained at 1.0 (True is refused)
    (dict(learning_rate=np.True_), TypeError, r"learning_rate must be a positive number; got bool np.True_\.$"),
    (dict(keep_prob=np.asarray(True)), TypeError, r"keep_prob must be a number in \(0, 1\]; got ndarray array\(True\)"),
    (dict(backend="tensorflow"), ValueError, r"unknown backend 'tensorflow'; expected one of 'numpy', 'cupy'"),
    (dict(backend=42), TypeError, r"backend must be a name .* got int 42"),
    (dict(backend=types), TypeError, r"backend must be a name .* namespace module; got module <module 'types'"),
    (dict(backend=types.SimpleNamespace(asarray=np.asarray)), TypeError,  # not a module: asarray is not enough
     r"backend must be a name .*; got SimpleNamespace namespace\(asarray="),
    (dict(dtype="float16"), ValueError, r"dtype must be float64 or float32; got 'float16'"),
    # an array as dtype: "descriptor '__array_wrap__' for 'numpy.generic' objects doesn't apply to a 'numpy.ndarray'"
    (dict(dtype=np.arange(2)), TypeError, r"^dtype must be float64 or float32; got ndarray array\(\[0, 1\]\)\.$"),
    (dict(init="ones"), ValueError, r"unknown init 'ones'; expected one of 'random', 'zeros', 'xavier', 'he'"),
])
def test_nn_model_rejects_bad_options(data, kwargs, exc, match):
    args = dict(n_h=4, num_iterations=10)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        bnn.nn_model(*data, args.pop("n_h"), args.pop("num_iterations"), **args)


@pytest.mark.parametrize("dtype, name", [("f4", "float32"), ("<f8", "float64"), ("single", "float32"),
                                         ("double", "float64"), (float, "float64"), (np.dtype(">f4"), "float32")])
def test_numpys_other_names_for_float64_and_float32_are_those_dtypes(data, dtype, name):
    """NumPy's own spellings ("f4", "double", float) were refused as "not float64 or float32"."""
    params, _ = bnn.nn_model(*data, 4, 2, dtype=dtype)
    assert params["W1"].dtype == np.dtype(name)
    with pytest.raises(ValueError, match=r"dtype must be float64 or float32; got 'f2'\.$"):
        bnn.nn_model(*data, 4, 2, dtype="f2")
    with pytest.raises(ValueError, match=r"dtype must be float64 or float32; got <class 'int'>\.$"):
        bnn.nn_model(*data, 4, 2, dtype=int)


def test_get_activations_hidden_flag_is_true_or_false():
    """hidden= took any truthy value ("no" refused softmax), as gradient_check's print_msg and train_step's check
    did (their tests: test_course2, test_the_public_train_step_checks...); print_cost was checked already."""
    with pytest.raises(TypeError, match=r"^hidden must be True or False; got str 'no'\.$"):
        bnn.get_activation("softmax", hidden="no")
    assert bnn.get_activation("softmax", hidden=0).name == "softmax"  # 0 and 1 are False and True, as everywhere
    for other in (2, 1.0, np.float64(0.0)):  # but no other int, and no float (1.0 is a number, not a flag)
        with pytest.raises(TypeError, match=r"^hidden must be True or False; got "):
            bnn.get_activation("softmax", hidden=other)
    with pytest.raises(ValueError, match=r"softmax is an output activation"):
        bnn.get_activation("softmax", hidden=np.True_)


def test_an_option_given_its_default_as_a_0_d_array_is_that_default(data):
    """negative_slope=np.asarray(0.01) beside tanh was refused as a slope "other than the default", which
    0.01 and np.float64(0.01) are not; the checks of numbers take 0-d arrays, and so does the default's."""
    X, Y = data
    plain, _ = bnn.nn_model(X, Y, 4, 10)
    for slope in (0.01, np.float64(0.01), np.asarray(0.01)):
        params, _ = bnn.nn_model(X, Y, 4, 10, negative_slope=slope)
        np.testing.assert_array_equal(params["W1"], plain["W1"])
    with pytest.raises(ValueError, match=r"negative_slope=array\(0.2\) is leaky_relu's slope"):
        bnn.nn_model(X, Y, 4, 10, negative_slope=np.asarray(0.2))
    bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=1, print_cost=False, beta=np.asarray(0.9))  # momentum's default


def test_a_slope_asked_of_trained_parameters_must_be_theirs(data):
    X, Y = data
    tanh, _ = bnn.nn_model(X, Y, 4, 10)
    leaky, _ = bnn.nn_model(X, Y, 4, 10, activation="leaky_relu", negative_slope=0.2)
    with pytest.raises(ValueError, match=r"negative_slope=0.2 is leaky_relu's slope, but the hidden layers are \['tanh'\]"):
        bnn.predict(tanh, X, negative_slope=0.2)
    with pytest.raises(ValueError, match=r"negative_slope=0.3 was asked for, but these parameters were trained with "
                                         r"\['leaky_relu\(0.2\)'\]; leave negative_slope unset to use theirs"):
        bnn.predict(leaky, X, negative_slope=0.3)
    np.testing.assert_array_equal(bnn.predict(leaky, X, negative_slope=0.2), bnn.predict(leaky, X))  # theirs: fine
    # the week-3 functions dropped the slope in silence: tanh for a plain dict, the trained one's for Parameters
    with pytest.raises(ValueError, match=r"negative_slope=0.2 is leaky_relu's slope, but the hidden layers are \['tanh'\]"):
        bnn.forward_propagation(X, params(), negative_slope=0.2)
    with pytest.raises(ValueError, match=r"negative_slope=0.3 was asked for, but these parameters were trained with"):
        bnn.forward_propagation(X, leaky, negative_slope=0.3)
    with pytest.raises(ValueError, match=r"negative_slope=0.3 was asked for, but these parameters were trained with"):
        bnn.backward_propagation(leaky, bnn.forward_propagation(X, leaky)[1], X, Y, negative_slope=0.3)
    A2, _ = bnn.forward_propagation(X, leaky, negative_slope=0.2)  # theirs
    np.testing.assert_array_equal(A2, bnn.forward_propagation(X, leaky)[0])
    A2, _ = bnn.forward_propagation(X, dict(leaky), activation="leaky_relu", negative_slope=0.2)  # said whole
    np.testing.assert_array_equal(A2, bnn.forward_propagation(X, leaky)[0])
    # a list with one leaky layer takes the slope for it
    p, _ = bnn.nn_model(X, Y, [4, 3], 10, activation=["tanh", "leaky_relu"], negative_slope=0.2)
    assert [a.label for a in p.network.hidden] == ["tanh", "leaky_relu(0.2)"]


def test_integer_and_boolean_X_are_cast_explicitly(data):
    Xi = np.round(data[0] * 10).astype(np.int64)
    p, costs = bnn.nn_model(Xi, data[1], 4, 20)
    assert p["W1"].dtype == np.float64 and np.all(np.isfinite(costs))
    p, _ = bnn.nn_model(Xi > 0, data[1] > 0.5, 4, 20, dtype="float32")
    assert p["W1"].dtype == np.float32
    # the lower-level functions do not cast: they say how
    with pytest.raises(TypeError, match=r"real floating dtype.*got int64.*xp\.astype\(X, xp\.float64\)"):
        bnn.forward_propagation(Xi, p)


def test_forward_propagation_suggests_transpose(data):
    with pytest.raises(ValueError, match=r"shape \(n_x, m\) = \(2, m\).*got \(400, 2\).*did you mean X\.T"):
        bnn.forward_propagation(data[0].T, params())


@pytest.mark.parametrize("mutate, match", [
    (lambda p: p.update(W2=np.zeros((1, 5))), r"do not chain: W2 has shape \(1, 5\).*W1 \(4, 2\) gives 4 units"),
    # a transposed W2 is named as such, not its b2 (W2 (4, 1) beside b2 (1, 1) read as "b2 must have shape (4, 1)")
    (lambda p: p.update(W2=p["W2"].T), r"do not chain: W2 has shape \(4, 1\), so it expects 1 input, but W1 \(4, 2\)"),
    (lambda p: p.update(b1=np.zeros((4,))), r"b1 must have shape \(n_1, 1\) = \(4, 1\).*got \(4,\)"),
    (lambda p: p.pop("b2"), r"must hold W1, b1, \.\.\., WL, bL"),
    (lambda p: p.update(W1=np.zeros(3)), r"W1 must be 2-D \(n_1, n_0\); got shape \(3,\)\.$"),
    (lambda p: p.update(W2=np.zeros(3)), r"W2 must be 2-D \(n_2, n_1\); got shape \(3,\)\.$"),
    # ends there: no gradients' or cache's hint for keys that are neither
    (lambda p: p.update(gamma=np.zeros(3)), r"unexpected keys \['gamma'\]\.$"),
])
def test_parameters_whose_shapes_do_not_chain(data, mutate, match):
    p = params()
    mutate(p)
    with pytest.raises(ValueError, match=match):
        bnn.forward_propagation(data[0], p)


@pytest.mark.parametrize("call", [
    lambda: bnn.forward_propagation(np.zeros((2, 3)), {}),
    lambda: bnn.predict({}, np.zeros((2, 3))),
    lambda: bnn.update_parameters({}, {}, 0.1),
    lambda: bnn.update_parameters_with_momentum({}, {}, {}, 0.9, 0.1),
    lambda: bnn.initialize_velocity({}),
    lambda: bnn.initialize_adam({}),
])
def test_empty_parameters_are_one_error_at_every_door(call):
    """The week-4 checks and the updates' checks are one check: an empty dict is the same ValueError from each."""
    with pytest.raises(ValueError, match=r"^parameters must hold W1, b1, \.\.\., WL, bL for L >= 1 layers; got an empty dict\.$"):
        call()


def test_parameters_and_X_of_different_dtypes(data):
    p = bnn.initialize_parameters(2, 4, 1, dtype="float32")
    with pytest.raises(TypeError, match=r"share one dtype.*X float64.*W1 float32"):
        bnn.forward_propagation(data[0], p)


def test_parameters_of_mixed_dtypes_are_named_by_predict(data):
    """predict casts X to W1's dtype first: a model with W1 float32 beside float64 was reported as "X float32",
    and the caller's X was float64."""
    p, _ = bnn.nn_model(*data, 4, 10)
    mixed = p.copy()
    mixed["W1"] = mixed["W1"].astype(np.float32)
    for call in (lambda: bnn.predict(mixed, data[0]), lambda: bnn.predict_output(mixed, data[0]),
                 lambda: bnn.predict(data[0], data[1], mixed)):
        with pytest.raises(TypeError, match=r"^the parameters must share one dtype; got W1 float32, b1 float64, "
                                            r"W2 float64, b2 float64\.$"):
            call()


def test_arrays_from_two_backends(data):
    pytest.importorskip("array_api_strict")
    p = bnn.initialize_parameters(2, 4, 1, backend="array_api_strict")
    with pytest.raises(TypeError, match=r"different backends: X is numpy\.ndarray, W1 is array_api_strict"):
        bnn.forward_propagation(data[0], p)
    with pytest.raises(TypeError, match=r"is a numpy\.ndarray but the backend is array_api_strict|different backends"):
        bnn.compute_cost(p["W2"] @ p["W1"][:, :1], np.zeros((1, 1)))


def test_a_model_whose_parameters_come_from_two_backends_is_named_as_such(data):
    """predict read the namespace of W1 alone: a b1 of another library failed inside NumPy's isfinite check
    with "all() received an invalid combination of arguments"."""
    pytest.importorskip("array_api_strict")
    p, _ = bnn.nn_model(*data, 4, 10)
    mixed = p.copy()
    mixed["b1"] = bnn.to_backend(p["b1"], "array_api_strict")
    for call in (lambda: bnn.predict(mixed, data[0]), lambda: bnn.predict_output(mixed, data[0]),
                 lambda: bnn.predict_dec(mixed, data[0])):
        with pytest.raises(TypeError, match=r"^arrays come from different backends: W1 is numpy\.ndarray, "
                                            r"b1 is array_api_strict.*W2 is numpy\.ndarray"):
            call()


def test_optimizer_state_of_another_backend_or_not_arrays(data):
    """The course's momentum and Adam updates took v and s on trust: NumPy moments beside array-api-strict
    parameters failed inside the arithmetic, and a list of numbers at ``.shape``."""
    pytest.importorskip("array_api_strict")
    p = bnn.initialize_parameters_deep([2, 3, 1], backend="array_api_strict")
    grads = {"d" + k: v * 0 for k, v in p.items()}
    host_v = bnn.initialize_velocity(bnn.to_numpy(p))
    with pytest.raises(TypeError, match=r"different backends: W1 is array_api_strict.*v\['dW1'\] is numpy\.ndarray"):
        bnn.update_parameters_with_momentum(p, grads, host_v, 0.9, 0.1)
    host_s = bnn.initialize_adam(bnn.to_numpy(p))[1]
    with pytest.raises(TypeError, match=r"different backends: .*s\['dW1'\] is numpy\.ndarray"):
        bnn.update_parameters_with_adam(p, grads, bnn.initialize_velocity(p), host_s, 1)
    listed = {k: bnn.to_numpy(a).tolist() for k, a in host_v.items()}
    with pytest.raises(TypeError, match=r"^momentum state v\['dW1'\] must be an array of the shape of W1, \(3, 2\); got list\.$"):
        bnn.update_parameters_with_momentum(bnn.to_numpy(p), bnn.to_numpy(grads), listed, 0.9, 0.1)


def test_arrays_on_two_devices(data):
    strict = pytest.importorskip("array_api_strict")
    p = bnn.initialize_parameters(2, 4, 1, backend="array_api_strict", device=strict.Device("device1"))
    Xs = strict.asarray(data[0])
    with pytest.raises(ValueError, match=r"different devices: X on .*CPU_DEVICE.*W1 on .*device1"):
        bnn.forward_propagation(Xs, p)


def test_a_device_array_of_another_library_is_not_silently_copied(data):
    strict = pytest.importorskip("array_api_strict")
    with pytest.raises(TypeError, match=r"X is an array_api_strict\.Array but the backend is numpy; bring it to the "
                                        r"host with backend_nn\.to_numpy\(X\) first"):
        bnn.nn_model(strict.asarray(data[0]), data[1], 4, 10, backend="numpy")
    with pytest.raises(TypeError, match=r"Y is an array_api_strict\.Array but the backend is numpy; .*to_numpy\(Y\)"):
        bnn.nn_model(data[0], strict.asarray(data[1]), 4, 10)


def test_predict_refuses_an_activation_the_parameters_were_not_trained_with(data):
    p, _ = bnn.nn_model(*data, 4, 10, activation="relu")
    with pytest.raises(ValueError, match=r"activation=\['tanh'\] was asked for, but these parameters were trained with \['relu'\]"):
        bnn.predict(p, data[0], activation="tanh")
    assert bnn.predict(p, data[0]).shape == (1, 400)


def test_predict_takes_the_output_the_parameters_have_and_refuses_another(data):
    X, _ = data
    labels = (X[:1] > 0) * 1 + (X[1:] > 0) * 1  # 0, 1, 2
    p, _ = bnn.L_layer_model(X, labels, [2, 4, 3], num_iterations=10)
    np.testing.assert_array_equal(bnn.predict(p, X, output="softmax"), bnn.predict(p, X))  # theirs: fine
    with pytest.raises(ValueError, match=r"^output='sigmoid' was asked for, but these parameters have a softmax "
                                         r"output\.$"):
        bnn.predict(p, X, output="sigmoid")


def test_predict_of_one_example_as_a_1d_array_says_how_to_make_it_a_column(data):
    p, _ = bnn.nn_model(*data, 4, 10)
    with pytest.raises(ValueError, match=r"got shape \(2,\) — did you mean X\.reshape\(-1, 1\) \(one example of the "
                                         r"network's n_x = 2 features\)\?$"):  # the one reshape that fits, of two
        bnn.predict(p, data[0][:, 0])
    assert bnn.predict(p, data[0][:, 0].reshape(-1, 1)).shape == (1, 1)


@pytest.mark.parametrize("args, got", [
    (lambda X, Y, p: (p, X, Y), "Parameters, ndarray, ndarray"),               # the two orders mixed
    (lambda X, Y, p: (X, Y, p, p), "ndarray, ndarray, Parameters, Parameters"),  # one parameters too many
    (lambda X, Y, p: (X, Y, X), "ndarray, ndarray, ndarray"),                  # no parameters
], ids=["parameters first and y", "two parameters", "no parameters"])
def test_predict_takes_one_of_its_two_orders(data, args, got):
    """Each of the three conditions alone refuses the call, naming what arrived, before any array is read."""
    p, _ = bnn.nn_model(*data, 4, 5)
    with pytest.raises(TypeError, match=r"^predict takes \(parameters, X\), or the course's \(X, y, parameters\); got "
                                        rf"\({got}\)\.$"):
        bnn.predict(*args(*data, p))


def test_one_example_of_one_feature_is_data_not_a_layout_mistake():
    """X (1, 1) and Y (1, 1) have one column and one row each: nothing looks laid out as rows (that takes more
    rows than one), so it trains, and the run with one example descends."""
    p, costs = bnn.nn_model(np.array([[0.5]]), np.array([[1]]), 2, 100, learning_rate=0.5, cost_every=10)
    assert p["W1"].shape == (2, 1) and costs[-1] < costs[0]
    assert bnn.predict(p, np.array([[0.5]])).tolist() == [[True]]


def test_backward_propagation_checks_Y_and_cache(data):
    p = params()
    _, cache = bnn.forward_propagation(data[0], p)
    with pytest.raises(ValueError, match=r"Y must have the shape of A2, \(n_y, m\) = \(1, 400\); got \(400,\).*reshape"):
        bnn.backward_propagation(p, cache, data[0], data[1][0])
    with pytest.raises(ValueError, match=r"missing \['Z1'\]"):
        bnn.backward_propagation(p, {k: v for k, v in cache.items() if k != "Z1"}, data[0], data[1])


def test_update_parameters_checks_grads():
    p = params()
    with pytest.raises(ValueError, match=r"missing \['db2'\]"):
        bnn.update_parameters(p, {"dW1": p["W1"], "db1": p["b1"], "dW2": p["W2"]})
    with pytest.raises(ValueError, match=r"dW1 must have the shape of W1, \(4, 2\); got \(2, 4\)"):
        bnn.update_parameters(p, {"dW1": p["W1"].T, "db1": p["b1"], "dW2": p["W2"], "db2": p["b2"]})


def test_to_backend_takes_dtype_names_and_refuses_a_device_it_cannot_place_on():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    assert bnn.to_backend(np.ones(2), "torch", dtype="float32").dtype == torch.float32  # was torch's to() TypeError
    # NumPy's dtypes, as nn_model(..., dtype=np.float32, backend="torch") takes them: "to() received an invalid
    # combination of arguments - got (copy=bool, dtype=type, )"
    assert bnn.to_backend(np.ones(2), "torch", dtype=np.float32).dtype == torch.float32
    assert bnn.to_backend(torch.ones(2, dtype=torch.float64), "torch", dtype=np.dtype("float32")).dtype == torch.float32
    with pytest.raises(ValueError, match=r"dtype 'float33' is not a dtype of torch"):
        bnn.to_backend(np.ones(2), "torch", dtype="float33")
    # NumPy's other names, as nn_model takes them ("dtype 'f4' is not a dtype of torch"), and Python's types
    assert bnn.to_backend(np.ones(2), "torch", dtype="f4").dtype == torch.float32
    assert bnn.to_backend(np.ones(2), "torch", dtype="single").dtype == torch.float32
    assert bnn.to_backend(np.ones(2), "numpy", dtype="<f4").dtype == np.float32
    assert bnn.to_backend(np.ones(2), "torch", dtype=float).dtype == torch.float64
    # NumPy's meaning of a name both have: "float" is float64 on every backend (torch.float is float32), "int" int64
    assert bnn.to_backend(np.ones(2), "torch", dtype="float").dtype == torch.float64
    assert bnn.to_backend(np.ones(2), "torch", dtype="int").dtype == torch.int64
    assert bnn.to_backend(np.ones(2), "torch", dtype="bfloat16").dtype == torch.bfloat16  # torch's own name
    with pytest.raises(ValueError, match=r"dtype 'U3' is not a dtype of torch\.$"):
        bnn.to_backend(np.ones(2), "torch", dtype="U3")
    # PyTorch's CPU build raised NotImplementedError "Could not run 'aten::empty_strided' ... 'CUDA' backend"
    with pytest.raises(ValueError, match=r"backend='torch' cannot place data on device='cuda:99'"):
        bnn.to_backend(np.ones(2), "torch", device="cuda:99")
    if not torch.cuda.is_available():  # PyTorch's own message was a page of its dispatch keys
        why = "is a CPU-only build" if torch.version.cuda is None else "counts no CUDA device"
        with pytest.raises(ValueError, match=rf"^backend='torch' cannot place data on device='cuda': this PyTorch "
                                             rf"{why} "
                                             r"\(torch\.cuda\.is_available\(\) is False\)\. "
                                             r"Leave device unset \(or 'cpu'\)"):
            bnn.nn_model(*bnn.load_planar_dataset(), 4, 10, backend="torch", device="cuda")
    with pytest.raises(ValueError, match=r"backend='numpy' cannot place data on device='cuda'"):
        bnn.nn_model(*bnn.load_planar_dataset(), 4, 10, device="cuda")


@pytest.mark.parametrize("backend", ["numpy", "torch", "array_api_strict"])
def test_to_backend_names_a_dtype_that_is_not_one(backend):
    """An array, a number, another library's dtype or a namespace attribute that is not a dtype, given as dtype:
    was NumPy's "descriptor '__array_wrap__' for 'numpy.generic' objects doesn't apply", "Field elements must be
    2- or 3-tuples", torch's to() signature table, array_api_strict's AttributeError '_np_dtype', or (for
    "asarray") xp.asarray taken as the dtype."""
    pytest.importorskip(backend)
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    others = [np.arange(3), 3, [1], np.float64(1.0)] + ([torch.float32] if backend != "torch" else [])
    for dtype in others:
        with pytest.raises(TypeError, match=rf"^dtype must be a name such as 'float32', a NumPy dtype, or a dtype of "
                                            rf"{backend}; got {type(dtype).__name__} "):
            bnn.to_backend(np.ones(2), backend, dtype=dtype)
    with pytest.raises(ValueError, match=rf"^dtype 'asarray' is not a dtype of {backend}\.$"):
        bnn.to_backend(np.ones(2), backend, dtype="asarray")
    own = bnn.get_namespace(backend).float32  # the backend's own dtype object, as its arrays carry it
    assert bnn.to_backend(np.ones(2), backend, dtype=own).dtype == own


def test_torch_meta_device_is_refused_with_why():
    pytest.importorskip("torch", reason="PyTorch is not installed")
    # was: "Tensor.item() cannot be called on meta tensors", from somewhere inside training
    with pytest.raises(ValueError, match=r"device='meta' holds no values"):
        bnn.nn_model(*bnn.load_planar_dataset(), 4, 10, backend="torch", device="meta")


@pytest.mark.parametrize("device", [0.5, np.float16(0.5), True, np.True_])
def test_a_number_that_is_no_device_number_is_refused(device):
    """PyTorch's Tensor.to took 0.5 and True and left a PyTorch X where it was: the run trained, the device=
    given was dropped in silence. Refused on every backend, a device's name or number said."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    X, Y = bnn.load_planar_dataset()
    message = (r"^device must be a device of the backend, or its name or number \('cpu', 'cuda:1', 0\); got "
               rf"{type(device).__name__.replace('bool_', 'bool')} ")
    for run in (lambda: bnn.nn_model(torch.from_numpy(X), torch.from_numpy(Y), 4, 3, device=device),
                lambda: bnn.nn_model(X, Y, 4, 3, device=device),
                lambda: bnn.to_backend(X, "torch", device=device)):
        with pytest.raises(TypeError, match=message):
            run()


def test_jax_device_names_reach_the_free_memory_check(monkeypatch):
    """Whether to stream is decided from the device's free memory; a device given by name ("gpu:0") was asked
    for its memory as a string, which failed in silence (never streamed). Here JAX's device list is a GPU's."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    from backend_nn.backend import free_memory_of

    class FakeGPU:
        platform = "gpu"

        def memory_stats(self):
            return {"bytes_limit": 8 * 2**30, "bytes_in_use": 2**30}

    monkeypatch.setattr(jax, "devices", lambda platform=None: [FakeGPU()] if platform in (None, "gpu") else [])
    assert free_memory_of(bnn.get_namespace("jax"), "gpu:0") == 7 * 2**30
    monkeypatch.setattr(jax, "devices", lambda platform=None: [FakeGPU(), FakeGPU()] if platform != "cpu" else [])
    for name in ("gpu:x", "gpu:-1", "gpu:2"):  # never another device than the one named, never a guess
        with pytest.raises(ValueError, match=rf"^jax has no device '{name}' here"):
            bnn.to_backend([1.0], "jax", device=name)


def test_the_command_lines_jax_runs_in_float64_and_nothing_else_is_touched(monkeypatch):
    """float64_in_own_process turns JAX's 64-bit mode on for the command line's own JAX runs only: not for another
    backend (JAX is not even imported for it), not where the environment chose already."""
    from backend_nn.backend import float64_in_own_process

    jax = pytest.importorskip("jax", reason="JAX is not installed")
    updates = []
    monkeypatch.setattr(jax.config, "update", lambda *a: updates.append(a))
    monkeypatch.delenv("JAX_ENABLE_X64", raising=False)
    for backend in ("numpy", "torch", "cupy", None):
        float64_in_own_process(backend)
    assert updates == []
    float64_in_own_process("jax")
    assert updates == [("jax_enable_x64", True)]
    monkeypatch.setenv("JAX_ENABLE_X64", "0")  # the environment's choice, whatever it is, stays
    float64_in_own_process("jax")
    assert updates == [("jax_enable_x64", True)]


@pytest.mark.skipif(not os.path.exists("/proc/meminfo"), reason="reads Linux's /proc/meminfo")
def test_the_hosts_available_memory_is_counted_in_bytes():
    """MemAvailable is in kB: at least the free pages (it counts them and what can be reclaimed), at most all."""
    from backend_nn.backend import _host_available

    page = os.sysconf("SC_PAGE_SIZE")
    free, total = os.sysconf("SC_AVPHYS_PAGES") * page, os.sysconf("SC_PHYS_PAGES") * page
    assert 0.5 * free <= _host_available() <= total


def test_the_hosts_available_memory_without_proc_meminfo_is_its_free_pages(monkeypatch):
    """Where /proc/meminfo cannot be read (macOS, a sandbox): the free pages times the page size; unknown (None)
    where the system will not say either, so that nothing is streamed on a guess."""
    from backend_nn import backend

    def unreadable(*_, **__):
        raise OSError("no /proc here")

    monkeypatch.setattr(backend, "open", unreadable, raising=False)
    monkeypatch.setattr(os, "sysconf", {"SC_AVPHYS_PAGES": 1000, "SC_PAGE_SIZE": 4096}.__getitem__)
    assert backend._host_available() == 4096 * 1000

    def unknown(name):
        raise ValueError(f"unrecognized configuration name {name!r}")  # os.sysconf's own error for such a name

    monkeypatch.setattr(os, "sysconf", unknown)
    assert backend._host_available() is None


@pytest.mark.parametrize("name, device", [("numpy", None), ("torch", None), ("torch", "cpu"), ("jax", None)])
def test_free_memory_on_the_host_is_the_machines_available_memory(name, device, monkeypatch):
    """Backends computing on this machine's CPU count its available memory, with or without a device named."""
    pytest.importorskip(name, reason=f"{name} is not installed")
    from backend_nn import backend

    monkeypatch.setattr(backend, "_host_available", lambda: 123 * 2**20)
    assert backend.free_memory_of(bnn.get_namespace(name), device) == 123 * 2**20


def test_cupy_device_names_are_device_numbers():
    """CuPy takes device numbers; 'cuda:1' (PyTorch's way of naming one) is 1. Checked on the namespace alone,
    which imports without a GPU."""
    cp = pytest.importorskip("array_api_compat.cupy", reason="CuPy is not installed")
    from backend_nn.backend import _native_device

    assert [_native_device(cp, d) for d in ("cuda:1", "GPU:2", "cuda", 3)] == [1, 2, None, 3]
    with pytest.raises(ValueError, match=r"cupy takes a CUDA device number \(0, 1, ...\) or 'cuda:N'; got device='cpu'"):
        _native_device(cp, "cpu")


def test_jax_devices_by_name_or_number():
    """JAX takes only its Device objects; the command line's --device gives a name or a number (it was
    "sharding='cpu' must be an instance of jax.sharding.Sharding")."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    cpu = jax.devices("cpu")[0]
    for name in ("cpu", "CPU:0", 0, np.int64(0), cpu):  # np.int64(0) was "sharding=np.int64(0) must be ..."
        x = bnn.to_backend(np.ones(2), "jax", device=name, dtype="float32")
        assert x.devices() == {cpu}, name
    X, Y = bnn.load_planar_dataset()
    params, _ = bnn.nn_model(X, Y, 4, 10, backend="jax", device="cpu", dtype="float32")
    assert params["W1"].devices() == {cpu}
    for bad in ("cpu:7", "cpu:x", "quantum", len(jax.devices())):
        with pytest.raises(ValueError, match=rf"jax has no device {bad!r} here; its devices are \["):
            bnn.to_backend(np.ones(2), "jax", device=bad, dtype="float32")


def test_to_backend_refuses_a_narrowing_cast_that_would_turn_finite_values_into_inf(backend):
    # was: [inf, 1, inf] (NumPy and array-api-strict with a RuntimeWarning, PyTorch and JAX silently)
    big = np.array([[1e300, 1.0, -np.inf]])
    with pytest.raises(ValueError, match=r"^x holds values beyond the range of float32 \(largest \|x\| = 1e\+300\): "
                                         r"choose dtype='float64' or rescale x\.$"):
        bnn.to_backend(big, backend.xp, device=backend.device, dtype="float32")
    on_backend = backend.asarray(big)  # float64 there already: the cast on the backend is checked too
    with pytest.raises(ValueError, match=r"beyond the range of float32"):
        bnn.to_backend(on_backend, backend.xp, dtype="float32")
    with pytest.raises(ValueError, match=r"^x\['W1'\] holds values beyond the range of float32"):
        bnn.to_backend({"W1": big, "b1": np.zeros((1, 1))}, backend.xp, device=backend.device, dtype="float32")
    assert bnn.to_numpy(on_backend).tolist() == big.tolist()  # nothing changed
    if hasattr(backend.xp, "float16"):  # integers past float16's 65504 (array-api-strict has no float16)
        with pytest.raises(ValueError, match=r"beyond the range of float16 \(largest \|x\| = 7e\+04\)"):
            bnn.to_backend(np.array([[-70000, 3]]), backend.xp, device=backend.device, dtype="float16")
        assert bnn.to_numpy(bnn.to_backend(np.array([[-60000, 3]]), backend.xp, device=backend.device,
                                           dtype="float16")).tolist() == [[-60000.0, 3.0]]
    if np.finfo(np.longdouble).max > np.finfo(np.float64).max and backend.name == "numpy":
        # a long double past float64's range (was: "largest |x| = inf: choose dtype='float64'", into float64)
        beyond = np.array([[np.longdouble("-1e400"), 1.0]])
        with pytest.raises(ValueError, match=r"^X holds values beyond the range of float64 \(largest \|x\| = 1e\+400\): "
                                             r"rescale X\.$"):
            bnn.nn_model(np.repeat(beyond, 200, axis=1), np.tile([[0, 1]], 200), 4, 10)
        # and into float32: float64 would not hold it either, so it is not offered
        with pytest.raises(ValueError, match=r"^X holds values beyond the range of float32 \(largest \|x\| = 1e\+400\): "
                                             r"rescale X\.$"):
            bnn.nn_model(np.repeat(beyond, 200, axis=1), np.tile([[0, 1]], 200), 4, 10, dtype="float32")
    # inf and NaN that are there already, and values within range, cast as the library casts them
    fine = np.array([[np.inf, np.nan, -3e38, 0.5]])
    got = bnn.to_numpy(bnn.to_backend(fine, backend.xp, device=backend.device, dtype="float32"))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, fine.astype(np.float32))


@pytest.mark.parametrize("values, dtype, match", [
    # were: 255, 44, -2147483648 (NumPy with a RuntimeWarning), 0, 1, True, True and 1.0 (NumPy with a ComplexWarning)
    ([[-1, 3]], "uint8", r"^x holds values outside the range of uint8, \[0, 255\] \(they run from -1 to 3\), which the "
                         r"cast would wrap; choose a wider dtype or rescale x\.$"),
    ([[300.0, 2.0]], "int8", r"outside the range of int8, \[-128, 127\] \(they run from 2 to 300\)"),
    ([[np.nan, 1.0, np.inf]], "int32", r"^x holds 2 NaN or inf value\(s\), which dtype 'int32' has no value for; fill "
                                       r"or drop them first\.$"),
    ([[2**40, 1]], "int32", r"outside the range of int32, \[-2147483648, 2147483647\] \(they run from 1 to 1099511627776\)"),
    ([[1.5, 2.0, -0.25]], "int64", r"^x holds 2 value\(s\) with a fractional part, which dtype 'int64' would cut off; "
                                   r"round them first \(x\.round\(\), say\) if that is meant\.$"),
    ([[2.0**63]], "int64", r"outside the range of int64, .* \(they run from 9223372036854775808 to 9223372036854775808\)"),
    ([[0, 2, 1]], "bool", r"^x holds 1 value\(s\) other than 0 and 1, which dtype 'bool' would make True; compare them "
                          r"first \(x != 0, say\) if that is meant\.$"),
    ([[0.5, 1.0]], "bool", r"1 value\(s\) other than 0 and 1"),
    ([[1 + 2j, 3 + 0j]], "float64", r"^x holds complex values with imaginary parts, which dtype 'float64' would drop; "
                                    r"pass its real part \(x\.real\) if that is meant\.$"),
    ([[1e300 + 0j, 1j]], "complex64", r"^x holds values beyond the range of float32 \(largest \|x\| = 1e\+300\)"),
])
def test_to_backend_refuses_a_cast_that_would_change_a_value(backend, values, dtype, match):
    """A cast to_backend is asked for either keeps every value or says which it would change, on the host and on
    the backend alike; the caller's array is unchanged."""
    host = np.array(values)
    before = host.copy()
    if not hasattr(backend.xp, dtype):
        pytest.skip(f"{backend.name} has no {dtype}")
    with pytest.raises(ValueError, match=match):
        bnn.to_backend(host, backend.xp, device=backend.device, dtype=dtype)
    np.testing.assert_array_equal(host, before)
    on_backend = bnn.to_backend(host, backend.xp, device=backend.device)
    with pytest.raises(ValueError, match=match):
        bnn.to_backend(on_backend, backend.xp, dtype=dtype)


@pytest.mark.parametrize("values, dtype, expected", [
    ([[3.0, -2.0, 0.0]], "int8", [[3, -2, 0]]),  # whole numbers within range
    ([[2.0**63 - 1024, -2.0**63]], "int64", [[2**63 - 1024, -2**63]]),  # float64 at int64's ends
    ([[255, 0]], "uint8", [[255, 0]]),
    ([[0.0, 1.0, 1.0]], "bool", [[False, True, True]]),
    ([[True, False]], "int8", [[1, 0]]),  # bool into anything
    ([[1 + 0j, -2 + 0j]], "float64", [[1.0, -2.0]]),  # complex without imaginary parts
    ([[3, -4]], "complex64", [[3 + 0j, -4 + 0j]]),
    ([[1 + 2j, -0.5j]], "complex64", [[1 + 2j, -0.5j]]),  # complex stays complex, imaginary parts and all
])
def test_to_backend_casts_what_keeps_every_value(backend, values, dtype, expected):
    """... without a warning of the library's own: complex values with zero imaginary parts are cast as their real
    parts (NumPy warned "ComplexWarning: Casting complex values to real discards the imaginary part", PyTorch
    alike, JAX that the cast will raise, array-api-strict refused it)."""
    if not hasattr(backend.xp, dtype):
        pytest.skip(f"{backend.name} has no {dtype}")
    host = np.array(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = bnn.to_numpy(bnn.to_backend(host, backend.xp, device=backend.device, dtype=dtype))
        on_backend = bnn.to_backend(host, backend.xp, device=backend.device)
        again = bnn.to_numpy(bnn.to_backend(on_backend, backend.xp, dtype=dtype))
    assert got.dtype == np.dtype(dtype) and got.tolist() == expected
    assert again.dtype == np.dtype(dtype) and again.tolist() == expected


@pytest.mark.parametrize("lacked", [np.longdouble, np.float16])
def test_host_data_of_a_dtype_the_backend_lacks_are_cast_on_the_host(backend, lacked):
    """A long double X (PyTorch, JAX, array-api-strict and CuPy have none) or a float16 X on array-api-strict
    trains as the same numbers cast first; it was the backend's own error ("can't convert np.ndarray of type
    numpy.longdouble", "Error interpreting argument to stage as a JAX value")."""
    if bnn.backend.has_dtype(backend.xp, np.dtype(lacked)):
        pytest.skip(f"{backend.name} has {np.dtype(lacked)}")
    Xl, Yl = X.astype(lacked), Y.astype(lacked)
    p, costs = bnn.nn_model(Xl, Yl, 4, 30, backend=backend.xp, device=backend.device, dtype="float32")
    q, expected = bnn.nn_model(X.astype(lacked).astype(np.float32), Y, 4, 30, backend=backend.xp,
                               device=backend.device, dtype="float32")
    assert [float(c) for c in costs] == [float(c) for c in expected]
    assert bnn.accuracy(bnn.predict(p, Xl), Yl) == bnn.accuracy(bnn.predict(q, X), Y)
    with pytest.raises(TypeError, match=rf"^x has dtype {np.dtype(lacked)}, which {be.backend_name(backend.xp)} "
                                        r"has no dtype for: pass dtype= \(float64, say\) to cast it on the host first\.$"):
        bnn.to_backend(Xl, backend.xp, device=backend.device)
    moved = bnn.to_backend(Xl, backend.xp, device=backend.device, dtype="float32")
    np.testing.assert_array_equal(bnn.to_numpy(moved), Xl.astype(np.float32))
    if np.finfo(np.longdouble).max > np.finfo(np.float64).max and lacked is np.longdouble:
        with pytest.raises(ValueError, match=r"beyond the range of float32 \(largest \|x\| = 1e\+300\)"):
            bnn.to_backend(np.array([[np.longdouble(1e300)]]), backend.xp, device=backend.device, dtype="float32")


def test_predict_of_X_beyond_the_parameters_dtype_says_how_to_widen_the_parameters(backend, monkeypatch):
    """predict takes no dtype=: the error said "choose dtype='float64'", the training's advice. Streamed X (a
    host array larger than the backend's free memory) is told the same."""
    from backend_nn import streaming

    p32, _ = bnn.nn_model(X, Y, 4, 20, dtype="float32", backend=backend.xp, device=backend.device)
    name = be.backend_name(backend.xp)
    match = (r"^X holds values beyond the range of float32, the parameters' dtype \(largest \|x\| = 4\.21e\+300\): "
             rf"move the parameters to float64 first \(bnn\.to_backend\(parameters, '{name}', dtype='float64'\)\) or "
             r"rescale X\.$")
    with pytest.raises(ValueError, match=match):
        bnn.predict(p32, X * 1e300)
    monkeypatch.setattr(streaming, "predicts_in_windows", lambda *args, **kwargs: True)
    with pytest.raises(ValueError, match=match):
        bnn.predict(p32, X * 1e300)
    monkeypatch.undo()
    p64 = bnn.to_backend(p32, backend.xp, device=backend.device, dtype="float64")  # as the error says
    assert p64.network == p32.network and bnn.to_numpy(bnn.predict(p64, X * 1e300)).shape == (1, 400)


def test_a_range_error_is_a_value_error_that_pickles_whole():
    """Raised in a dask worker it travels pickled: an exception whose fields are keyword-only would come back as
    a TypeError from its own __init__."""
    with pytest.raises(ValueError) as info:
        bnn.to_backend(np.array([[1e300]]), "numpy", dtype="float32")
    error = info.value
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
    assert (again.name, again.dtype, again.largest, again.fits_float64) == ("x", "float32", "1e+300", True)
    reworded = pickle.loads(pickle.dumps(error.advising("refit in float64", ", the model's")))
    assert str(reworded) == "x holds values beyond the range of float32, the model's (largest |x| = 1e+300): " \
                            "refit in float64 or rescale x."


@pytest.mark.parametrize("library", ["torch", "jax.numpy"])
def test_to_numpy_brings_bfloat16_home_as_float32_exactly(library):
    """NumPy has no bfloat16: PyTorch's refused .numpy(), JAX's came home as ml_dtypes' bfloat16, a dtype of
    kind 'V' that NumPy's own functions mostly refuse. Both come home as float32, which holds each value."""
    xp = pytest.importorskip(library, reason=f"{library} is not installed")
    x = xp.asarray([1.0, 3.140625, -2.5e-3], dtype=xp.bfloat16)
    got = bnn.to_numpy(x)
    assert got.dtype == np.float32 and got.tolist() == [1.0, 3.140625, float(xp.asarray(-2.5e-3, dtype=xp.bfloat16))]


def test_to_numpy_resolves_pytorchs_lazy_conjugate_and_negative_views():
    """x.conj() of a complex tensor is a view with its conjugate bit set (and some of autograd's results carry a
    negative bit); .numpy() refused them ("Can't call numpy() on Tensor that has conjugate bit set")."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    z = torch.tensor([1 + 2j, -3 - 0.5j])
    assert bnn.to_numpy(z.conj()).tolist() == [1 - 2j, -3 + 0.5j]
    assert bnn.to_numpy(z.conj().imag).tolist() == [-2.0, 0.5]  # a negative view of a real tensor
    assert bnn.to_numpy(z).tolist() == [1 + 2j, -3 - 0.5j]  # the tensor itself untouched


def test_to_numpy_of_none_is_an_error_not_an_object_array():
    # np.asarray(None) is array(None, dtype=object): a missing key's .get() went home as a 0-d object
    with pytest.raises(TypeError, match=r"to_numpy expects an array .*; got None"):
        bnn.to_numpy({"W1": np.ones(2)}.get("W2"))
    assert bnn.to_numpy([[1.0, 2.0]]).shape == (1, 2)  # host data such as a list still come through


def test_cupy_not_installed(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy -> ImportError
    with pytest.raises(ImportError, match=r"CuPy, which is not installed.*backend-nn\[cuda12x\]"):
        bnn.get_namespace("cupy")
    assert bnn.cuda_device_count() == 0
    assert be.backend_name(bnn.get_namespace("auto")) == "numpy"


def test_cupy_without_a_cuda_device(monkeypatch):
    fake = types.ModuleType("cupy")

    def no_device():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_device))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    assert bnn.cuda_device_count() == 0
    with pytest.raises(RuntimeError, match=r"needs a CUDA GPU, but CuPy counts 0 CUDA devices"):
        bnn.nn_model(X, Y, 4, 10, backend="cupy")
    assert be.backend_name(bnn.get_namespace("auto")) == "numpy"


def test_cupy_given_as_a_module_without_a_cuda_device():
    """CuPy itself or array-api-compat's CuPy namespace: the same clear error as backend='cupy', before any array is
    made on a device that is not there."""
    pytest.importorskip("cupy", reason="CuPy is not installed")
    if bnn.cuda_device_count():
        pytest.skip("a CUDA device is counted here: CuPy works")
    import array_api_compat.cupy
    import cupy

    for module in (cupy, array_api_compat.cupy):
        with pytest.raises(RuntimeError, match=r"needs a CUDA GPU, but CuPy counts 0 CUDA devices"):
            bnn.get_namespace(module)


@pytest.mark.parametrize("call, exc, match", [
    (lambda X, Y: bnn.nn_model(X[:, :0], Y[:, :0], 4, 10), ValueError, r"X has shape \(2, 0\): it needs at least one example"),
    (lambda X, Y: bnn.nn_model(X[:0], Y, 4, 10), ValueError, r"X has shape \(0, 400\): .* one feature"),
    (lambda X, Y: bnn.nn_model(X * 1e39, Y, 4, 10, dtype="float32"), ValueError,
     r"X holds values beyond the range of float32 \(largest \|x\| = 4.21e\+39\): choose dtype='float64'"),
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, seed=-1), ValueError, r"seed must be an integer in \[0, 2\*\*32 - 1\]"),
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, learning_rate="1.2"), TypeError, r"learning_rate must be a positive number; got str"),
    (lambda X, Y: bnn.nn_model(np.ma.masked_array(X, mask=X > 3), Y, 4, 10), ValueError,
     r"masked array with 78 masked cell\(s\)"),
    (lambda X, Y: bnn.forward_propagation(X, {k: v.astype(int) for k, v in params().items()}), TypeError,
     r"W1 must have a real floating dtype \(float64 or float32\); got int64"),
    (lambda X, Y: bnn.compute_cost(np.full((1, 400), 0.5), Y * 2), ValueError,
     r"Y must hold 0/1 labels \(binary\), or fractional targets between them; found other whole numbers, e\.g\. "
     r"\[2\.0.*class labels 0\.\.K-1 need a softmax output of K units"),
    (lambda X, Y: bnn.compute_cost(np.full((1, 400), 1.5), Y), ValueError, r"AL must hold probabilities in \[0, 1\]"),
    (lambda X, Y: bnn.compute_cost(np.full(400, 0.5), Y.ravel()), ValueError, r"AL must be 2-D .* AL.reshape\(1, -1\)"),
    (lambda X, Y: bnn.compute_cost(np.ones((1, 400), dtype=int), Y), TypeError, r"AL must hold probabilities as floats"),
    (lambda X, Y: bnn.compute_cost(np.full((1, 400), 0.5), Y, Z2=np.zeros((1, 399))), ValueError,
     r"ZL must have the shape of AL, \(1, 400\); got \(1, 399\)"),
    (lambda X, Y: bnn.to_backend(X, "numpyy"), ValueError, r"unknown backend 'numpyy'; expected one of 'numpy'"),
    (lambda X, Y: bnn.accuracy(Y * 0.5, Y), ValueError, r"predictions must be labels \(predict's output\), not probabilities"),
    (lambda X, Y: bnn.accuracy(Y, Y * 0.5), ValueError, r"Y must be labels \(0/1 or 0..K-1\), not probabilities"),
    (lambda X, Y: bnn.predict(X, Y * 0.5, params()), ValueError, r"Y must be labels \(0/1 or 0..K-1\), not probabilities"),
    # string labels: numpy's "ufunc 'isfinite' not supported", or "found other values, e.g. [0.0, ...]" for '0'/'1'
    (lambda X, Y: bnn.nn_model(X, np.where(Y == 1, "red", "blue"), 4, 10), TypeError,
     r"Y must hold numeric labels \(0/1, or class labels 0..K-1\) or bools; got dtype <U4. Encode other labels first"),
    (lambda X, Y: bnn.model(X, Y.astype(str), [2, 3, 1], "gd", num_epochs=1), TypeError, r"got dtype <U\d+"),
    (lambda X, Y: bnn.nn_model(X, np.where(Y == 1, "a", "b").astype(object), 4, 10), TypeError, r"got dtype object"),
    (lambda X, Y: bnn.nn_model(X, Y.astype(complex), 4, 10), TypeError, r"got dtype complex128"),
    (lambda X, Y: bnn.compute_cost(np.full((1, 400), 0.5), Y.astype(str)), TypeError, r"Y must hold numeric labels"),
    (lambda X, Y: bnn.accuracy(Y, Y.astype(str)), TypeError, r"Y must hold numeric labels"),
    (lambda X, Y: bnn.gradient_check_n(params(), {f"d{k}": v for k, v in params().items()}, X, Y.astype(str)),
     TypeError, r"Y must hold numeric labels"),
    # Y (m, 1) or a one-hot (m, K) as rows: "X and Y must have the same number of examples m (columns)"
    (lambda X, Y: bnn.nn_model(X, Y.T, 4, 10), ValueError, r"got \(400, 1\) — did you mean Y.T\?"),
    (lambda X, Y: bnn.nn_model(X, np.eye(3)[np.arange(400) % 3], [4], 10), ValueError,
     r"Y must be \(n_y, m\) with examples as columns, like X \(2, 400\); got \(400, 3\) — did you mean Y.T\?"),
    (lambda X, Y: bnn.accuracy(Y > 0, np.eye(2)[Y.ravel().astype(int)]), ValueError,
     r"must label the same m examples; got \(1, 400\) and \(400, 2\) — did you mean Y.T\?"),
    # the cost's own check of Y against AL: the transpose named as such, a row only where it is one of m labels
    (lambda X, Y: bnn.compute_cost(np.full((1, 4), 0.5), np.array([[0], [1], [0], [1]])), ValueError,
     r"^Y must have the shape of AL, \(n_y, m\) = \(1, 4\); got \(4, 1\) — did you mean Y.T\?$"),
    (lambda X, Y: bnn.compute_cost(np.full((1, 4), 0.5), np.array([0, 1, 1])), ValueError,
     r"^Y must have the shape of AL, \(n_y, m\) = \(1, 4\); got \(3,\)\.$"),
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, activation="ReLU"), ValueError,
     r"unknown activation 'ReLU'; expected one of .* — did you mean 'relu'\?"),
    (lambda X, Y: bnn.L_layer_model(X, Y, [2, 3, 1], activation="Leaky-ReLU"), ValueError, r"did you mean 'leaky_relu'\?"),
    (lambda X, Y: bnn.model(X, Y, [2, 3, 1], "Adam"), ValueError, r"unknown optimizer 'Adam'; .* did you mean 'adam'\?"),
    (lambda X, Y: bnn.load_dataset("Flower"), ValueError, r"unknown data set 'Flower'; .* did you mean 'flower'\?"),
    (lambda X, Y: bnn.L_layer_model(X, Y, [2, 3, 1], init="He"), ValueError, r"unknown init 'He'; .* did you mean 'he'\?"),
    (lambda X, Y: bnn.L_layer_model(X, Y, [2, 3, 1], output="Sigmoid"), ValueError, r"did you mean 'sigmoid'\?"),
    # a name misspelled, or a part of one: the hint names the closest (difflib), else nothing
    (lambda X, Y: bnn.model(X, Y, [2, 3, 1], "adma"), ValueError,
     r"unknown optimizer 'adma'; .* did you mean 'adam'\?$"),
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, activation="rlu"), ValueError, r"did you mean 'relu'\?$"),
    (lambda X, Y: bnn.load_dataset("flowr"), ValueError, r"did you mean 'flower'\?$"),
    (lambda X, Y: bnn.load_dataset("moons"), ValueError, r"did you mean 'noisy_moons'\?$"),
    # labels not numbered 0..K-1: ten are shown whole, more end in "..."; the sigmoid-targets hint only where no
    # output was asked for (with output="softmax" the fractions are no sigmoid's targets)
    (lambda X, Y: bnn.nn_model(X, (np.arange(400) % 10 + 1)[None, :], [3], 2), ValueError,
     r"it holds \[1, 2, 3, 4, 5, 6, 7, 8, 9, 10\]\. Number the classes"),
    (lambda X, Y: bnn.nn_model(X, (np.arange(400) % 11 + 1)[None, :], [3], 2), ValueError,
     r"it holds \[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, \.\.\.\]\. Number the classes"),
    (lambda X, Y: bnn.nn_model(X, Y * 0.5, [3], 2, output="softmax"), ValueError,
     r"it holds \[0\.0, 0\.5\]\. Number the classes .* or a one-hot Y \(K, m\)\.$"),
    (lambda X, Y: bnn.nn_model(X, Y * 0.5 + 0.5, [3], 2), ValueError,
     r"it holds \[0\.5, 1\.0\]\. .* Fractional values are targets of a sigmoid output only where it is asked for: "
     r"output='sigmoid'\.$"),
    # a part of three letters is enough where difflib finds nothing ('lin' to 'linear' is 0.67); two is not
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, activation="lin"), ValueError, r"did you mean 'linear'\?$"),
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, activation="li"), ValueError, r"'leaky_relu', 'linear'\.$"),
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, backend="numpi"), ValueError, r"did you mean 'numpy'\?$"),
    (lambda X, Y: bnn.model(X, Y, [2, 3, 1], "rmsprop"), ValueError, r"expected 'gd', 'momentum' or 'adam'\.$"),
    (lambda X, Y: bnn.L_layer_model(X, Y, [2, 3, 1], init="glorot"), ValueError, r"'xavier', 'he'\.$"),
    # another library's name for one of ours: scikit-learn's MLPClassifier, Keras, the usual import aliases
    (lambda X, Y: bnn.NNClassifier(activation="logistic", num_iterations=2).fit(X.T, Y.ravel()), ValueError,
     r"unknown activation 'logistic'; .* did you mean 'sigmoid'\?$"),
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, activation="identity"), ValueError, r"did you mean 'linear'\?$"),
    (lambda X, Y: bnn.L_layer_model(X, Y, [2, 3, 1], init="kaiming"), ValueError, r"did you mean 'he'\?$"),
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, backend="np"), ValueError, r"did you mean 'numpy'\?$"),
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, backend="jnp"), ValueError, r"did you mean 'jax'\?$"),
    # a device named as the backend
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, backend="gpu"), ValueError,
     r"unknown backend 'gpu'; .* for a CUDA GPU, did you mean 'cupy' .*'torch' with device='cuda', or 'jax' with "
     r"device='gpu'\?$"),
    # layer_sizes read X.shape[0] of any X: a 1-D X of 400 examples gave n_x = 400
    (lambda X, Y: bnn.layer_sizes(X[0], Y), ValueError, r"X must be 2-D .* got shape \(400,\) — did you mean X.reshape"),
    (lambda X, Y: bnn.layer_sizes(X.T, Y), ValueError, r"X looks like examples as rows"),
    # read as shape (): "X must be 2-D ... got shape ()" for a None, a number or a string
    (lambda X, Y: bnn.layer_sizes(None, Y), TypeError, r"^X must be an array or host data \(NumPy array, list\); got NoneType None\.$"),
    (lambda X, Y: bnn.layer_sizes(X, 1), TypeError, r"^Y must be an array or host data .*; got int 1\.$"),
    # predicting, the network's n_x says which of the two reshapes a 1-D X needs, or that neither fits
    (lambda X, Y: bnn.predict(params(), X[0], activation="tanh"), ValueError,
     r"got shape \(400,\); the network takes n_x = 2 features per example, one per row\.$"),
    (lambda X, Y: bnn.L_model_forward(X[0], bnn.initialize_parameters_deep([1, 3, 1])), ValueError,
     r"got shape \(400,\) — did you mean X.reshape\(1, -1\) \(m examples of the network's one feature\)\?$"),
    (lambda X, Y: bnn.layer_sizes(X, Y.ravel()), ValueError, r"Y must be 2-D with shape \(1, m\)"),
    # layer_dims that is not a list: "'int' object is not iterable", or "layer_dims[0] ... got str 'a'"
    (lambda X, Y: bnn.initialize_parameters_deep(5), TypeError, r"layer_dims must be a list of layer sizes .* got int 5"),
    (lambda X, Y: bnn.L_layer_model(X, Y, "2 4 1"), TypeError, r"layers_dims must be a list of layer sizes .* got str"),
    (lambda X, Y: bnn.initialize_parameters_he(np.array([[2, 4, 1]])), TypeError, r"got ndarray"),
    # sizes with no order of the caller's, or characters: a set {4, 3} trained [2, 3, 4, 1], bytes b"\x04" a layer
    # of 4 units, a dict its keys
    (lambda X, Y: bnn.L_layer_model(X, Y, {2, 4, 1}, num_iterations=2), TypeError,
     r"^layers_dims must be a list of layer sizes \[n_x, n_1, \.\.\., n_L\], in order; got set \{1, 2, 4\}\.$"),
    (lambda X, Y: bnn.nn_model(X, Y, {4, 3}, 2), TypeError,
     r"^n_h must be a positive integer or a list of hidden-layer sizes, in order; got set \{3, 4\}\.$"),
    (lambda X, Y: bnn.nn_model(X, Y, b"\x04", 2), TypeError, r"^n_h must be .*; got bytes b'\\x04'\.$"),
    (lambda X, Y: bnn.nn_model(X, Y, {4: "units"}, 2), TypeError, r"^n_h must be .*; got dict \{4: 'units'\}\.$"),
    (lambda X, Y: bnn.nn_model(X, Y, "4", 2), TypeError, r"^n_h must be .*; got str '4'\.$"),  # was "n_h[0] must be"
    (lambda X, Y: bnn.NNClassifier(hidden_layer_sizes={4, 3}, num_iterations=2).fit(X.T, Y.ravel()), TypeError,
     r"^hidden_layer_sizes must be a positive integer or a list of hidden-layer sizes, in order; got set"),
    # a masked array was NumPy's "operands could not be broadcast" from inside the equations
    (lambda X, Y: bnn.L_model_forward(np.ma.masked_array(X, mask=X > 3), bnn.initialize_parameters_deep([2, 3, 1])),
     TypeError, r"X is a NumPy masked array, .* pass X.filled\(value\)"),
    # m = 0 was NumPy's "invalid value encountered in scalar divide" and a nan cost
    (lambda X, Y: bnn.compute_cost(np.zeros((1, 0)), Y[:, :0]), ValueError, r"AL has shape \(1, 0\): there are no examples"),
    # a NaN from the forward pass was reported as a value outside [0, 1]
    (lambda X, Y: bnn.compute_cost(np.full((1, 400), np.nan), Y), ValueError, r"found \[nan\] \(400 NaN: the forward"),
    (lambda X, Y: bnn.accuracy(Y, np.where(Y > 0, np.nan, 0.0)), ValueError, r"Y must be labels \(0/1 or 0..K-1\); it holds NaN"),
    # inf is a whole number to round(): an inf label was compared unequal in silence
    (lambda X, Y: bnn.accuracy(Y, np.where(np.arange(400) == 5, np.inf, Y)), ValueError,
     r"Y must be labels \(0/1 or 0..K-1\); it holds NaN or inf"),
    (lambda X, Y: bnn.accuracy(np.where(np.arange(400) == 5, -np.inf, Y), Y), ValueError,
     r"predictions must be labels \(predict's output\); it holds NaN or inf"),
    # a ragged nested list was NumPy's "setting an array element with a sequence ...", naming neither
    (lambda X, Y: bnn.nn_model([[1, 2], [3]], [[0, 1]], 4, 2), ValueError,
     r"X is a nested list that is not rectangular: its rows hold 1 or 2 values, so it is no array"),
    (lambda X, Y: bnn.nn_model([[1, 2], [3, 4]], [[0, 1], [1]], 4, 2), ValueError,
     r"Y is a nested list that is not rectangular: its rows hold 1 or 2 values"),
    (lambda X, Y: bnn.predict(bnn.nn_model(X, Y, 4, 2)[0], [[1, 2], [3]]), ValueError,
     r"X is a nested list that is not rectangular"),
    (lambda X, Y: bnn.nn_model([[1, 2], [3, [4, 5]]], [[0, 1]], 4, 2), ValueError,  # rows of one length, deeper ragged
     r"X is a nested list that is not rectangular, so it is no array"),
    (lambda X, Y: bnn.nn_model(np.ma.masked_greater(X, 3), Y, 4, 2), ValueError,
     r"X is a masked array with 78 masked cell\(s\); .* Fill them \(X\.filled\(value\)\)"),
    # a NaN label was told to number its classes 0..K-1 ("it holds [] and NaN or inf" where all were NaN)
    (lambda X, Y: bnn.nn_model(X, np.where(np.arange(400) == 5, np.nan, Y), 4, 2), ValueError,
     r"Y must be finite; it holds NaN or inf beside the labels \[0.0, 1.0\]\. Drop those examples, or give them "
     r"their labels\.$"),
    (lambda X, Y: bnn.nn_model(X, Y * np.nan, 4, 2), ValueError, r"Y must be finite; it holds NaN or inf, only\."),
    # print_cost / progress were never checked: None was "unsupported operand type(s) for -: 'int' and 'NoneType'"
    (lambda X, Y: bnn.L_layer_model(X, Y, [2, 3, 1], num_iterations=2, print_cost=None), TypeError,
     r"print_cost must be True or False; got NoneType None"),
    (lambda X, Y: bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=1, print_cost=0.5), TypeError,
     r"print_cost must be True or False; got float 0.5"),
    (lambda X, Y: bnn.nn_model(X, Y, 4, 2, progress="yes"), TypeError, r"progress must be True, False or None; got str"),
    # a 0-d float array as a count was NumPy's "only integer scalar arrays can be converted to a scalar index"
    (lambda X, Y: bnn.random_mini_batches(X, Y, np.array(2.0)), TypeError,
     r"mini_batch_size must be a positive integer; got ndarray array\(2\.\)"),
    (lambda X, Y: bnn.update_lr(0.1, np.array(2.0), 1), TypeError, r"epoch_num must be an integer >= 0 .* got ndarray"),
    (lambda X, Y: bnn.vector_to_dictionary(np.zeros((3, 1)), params()), ValueError,
     r"theta has 3 entries; the parameters of like= have 17"),
    # initialize_parameters(n_x, n_h, n_y) named its sizes layer_dims[1]; compute_cost(Y, A2) said only what Y held
    (lambda X, Y: bnn.initialize_parameters(2, 0, 1), ValueError, r"n_h must be a positive integer; got 0"),
    (lambda X, Y: bnn.compute_cost(Y, bnn.forward_propagation(X, params())[0]), ValueError,
     r"Y holds values between 0 and 1 \(targets\) where AL holds only 0s and 1s: did you swap them\? compute_cost "
     r"takes \(AL, Y\)"),
    # the softmax swap: the one-hot Y taken as AL is a valid softmax output, and the probabilities are no one-hot Y
    (lambda X, Y: bnn.compute_cost(np.eye(3)[:, [0, 1, 2, 0]], np.full((3, 4), 1 / 3)), ValueError,
     r"^Y must hold only 0 and 1 \(one-hot columns, \(K, m\)\); found other values, e\.g\. \[0\.333\d*\]\. .* AL holds "
     r"only 0s and 1s: did you swap them\? compute_cost takes \(AL, Y\), the output first\.$"),
    # a boolean one-hot Y is checked as one: a column of two Trues is no one-hot column
    (lambda X, Y: bnn.compute_cost(np.full((3, 4), 1 / 3),
                                   np.array([[1, 0, 0, 1], [1, 1, 0, 0], [0, 0, 1, 0]], dtype=bool)),
     ValueError, r"^Y \(K, m\) must be one-hot, exactly one 1 in every column; columns \[0\] sum to \[2\.0\]\."),
    # probabilities strictly between 0 and 1 are no swapped Y: a wrong label is told without the swap's question
    (lambda X, Y: bnn.compute_cost(np.array([[0.2, 0.7, 0.4, 0.9]]), np.array([[0, 1, 2, 1]])), ValueError,
     r"^Y must hold 0/1 labels \(binary\), .* e\.g\. \[2\.0\]: class labels 0\.\.K-1 need a softmax output of K "
     r"units\.$"),
    # the same swap in the L2 cost named compute_cost, the function it calls, not the one called
    (lambda X, Y: bnn.compute_cost_with_regularization(Y, bnn.forward_propagation(X, params())[0], params(), 0.1),
     ValueError, r"did you swap them\? compute_cost_with_regularization takes \(A3, Y, parameters, lambd\), the output"),
    (lambda X, Y: bnn.predict(X, bnn.nn_model(X, Y, 4, 5)[0]), TypeError,
     r"^X is a dict \(keys \['W1', 'b1', 'W2', 'b2'\]\) and parameters a ndarray: did you swap them\?"),
    # the same swap with the model's result kept whole said "parameters must be a dict ...; got ndarray."
    (lambda X, Y: bnn.predict(X, bnn.nn_model(X, Y, 4, 5)), TypeError,
     r"^X is a TrainingResult, a model's result \(keys \['W1', 'b1', 'W2', 'b2'\]\) and parameters a ndarray: did "
     r"you swap them\?"),
    # gradient_check_n cast any X to float64 first: complex was a ComplexWarning, numeric strings were read
    (lambda X, Y: bnn.gradient_check_n(params(), {f"d{k}": v for k, v in params().items()}, X.astype(str), Y),
     TypeError, r"X must hold real numbers; got dtype <U"),
    # init_scale NaN trained to "training diverged: the cost is nan at iteration 0 (the limit is nan). Try a
    # smaller learning_rate."
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, init_scale=float("nan")), ValueError,
     r"init_scale must be a finite number; got nan"),
    (lambda X, Y: bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=1, init="random", init_scale=float("inf")),
     ValueError, r"init_scale must be a finite number; got inf"),
    (lambda X, Y: bnn.initialize_parameters_deep([2, 3, 1], scale="0.01"), TypeError,
     r"scale must be a finite number; got str"),
    # an empty tuple of hidden sizes was reported as "got []", what it became, not what arrived
    (lambda X, Y: bnn.nn_model(X, Y, (), 5), ValueError,
     r"n_h must be a positive integer or a non-empty list of hidden-layer sizes; got \(\)\.$"),
    (lambda X, Y: bnn.NNClassifier(hidden_layer_sizes=np.array([], dtype=int)).fit(X.T, Y.ravel()), ValueError,
     r"hidden_layer_sizes must be .* got array\(\[\], dtype=int64\)\.$"),
    # a scale beside an init that sets its own was dropped in silence
    (lambda X, Y: bnn.nn_model(X, Y, 4, 10, init="he", init_scale=0.5), ValueError,
     r"init_scale=0.5 multiplies randn for init='random' only; init='he' sets its own scale \(sqrt\(2 / n_\{l-1\}\)\)"),
    (lambda X, Y: bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=1, init_scale=0.1), ValueError,
     r"init_scale=0.1 multiplies randn for init='random' only; init='he'"),
    (lambda X, Y: bnn.initialize_parameters_deep([2, 3, 1], init="xavier", scale=2), ValueError,
     r"scale=2.0 multiplies randn for init='random' only; init='xavier' sets its own scale"),
    (lambda X, Y: bnn.initialize_parameters(2, 3, 1, init="zeros", scale=1.0), ValueError,
     r"init='zeros' sets its own scale \(none: W = 0\)"),
    # m examples of one feature as rows: X (m, 1), Y (m, 1) (was "got (400, 1) — did you mean Y.T?", which then
    # led to X's error)
    (lambda X, Y: bnn.nn_model(X[:1].T, Y.T, 4, 10), ValueError,
     r"X \(400, 1\) and Y \(400, 1\) each have one column and 400 rows: .* did you mean X.T and Y.T\?"),
    # L_model_backward(AL, caches, Y): said only that caches must be a list
    (lambda X, Y: (lambda AL, caches: bnn.L_model_backward(AL, caches, Y))(
        *bnn.L_model_forward(X, bnn.initialize_parameters_deep([2, 4, 1]))), TypeError,
     r"^caches must be the non-empty list of caches that L_model_forward returns; got ndarray\. Y and caches look "
     r"swapped: it takes \(AL, Y, caches\)\.$"),
    (lambda X, Y: bnn.L_model_backward(bnn.L_model_forward(X, bnn.initialize_parameters_deep([2, 4, 1]))[0], Y, []),
     TypeError, r"^caches must be the non-empty list of caches that L_model_forward returns; got list\.$"),
    # both laid out as rows (was "X and Y must have the same number of examples m (columns)", without the fix)
    (lambda X, Y: bnn.nn_model(X.T, Y.T, 4, 10), ValueError,
     r"^X \(400, 2\) and Y \(400, 1\) share their number of rows, not of columns: .* did you mean X.T and Y.T\?$"),
    (lambda X, Y: bnn.nn_model(X.T, np.eye(3)[:, np.arange(400) % 3].T, 4, 10), ValueError,
     r"^X \(400, 2\) and Y \(400, 3\) share their number of rows"),
    (lambda X, Y: bnn.nn_model(X[:, :300], np.vstack([Y, Y])[:, :200], 4, 10), ValueError,  # 2 rows each by chance
     r"^X and Y must have the same number of examples m \(columns\); got X \(2, 300\) and Y \(2, 200\)\.$"),
    # course 2's notebooks call their three-layer relu network's forward pass forward_propagation: week 3's
    # took a plain dict of three layers as tanh, in silence
    (lambda X, Y: bnn.forward_propagation(X, bnn.initialize_parameters_he([2, 4, 3, 1])), ValueError,
     r"these have 3 layers \[2, 4, 3, 1\]. Say which activations: activation='relu' .* forward_propagation_n"),
    (lambda X, Y: bnn.backward_propagation(bnn.initialize_parameters_he([2, 4, 3, 1]), {}, X, Y), ValueError,
     r"forward_propagation and backward_propagation are week 3's"),
    # course 2's notebooks' backward_propagation(X, Y, cache): "missing 1 required positional argument: 'Y'"
    (lambda X, Y: bnn.backward_propagation(X, Y, bnn.forward_propagation_n(X, Y, bnn.initialize_parameters_he(
        [2, 4, 3, 1]))[1]), TypeError, r"course 2's backward_propagation\(X, Y, cache\) is backward_propagation_n"),
    # K sigmoids are no softmax: the categorical cost of columns that are no distribution was returned in silence
    (lambda X, Y: bnn.compute_cost(np.full((3, 400), 0.5), np.eye(3)[:, np.arange(400) % 3]), ValueError,
     r"AL \(3, 400\) is a softmax output over 3 classes: each column must sum to 1; 400 column\(s\) do not, e.g. "
     r"sums \[1.5\]\. "),
    # probabilities in a column, one per example (rows as samples): it said only "a softmax output over 400 classes"
    (lambda X, Y: bnn.compute_cost(np.full((400, 1), 0.5), Y.T), ValueError,
     r"AL \(400, 1\) is a softmax output over 400 classes: .* Or is AL one probability per example as a column\? "
     r"Examples are columns: pass AL.T \(and Y.T\)\.$"),
    # a truthy string saved the training state
    (lambda X, Y: bnn.save_model("nowhere/m.npz", bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=1, print_cost=False)[0],
                                 with_training_state="no"), TypeError,
     r"with_training_state must be True or False; got str 'no'"),
    # a label the network never predicts only lowered the printed accuracy (0.3375 for Y * 2), in silence
    (lambda X, Y: bnn.predict(X, Y * 2, bnn.initialize_parameters_deep([2, 3, 1])), ValueError,
     r"Y holds labels the predictions never take, e.g. \[2.0\]: they are 0/1 \(a sigmoid output\), and such a "
     r"label would only lower the accuracy\."),
    (lambda X, Y: bnn.predict(X, Y + 3, bnn.initialize_parameters_deep([2, 3, 4])), ValueError,
     r"e.g. \[4.0\]: they are 0..3 \(a softmax over 4 classes\)"),
    (lambda X, Y: bnn.accuracy(Y == 1, Y - 1), ValueError,
     r"e.g. \[-1.0\]: they are 0/1 \(a sigmoid output's True/False\)"),
    (lambda X, Y: bnn.predict(X, Y * 2, bnn.initialize_parameters_deep([2, 3, 2])), ValueError,
     r"e.g. \[2.0\]: they are 0/1 \(a softmax over 2 classes\)"),
    # accuracy of no examples was a ZeroDivisionError
    (lambda X, Y: bnn.accuracy(Y[:, :0], Y[:, :0]), ValueError,
     r"predictions has shape \(1, 0\): an accuracy needs at least one example"),
    # dictionary_to_vector counted len(parameters) // 2 layers: a missing b1 was NumPy's "need at least one
    # array to concatenate", and a stray W3 beside W1, b1, W2, b2 was left out of theta without a word
    (lambda X, Y: bnn.dictionary_to_vector({"W1": params()["W1"]}), ValueError,
     r"parameters must hold W1, b1, ..., WL, bL for L >= 1 layers; got keys \['W1'\]"),
    (lambda X, Y: bnn.dictionary_to_vector({**params(), "W3": np.zeros((1, 1))}), ValueError,
     r"got keys \['W1', 'W2', 'W3', 'b1', 'b2'\]"),
    # a dict where data belong reached a missing .dtype, .astype or .ndim (AttributeError)
    (lambda X, Y: bnn.predict(params(), params(), activation="tanh"), TypeError,
     r"^X must be an array; got a dict \(keys \{'W1', 'b1', 'W2', 'b2'\}\): parameters, gradients or a cache where "
     r"data belong\? Check the order of the arguments\.$"),
    (lambda X, Y: bnn.backward_propagation(params(), X, bnn.forward_propagation(X, params())[1], Y), TypeError,
     r"^X must be an array; got a dict \(keys \{'Z1', 'A1', 'Z2', 'A2'\}\): parameters, gradients or a cache"),
    (lambda X, Y: bnn.gradient_check_n(params(), {}, X, {}), TypeError, r"^Y must be an array; got an empty dict\."),
    (lambda X, Y: bnn.plot_decision_boundary(params(), {}, Y), TypeError, r"^X must be an array; got an empty dict"),
    (lambda X, Y: bnn.plot_decision_boundary(params(), X, params()), TypeError, r"^Y must be an array; got a dict"),
    (lambda X, Y: bnn.nn_model(X, {}, 4, 10), TypeError, r"^Y must be an array; got an empty dict"),
    # a model's result where data belong: "X is a nested list that is not rectangular" (nn_model), NumPy's
    # "setting an array element with a sequence ... inhomogeneous shape" (model, accuracy), "Y must be 2-D with
    # shape (n_y, m); got shape ()" (plot_decision_boundary), "to_backend takes an array ..." (nn_model's Y)
    *[(call, TypeError, rf"^{name} must be an array; got TrainingResult; this is a \(parameters, costs\) pair: .* Check "
                        r"the order of the arguments\.$") for name, call in [
        ("X", lambda X, Y: bnn.nn_model(bnn.nn_model(X, Y, 4, 2), Y, 4, 2)),
        ("Y", lambda X, Y: bnn.nn_model(X, bnn.nn_model(X, Y, 4, 2), 4, 2)),
        ("Y", lambda X, Y: bnn.model(X, bnn.nn_model(X, Y, 4, 2), [2, 3, 1], "gd", num_epochs=1)),
        ("Y", lambda X, Y: bnn.accuracy(bnn.predict(bnn.nn_model(X, Y, 4, 2), X), bnn.nn_model(X, Y, 4, 2))),
        ("Y", lambda X, Y: bnn.plot_decision_boundary(bnn.nn_model(X, Y, 4, 2), X, bnn.nn_model(X, Y, 4, 2))),
    ]],
    (lambda X, Y: bnn.accuracy(bnn.predict(params(), X, activation="tanh"), {}), TypeError,
     r"^Y must be an array; got an empty dict"),
    # ... and where layer sizes belong: "layers_dims[0] must be a positive integer; got Parameters Parameters(...)"
    (lambda X, Y: bnn.model(X, Y, bnn.nn_model(X, Y, 4, 2), "gd", num_epochs=1), TypeError,
     r"^layers_dims must be a list of layer sizes \[n_x, n_1, \.\.\., n_L\], in order; got TrainingResult; this is a "
     r"\(parameters, costs\) pair"),
    # week 3's backward_propagation took the cache's shapes on trust: an A1 of 10 columns beside X's 400 was
    # NumPy's "matmul: Input operand 1 has a mismatch in its core dimension 0"
    (lambda X, Y: bnn.backward_propagation(params(), {**bnn.forward_propagation(X, params())[1],
                                                      "A1": np.zeros((4, 10))}, X, Y), ValueError,
     r"^cache must hold each layer's Z_l and A_l of shape \(n_l, m\), m = 400 as in X, from forward_propagation of "
     r"these parameters and X; got A1 \(4, 10\)\.$"),
    # L_model_backward read AL.shape before asking whether AL is an array at all
    (lambda X, Y: bnn.L_model_backward([[0.5] * 400], Y, bnn.L_model_forward(X, params())[1]), TypeError,
     r"AL must be an array of an Array API library \(numpy, cupy, \.\.\.\); got builtins\.list"),
    # to_backend's backend was None or a number: "'int' object has no attribute '__name__'"
    (lambda X, Y: bnn.to_backend(X, 3), TypeError, r"backend must be a name \('numpy', .*got int 3"),
    # text and objects reached each library's own message (JAX: "Error interpreting argument to stage")
    (lambda X, Y: bnn.to_backend(np.array(["a", "b"]), "numpy"), TypeError,
     r"x must hold numbers \(bool, integer or floating\); got dtype <U1\."),
    (lambda X, Y: bnn.nn_model(X.astype(object), Y, 4, 10, backend="array_api_strict"), TypeError,
     r"^X must hold real numbers; got dtype object\.$"),
    (lambda X, Y: bnn.nn_model([["a", "b"]] * 2, Y[:, :2], 4, 10, backend="array_api_strict"), TypeError,
     r"^X must hold numbers \(bool, integer or floating\); got dtype <U1\.$"),
    # model's shuffle_seed failed at the epoch whose seed left RandomState's range, naming "seed" and the
    # epoch's seed (-4 for shuffle_seed=-5); a bool was taken as 1
    (lambda X, Y: bnn.model(X, Y, [2, 3, 1], "gd", mini_batch_size=64, num_epochs=2, shuffle_seed=-5), ValueError,
     r"^shuffle_seed must be an integer in \[-1, 4294967293\]: epoch e shuffles with RandomState\(shuffle_seed \+ 1 "
     r"\+ e\), for the 2 epoch\(s\) asked for, and RandomState takes seeds in \[0, 2\*\*32 - 1\]; got -5\.$"),
    (lambda X, Y: bnn.model(X, Y, [2, 3, 1], "gd", mini_batch_size=64, num_epochs=2, shuffle_seed=True), ValueError,
     r"^shuffle_seed must be an integer .*; got True\.$"),
    # found by a sweep of hostile arguments through every public function (session 29):
    # more epochs than RandomState has seeds named shuffle_seed and an empty range, [-1, -9223372032559808513]
    (lambda X, Y: bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=2**63), ValueError,
     r"^num_epochs=9223372036854775808 is more epochs than the course's reseeding can number"),
    # NumPy's "ufunc 'subtract' did not contain a loop" / "numpy boolean subtract ... is not supported"
    (lambda X, Y: bnn.L_model_backward(np.full((1, 400), "0.5"), Y, bnn.L_model_forward(X, params())[1]), TypeError,
     r"^AL must hold probabilities as floats \(float64 or float32\); got dtype <U3\.$"),
    (lambda X, Y: bnn.L_model_backward(np.ones((1, 400), bool), Y, bnn.L_model_forward(X, params())[1]), TypeError,
     r"^AL must hold probabilities as floats \(float64 or float32\); got dtype bool\.$"),
    # "'list' object has no attribute 'shape'"
    (lambda X, Y: bnn.update_parameters({k: v.tolist() for k, v in params().items()},
                                        {"d" + k: v for k, v in params().items()}, 0.1), TypeError,
     r"^W1 must be an array of an Array API library \(numpy, cupy, \.\.\.\); got builtins\.list\.$"),
    # "unhashable type: 'list'"
    (lambda X, Y: bnn.compute_cost(np.full((1, 400), 0.5), Y, output=["sigmoid"]), ValueError,
     r"^unknown output \['sigmoid'\]; expected 'sigmoid' \(binary\) or 'softmax'"),
    # "'int' object is not iterable"
    (lambda X, Y: bnn.forward_propagation(X, params(), activation=3), TypeError,
     r"^activation must be a name or a list of names, one per hidden layer, in order; got int 3\.$"),
    # a Network made directly was not checked: "tuple index out of range" inside the step, "'str' object has no
    # attribute 'negative_slope'" for a name where build() takes names
    (lambda X, Y: bnn.train_step(params(), X, Y, learning_rate=0.1,
                                 net=bnn.Network((2, 4, 1), (), bnn.outputs.SIGMOID)), ValueError,
     r"^activation lists 0 activation\(s\) but the network has 1 hidden layer\(s\)"),
    (lambda X, Y: bnn.Network((2, 4, 1), (bnn.get_activation("tanh"),), bnn.outputs.SOFTMAX), ValueError,
     r"^a softmax output needs K >= 2 units; the last layer has 1\.$"),
    (lambda X, Y: bnn.Network((2, 4, 1), ("tanh",), None), TypeError, r"^output must be an output layer"),
    # swapped arguments: accuracy(Y, predictions) of a binary task's bool predictions was 0.25 here; the other way
    # round it was already an error ("Y holds labels the predictions never take")
    (lambda X, Y: bnn.accuracy(np.array([[0, 1, 2, 1]]), np.array([[True, False, True, True]])), ValueError,
     r"^predictions hold class labels \[2\.0\], but Y is bool, a binary task's 0/1 labels: are the arguments "
     r"swapped\? accuracy takes \(predictions, Y\), the predictions first\.$"),
    # the course's functions given their arguments swapped said what was wrong with one, not that they were swapped
    # ("parameters must be a dict ...; got ndarray"; "unexpected keys ['dA1', ...]"; "AL holds 400 value(s) of
    # exactly 0 or 1 ... A sigmoid rounds to 1 where Z_L passes about 37")
    (lambda X, Y: bnn.L_model_forward(params(), X), TypeError,
     r"^X is a dict \(keys \['W1', 'b1', 'W2', 'b2'\]\) and parameters a ndarray: did you swap them\?"),
    (lambda X, Y: bnn.forward_propagation_with_dropout(bnn.initialize_parameters_deep([2, 3, 1]), X), TypeError,
     r"^X is a dict .* did you swap them\?"),
    (lambda X, Y: bnn.L_model_forward(bnn.L_layer_model(X, Y, [2, 3, 1], num_iterations=2), X), TypeError,
     r"^X is a TrainingResult, a model's result \(keys \['W1', 'b1', 'W2', 'b2'\]\) and parameters a ndarray: did "
     r"you swap them\?"),
    # predict_output, predict_dec, train_step, backward_propagation and gradient_check_n said "parameters must be
    # a dict ...; got ndarray" (train_step: "a plain dict of parameters does not say its network"); predict_dec
    # named predict; gradients_to_vector(parameters, grads) said "the functions take the parameters first"
    (lambda X, Y: bnn.predict_output(X, bnn.nn_model(X, Y, 4, 5)), TypeError, r"^X is a TrainingResult, .* swap"),
    (lambda X, Y: bnn.predict_dec(X, bnn.initialize_parameters_deep([2, 3, 1])), TypeError, r"^X is a dict .* swap"),
    (lambda X, Y: bnn.train_step(X, bnn.nn_model(X, Y, 4, 5), Y, learning_rate=0.1), TypeError,
     r"^X is a TrainingResult, .* swap"),
    (lambda X, Y: bnn.train_step(X, Y, X, learning_rate=0.1), TypeError,
     r"^parameters must be a dict with keys W1, b1, W2, b2, \.\.\.; got ndarray\.$"),
    (lambda X, Y: bnn.backward_propagation(X, bnn.forward_propagation(X, params())[1], params(), Y), TypeError,
     r"^X is a dict .* swap"),
    (lambda X, Y: bnn.gradient_check_n(X, {"d" + k: v for k, v in params().items()}, params(), Y), TypeError,
     r"^X is a dict .* swap"),
    # an array given where week 1's model takes none of the mini-batch options: "The truth value of an array with
    # more than one element is ambiguous"
    (lambda X, Y: bnn.model(X, Y, num_iterations=2, print_cost=False, mini_batch_size=np.arange(3)), TypeError,
     r"^model\(X, Y, \.\.\.\) without layers_dims and optimizer is course 2 week 1's full-batch model, which takes no "
     r"mini_batch_size"),
    # an array where predict's output= belongs, beside a plain dict: the same "truth value ... is ambiguous"
    (lambda X, Y: bnn.predict(dict(params()), X, output=np.arange(3)), ValueError,
     r"^a plain dict of parameters \(layer sizes \[2, 4, 1\]\) does not say its activations"),
    (lambda X, Y: bnn.predict(dict(params()), X, activation="tanh", output=np.arange(3)), ValueError,
     r"^unknown output array\(\[0, 1, 2\]\); expected 'sigmoid' \(binary\) or 'softmax'"),
    (lambda X, Y: bnn.gradients_to_vector(params(), {"d" + k: v for k, v in params().items()}), TypeError,
     r"^parameters holds gradients' keys \['dW1', 'db1', 'dW2', 'db2'\] and gradients the keys \['W1', 'b1', 'W2', "
     r"'b2'\]: did you swap them\? gradients_to_vector takes \(gradients, parameters\), the gradients first\.$"),
    (lambda X, Y: bnn.update_parameters({"d" + k: v for k, v in params().items()}, params(), 0.1), ValueError,
     r"got unexpected keys \['dW1', 'db1', 'dW2', 'db2'\]: these are gradients' keys\. Did you pass the gradients "
     r"where the parameters belong\? The functions take the parameters first \(update_parameters\(parameters, "
     r"grads, \.\.\.\)\)\.$"),
    (lambda X, Y: bnn.gradient_check_n({"d" + k: v for k, v in params().items()}, params(), X, Y), ValueError,
     r"^parameters may hold only W1, b1, \.\.\., WL, bL; got unexpected keys .*: these are gradients' keys\."),
    (lambda X, Y: bnn.backward_propagation(bnn.forward_propagation(X, params())[1], params(), X, Y), ValueError,
     r"got unexpected keys \['Z1', 'A1', 'Z2', 'A2'\]: these are a forward pass's cache keys \(Z1, A1, \.\.\.\)\. Did "
     r"you pass the cache where the parameters belong\? backward_propagation takes \(parameters, cache, X, Y\)\.$"),
    (lambda X, Y: bnn.L_model_backward(Y.astype(float), *bnn.L_model_forward(X, bnn.initialize_parameters_deep([2, 3, 1]))),
     ValueError, r"^AL holds only 0s and 1s, as labels do: did you swap AL and Y\? L_model_backward takes \(AL, Y, "
                 r"caches\), the output first\.$"),
    # a set of names trained its layers in the order of the process's string hashes: ['tanh', 'relu'] in one run,
    # ['relu', 'tanh'] in another
    (lambda X, Y: bnn.nn_model(X, Y, [3, 3], 2, activation={"relu", "tanh"}), TypeError,
     r"^activation must be a name or a list of names, one per hidden layer, in order; got set"),
    # to_numpy's own name for X; NumPy's "could not convert string to float" for Y
    (lambda X, Y: bnn.gradient_check_n(params(), {"d" + k: v for k, v in params().items()}, None, Y), TypeError,
     r"^X must be an array \(of any backend\) or host data such as a list; got NoneType None\.$"),
    (lambda X, Y: bnn.gradient_check_n(params(), {"d" + k: v for k, v in params().items()}, X, "abc"), TypeError,
     r"^Y must be an array \(of any backend\) or host data such as a list; got str 'abc'\.$"),
    # layer_sizes returned (2, -1, 1), or (2, None, 1)
    (lambda X, Y: bnn.layer_sizes(X, Y, n_h=-1), ValueError, r"^n_h must be a positive integer; got -1\.$"),
    (lambda X, Y: bnn.layer_sizes(X, Y, n_h=None), TypeError, r"^n_h must be a positive integer; got NoneType None"),
    # X and Y both 1-D: layer_sizes named Y's shape first, where the models name X's (the first argument)
    (lambda X, Y: bnn.layer_sizes(X[0], Y[0]), ValueError,
     r"^X must be 2-D with shape \(n_x, m\), examples as columns; got shape \(400,\) — did you mean "),
    # inf weights with a RuntimeWarning only
    (lambda X, Y: bnn.initialize_parameters(2, 4, 1, scale=1e308), ValueError,
     r"^scale 1e\+308 times randn's draws overflows float64 in W1 .*; choose a smaller scale\.$"),
    # NumPy's "matmul: Input operand 1 has a mismatch in its core dimension 0"
    (lambda X, Y: bnn.backward_propagation_with_dropout(
        X[:, :5], Y[:, :5], bnn.forward_propagation_with_dropout(X, bnn.initialize_parameters_deep([2, 3, 2, 1]))[1],
        0.5), ValueError,
     r"^cache must hold each layer's Z_l and A_l of shape \(n_l, m\), m = 5 as in X, from "
     r"forward_propagation_with_dropout of these parameters and X; got Z1 \(3, 400\)"),
    (lambda X, Y: bnn.backward_propagation_with_regularization(
        X[:, :5], Y[:, :5], bnn.forward_propagation_n(X, Y, bnn.initialize_parameters_deep([2, 3, 2, 1]))[1], 0.7),
     ValueError, r"^cache must hold .*, m = 5 as in X, from forward_propagation_n of these parameters and X"),
])
def test_errors_that_once_said_the_wrong_thing(data, call, exc, match):
    X, Y = data
    before = (X.copy(), Y.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way to the error
        with pytest.raises(exc, match=match):
            call(X, Y)
    np.testing.assert_array_equal(X, before[0])
    np.testing.assert_array_equal(Y, before[1])


def test_sparse_and_meta_arrays_are_refused_with_the_dense_call(data):
    """A SciPy sparse matrix was "X must be an array of an Array API library", and in predict "expected an array
    or host data"; a sparse or meta torch tensor reached the finite check and failed inside PyTorch
    ("Could not run 'aten::ne.Scalar' with arguments from the 'SparseCPU' backend", "Tensor.item() cannot be
    called on meta tensors")."""
    X, Y = data
    sparse = pytest.importorskip("scipy.sparse")
    p = bnn.nn_model(X, Y, 3, 2)[0]
    with pytest.raises(TypeError, match=r"^X is a SciPy sparse csr_matrix; .* pass X.toarray\(\)"):
        bnn.nn_model(sparse.csr_matrix(X), Y, 3, 2)
    with pytest.raises(TypeError, match=r"^X is a SciPy sparse csr_array; "):
        bnn.predict(p, sparse.csr_array(X))
    with pytest.raises(TypeError, match=r"^Y is a SciPy sparse coo_matrix; .* pass Y.toarray\(\)"):
        bnn.nn_model(X, sparse.coo_matrix(Y), 3, 2)
    torch = pytest.importorskip("torch")
    Xt, Yt = torch.asarray(X), torch.asarray(Y)
    with pytest.raises(TypeError, match=r"^X is a PyTorch tensor of layout torch.sparse_coo; .* pass X.to_dense\(\)"):
        bnn.nn_model(Xt.to_sparse(), Yt, 3, 2)
    with pytest.raises(TypeError, match=r"^X is on PyTorch's 'meta' device, which holds shapes but no values"):
        bnn.nn_model(torch.empty(tuple(X.shape), dtype=torch.float64, device="meta"), Yt, 3, 2)
    with warnings.catch_warnings():  # PyTorch's own: nested tensors are a prototype
        warnings.simplefilter("ignore", UserWarning)
        nested = torch.nested.nested_tensor([Xt[:, :5], Xt[:, 5:]])  # was "NestedTensorImpl doesn't support sizes"
    with pytest.raises(TypeError, match=r"^X is a PyTorch nested tensor .* torch.cat\(X.unbind\(\), dim=1\)"):
        bnn.nn_model(nested, Yt, 3, 2)
    assert torch.equal(torch.cat(nested.unbind(), dim=1), Xt)  # what the message says to do
    with pytest.raises(TypeError, match=r"^X is a PyTorch nested tensor"):
        bnn.predict(p, nested)
    with pytest.raises(TypeError, match=r"^X is a PyTorch nested tensor .* \(dim=0 for rows of samples\)"):
        bnn.NNClassifier(num_iterations=2).fit(nested, Y.ravel())  # was the classifier's own layout hint failing
    with pytest.raises(TypeError, match=r"^W1 is a PyTorch tensor of layout torch.sparse_coo"):
        bnn.L_model_forward(Xt, {**{k: torch.asarray(v) for k, v in p.items()}, "W1": torch.asarray(p["W1"]).to_sparse()})
    grads = {"d" + k: v for k, v in p.items()}  # the gradient check brings X and Y home: "Cannot copy out of meta tensor"
    with pytest.raises(TypeError, match=r"^Y is on PyTorch's 'meta' device, which holds shapes but no values"):
        bnn.gradient_check_n(p, grads, X, torch.empty(tuple(Y.shape), device="meta"))
    with pytest.raises(TypeError, match=r"^X is a SciPy sparse csr_matrix; "):
        bnn.gradient_check_n(p, grads, sparse.csr_matrix(X), Y)


def test_a_pandas_table_is_refused_with_the_call_that_gives_the_courses_layout(data):
    """A DataFrame was "must be an array of an Array API library", a Series "expected an array or host data"."""
    X, Y = data
    pd = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match=r"^X is a pandas DataFrame; .* pass X.to_numpy\(\), transposed \(X.to_numpy\(\).T\)"):
        bnn.nn_model(pd.DataFrame(X.T), Y, 3, 2)
    with pytest.raises(TypeError, match=r"^Y is a pandas Series; .* pass Y.to_numpy\(\).reshape\(1, -1\)"):
        bnn.nn_model(X, pd.Series(Y[0]), 3, 2)



def test_a_polars_table_is_refused_as_a_pandas_one_is(data):
    """A polars DataFrame was "X must be an array of an Array API library (numpy, cupy, ...); got
    polars.DataFrame". polars is not a test dependency: classes of its modules' names, as far as the check
    reads them."""
    X, Y = data

    class DataFrame:
        __module__ = "polars.dataframe.frame"
        shape = X.T.shape

    class Series:
        __module__ = "polars.series.series"
        shape = Y[0].shape

    with pytest.raises(TypeError, match=r"^X is a polars DataFrame; .* pass X.to_numpy\(\), transposed "
                                        r"\(X.to_numpy\(\).T\)"):
        bnn.nn_model(DataFrame(), Y, 3, 2)
    with pytest.raises(TypeError, match=r"^Y is a polars Series; .* pass Y.to_numpy\(\).reshape\(1, -1\)"):
        bnn.nn_model(X, Series(), 3, 2)


def test_a_structured_array_is_refused_with_the_call_that_stacks_its_fields(data):
    """A record array was NumPy's "dtype argument must be a NumPy dtype, but it is a <class VoidDType>" (a
    plain structured array "X must hold real numbers"): neither said what to pass."""
    X, Y = data
    records = np.zeros(400, dtype=[("x1", "f8"), ("x2", "f8")])
    records["x1"], records["x2"] = X
    fix = r"the equations take plain numbers: pass np.stack\(\[X\[f\] for f in X.dtype.names\]\), one row per field\.$"
    for bad in (records, records.view(np.recarray)):
        with pytest.raises(TypeError, match=r"^X is a structured array with fields \['x1', 'x2'\]; " + fix):
            bnn.nn_model(bad, Y, 3, 2)
    stacked = np.stack([records[f] for f in records.dtype.names])  # the call the message gives
    np.testing.assert_array_equal(bnn.nn_model(stacked, Y, 3, 2)[1], bnn.nn_model(X, Y, 3, 2)[1])
    with pytest.raises(TypeError, match=r"^Y is a structured array with fields \['y'\]"):
        bnn.nn_model(X, np.zeros(400, dtype=[("y", "i8")]), 3, 2)


def test_an_array_in_storage_is_refused_with_the_dask_call_that_reads_it(data):
    """A zarr array was "X must be an array of an Array API library (numpy, cupy, ...); got zarr.Array", with
    no word of dask.array.from_zarr, the README's way in for data kept in zarr; an h5py dataset likewise."""
    X, Y = data
    p, _ = bnn.nn_model(X, Y, 3, 2)
    zarr = pytest.importorskip("zarr")
    da = pytest.importorskip("dask.array")
    Z = zarr.array(X)
    for call in (lambda: bnn.nn_model(Z, Y, 3, 2), lambda: bnn.predict(p, Z),
                 lambda: bnn.model(Z, Y, [2, 3, 1], "adam", num_epochs=1, print_cost=False)):
        with pytest.raises(TypeError, match=r"^X is a zarr Array, an array in storage: pass dask.array.from_zarr\(X\), "
                                            r"chunked over the examples \(columns\), to train on it chunk by chunk, or "
                                            r"X\[\.\.\.\] to read it whole where it fits in memory\.$"):
            call()
    _, costs = bnn.nn_model(da.from_zarr(Z), Y, 3, 2)  # the call the message gives trains
    np.testing.assert_allclose(costs, bnn.nn_model(X, Y, 3, 2)[1], rtol=1e-12)

    class Dataset:  # h5py's, as far as the check reads it (h5py is not a test dependency)
        __module__ = "h5py._hl.dataset"
        shape, dtype, ndim = Y.shape, Y.dtype, 2

    with pytest.raises(TypeError, match=r"^Y is an h5py Dataset, an array in storage: pass "
                                        r"dask.array.from_array\(Y, chunks=\(-1, 10_000\)\), chunked"):
        bnn.nn_model(X, Dataset(), 3, 2)


@pytest.mark.filterwarnings("ignore:the matrix subclass")
def test_np_matrix_is_refused_by_the_equations_and_converted_by_the_front_doors(data):
    """np.matrix's * is a matrix product and its sum takes no keepdims: the equations ended in NumPy's
    "matrix.sum() got an unexpected keyword argument 'keepdims'" or "shapes not aligned", from inside. They
    refuse it up front; the front doors convert host data to arrays first."""
    X, Y = data
    p = bnn.initialize_parameters_deep([2, 3, 1])
    AL, caches = bnn.L_model_forward(X[:, :3], p)
    with pytest.raises(TypeError, match=r"dA is a np.matrix, whose arithmetic differs from an array's; .* "
                                        r"pass np.asarray\(dA\)"):
        bnn.linear_activation_backward(np.asmatrix(np.ones((3, 3))), caches[0], "relu")
    with pytest.raises(TypeError, match=r"Y is a np.matrix"):
        bnn.compute_cost(np.full((1, 400), 0.5), np.asmatrix(Y))
    p_matrix, _ = bnn.nn_model(np.asmatrix(X), np.asmatrix(Y), 4, 5)
    p_array, _ = bnn.nn_model(X, Y, 4, 5)
    for k in p_array:
        np.testing.assert_array_equal(p_matrix[k], p_array[k])


def test_seeds_at_the_ends_of_their_ranges_are_taken_and_one_past_is_refused(data):
    """seed: [0, 2**32 - 1], RandomState's. shuffle_seed: epoch e shuffles with RandomState(shuffle_seed + 1 + e), so
    for 2 epochs it is [-1, 2**32 - 3]; resumed after 3 epochs, [-4, 2**32 - 6] (the range moves with the count)."""
    X, Y = data
    bnn.nn_model(X, Y, 4, 2, seed=2**32 - 1)
    with pytest.raises(ValueError, match=r"^seed must be an integer in \[0, 2\*\*32 - 1\] .*; got 4294967296\.$"):
        bnn.nn_model(X, Y, 4, 2, seed=2**32)
    kw = dict(mini_batch_size=200, print_cost=False)
    first, _ = bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=3, **kw)
    for resume, (lo, hi) in ((None, (-1, 2**32 - 3)), (first, (-4, 2**32 - 6))):
        for ends in (lo, hi):
            bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=2, parameters=resume, shuffle_seed=ends, **kw)
        for past in (lo - 1, hi + 1):
            with pytest.raises(ValueError, match=rf"^shuffle_seed must be an integer in \[{lo}, {hi}\]: .*; got {past}\.$"):
                bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=2, parameters=resume, shuffle_seed=past, **kw)


def test_counts_and_flags_that_index_like_ints_are_taken(data):
    X, Y = data
    assert len(bnn.random_mini_batches(X, Y, np.array(64))) == 7  # a 0-d integer array is an integer
    assert bnn.update_lr(0.1, np.int64(1), 1) == 0.05
    assert bnn.layer_sizes(X.tolist(), Y.tolist()) == (2, 4, 1)  # host lists, as nn_model takes them
    _, costs = bnn.L_layer_model(X, Y, [2, 3, 1], num_iterations=200, print_cost=np.bool_(False))
    assert len(costs) == 2


def test_the_public_train_step_checks_what_the_pure_one_takes_on_trust(data):
    """bnn.train_step used to be the fast paths' unchecked step: labels 2 or a negative learning rate
    trained in silence, and net="tanh" was "'str' object has no attribute 'L'"."""
    from backend_nn.step import train_step as pure_step

    X, Y = data
    p, _ = bnn.nn_model(X, Y, 4, 5)
    q, cost = bnn.train_step(p, X, Y, learning_rate=1.2)
    q_pure, cost_pure = pure_step(dict(p), X, Y, net=p.network, learning_rate=1.2, xp=np)
    assert q.network == p.network and float(cost) == float(cost_pure)
    for k in q:
        np.testing.assert_array_equal(q[k], q_pure[k])
    q, _ = bnn.train_step(q, X, Y > 0, learning_rate=1.2)  # the Parameters it returns carry the network on
    assert bnn.train_step(p, X, Y, learning_rate=1.2, xp="numpy")[1] == cost  # a name, as backend= takes
    for call, exc, match in [
        (lambda: bnn.train_step(p, X, Y * 2, learning_rate=1.2), ValueError, r"Y must hold 0/1 labels \(binary\)"),
        (lambda: bnn.train_step(p, X, Y, learning_rate=-1), ValueError, r"learning_rate must be a positive"),
        (lambda: bnn.train_step(p, X, Y, learning_rate=1.2, net="tanh"), TypeError, r"net must be a Network"),
        (lambda: bnn.train_step(dict(p), X, Y, learning_rate=1.2), TypeError, r"pass net=, e.g. net=Network.build"),
        (lambda: bnn.train_step(p, X, Y, learning_rate=1.2, net=bnn.Network.build([2, 4, 1], "relu")), ValueError,
         r"net is \[2, 4, 1\], hidden relu, .* but these parameters are \[2, 4, 1\], hidden tanh"),
        (lambda: bnn.train_step(dict(p), X, Y, learning_rate=1.2, net=bnn.Network.build([2, 5, 1], "tanh")),
         ValueError, r"the parameters have layer sizes \[2, 4, 1\], but net is \[2, 5, 1\]"),
        (lambda: bnn.train_step(p, X.T, Y, learning_rate=1.2), ValueError, r"did you mean X.T"),
        (lambda: bnn.train_step(p, X, Y.astype(int), learning_rate=1.2, check=False), TypeError,
         r"with check=False, Y must be in X's dtype \(float64\)"),
        (lambda: bnn.train_step(p, X, Y, learning_rate=1.2, check="no"), TypeError,  # truthy: Y was read
         r"^check must be True or False; got str 'no'\.$"),
        # xp="numpy" was "'str' object has no attribute 'isdtype'"; another library's namespace failed inside
        (lambda: bnn.train_step(p, X, Y, learning_rate=1.2, xp="array_api_strict"), TypeError,
         r"xp is array_api_strict, but the arrays are numpy's; leave xp unset"),
    ]:
        with pytest.raises(exc, match=match):
            call()


def test_sizes_that_cannot_fit_are_refused_before_anything_is_allocated(data):
    import time

    start = time.perf_counter()
    with pytest.raises(MemoryError, match=r"layer sizes \[2, 1000000000, 1\] on m = 400 examples needs about "
                                          r"9,030.1 GiB .* more than the .* GiB of this machine"):
        bnn.nn_model(*data, 10**9, 10)
    assert time.perf_counter() - start < 1.0


def test_parameters_the_host_cannot_draw_are_refused_where_the_device_has_room(data, monkeypatch):
    """The parameters are drawn on the host in float64 (8 bytes each), then moved: a GPU with room is not enough
    where this machine has less. Here the device is told to have 1 PiB and the host 16 KiB, under the 32 KiB of
    a [2, 1000, 1] network's 4,001 parameters."""
    from backend_nn import training

    memories = iter([(2**50, "CUDA device 0"), (2**14, "this machine")])
    monkeypatch.setattr(training, "memory_of", lambda xp, device=None: next(memories))
    # the sizes in units that show them (they read "needs about 0.0 GiB ... more than the 0.0 GiB")
    with pytest.raises(MemoryError, match=r"layer sizes \[2, 1000, 1\] on m = 400 examples needs about 31.3 KiB "
                                          r"\(float64: 4,001 parameters, .* more than the 16.0 KiB of this machine "
                                          r"\(the host draws them\)\."):
        bnn.nn_model(*data, 1000, 10)


def test_labels_in_an_object_array_or_a_list_train_as_numbers(data):
    X, Y = data
    ref, ref_costs = bnn.nn_model(X, Y, 4, 20)
    for labels in (Y.astype(object), Y.tolist()):
        p, costs = bnn.nn_model(X, labels, 4, 20)
        np.testing.assert_array_equal(costs, ref_costs)
        for k in ref:
            np.testing.assert_array_equal(p[k], ref[k])


def test_a_models_result_kept_whole_serves_as_its_parameters(data, capsys, tmp_path):
    """The course's nn_model and model return the parameters alone: a notebook's parameters = nn_model(...), then
    parameters["W1"] and predict(parameters, X). The library's (parameters, costs) pair, kept whole, serves as those
    parameters at every door that takes parameters (each said "got TrainingResult ... unpack them"), and stays a
    pair for parameters, costs = nn_model(...)."""
    X, Y = data
    pair = bnn.nn_model(X, Y, 4, 10)
    p = pair.parameters
    np.testing.assert_array_equal(bnn.predict(pair, X), bnn.predict(p, X))
    np.testing.assert_array_equal(bnn.predict_output(pair, X), bnn.predict_output(p, X))
    np.testing.assert_array_equal(bnn.forward_propagation(X, pair)[0], bnn.forward_propagation(X, p)[0])
    np.testing.assert_array_equal(bnn.L_model_forward(X, pair, activation="tanh")[0],
                                  bnn.L_model_forward(X, p, activation="tanh")[0])
    grads = bnn.backward_propagation(pair, bnn.forward_propagation(X, pair)[1], X, Y)
    for update in (lambda q: bnn.update_parameters(q, grads, 0.1),
                   lambda q: bnn.update_parameters_with_gd(q, grads, 0.1),
                   lambda q: bnn.initialize_adam(q)[1], lambda q: bnn.initialize_velocity(q),
                   lambda q: bnn.to_numpy(q), lambda q: bnn.to_backend(q, "numpy"),
                   lambda q: bnn.vector_to_dictionary(bnn.dictionary_to_vector(q)[0], q)):
        ours, theirs = update(pair), update(p)
        assert list(ours) == list(theirs)
        for k in theirs:
            np.testing.assert_array_equal(ours[k], theirs[k])
    assert type(bnn.to_numpy(pair)) is bnn.Parameters and bnn.to_numpy(pair).network == p.network
    A2, _ = bnn.forward_propagation(X, pair)
    assert bnn.compute_cost(A2, Y, pair) == bnn.compute_cost(A2, Y)  # the earlier notebooks' third argument
    loaded = bnn.load_model(bnn.save_model(tmp_path / "pair.npz", pair))
    assert loaded.network == p.network and all(np.array_equal(loaded[k], p[k]) for k in p)
    relu = bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=2, print_cost=False)
    AL, caches = bnn.L_model_forward(X, relu)
    relu_grads = bnn.L_model_backward(AL, Y, caches)
    assert bnn.gradient_check_n(relu, relu_grads, X, Y) == bnn.gradient_check_n(relu.parameters, relu_grads, X, Y)
    resumed, _ = bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=1, print_cost=False, parameters=relu)
    assert resumed.training_state["epochs"] == 3
    bnn.predict(X, Y, relu)  # the course's predict(X, y, parameters)
    assert capsys.readouterr().out.startswith("Accuracy: ")
    # the course's parameters = nn_model(...); parameters["W1"] was "tuple indices must be integers or slices, not str"
    for result in (pair, bnn.L_layer_model(X, Y, [2, 3, 1], num_iterations=2), relu):
        parameters, costs = result  # a pair for unpacking, len() and integer indices
        assert isinstance(result, tuple) and len(result) == 2 and result == (parameters, costs)
        assert result[0] is parameters and result.parameters is parameters and result.costs is costs
        assert result["W1"] is parameters["W1"] and "b2" in result and "W9" not in result
        assert list(result.keys()) == list(parameters) and result.get("W9") is None
        assert [k for k, _ in result.items()] == list(parameters) and len(list(result.values())) == 4
        with pytest.raises(KeyError, match="W9"):
            result["W9"]
    assert type(pickle.loads(pickle.dumps(pair))) is type(pair)
    # a pair of one's own (a plain tuple) is still refused with what to do
    with pytest.raises(TypeError, match=r"got tuple; this is a \(parameters, costs\) pair: .* unpack them"):
        bnn.predict(tuple(pair), X)


def test_every_public_function_that_takes_parameters_takes_a_result_kept_whole():
    """Each door reads its parameters through network.parameters_of; its annotation, ParametersLike, says so. A new
    door annotated dict alone would refuse parameters = nn_model(...)."""
    import inspect

    doors = {}
    for name in bnn.__all__:
        obj = getattr(bnn, name)
        if inspect.isfunction(obj):
            for arg, p in inspect.signature(obj).parameters.items():
                if arg in ("parameters", "like", "course_parameters"):
                    doors[f"{name}({arg})"] = str(p.annotation)
    assert len(doors) >= 24
    narrow = {door: a for door, a in doors.items()
              if "ParametersLike" not in a and "TrainingResult" not in a and a != "Any"}
    assert not narrow, narrow


def test_a_network_made_directly_is_the_one_build_makes():
    """Network(layer_dims, hidden, output) takes what Network.build takes, names included, and holds the same."""
    built = bnn.Network.build([2, 4, 3, 1], ["tanh", "leaky_relu"], negative_slope=0.2)
    direct = bnn.Network([2, 4, 3, 1], ("tanh", bnn.get_activation("leaky_relu", negative_slope=0.2)), "sigmoid")
    assert direct == built and hash(direct) == hash(built) and direct.layer_dims == (2, 4, 3, 1)
    p = bnn.initialize_parameters_deep([2, 4, 3, 1])
    np.testing.assert_array_equal(bnn.train_step(p, X, Y, learning_rate=0.1, net=direct)[0]["W1"],
                                  bnn.train_step(p, X, Y, learning_rate=0.1, net=built)[0]["W1"])


@pytest.mark.parametrize("call", [
    lambda v: bnn.nn_model(X, Y, 4, 2, learning_rate=v),
    lambda v: bnn.nn_model(X, Y, 4, 2, seed=v),
    lambda v: bnn.nn_model(X, Y, 4, 2, backend=v),
    lambda v: bnn.nn_model(X, Y, 4, 2, device=v),
    lambda v: bnn.nn_model(X, Y, 4, 2, compile=v),
    lambda v: bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=1, print_cost=False, shuffle_seed=v),
    lambda v: bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=1, print_cost=False, decay=v),
    lambda v: bnn.model(X, Y, [2, 3, 1], v, num_epochs=1, print_cost=False),
    lambda v: bnn.two_layer_model(X, Y, v, num_iterations=1),
    lambda v: bnn.load_dataset(v),
    lambda v: bnn.get_activation(v),
])
def test_a_long_value_where_a_number_or_a_name_belongs_is_named_not_printed_whole(call):
    """Each error printed the value's whole repr: a 2,000-entry list was 11,000 characters of message."""
    for value, start in [(list(range(2000)), "[0, 1, 2, 3"), ("x" * 5000, "'xxxx"), (np.arange(1000.0), "array([  0.,")]:
        with pytest.raises((TypeError, ValueError)) as info:
            call(value)
        message = str(info.value)
        assert start in message and len(message) < 600, message[:200]
