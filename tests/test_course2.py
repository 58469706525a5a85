"""Course 2 (COURSE2.md): initializations, L2, gradient checking, mini-batches, optimizers, model.

References are the course's conventions written out in plain NumPy here (its streams, keys,
formulas and loop), and centred differences.
"""

import logging
import math
import re
from functools import partial
import warnings

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.backend import to_numpy
from conftest import assert_close, assert_on_backend, course_model

FLOWER = bnn.load_planar_dataset()
_LOGISTIC = {"W1": np.array([[0.3, -0.2]]), "b1": np.zeros((1, 1))}  # the network [2, 1]: no hidden layer


# --- initializations ---------------------------------------------------------------------------------
def _course_zeros(layers_dims):  # the assignment's own code, as a learner's notebook has it
    return {k: v for l in range(1, len(layers_dims)) for k, v in
            ((f"W{l}", np.zeros((layers_dims[l], layers_dims[l - 1]))), (f"b{l}", np.zeros((layers_dims[l], 1))))}


def _course_random(layers_dims):
    rng = np.random.RandomState(3)
    return {k: v for l in range(1, len(layers_dims)) for k, v in
            ((f"W{l}", rng.randn(layers_dims[l], layers_dims[l - 1]) * 10), (f"b{l}", np.zeros((layers_dims[l], 1))))}


def _course_he(layers_dims):
    rng = np.random.RandomState(3)
    return {k: v for l in range(1, len(layers_dims)) for k, v in
            ((f"W{l}", rng.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2.0 / layers_dims[l - 1])),
             (f"b{l}", np.zeros((layers_dims[l], 1))))}


@pytest.mark.parametrize("init, scale, by_name, expected", [
    ("zeros", None, "initialize_parameters_zeros", _course_zeros),
    ("random", 10.0, "initialize_parameters_random", _course_random),
    ("he", None, "initialize_parameters_he", _course_he),
])
def test_the_three_initializations_of_course_2(backend, init, scale, by_name, expected):
    dims = [3, 5, 2, 1]
    kw = {"scale": scale} if scale is not None else {}
    p = bnn.initialize_parameters_deep(dims, seed=3, init=init, backend=backend.xp, device=backend.device, **kw)
    named = getattr(bnn, by_name)(dims, backend=backend.xp, device=backend.device)
    want = expected(dims)
    assert list(named) == list(want) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for k in want:
        assert_close(p[k], want[k], backend, rtol=0)
        assert_close(named[k], want[k], backend, rtol=0)


def test_the_initialization_notebooks_published_values(backend):
    """What the notebook prints for its own calls: random on [3, 2, 1], He on [2, 4, 1]."""
    kw = {"backend": backend.xp, "device": backend.device}
    p = bnn.initialize_parameters_random([3, 2, 1], **kw)
    assert_close(p["W1"], [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]],
                 backend, rtol=0, atol=5e-8)
    assert_close(p["W2"], [[-0.82741481, -6.27000677]], backend, rtol=0, atol=5e-9)
    p = bnn.initialize_parameters_he([2, 4, 1], **kw)
    assert_close(p["W1"], [[1.78862847, 0.43650985], [0.09649747, -1.8634927], [-0.2773882, -0.35475898],
                           [-0.08274148, -0.62700068]], backend, rtol=0, atol=5e-9)
    assert_close(p["W2"], [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]], backend, rtol=0, atol=5e-9)
    assert_close(p["b2"], np.zeros((1, 1)), backend, rtol=0)


# --- mini-batches --------------------------------------------------------------------------------------
def test_the_optimization_notebooks_mini_batch_sanity_check(backend):
    """Its test case (seed 1, X (12288, 148), boolean Y) and what it prints: the shapes and
    mini_batches[0][0][0][0:3] = [0.90085595, -0.7612069, 0.2344157]."""
    rng = np.random.RandomState(1)
    X, Y = rng.randn(12288, 148), rng.randn(1, 148) < 0.5
    batches = bnn.random_mini_batches(backend.asarray(X), backend.asarray(Y), 64)
    assert [tuple(bx.shape) for bx, _ in batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [tuple(by.shape) for _, by in batches] == [(1, 64), (1, 64), (1, 20)]
    assert_close(batches[0][0][0, 0:3], [0.90085595, -0.7612069, 0.2344157], backend, rtol=0, atol=5e-9)


def test_random_mini_batches_follow_the_courses_stream(backend):
    rng = np.random.RandomState(1)
    X, Y = rng.randn(3, 148), (rng.rand(1, 148) > 0.5) * 1.0
    batches = bnn.random_mini_batches(backend.asarray(X), backend.asarray(Y), 64, seed=7)
    perm = np.random.RandomState(7).permutation(148)
    assert [tuple(bx.shape) for bx, _ in batches] == [(3, 64), (3, 64), (3, 20)]  # the last, smaller batch
    for k, (bx, by) in enumerate(batches):
        cols = perm[64 * k: 64 * (k + 1)]
        assert_close(bx, X[:, cols], backend, rtol=0)
        assert_close(by, Y[:, cols], backend, rtol=0)
    exact = bnn.random_mini_batches(backend.asarray(X[:, :128]), backend.asarray(Y[:, :128]), 64, seed=0)
    assert len(exact) == 2  # no empty last batch


def test_the_course_functions_defaults_are_the_courses():
    """COURSE2.md: random_mini_batches(X, Y, mini_batch_size=64, seed=0) and update_parameters_with_adam's
    learning_rate 0.01, beta1 0.9, beta2 0.999, epsilon 1e-8, by what they do: batches of 64 columns from seed 0's
    permutation; an Adam step on gradients of 1e-8, where epsilon is as large as sqrt(s_corrected)."""
    rng = np.random.RandomState(1)
    X, Y = rng.randn(3, 150), (rng.rand(1, 150) > 0.5) * 1.0
    perm = np.random.RandomState(0).permutation(150)
    batches = bnn.random_mini_batches(X, Y)
    assert [bx.shape[1] for bx, _ in batches] == [64, 64, 22]
    np.testing.assert_array_equal(np.concatenate([bx for bx, _ in batches], axis=1), X[:, perm])
    p = {"W1": rng.randn(2, 3), "b1": rng.randn(2, 1)}
    g = {"dW1": rng.randn(2, 3) * 1e-8, "db1": rng.randn(2, 1) * 1e-8}
    v, s = bnn.initialize_adam(p)
    new = bnn.update_parameters_with_adam(p, g, v, s, 1)[0]
    for k in p:  # t = 1: v_corrected = dW, s_corrected = dW^2
        d = g["d" + k]
        np.testing.assert_allclose(new[k], p[k] - 0.01 * d / (np.abs(d) + 1e-8), rtol=1e-12)


def test_the_epochs_permutation_is_a_new_randomstates_in_any_order_and_any_thread():
    """batches.permutation reseeds one RandomState per thread instead of making one an epoch (its
    construction cost 170 us, more than the epoch's other host work at the course's sizes): the
    numbers must be those of RandomState(seed), whatever was drawn before and in whichever thread."""
    from concurrent.futures import ThreadPoolExecutor

    from backend_nn.batches import permutation

    cases = [(m, seed) for seed in (0, 11, 3, 11, 2**32 - 1) for m in (1, 300, 64)]
    expected = [np.random.RandomState(seed).permutation(m) for m, seed in cases]
    for (m, seed), want in zip(cases, expected):
        np.testing.assert_array_equal(permutation(m, seed), want)
    with ThreadPoolExecutor(4) as pool:
        for got, want in zip(pool.map(lambda c: permutation(*c), cases * 20), expected * 20):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("size, exc, match", [
    (0, ValueError, r"mini_batch_size must be a positive integer; got 0"),
    (2.5, TypeError, r"mini_batch_size must be a positive integer; got float 2.5"),
    ("64", TypeError, r"mini_batch_size must be a positive integer; got str"),
])
def test_bad_mini_batch_sizes(size, exc, match):
    with pytest.raises(exc, match=match):
        bnn.random_mini_batches(*FLOWER, size)
    with pytest.raises(exc, match=match):
        bnn.model(*FLOWER, [2, 3, 1], "gd", mini_batch_size=size, num_epochs=1, print_cost=False)


@pytest.mark.parametrize("X_cut, Y_cut", [
    (lambda X: X, lambda Y: Y[:, :-1]),
    (lambda X: X, lambda Y: Y[0]),
    (lambda X: X[None], lambda Y: Y),
], ids=["one label short", "1-D Y", "3-D X"])
def test_x_and_y_that_are_not_2_d_with_one_m_are_refused(X_cut, Y_cut):
    """Each of the three conditions alone refuses, naming both shapes; nothing is cut from a mismatch."""
    X, Y = X_cut(FLOWER[0]), Y_cut(FLOWER[1])
    got = re.escape(f"got {tuple(X.shape)} and {tuple(Y.shape)}.")
    with pytest.raises(ValueError, match=r"X \(n_x, m\) and Y \(n_y, m\) must be 2-D with the same m; " + got):
        bnn.random_mini_batches(X, Y, 64)


def test_no_examples_is_an_error_not_an_empty_list():
    with pytest.raises(ValueError, match=r"X has shape \(2, 0\): there are no examples \(m = 0\)"):
        bnn.random_mini_batches(FLOWER[0][:, :0], FLOWER[1][:, :0], 64)


# --- optimizers -------------------------------------------------------------------------------------------
def _params_and_grads(backend, seed=2):
    rng = np.random.RandomState(seed)
    p = {"W1": rng.randn(2, 3), "b1": rng.randn(2, 1), "W2": rng.randn(3, 3), "b2": rng.randn(3, 1)}
    g = {"d" + k: rng.randn(*v.shape) for k, v in p.items()}
    return p, g, backend.params(p), backend.params(g)


@pytest.mark.parametrize("name", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_in_place_update_is_the_pure_update_bit_for_bit(backend, name, dtype):
    """inplace=True (the eager epochs' update on their own buffers) makes the same operations in the same
    order, with fewer temporaries: the same bits, step after step, and the same state."""
    from backend_nn.optimizers import get_optimizer
    from backend_nn.step import _copied

    from array_api_compat import is_writeable_array

    if not is_writeable_array(backend.asarray(np.zeros(1))):
        pytest.skip(f"{backend.name}'s arrays are not writeable: its updates are the pure ones")
    opt = get_optimizer(name)
    xp = backend.xp
    p0, _, pb, _ = _params_and_grads(backend)
    pb = {k: xp.astype(v, getattr(xp, dtype)) for k, v in pb.items()}
    pure_p, pure_s = pb, opt.init(pb)
    own_p, own_s = _copied(pb, xp), _copied(opt.init(pb), xp)
    for step in range(4):
        rng = np.random.RandomState(10 + step)
        g = {"d" + k: xp.astype(backend.asarray(rng.randn(*v.shape)), getattr(xp, dtype)) for k, v in p0.items()}
        pure_p, pure_s = opt.update(pure_p, g, pure_s, learning_rate=0.01)
        same_p, same_s = opt.update(own_p, g, own_s, learning_rate=0.01, inplace=True)
        assert same_p is own_p and same_s is own_s  # written where they were
        for k in p0:
            np.testing.assert_array_equal(bnn.to_numpy(own_p[k]), bnn.to_numpy(pure_p[k]), err_msg=f"{step} {k}")
        for part in ("v", "s"):
            for d in pure_s.get(part, {}):
                np.testing.assert_array_equal(bnn.to_numpy(own_s[part][d]), bnn.to_numpy(pure_s[part][d]))
        assert own_s.get("t") == pure_s.get("t")
    for k in p0:  # the first arrays handed in are untouched
        assert_close(pb[k], p0[k], backend, rtol=1e-7 if dtype == "float32" else 0, dtype=getattr(xp, dtype))


def test_gradient_descent_and_momentum(backend):
    p, g, pb, gb = _params_and_grads(backend)
    new = bnn.update_parameters_with_gd(pb, gb, 0.01)
    for k in p:
        assert_close(new[k], p[k] - 0.01 * g["d" + k], backend, rtol=1e-15)
    v = bnn.initialize_velocity(pb)
    assert sorted(v) == ["dW1", "dW2", "db1", "db2"]
    for k, z in v.items():
        assert_close(z, np.zeros(p[k[1:]].shape), backend, rtol=0)
    new, v = bnn.update_parameters_with_momentum(pb, gb, v, 0.9, 0.01)
    for k in p:
        v_ref = 0.9 * 0 + 0.1 * g["d" + k]
        assert_close(v["d" + k], v_ref, backend, rtol=1e-15)
        assert_close(new[k], p[k] - 0.01 * v_ref, backend, rtol=1e-15)
    for k in p:  # the caller's arrays are left alone
        assert_close(pb[k], p[k], backend, rtol=0)
    # beta = 0, the edge of [0, 1): no memory, v is the gradient and the step is gradient descent's
    new, v = bnn.update_parameters_with_momentum(pb, gb, bnn.initialize_velocity(pb), 0.0, 0.01)
    for k in p:
        assert_close(new[k], p[k] - 0.01 * g["d" + k], backend, rtol=1e-15)


def test_the_optimizer_state_of_integer_weights_is_float64_as_the_courses():
    """The course's np.zeros(shape) is float64 whatever the weights are; zeros_like of integer weights was integer."""
    p = {"W1": np.ones((2, 2), dtype=np.int64), "b1": np.zeros((2, 1), dtype=np.int32)}
    for state in (bnn.initialize_velocity(p), *bnn.initialize_adam(p)):
        assert {k: z.dtype for k, z in state.items()} == {"dW1": np.float64, "db1": np.float64}
        assert not any(z.any() for z in state.values())
    p32 = {"W1": np.ones((2, 2), dtype=np.float32), "b1": np.zeros((2, 1), dtype=np.float32)}
    assert bnn.initialize_velocity(p32)["dW1"].dtype == np.float32  # floating weights keep their dtype


def test_adam_returns_the_courses_tuple(backend):
    p, g, pb, gb = _params_and_grads(backend)
    v, s = bnn.initialize_adam(pb)
    assert sorted(v) == sorted(s) == ["dW1", "dW2", "db1", "db2"]
    ref_p, ref_v, ref_s = dict(p), {k: 0 * x for k, x in g.items()}, {k: 0 * x for k, x in g.items()}
    for t in (1, 2, 3):
        out = bnn.update_parameters_with_adam(pb, gb, v, s, t, 0.01, 0.9, 0.999, 1e-8)
        assert len(out) == 5
        pb, v, s, v_c, s_c = out
        for k in p:
            d = "d" + k
            ref_v[d] = 0.9 * ref_v[d] + 0.1 * g[d]
            ref_s[d] = 0.999 * ref_s[d] + 0.001 * g[d] ** 2
            vc, sc = ref_v[d] / (1 - 0.9**t), ref_s[d] / (1 - 0.999**t)
            ref_p[k] = ref_p[k] - 0.01 * vc / (np.sqrt(sc) + 1e-8)
            assert_close(v[d], ref_v[d], backend, rtol=1e-13)
            assert_close(s[d], ref_s[d], backend, rtol=1e-13)
            assert_close(v_c[d], vc, backend, rtol=1e-13)
            assert_close(s_c[d], sc, backend, rtol=1e-13)
            assert_close(pb[k], ref_p[k], backend, rtol=1e-12)


def test_the_optimization_assignments_published_numbers(backend):
    """The week-2 notebook's own test case (seed 1: W1 (2, 3), b1, W2 (3, 3), b2, then dW1, db1, dW2, db2)
    and the W1, v and s it prints: gd at 0.01, momentum (beta 0.9, 0.01), Adam at t = 2 (0.01)."""
    rng = np.random.RandomState(1)
    shapes = [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 3)), ("b2", (3, 1))]
    p = {k: rng.randn(*shape) for k, shape in shapes}
    g = {"d" + k: rng.randn(*shape) for k, shape in shapes}
    pb = {k: backend.asarray(v) for k, v in p.items()}
    gb = {k: backend.asarray(v) for k, v in g.items()}
    v_dW1 = [[-0.11006192, 0.11447237, 0.09015907], [0.05024943, 0.09008559, -0.06837279]]

    new = bnn.update_parameters_with_gd(pb, gb, 0.01)
    assert_close(new["W1"], [[1.63535156, -0.62320365, -0.53718766], [-1.07799357, 0.85639907, -2.29470142]],
                 backend, rtol=0, atol=5e-9)
    new, v = bnn.update_parameters_with_momentum(pb, gb, bnn.initialize_velocity(pb), 0.9, 0.01)
    assert_close(new["W1"], [[1.62544598, -0.61290114, -0.52907334], [-1.07347112, 0.86450677, -2.30085497]],
                 backend, rtol=0, atol=5e-9)
    assert_close(v["dW1"], v_dW1, backend, rtol=0, atol=5e-9)
    new, v, s, _, _ = bnn.update_parameters_with_adam(pb, gb, *bnn.initialize_adam(pb), 2)
    assert_close(new["W1"], [[1.63178673, -0.61919778, -0.53561312], [-1.08040999, 0.85796626, -2.29409733]],
                 backend, rtol=0, atol=5e-9)
    assert_close(v["dW1"], v_dW1, backend, rtol=0, atol=5e-9)
    assert_close(s["dW1"], [[0.00121136, 0.00131039, 0.00081287], [0.0002525, 0.00081154, 0.00046748]],
                 backend, rtol=0, atol=5e-9)


def test_the_current_optimization_notebooks_test_cases(backend):
    """The notebook's current test cases, W2 (3, 2) (seed 1: W1, b1, W2, b2, then their gradients): gd at 0.01,
    momentum (0.9, 0.01), Adam at t = 2 with its own hyperparameters (0.02, beta1 0.8, beta2 0.888, epsilon
    0.01), and random_mini_batches of a boolean Y (its randn(1, 7) < 0.5), which stays boolean."""
    rng = np.random.RandomState(1)
    shapes = [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 2)), ("b2", (3, 1))]
    p = {k: backend.asarray(rng.randn(*shape)) for k, shape in shapes}
    g = {"d" + k: backend.asarray(rng.randn(*shape)) for k, shape in shapes}
    close = partial(assert_close, backend=backend, rtol=0, atol=5e-9)

    new = bnn.update_parameters_with_gd(p, g, 0.01)
    close(new["W1"], [[1.63312395, -0.61217855, -0.5339999], [-1.06196243, 0.85396039, -2.3105546]])
    close(new["b2"], [[1.13773698], [-1.09301954], [-0.16397615]])
    new, v = bnn.update_parameters_with_momentum(p, g, bnn.initialize_velocity(p), 0.9, 0.01)
    close(new["W1"], [[1.62522322, -0.61179863, -0.52875457], [-1.071868, 0.86426291, -2.30244029]])
    close(v["dW1"], [[-0.08778584, 0.00422137, 0.05828152], [-0.11006192, 0.11447237, 0.09015907]])
    close(v["db2"], [[-0.03967535], [-0.06871727], [-0.08452056]])
    new, v, s, v_c, s_c = bnn.update_parameters_with_adam(p, g, *bnn.initialize_adam(p), 2, 0.02, 0.8, 0.888, 1e-2)
    first_rows = {"W1": [1.63937725, -0.62327448, -0.54308727], "W2": [0.33400549, -0.23563857], "b1": [1.72995096],
                  "b2": [1.14852557]}
    v_rows = {"dW1": [-0.17557168, 0.00844275, 0.11656304], "dW2": [-0.13674557, -0.02457805], "db1": [0.10049887],
              "db2": [-0.07935071]}
    s_rows = {"dW1": [0.08631117, 0.00019958, 0.03804344], "dW2": [0.05235818, 0.00169142], "db1": [0.02828006],
              "db2": [0.0176303]}
    for k, row in first_rows.items():
        close(new[k][0, :], row)
        close(v["d" + k][0, :], v_rows["d" + k])
        close(s["d" + k][0, :], s_rows["d" + k])
        close(v_c["d" + k][0, :], np.array(v_rows["d" + k]) / (1 - 0.8**2), atol=2e-8)  # the printed digits, scaled
        close(s_c["d" + k][0, :], np.array(s_rows["d" + k]) / (1 - 0.888**2), atol=5e-8)

    rng = np.random.RandomState(1)
    X = rng.randn(5, 7)
    Y = rng.randn(1, 7) < 0.5
    batches = bnn.random_mini_batches(backend.asarray(X), backend.asarray(Y, backend.xp.bool), 2)
    assert [to_numpy(b).tolist() for _, b in batches] == [[[True, True]], [[True, False]], [[True, True]], [[False]]]
    assert all(to_numpy(b).dtype == np.bool_ for _, b in batches)
    close(batches[0][0][:, 0], [1.74481176, -0.38405435, -1.10061918, -0.93576943, -0.67124613])
    close(batches[3][0][:, 0], [0.86540763, -2.06014071, 0.04221375, -0.68372786, -0.6871727])


def test_learning_rate_decay():
    assert bnn.update_lr(0.5, 2, 1) == 0.5 / 3
    assert bnn.update_lr(0.5, 0, 1) == 0.5
    assert bnn.schedule_lr_decay(0.5, 100, 1) == 0.5
    assert bnn.schedule_lr_decay(0.5, 1000, 1) == 0.25
    assert bnn.schedule_lr_decay(0.5, 2999, 0.5, time_interval=1000) == 0.5 / (1 + 0.5 * 2)
    assert bnn.update_lr(0.5, np.int64(4), 0) == 0.5  # decay_rate 0: no decay


@pytest.mark.parametrize("call, exc, match", [
    (lambda: bnn.update_lr(0.1, 3, -1), ValueError, r"decay_rate must be a finite number >= 0; got -1.0"),
    (lambda: bnn.update_lr(0.1, -3, 1), ValueError, r"epoch_num must be an integer >= 0 .*; got -3"),
    (lambda: bnn.update_lr(0.1, 2.5, 1), TypeError, r"epoch_num must be an integer >= 0 .*; got float 2.5"),
    (lambda: bnn.update_lr(float("nan"), 3, 1), ValueError, r"learning_rate0 must be a positive, finite number"),
    (lambda: bnn.schedule_lr_decay(0.1, 3, 1, 0), ValueError, r"time_interval must be a positive integer; got 0"),
    (lambda: bnn.schedule_lr_decay(0.1, 3, float("inf")), ValueError, r"decay_rate must be a finite number"),
])
def test_learning_rate_decay_refuses_what_would_make_the_rate_negative_or_undefined(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("call, exc, match", [
    (lambda p, g: bnn.update_parameters_with_momentum(p, g, bnn.initialize_velocity(p), 1.0, 0.1), ValueError,
     r"beta must be in \[0, 1\); got 1.0"),
    (lambda p, g: bnn.update_parameters_with_adam(p, g, *bnn.initialize_adam(p), 1, 0.01, -0.1), ValueError,
     r"beta1 must be in \[0, 1\); got -0.1"),
    (lambda p, g: bnn.update_parameters_with_adam(p, g, *bnn.initialize_adam(p), 1, 0.01, 0.9, 1.5), ValueError,
     r"beta2 must be in \[0, 1\); got 1.5"),
    (lambda p, g: bnn.update_parameters_with_adam(p, g, *bnn.initialize_adam(p), 0), ValueError,
     r"t must be a positive integer; got 0"),
    (lambda p, g: bnn.update_parameters_with_momentum(p, g, {"dW1": p["W1"]}, 0.9, 0.1), ValueError,
     r"momentum state 'v' must have the keys \['dW1', 'dW2', 'db1', 'db2'\]"),
    (lambda p, g: bnn.update_parameters_with_adam(p, g, bnn.initialize_velocity(p),
                                                  {**bnn.initialize_velocity(p), "dW2": np.zeros((1, 1))}, 1),
     ValueError, r"adam state s\['dW2'\] must have the shape of W2, \(3, 3\); got \(1, 1\)"),
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "rmsprop", num_epochs=1), ValueError,
     r"unknown optimizer 'rmsprop'; expected 'gd', 'momentum' or 'adam'"),
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "adam", num_epochs=1, lambd=-0.1), ValueError,
     r"lambd must be a finite number >= 0; got -0.1"),
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "momentum", beta=1.2, num_epochs=1), ValueError,
     r"beta must be in \[0, 1\)"),
    # another optimizer's hyperparameter was dropped in silence
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "gd", beta=0.5, num_epochs=1), ValueError,
     r"beta=0.5 would not be used by optimizer 'gd': beta is momentum's; beta1, beta2 and epsilon are Adam's"),
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "momentum", beta1=0.8, epsilon=1e-6, num_epochs=1), ValueError,
     r"beta1=0.8, epsilon=1e-06 would not be used by optimizer 'momentum'"),
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "adam", beta=0.95, num_epochs=1), ValueError,
     r"beta=0.95 would not be used by optimizer 'adam'"),
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "gd", decay_rate=0.3, num_epochs=1), ValueError,
     r"decay_rate=0.3 would not be used: it is the rate of a learning-rate decay; give the rule too, "
     r"decay=update_lr or decay=schedule_lr_decay"),
    # a resumed run draws nothing: its seed and init were dropped in silence
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "adam", num_epochs=1, print_cost=False, seed=5,
                            parameters=bnn.model(*FLOWER, [2, 3, 1], "adam", num_epochs=1, print_cost=False)[0]),
     ValueError, r"seed=5 would not be used: parameters= resumes a run from its weights, and nothing is initialized\. "
                 r"Leave it out"),
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "gd", num_epochs=1, print_cost=False, init="xavier", init_scale=2.0,
                            parameters=bnn.model(*FLOWER, [2, 3, 1], "gd", num_epochs=1, print_cost=False)[0]),
     ValueError, r"init='xavier', init_scale=2.0 would not be used: parameters= resumes .* Leave them out"),
    # dropout on a network without a hidden layer (logistic regression) dropped nothing, in silence
    (lambda p, g: bnn.model(*FLOWER, [2, 1], "adam", num_epochs=1, keep_prob=0.5), ValueError,
     r"keep_prob=0.5 drops hidden units, and the network \[2, 1\] has no hidden layer"),
    (lambda p, g: bnn.L_layer_model(*FLOWER, [2, 1], num_iterations=1, keep_prob=0.8), ValueError,
     r"keep_prob=0.8 drops hidden units, and the network \[2, 1\] has no hidden layer .*leave keep_prob at 1"),
    # ... and so did the gradient check and the course's forward pass with dropout, on logistic regression
    (lambda p, g: bnn.gradient_check_n(_LOGISTIC, {"dW1": _LOGISTIC["W1"], "db1": _LOGISTIC["b1"]}, FLOWER[0][:, :5],
                                       FLOWER[1][:, :5], activation="relu", keep_prob=0.5), ValueError,
     r"keep_prob=0.5 drops hidden units, and the network \[2, 1\] has no hidden layer"),
    (lambda p, g: bnn.forward_propagation_with_dropout(FLOWER[0][:, :5], _LOGISTIC, keep_prob=0.7), ValueError,
     r"keep_prob=0.7 drops hidden units, and the network \[2, 1\] has no hidden layer"),
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "gd", num_epochs=1, decay=bnn.update_lr, decay_rate=-1), ValueError,
     r"decay_rate must be a finite number >= 0; got -1.0"),
    # a rule of its own: a negative rate climbed the cost in silence, NaN said "Try a smaller learning_rate",
    # a string was float()'s "could not convert string to float: 'x'"
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "gd", num_epochs=2, decay=lambda lr, e, r: -lr), ValueError,
     r"decay\(0.0007, 0, 1.0\) returned -0.0007; it must return the epoch's learning rate, a finite number >= 0"),
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "gd", num_epochs=2, decay=lambda lr, e, r: "x"), ValueError,
     r"decay\(0.0007, 0, 1.0\) returned 'x'"),
    # a rule named wrongly: a list was "unhashable type: 'list'"
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "gd", num_epochs=1, decay=["update_lr"]), ValueError,
     r"decay must be None, a function of .* or one of \['update_lr', 'schedule_lr_decay'\]; got \['update_lr'\]\.$"),
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "gd", num_epochs=1, decay="update-lr"), ValueError,
     r"got 'update-lr' — did you mean 'update_lr'\?$"),  # the hint ends it (was "?.")
    (lambda p, g: bnn.model(*FLOWER, [2, 3, 1], "gd", num_epochs=2, decay=lambda lr: lr), TypeError,
     r"decay must be a function of \(learning_rate0, epoch_num, decay_rate\), as update_lr is; '<lambda>' cannot"),
])
def test_bad_optimizer_input_is_a_clear_error(call, exc, match):
    p, g = _params_and_grads(_Host())[:2]
    before = {k: v.copy() for k, v in p.items()}
    with pytest.raises(exc, match=match):
        call(p, g)
    for k in p:
        np.testing.assert_array_equal(p[k], before[k])


def test_keep_prob_1_on_a_network_without_a_hidden_layer_is_no_dropout_not_an_error():
    """The refusals above are for units that would be dropped: at keep_prob = 1 logistic regression runs, the
    course's forward pass with dropout is sigmoid(W1 X + b1), both backward passes read its one-layer cache and
    the models train as without it."""
    X, Y = FLOWER[0][:, :5], FLOWER[1][:, :5]
    A1, cache = bnn.forward_propagation_with_dropout(X, _LOGISTIC, keep_prob=1.0)
    np.testing.assert_allclose(A1, 1 / (1 + np.exp(-(_LOGISTIC["W1"] @ X))), rtol=1e-15)
    assert len(cache) == 4  # (Z1, A1, W1, b1): no mask
    # the shortest tuple caches, one layer's 4 entries, are read by both backward passes: dZ1 = A1 - Y
    _, cache_n = bnn.forward_propagation_n(X, Y, _LOGISTIC)
    for grads in (bnn.backward_propagation_with_dropout(X, Y, cache, 1.0), bnn.backward_propagation_n(X, Y, cache_n)):
        assert list(grads) == ["dZ1", "dW1", "db1"]
        np.testing.assert_allclose(grads["dW1"], (A1 - Y) @ X.T / 5, rtol=1e-14)
    with pytest.raises(TypeError, match=r"got a tuple of 0\.$"):
        bnn.backward_propagation_n(X, Y, ())
    for train in (lambda **kw: bnn.model(*FLOWER, [2, 1], "gd", num_epochs=2, print_cost=False, **kw),
                  lambda **kw: bnn.L_layer_model(*FLOWER, [2, 1], num_iterations=2, **kw)):
        p, costs = train(keep_prob=1.0)
        p0, costs0 = train()
        for k in p0:
            np.testing.assert_array_equal(p[k], p0[k])
        np.testing.assert_array_equal(costs, costs0)


class _Host:
    def params(self, d):
        return d


# --- gradient checking -------------------------------------------------------------------------------------
def _gc_problem(seed, dims, output):
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], 7)
    Y = rng.randint(0, dims[-1], size=(1, 7)) if output == "softmax" else (rng.rand(1, 7) > 0.5) * 1.0
    p = {}
    for l in range(1, len(dims)):
        p[f"W{l}"], p[f"b{l}"] = rng.randn(dims[l], dims[l - 1]) * 0.5, rng.randn(dims[l], 1) * 0.5
    return X, Y, p


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
@pytest.mark.parametrize("output, dims", [("sigmoid", [4, 5, 3, 1]), ("softmax", [4, 5, 3, 3])])
@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_gradient_check_passes_for_every_activation_and_output_with_and_without_L2(activation, output, dims, lambd):
    from backend_nn.network import Network
    from backend_nn.outputs import encode_labels
    from backend_nn.step import gradients

    X, Y, p = _gc_problem(11, dims, output)
    net = Network.build(dims, activation, output)
    Yf = encode_labels(Y * 1.0, dims[-1], net.output, dtype=np.float64, xp=np)
    _, grads = gradients(p, X, Yf, net=net, xp=np, lambd=lambd)
    diff = bnn.gradient_check_n(p, grads, X, Y, activation=activation, output=output, lambd=lambd)
    assert diff < 2e-7, diff
    wrong = dict(grads, dW2=grads["dW2"] * 1.01)
    assert bnn.gradient_check_n(p, wrong, X, Y, activation=activation, output=output, lambd=lambd) > 2e-7


def test_gradient_check_on_the_courses_own_test_case():
    """The assignment's gradient_check_n_test_case: seed 1, x (4, 3), y = np.array([1, 1, 0]) (1-D: its
    cost broadcasts it), the (4, 5, 3, 1) relu network; backward_propagation_n as the notebook hands it
    out, with its two planted mistakes (dW2 doubled, db1 times 4). The notebook prints difference =
    0.2850931567761623 for it, and with the mistakes fixed 1.1890913024229996e-07: most of that is
    round-off of its cost, log(1 - sigmoid(Z3)), over 2 epsilon. Its grader asks
    np.any(np.isclose(difference, [0.2850931567761623, 1.1890913024229996e-07])), which a J from the
    logits (exact: about 1e-9) fails; from_logits=True gives that one."""
    rng = np.random.RandomState(1)
    x, y = rng.randn(4, 3), np.array([1, 1, 0])
    p = {}
    for l, (rows, cols) in enumerate([(5, 4), (3, 5), (1, 3)], start=1):
        p[f"W{l}"], p[f"b{l}"] = rng.randn(rows, cols), rng.randn(rows, 1)
    AL, caches = bnn.L_model_forward(x, p)
    grads = bnn.L_model_backward(AL, y, caches)
    planted = dict(grads, dW2=grads["dW2"] * 2, db1=grads["db1"] * 4)
    expected_values = [0.2850931567761623, 1.1890913024229996e-07]  # the notebook's grader
    for g in (planted, grads):
        difference = bnn.gradient_check_n(p, g, x, y)
        assert type(difference) is float and np.any(np.isclose(difference, expected_values))
    assert bnn.gradient_check_n(p, planted, x, y) == pytest.approx(0.2850931567761623, rel=1e-12)
    cost, cache = bnn.forward_propagation_n(x, y, p)  # the notebook's own call
    difference = bnn.gradient_check_n(p, bnn.backward_propagation_n(x, y, cache), x, y, 1e-7, True)
    assert difference == _course_gradient_check_n(p, _course_backward_with_regularization(
        x, y, _course_reg_forward(x, p)[1], 0.0), x, y)  # the notebook's code on this machine, to the last bit
    assert difference == pytest.approx(1.1890913024229996e-07, rel=1e-6)  # its printed value (its machine's log)
    # and where the norms' sum is below 1 (weights a tenth as large): the formula itself, not a rescaled one
    small = {k: v / 10 for k, v in p.items()}
    g_small = bnn.backward_propagation_n(x, y, bnn.forward_propagation_n(x, y, small)[1])
    assert np.linalg.norm(bnn.gradients_to_vector(g_small)) < 0.5
    assert bnn.gradient_check_n(small, g_small, x, y) == _course_gradient_check_n(small, g_small, x, y)
    assert bnn.gradient_check_n(p, grads, x, y, from_logits=True) < 1e-8
    with pytest.raises(ValueError, match=r"Y must have the shape of the output, \(n_y, m\) = \(1, 3\); got \(4,\)"):
        bnn.gradient_check_n(p, grads, x, np.array([1, 1, 0, 1]))


def _course_gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7):
    """The assignment's gradient_check_n with its forward_propagation_n (the (4, 5, 3, 1) relu network)."""
    keys, shapes = ["W1", "b1", "W2", "b2", "W3", "b3"], [(5, 4), (5, 1), (3, 5), (3, 1), (1, 3), (1, 1)]
    theta = np.concatenate([np.reshape(parameters[k], (-1, 1)) for k in keys])
    grad = np.concatenate([np.reshape(gradients["d" + k], (-1, 1)) for k in keys])

    def J(t):
        sizes = np.cumsum([0] + [r * c for r, c in shapes])
        A3, _ = _course_reg_forward(X, {k: t[a:b].reshape(s) for k, s, a, b in zip(keys, shapes, sizes, sizes[1:])})
        logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
        return 1. / X.shape[1] * np.sum(logprobs)

    gradapprox = np.zeros(theta.shape)
    for i in range(theta.shape[0]):
        plus, minus = np.copy(theta), np.copy(theta)
        plus[i] = plus[i] + epsilon
        minus[i] = minus[i] - epsilon
        gradapprox[i] = (J(plus) - J(minus)) / (2 * epsilon)
    return np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))


def test_the_gradient_checking_assignments_forward_and_backward_on_every_backend(backend):
    """forward_propagation_n(X, Y, parameters) -> (cost, cache) and backward_propagation_n(X, Y, cache) against
    the assignment's own code (its forward is reg_utils' forward_propagation plus the cost; its backward, with
    the planted mistakes fixed, is backward_propagation_with_regularization at lambd = 0), on its test case:
    y = np.array([1, 1, 0]) 1-D, which its cost and dZ3 = A3 - Y broadcast as the row (1, 3)."""
    rng = np.random.RandomState(1)
    x, y = rng.randn(4, 3), np.array([1, 1, 0])
    p = {}
    for l, (rows, cols) in enumerate([(5, 4), (3, 5), (1, 3)], start=1):
        p[f"W{l}"], p[f"b{l}"] = rng.randn(rows, cols), rng.randn(rows, 1)
    A3, ref_cache = _course_reg_forward(x, p)
    ref_cost = float(np.sum(np.multiply(-np.log(A3), y) + np.multiply(-np.log(1 - A3), 1 - y)) / 3)
    xb, yb = backend.asarray(x), backend.asarray(y)

    cost, cache = bnn.forward_propagation_n(xb, yb, backend.params(p))
    assert isinstance(cost, float) and cost == pytest.approx(ref_cost, rel=1e-12)
    assert isinstance(cache, tuple) and len(cache) == len(ref_cache) == 12
    for c_b, c in zip(cache, ref_cache):
        assert_close(c_b, c, backend, rtol=1e-12, atol=1e-15)
    ref = _course_backward_with_regularization(x, y, ref_cache, 0.0)
    grads = bnn.backward_propagation_n(xb, yb, cache)
    assert list(grads) == list(ref)
    for k in ref:
        assert_close(grads[k], ref[k], backend, rtol=1e-12, atol=1e-15)
    # the check itself takes the backend's parameters, gradients, X and Y (it was an object-array ValueError
    # on PyTorch: the sides of the relu kinks at theta were computed from the parameters as given)
    assert bnn.gradient_check_n(backend.params(p), grads, xb, yb) < 2e-7
    # the planted mistakes of the notebook's copy (dW2 doubled, db1 times 4): the difference it prints
    planted = dict(grads, dW2=grads["dW2"] * 2, db1=grads["db1"] * 4)
    assert bnn.gradient_check_n(backend.params(p), planted, xb, yb) == pytest.approx(0.2850931567761623, rel=1e-7)
    # theta back into a dict from an array of the backend (array-api-strict's device1 refuses np.asarray, as
    # CuPy and CUDA PyTorch do: it was that RuntimeError), shaped like the backend's parameters
    theta, _ = bnn.dictionary_to_vector(p)
    back = bnn.vector_to_dictionary(backend.asarray(theta), backend.params(p))
    for k in p:
        np.testing.assert_array_equal(back[k], p[k])


def test_the_tuple_cache_functions_refuse_a_network_their_backward_would_differentiate_wrongly():
    """The tuple cache holds arrays only, so backward_propagation_n/_with_dropout take the network to be the
    assignments' (relu). A trained tanh network was run forward with tanh and backward with relu's
    derivative: gradients off by a relative 0.76, in silence. Now the forward refuses such parameters."""
    X, Y = FLOWER[0][:, :40], FLOWER[1][:, :40]
    tanh_net, _ = bnn.nn_model(X, Y, 3, num_iterations=2)
    for forward in (lambda: bnn.forward_propagation_with_dropout(X, tanh_net, 0.8),
                    lambda: bnn.forward_propagation_n(X, Y, tanh_net)):
        with pytest.raises(ValueError, match=r"computes the assignments' network \(relu hidden layers.*these "
                                             r"parameters are a different network \(\[2, 3, 1\], hidden tanh"):
            forward()
    relu_net, _ = bnn.L_layer_model(X, Y, [2, 3, 1], num_iterations=2)  # the assignments' own: taken
    cost, cache = bnn.forward_propagation_n(X, Y, relu_net)
    grads = bnn.backward_propagation_n(X, Y, cache)
    assert bnn.gradient_check_n(relu_net, grads, X, Y) < 2e-7
    with pytest.raises(TypeError, match=r"got dict \(forward_propagation's cache dict holds no W and b\)"):
        bnn.backward_propagation_n(X, Y, bnn.forward_propagation(X, tanh_net)[1])
    with pytest.raises(TypeError, match=r"got list \(L_model_forward's caches are read by L_model_backward\)"):
        bnn.backward_propagation_n(X, Y, bnn.L_model_forward(X, relu_net)[1])


def test_gradient_check_refuses_gradients_it_cannot_line_up_with_the_parameters():
    X, Y = FLOWER[0][:, :8], FLOWER[1][:, :8]
    p = bnn.initialize_parameters_deep([2, 3, 1])
    grads = {f"d{k}": np.zeros_like(v) for k, v in p.items()}
    with pytest.raises(TypeError, match=r"gradients must be a dict of dW1, .*; got NoneType"):
        bnn.gradient_check_n(p, None, X, Y)
    with pytest.raises(ValueError, match=r"each gradient must have its parameter's shape; got dW1 \(2, 2\) for W1 \(3, 2\)"):
        bnn.gradient_check_n(p, {**grads, "dW1": np.zeros((2, 2))}, X, Y)
    with pytest.raises(ValueError, match=r"epsilon must be a positive, finite number; got 0.0"):
        bnn.gradient_check_n(p, grads, X, Y, epsilon=0)
    # print_msg as print_cost is checked (was any truthy value: "no" printed the verdict), before the work
    with pytest.raises(TypeError, match=r"^print_msg must be True or False; got str 'no'\.$"):
        bnn.gradient_check_n(p, grads, X, Y, print_msg="no")
    with pytest.raises(TypeError, match=r"^print_msg must be True or False; got NoneType None\.$"):
        bnn.gradient_check(3.0, 4.0, print_msg=None)
    # X as every other door checks it (it was NumPy's matmul error, or int(None) with dropout)
    with pytest.raises(ValueError, match=r"X must be 2-D with shape \(n_x, m\)"):
        bnn.gradient_check_n(p, grads, X[0], Y, keep_prob=0.8)
    with pytest.raises(ValueError, match=r"did you mean X.T"):
        bnn.gradient_check_n(p, grads, X.T, Y)


def test_gradient_check_never_calls_a_nan_difference_fine(capsys):
    """The course's `difference > 2e-7` is False for NaN, so a NaN in X, the parameters or the gradients
    printed "works perfectly fine! difference = nan". Each is now an error that says where it is; both
    vectors zero is a difference of 0 (not 0 / 0), and norms that would overflow are scaled first."""
    X, Y, p = _gc_problem(3, [3, 4, 1], "sigmoid")
    AL, caches = bnn.L_model_forward(X, p)
    grads = bnn.L_model_backward(AL, Y, caches)
    with pytest.raises(ValueError, match=r"X must be finite; it holds 3 NaN"):
        bnn.gradient_check_n(p, grads, np.where(np.arange(X.shape[1]) == 2, np.nan, X), Y, print_msg=True)
    with pytest.raises(ValueError, match=r"The parameters hold 1 NaN or inf value\(s\), in b2"):
        bnn.gradient_check_n({**p, "b2": p["b2"] + np.inf}, grads, X, Y, print_msg=True)
    with pytest.raises(ValueError, match=r"the gradients hold 12 NaN or inf value\(s\), in dW1\. Check X"):
        bnn.gradient_check_n(p, {**grads, "dW1": grads["dW1"] * np.nan}, X, Y, print_msg=True)
    assert "perfectly fine" not in capsys.readouterr().out
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bnn.gradient_check(0, 0) == 0.0
        huge = {k: v * 1e300 for k, v in grads.items()}  # ||grad||^2 overflows; the ratio does not
        assert bnn.gradient_check_n(p, huge, X, Y) == pytest.approx(1.0, abs=1e-12)


def test_gradient_check_scales_norms_that_would_overflow_or_underflow():
    """||grad|| of entries near 1e300 overflows float64, and of entries near 1e-300 underflows to 0: the difference
    is scale-free, so both vectors are divided by their largest entry first, with the course's formula after."""
    from backend_nn.gradient_check import _difference

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in (1e300, -1e300, 1e-300):  # the warm-up J = theta x: as close as at x = 3 (7.8e-11)
            assert bnn.gradient_check(x, 4) < 1e-8
        big, tiny = np.array([[1e300], [2e300]]), np.array([[1e-300], [2e-300]])
        assert _difference(big, np.array([[1e300], [1e300]]), False) == pytest.approx(1 / (5 ** 0.5 + 2 ** 0.5),
                                                                                       rel=1e-12)
        assert _difference(tiny, np.array([[1e-300], [1e-300]]), False) == pytest.approx(1 / (5 ** 0.5 + 2 ** 0.5),
                                                                                         rel=1e-12)
        assert _difference(big, np.zeros((2, 1)), False) == 1.0  # one of them 0: as far apart as they can be
        assert _difference(np.zeros((2, 1)), tiny, False) == 1.0


def test_a_passing_gradient_check_says_nothing_of_kinks():
    """The kink diagnosis is for a difference above the threshold. Here the centred differences of b1 move the
    relu units across Z = 0 for the all-zero example (b1 = 0), but W2 = 0 makes J flat in layer 1 on both sides:
    the difference is 4e-10, and the check passes with its verdict alone, no warning."""
    rng = np.random.RandomState(0)
    X = rng.randn(2, 6)
    X[:, 2] = 0.0
    Y = np.array([[1.0, 0.0, 1.0, 0.0, 1.0, 1.0]])
    p = bnn.initialize_parameters_deep([2, 3, 1], init="he")
    p["W2"][...] = 0.0
    AL, caches = bnn.L_model_forward(X, p)
    grads = bnn.L_model_backward(AL, Y, caches)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bnn.gradient_check_n(p, grads, X, Y) < 1e-8


def test_gradient_check_prints_the_courses_verdict(capsys):
    X, Y, p = _gc_problem(3, [3, 4, 1], "sigmoid")
    AL, caches = bnn.L_model_forward(X, p)
    grads = bnn.L_model_backward(AL, Y, caches)
    diff = bnn.gradient_check_n(p, grads, X, Y, print_msg=True)
    assert diff < 2e-7 and "Your backward propagation works perfectly fine! difference = " in capsys.readouterr().out
    grads["db1"] = grads["db1"] + 0.1
    assert bnn.gradient_check_n(p, grads, X, Y, print_msg=True) > 2e-7
    assert "There is a mistake in the backward propagation! difference = " in capsys.readouterr().out
    theta, keys = bnn.dictionary_to_vector(p)
    assert theta.shape == (3 * 4 + 4 + 4 + 1, 1) and keys[0] == "W1" and keys[-1] == "b2"
    back = bnn.vector_to_dictionary(theta, p)
    for k in p:
        np.testing.assert_array_equal(back[k], p[k])
    as_lists = bnn.vector_to_dictionary(theta, {k: v.tolist() for k, v in p.items()})  # "'list' has no .shape"
    for k in p:
        np.testing.assert_array_equal(as_lists[k], p[k])


def test_gradient_check_says_when_float32_round_off_may_be_the_difference(recwarn):
    # The flower with the 0.01 initialization: correct float32 gradients differ by about 5e-6 (float64:
    # 5e-7, most of it J's round-off over 2 epsilon), above 2e-7; the verdict alone read as a mistake.
    X, Y = bnn.load_dataset("flower")
    p32 = bnn.initialize_parameters_deep([2, 3, 1], dtype="float32")
    AL, caches = bnn.L_model_forward(X.astype(np.float32), p32)
    g32 = bnn.L_model_backward(AL, Y.astype(np.float32), caches)
    with pytest.warns(UserWarning, match=r"^the gradients are float32: their own round-off is about the course's "
                                         r"threshold 2e-07, so a difference of \S+ may be float32's, not a mistake") as rec:
        assert bnn.gradient_check_n(p32, g32, X, Y) > 2e-7
    assert rec[0].filename == __file__  # the caller's line, not the library's
    he = bnn.initialize_parameters_deep([2, 3, 1], init="he", dtype="float32")  # larger gradients: below 2e-7
    AL, caches = bnn.L_model_forward(X.astype(np.float32), he)
    assert bnn.gradient_check_n(he, bnn.L_model_backward(AL, Y.astype(np.float32), caches), X, Y) < 2e-7
    X3, Y3, p = _gc_problem(3, [3, 4, 1], "sigmoid")
    AL, caches = bnn.L_model_forward(X3, p)
    grads = bnn.L_model_backward(AL, Y3, caches)
    grads["db1"] = grads["db1"] + 0.1  # a mistake, in float64: the verdict stands alone
    assert bnn.gradient_check_n(p, grads, X3, Y3) > 2e-7
    assert not [w for w in recwarn if "round-off" in str(w.message)]


def test_gradient_check_says_when_the_difference_is_round_off_of_J(capsys):
    """Correct float64 gradients of the flower's [2, 3, 1] at the week-4 init (the largest 2e-3) differ by about
    5e-7 at epsilon 1e-7, J's round-off over 2 epsilon: the course's verdict alone was a false alarm. At 10 x epsilon
    the difference falls to about 4e-8; a mistake's does not fall (dW1 doubled: 0.15 at both). The round-off's
    digits are the machine's BLAS (5.52e-07 on an Intel Xeon, 5.17e-07 on an AMD EPYC), so the test reads them
    from the warning and checks how they relate."""
    X, Y = bnn.load_dataset("flower")
    p = bnn.initialize_parameters_deep([2, 3, 1])
    AL, caches = bnn.L_model_forward(X, p)
    grads = bnn.L_model_backward(AL, Y, caches)
    number = r"(\d(?:\.\d+)?e-0\d)"  # as :.3g writes it
    message = (rf"^the difference {number} at epsilon=1e-07 is above the course's threshold 2e-07, but at 10 x "
               rf"epsilon it is {number}: a difference that falls as epsilon grows is J's round-off over 2 epsilon, "
               r"large beside gradients this small \(the largest is 0.00212\), not a mistake in backward "
               r"propagation, whose difference stays as epsilon changes\.$")
    with pytest.warns(UserWarning, match=message) as rec:
        difference = bnn.gradient_check_n(p, grads, X, Y, print_msg=True)
    assert rec[0].filename == __file__
    at_epsilon, at_wider = (float(v) for v in re.match(message, str(rec[0].message)).groups())
    assert 2e-7 < at_epsilon < 2e-6 and at_wider < 1e-7 and at_wider < at_epsilon / 5
    assert f"{difference:.3g}" == f"{at_epsilon:.3g}"  # the course's value is returned as it is
    out = capsys.readouterr().out  # and its verdict printed, with that value
    assert f"There is a mistake in the backward propagation! difference = {difference}" in out
    assert bnn.gradient_check_n(p, grads, X, Y, epsilon=1e-6) < 2e-7
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a real mistake gets the verdict alone
        assert bnn.gradient_check_n(p, dict(grads, dW1=2 * grads["dW1"]), X, Y) > 0.1


def test_gradient_check_says_where_centred_differences_cross_a_relu_kink(capsys):
    """He-initialized [2, 4, 3, 1] on the flower: b = 0, and 123 of Z2's 1200 entries are exactly 0 (examples
    whose A1 column is all 0). Backpropagation takes relu'(0) = 0 there, as the course does, and a centred
    difference of b2 across 0 the mean of both sides' slopes, 1/2: the difference was 0.015, "There is a mistake
    in the backward propagation!", with nothing to say the backward pass was right."""
    X, Y = bnn.load_dataset("flower")
    p = bnn.initialize_parameters_he([2, 4, 3, 1])
    AL, caches = bnn.L_model_forward(X, p)
    assert int(np.sum(caches[1][1] == 0)) == 123
    grads = bnn.L_model_backward(AL, Y, caches)
    with pytest.warns(UserWarning, match=r"^the difference 0.015 is above the course's threshold 2e-07, but 3 of the "
                      r"31 centred differences \(in b2\) move a relu unit across its kink at Z = 0, where "
                      r"backpropagation takes the course's slope \(relu'\(0\) = 0\) and a centred difference the mean "
                      r"of both sides'; over the other 28 entries the difference is \d\.\d\de-09, below the threshold: "
                      r"no mistake in backward propagation shows there\. Check at parameters where no unit sits on a "
                      r"kink \(b != 0, as after a few training steps\)\.$") as rec:
        difference = bnn.gradient_check_n(p, grads, X, Y, print_msg=True)
    assert len(rec) == 1 and rec[0].filename == __file__
    assert difference == pytest.approx(0.015015, rel=1e-3)  # the course's value, as it is
    assert "There is a mistake in the backward propagation!" in capsys.readouterr().out
    # a mistake beside the kinks: the rest is above the threshold too, and said to be
    with pytest.warns(UserWarning, match=r"over the other 28 entries it is 0.\d+, still above the threshold"):
        assert bnn.gradient_check_n(p, dict(grads, dW1=1.5 * grads["dW1"]), X, Y) > 0.015
    # leaky_relu's kink too (negative_slope at 0 in backpropagation): examples at X = 0 put Z1 = b1 = 0
    X0 = X.copy()
    X0[:, :5] = 0.0
    AL, caches = bnn.L_model_forward(X0, p, activation="leaky_relu")
    grads = bnn.L_model_backward(AL, Y, caches, activation="leaky_relu")
    with pytest.warns(UserWarning, match=r"\(in b1, b2\) move a leaky_relu unit across its kink at Z = 0, where "
                                         r"backpropagation takes the course's slope \(leaky_relu'\(0\) = its "
                                         r"negative_slope\) .* below the threshold"):
        bnn.gradient_check_n(p, grads, X0, Y, activation="leaky_relu")
    # b != 0: no unit on a kink, no warning, and the check passes
    p = {k: v + 0.1 if k.startswith("b") else v for k, v in p.items()}
    AL, caches = bnn.L_model_forward(X, p)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bnn.gradient_check_n(p, bnn.L_model_backward(AL, Y, caches), X, Y) < 2e-7


def test_the_vector_helpers_take_the_courses_own_calls():
    """The assignment calls gradients_to_vector(gradients) and vector_to_dictionary(theta), the latter with
    its network's shapes written out by hand: W1 (5, 4), b1 (5, 1), W2 (3, 5), b2 (3, 1), W3 (1, 3), b3 (1, 1)."""
    X, Y, p = _gc_problem(3, [4, 5, 3, 1], "sigmoid")
    AL, caches = bnn.L_model_forward(X, p)
    grads = bnn.L_model_backward(AL, Y, caches)  # dA0 .. dA2 as well: left out of the vector
    theta, _ = bnn.dictionary_to_vector(p)
    course = {"W1": theta[:20].reshape((5, 4)), "b1": theta[20:25].reshape((5, 1)),
              "W2": theta[25:40].reshape((3, 5)), "b2": theta[40:43].reshape((3, 1)),
              "W3": theta[43:46].reshape((1, 3)), "b3": theta[46:47].reshape((1, 1))}
    back = bnn.vector_to_dictionary(theta)
    assert list(back) == list(course)
    for k in course:
        np.testing.assert_array_equal(back[k], course[k])
    np.testing.assert_array_equal(bnn.gradients_to_vector(grads), bnn.gradients_to_vector(grads, p))
    assert bnn.gradients_to_vector(grads).shape == (47, 1)
    # one layer (logistic regression): its two gradients make the vector without the parameters
    one = {"dW1": np.arange(4.0).reshape(1, 4), "db1": np.array([[9.0]])}
    np.testing.assert_array_equal(bnn.gradients_to_vector(one), [[0.0], [1.0], [2.0], [3.0], [9.0]])
    with pytest.raises(ValueError, match=r"theta has 17 entries; without like= it is taken as the course's network "
                                         r"\[4, 5, 3, 1\] \(47 entries\)"):
        bnn.vector_to_dictionary(np.zeros((17, 1)))
    with pytest.raises(ValueError, match=r"missing \['db3'\]"):
        bnn.gradients_to_vector({k: v for k, v in grads.items() if k != "db3"})


# --- the model -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer, lr", [("gd", 0.3), ("momentum", 0.3), ("adam", 0.01)])
def test_model_equals_the_courses_loop_on_every_backend(backend, optimizer, lr):
    """Parameters after 3 epochs of batches of 64 (the last one smaller) and the epoch costs:
    rtol 1e-9 / atol 1e-12 in float64 (summation order only)."""
    X, Y = FLOWER[0][:, :300], FLOWER[1][:, :300]
    dims = [2, 6, 4, 1]
    ref_p, ref_costs = course_model(X, Y, dims, optimizer, lr, 64, 201)
    p, costs = bnn.model(backend.asarray(X), backend.asarray(Y), dims, optimizer, lr, num_epochs=201, print_cost=False)
    np.testing.assert_allclose(costs, ref_costs, rtol=1e-9)
    for k, v in ref_p.items():
        assert_close(p[k], v, backend, rtol=1e-9, atol=1e-12)
        if backend.name == "numpy":  # opt_utils' order of rounding (the 1/m in dz3), on the recorded epochs
            np.testing.assert_array_equal(p[k], v, err_msg=k)
    assert p.network.layer_dims == (2, 6, 4, 1) and p.network.output.name == "sigmoid"


@pytest.mark.parametrize("compile", ["auto", False])
def test_one_mini_batch_is_shuffled_as_the_course_shuffles_it(compile):
    """m <= mini_batch_size: the course's random_mini_batches still permutes the columns, so its sums run
    in that order; unshuffled, the parameters differed in the last bit (2.2e-16 after 50 epochs)."""
    X, Y = FLOWER[0][:, :50], FLOWER[1][:, :50]
    for optimizer, lr in [("gd", 0.3), ("adam", 0.01)]:
        ref, ref_costs = course_model(X, Y, [2, 6, 4, 1], optimizer, lr, 64, 101)
        p, costs = bnn.model(X, Y, [2, 6, 4, 1], optimizer, lr, num_epochs=101, print_cost=False, compile=compile)
        for k, v in ref.items():
            np.testing.assert_array_equal(p[k], v, err_msg=f"{optimizer} {k}")
        np.testing.assert_allclose(costs, ref_costs, rtol=1e-13)


def test_model_with_L2_and_decay_and_its_prints(capsys):
    X, Y = FLOWER
    ref_p, _ = course_model(X, Y, [2, 5, 1], "adam", 0.01, 100, 30, lambd=0.5)
    p, _ = bnn.model(X, Y, [2, 5, 1], "adam", 0.01, 100, num_epochs=30, print_cost=False, lambd=0.5)
    for k, v in ref_p.items():
        np.testing.assert_allclose(p[k], v, rtol=1e-9, atol=1e-12, err_msg=k)
    bnn.model(X, Y, [2, 5, 1], "gd", 0.1, 100, num_epochs=1001, decay=bnn.update_lr, decay_rate=1.0)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Cost after epoch 0: ") and out[1] == "learning rate after epoch 0: 0.100000"
    assert out[2].startswith("Cost after epoch 1000: ") and out[3] == f"learning rate after epoch 1000: {0.1 / 1001:f}"
    # decay_rate 0 is no decay, as update_lr itself takes it: the run equals one without decay
    still, _ = bnn.model(X, Y, [2, 5, 1], "gd", 0.1, 100, num_epochs=3, print_cost=False, decay=bnn.update_lr,
                         decay_rate=0)
    plain, _ = bnn.model(X, Y, [2, 5, 1], "gd", 0.1, 100, num_epochs=3, print_cost=False)
    for k in plain:
        np.testing.assert_array_equal(still[k], plain[k], err_msg=k)
    # a rule of the user's may return 0 (a learning rate of 0 stops the descent; only < 0 and non-finite are
    # refused): epoch 0 runs at learning_rate0, the rates after it are 0, so three epochs end where one does
    frozen, _ = bnn.model(X, Y, [2, 5, 1], "gd", 0.1, 100, num_epochs=3, print_cost=False, decay=lambda lr, e, r: 0.0)
    one, _ = bnn.model(X, Y, [2, 5, 1], "gd", 0.1, 100, num_epochs=1, print_cost=False)
    for k in one:
        np.testing.assert_array_equal(frozen[k], one[k], err_msg=k)


def test_model_trains_softmax_networks_and_is_the_same_on_every_backend(backend):
    X, labels = bnn.load_dataset("spiral")
    p, costs = bnn.model(backend.asarray(X), backend.asarray(labels, dtype=backend.xp.int64), [2, 16, 3], "adam",
                         0.01, 32, num_epochs=60, print_cost=False, cost_every=10)
    ref, ref_costs = bnn.model(X, labels, [2, 16, 3], "adam", 0.01, 32, num_epochs=60, print_cost=False, cost_every=10)
    np.testing.assert_allclose(costs, ref_costs, rtol=1e-9)
    for k in ref:
        assert_close(p[k], ref[k], backend, rtol=1e-9, atol=1e-12)
    assert_on_backend(bnn.predict(p, backend.asarray(X)), backend, backend.xp.int64)
    assert costs[-1] < costs[0] and math.isclose(costs[0], np.log(3), rel_tol=0.2)


# --- dropout ---------------------------------------------------------------------------------------------
def _course_dropout_forward_backward(X, Y, p, keep_prob):
    """The course's forward_propagation_with_dropout / backward_propagation_with_dropout (3 layers)."""
    np.random.seed(1)
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.maximum(0, Z1)
    D1 = np.random.rand(A1.shape[0], A1.shape[1])
    D1 = (D1 < keep_prob).astype(int)
    A1 = A1 * D1
    A1 = A1 / keep_prob
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = np.maximum(0, Z2)
    D2 = np.random.rand(A2.shape[0], A2.shape[1])
    D2 = (D2 < keep_prob).astype(int)
    A2 = A2 * D2
    A2 = A2 / keep_prob
    Z3 = p["W3"] @ A2 + p["b3"]
    A3 = 1 / (1 + np.exp(-Z3))
    m = X.shape[1]
    dZ3 = A3 - Y
    g = {"dW3": dZ3 @ A2.T / m, "db3": dZ3.sum(axis=1, keepdims=True) / m}
    dA2 = p["W3"].T @ dZ3 * D2 / keep_prob
    dZ2 = dA2 * (A2 > 0)
    g["dW2"], g["db2"] = dZ2 @ A1.T / m, dZ2.sum(axis=1, keepdims=True) / m
    dA1 = p["W2"].T @ dZ2 * D1 / keep_prob
    dZ1 = dA1 * (A1 > 0)
    g["dW1"], g["db1"] = dZ1 @ X.T / m, dZ1.sum(axis=1, keepdims=True) / m
    return A3, g


def test_dropout_is_the_courses_on_every_backend(backend):
    from backend_nn.network import Network
    from backend_nn.regularization import Dropout, dropout_masks
    from backend_nn.step import gradients

    rng = np.random.RandomState(0)
    X, Y = rng.randn(3, 9), (rng.rand(1, 9) > 0.5) * 1.0
    dims = [3, 5, 4, 1]
    p = bnn.initialize_parameters_deep(dims, seed=3, init="he")
    A3, ref = _course_dropout_forward_backward(X, Y, p, 0.7)
    xp = backend.xp
    dropout = Dropout(0.7, dropout_masks(dims, 9, 0.7, xp=xp, dtype=xp.float64, device=backend.device))
    net = Network.build(dims, "relu")
    _, grads = gradients(backend.params(p), backend.asarray(X), backend.asarray(Y), net=net, xp=xp, dropout=dropout)
    for k, v in ref.items():
        assert_close(grads[k], v, backend, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_gradient_check_with_dropout_and_L2(activation):
    from backend_nn.network import Network
    from backend_nn.regularization import Dropout, dropout_masks
    from backend_nn.step import gradients

    X, Y, p = _gc_problem(5, [4, 6, 5, 1], "sigmoid")
    dims = [4, 6, 5, 1]
    dropout = Dropout(0.8, dropout_masks(dims, X.shape[1], 0.8, xp=np, dtype=np.float64))
    _, grads = gradients(p, X, Y, net=Network.build(dims, activation), xp=np, lambd=0.3, dropout=dropout)
    diff = bnn.gradient_check_n(p, grads, X, Y, activation=activation, lambd=0.3, keep_prob=0.8)
    assert diff < 2e-7, diff
    _, plain = gradients(p, X, Y, net=Network.build(dims, activation), xp=np, lambd=0.3)
    assert bnn.gradient_check_n(p, plain, X, Y, activation=activation, lambd=0.3, keep_prob=0.8) > 2e-7


@pytest.mark.parametrize("keep_prob, exc, match", [
    (0.0, ValueError, r"keep_prob must be in \(0, 1\] \(the probability of keeping a unit\); got 0.0"),
    (1.5, ValueError, r"keep_prob must be in \(0, 1\]"),
    ("0.5", TypeError, r"keep_prob must be a number in \(0, 1\]; got str"),
])
def test_bad_keep_prob(keep_prob, exc, match):
    with pytest.raises(exc, match=match):
        bnn.model(*FLOWER, [2, 3, 1], "gd", num_epochs=1, keep_prob=keep_prob, print_cost=False)


def test_model_with_dropout_trains_and_predicts_without_it():
    X, Y = FLOWER
    p, costs = bnn.model(X, Y, [2, 20, 8, 1], "adam", 0.01, 64, num_epochs=300, keep_prob=0.8, print_cost=False,
                         cost_every=50)
    assert costs[-1] < costs[0]
    A_full = bnn.predict_output(p, X)  # no dropout at prediction time: the same output twice
    np.testing.assert_array_equal(A_full, bnn.predict_output(p, X))
    assert bnn.accuracy(bnn.predict(p, X), Y) > 0.75


def test_predict_takes_the_courses_call_X_y_parameters(backend, capsys):
    """Course 2's assignments (and week 4's application) call predict(X, y, parameters): it prints the
    accuracy as they do (np.mean(p[0, :] == y[0, :])) and returns p (1, m), 0/1 labels."""
    X, Y = FLOWER
    p = bnn.initialize_parameters_deep([2, 6, 3, 1], seed=3, init="he")
    labels = bnn.predict(p, X, activation="relu")  # a plain dict: the course's network is relu, sigmoid
    hits = bnn.to_numpy(labels) == Y.astype(bool)
    Xb, Yb = bnn.to_backend(X, backend.xp, device=backend.device), bnn.to_backend(Y, backend.xp, device=backend.device)
    pb = {k: bnn.to_backend(v, backend.xp, device=backend.device) for k, v in p.items()}
    out = bnn.predict(Xb, Yb, pb)
    assert capsys.readouterr().out == f"Accuracy: {np.mean(hits[0, :])}\n"
    assert_on_backend(out, backend, dtype=backend.xp.int64)
    np.testing.assert_array_equal(bnn.to_numpy(out), bnn.to_numpy(labels).astype(np.int64))
    out = bnn.predict(X, Y, pb)  # host X and y with the parameters on the backend, as predict(parameters, X) takes X
    assert capsys.readouterr().out == f"Accuracy: {np.mean(hits[0, :])}\n"
    assert_on_backend(out, backend, dtype=backend.xp.int64)
    trained, _ = bnn.L_layer_model(X, Y, [2, 4, 1], 0.5, 200, activation="tanh")
    assert bnn.predict(X, Y, trained).shape == (1, 400)  # the network the Parameters carry, tanh
    assert capsys.readouterr().out == f"Accuracy: {bnn.accuracy(bnn.predict(trained, X), Y)}\n"
    # a sigmoid output of K units (independent labels): its 0/1 rows were cast to integers first and then
    # refused as "not one-hot"; they are compared as accuracy compares predict's bool rows
    Y2 = np.r_[Y, (X[0:1] > 0).astype(float)]
    multi, _ = bnn.nn_model(X, Y2, 4, 100, output="sigmoid")
    out = bnn.predict(X, Y2, multi)
    assert capsys.readouterr().out == f"Accuracy: {bnn.accuracy(bnn.predict(multi, X), Y2)}\n"
    np.testing.assert_array_equal(out, bnn.predict(multi, X).astype(np.int64))


def test_predict_dec_draws_the_notebooks_decision_boundary(backend):
    """The assignments plot with plot_decision_boundary(lambda x: predict_dec(parameters, x.T), X, Y):
    predict_dec is A_L > 0.5 of their network (relu hidden layers, a sigmoid output) for a plain dict, of
    the network Parameters carry otherwise; on the parameters' backend."""
    plt = pytest.importorskip("matplotlib.pyplot")
    X, Y = FLOWER
    p = bnn.initialize_parameters_deep([2, 6, 3, 1], seed=3, init="he")
    pb = backend.params(p)
    got = bnn.predict_dec(pb, backend.asarray(X))
    assert_on_backend(got, backend, dtype=backend.xp.bool)
    np.testing.assert_array_equal(bnn.to_numpy(got), bnn.to_numpy(bnn.predict(p, X, activation="relu")))
    trained, _ = bnn.L_layer_model(X, Y, [2, 4, 1], 0.5, 20, activation="tanh")
    np.testing.assert_array_equal(bnn.predict_dec(trained, X), bnn.predict(trained, X))
    from backend_nn.plotting import plot_decision_boundary

    fig = plot_decision_boundary(lambda x: bnn.predict_dec(pb, x.T), X, Y)  # the notebooks' own call
    assert len(fig.axes) == 1
    plt.close(fig)


@pytest.mark.parametrize("call, match", [
    (lambda p, X, Y: bnn.predict(p, X, Y), r"predict takes \(parameters, X\), or the course's \(X, y, parameters\); "
                                           r"got \(dict, ndarray, ndarray\)"),
    (lambda p, X, Y: bnn.predict(X, Y, p, p), r"got \(ndarray, ndarray, dict, dict\)"),
])
def test_predict_with_its_arguments_in_neither_order_is_an_error(call, match):
    p = bnn.initialize_parameters_deep([2, 3, 1])
    with pytest.raises(TypeError, match=match):
        call(p, *FLOWER)
    with pytest.raises(ValueError, match=r"predictions and Y must label the same m examples; got \(1, 400\) and \(1, 9\)"):
        bnn.predict(FLOWER[0], FLOWER[1][:, :9], p)


def test_the_front_doors_take_an_optimizer_batches_and_L2():
    """nn_model / L_layer_model / the classifier run the same epoch loop as model()."""
    X, Y = FLOWER
    ref, ref_costs = bnn.model(X, Y, [2, 5, 1], "adam", 0.01, 64, num_epochs=40, print_cost=False, lambd=0.2,
                               seed=2, init="random", cost_every=10)
    p, costs = bnn.nn_model(X, Y, 5, 40, learning_rate=0.01, activation="relu", optimizer="adam", batch_size=64,
                            lambd=0.2, cost_every=10)
    np.testing.assert_allclose(costs, ref_costs, rtol=1e-12)
    for k in ref:
        np.testing.assert_allclose(p[k], ref[k], rtol=1e-12, err_msg=k)
    q, _ = bnn.L_layer_model(X, Y, [2, 5, 1], 0.01, 40, optimizer="adam", batch_size=64, lambd=0.2, seed=2,
                             init="random", cost_every=10)
    for k in ref:
        np.testing.assert_allclose(q[k], ref[k], rtol=1e-12, err_msg=k)
    clf = bnn.NNClassifier(5, activation="relu", learning_rate=0.01, num_iterations=40, optimizer="adam",
                           batch_size=64, alpha=0.2).fit(X.T, Y.ravel())
    for k in ref:
        np.testing.assert_allclose(clf.parameters_[k], ref[k], rtol=1e-12, err_msg=k)
    full, _ = bnn.nn_model(X, Y, 4, 50, optimizer="momentum")  # full batch, momentum: still trains
    assert full.network.layer_dims == (2, 4, 1)
    with pytest.raises(ValueError, match=r"unknown optimizer 'sgd'"):
        bnn.nn_model(X, Y, 4, 5, optimizer="sgd")
    with pytest.raises(ValueError, match=r"batch_size must be a positive integer; got 0"):
        bnn.nn_model(X, Y, 4, 5, batch_size=0)


def test_the_front_doors_default_learning_rate_is_the_optimizers_own():
    """Without a learning_rate, nn_model and the classifier take the optimizer's: 1.2 for gd and momentum (the
    course's week 3), 0.001 for Adam. Gradient descent's 1.2 moved every Adam weight by about 1.2 a step: the digits'
    full-batch run ended at its start, 10% accurate, without a word."""
    import dataclasses

    from backend_nn.optimizers import Adam, Momentum, Optimizer, learning_rate_for

    # a class constant, not a field: Momentum(0.5) is beta 0.5, Adam's fields are the course's hyperparameters
    assert [f.name for f in dataclasses.fields(Momentum)] == ["beta"] and Momentum(0.5).beta == 0.5
    assert [f.name for f in dataclasses.fields(Adam)] == ["beta1", "beta2", "epsilon"]
    X, Y = FLOWER
    for optimizer, rate in [("gd", 1.2), ("momentum", 1.2), ("adam", 0.001)]:
        assert learning_rate_for(optimizer, None) == rate and learning_rate_for(optimizer, 0.3) == 0.3
        default, costs = bnn.nn_model(X, Y, 3, 20, optimizer=optimizer, batch_size=64, cost_every=5)
        given, given_costs = bnn.nn_model(X, Y, 3, 20, optimizer=optimizer, batch_size=64, cost_every=5,
                                          learning_rate=rate)
        np.testing.assert_array_equal(costs, given_costs)
        for k in given:
            np.testing.assert_array_equal(default[k], given[k], err_msg=f"{optimizer} {k}")
    clf = bnn.NNClassifier(3, num_iterations=20, optimizer="adam", batch_size=64)
    assert clf.get_params()["learning_rate"] is None  # scikit-learn's rule: __init__ stores what it is given
    clf.fit(X.T, Y.ravel())
    for k in given:
        np.testing.assert_array_equal(clf.parameters_[k], given[k], err_msg=k)

    class Mine(Optimizer):
        pass

    with pytest.raises(TypeError, match=r"learning_rate is None and the optimizer Mine has no default_learning_rate: "
                                        r"give learning_rate=, a number > 0\."):
        bnn.nn_model(X, Y, 3, 5, optimizer=Mine())
    with pytest.raises(ValueError, match=r"unknown optimizer 'adma'; expected 'gd', 'momentum' or 'adam'"):
        bnn.nn_model(X, Y, 3, 5, optimizer="adma")


def test_adam_by_default_learns_where_gradient_descents_rate_left_it_at_its_start():
    """The digits (300 of them), [64, 32, 16, 10] relu, full batch: Adam at 1.2 ends 10% accurate, its cost flat at
    2.30, without a warning; at its own default it learns."""
    pytest.importorskip("sklearn", reason="the digits ship with scikit-learn, which is not installed")
    Xd, Yd = bnn.load_dataset("digits")
    p, _ = bnn.nn_model(Xd[:, :300], Yd[:, :300], [32, 16], 300, activation="relu", optimizer="adam")
    assert bnn.accuracy(bnn.predict(p, Xd[:, :300]), Yd[:, :300]) > 0.9


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("size", [64, 100])  # a last, smaller batch (300 = 4 x 64 + 44), and none (3 x 100)
def test_the_compiled_jax_epoch_equals_the_eager_epochs(optimizer, size):
    """compile=True on JAX: the epoch as one jax.jit scan over the batches (the last, smaller one
    compiled once beside it), against NumPy's eager epochs: rtol 1e-9 on costs and parameters."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    jax.config.update("jax_enable_x64", True)
    X, labels = bnn.load_dataset("spiral")
    xp = bnn.get_namespace("jax")
    kw = dict(learning_rate=0.01, mini_batch_size=size, num_epochs=25, print_cost=False, cost_every=5, lambd=0.1,
              keep_prob=0.9, decay=bnn.update_lr, decay_rate=0.3)
    fast, fast_costs = bnn.model(bnn.to_backend(X, xp), bnn.to_backend(labels, xp), [2, 12, 8, 3], optimizer,
                                 compile=True, **kw)
    eager, eager_costs = bnn.model(X, labels, [2, 12, 8, 3], optimizer, **kw)
    np.testing.assert_allclose(fast_costs, eager_costs, rtol=1e-9)
    for k in eager:
        np.testing.assert_allclose(bnn.to_numpy(fast[k]), eager[k], rtol=1e-9, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_the_compiled_jax_epoch_compiles_once_per_run(optimizer, caplog):
    """The epoch's program and its last batch's are compiled once each, the first epoch's call taking its inputs
    as the later ones do: Adam's step count t, a Python int in the course's state, enters the first epoch placed
    as the parameters are. Before, it came in uncommitted and then committed (the first epoch's output), and
    the epoch compiled twice in every run (0.7 s more at the flower, on a CPU). Nothing else is compiled for an
    epoch: the learning rate's cast, the last batch's slices and the sum of its cost were eager operations of
    every epoch (the flower's Adam epoch 0.68-0.73 ms; inside the two programs, 0.22-0.34), and so were the
    shuffle's move and its two takes (a kept program for each, the permutation their argument: 0.45 -> 0.23 ms).
    The optimizer's zero state is one kept program too (it was a compilation per parameter shape), placed as the
    parameters are."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    from backend_nn.accelerate.jax_loop import clear_programs

    jax.config.update("jax_enable_x64", True)
    clear_programs()  # whatever an earlier test ran
    jax.clear_caches()  # and the eager operations' compilations
    X, Y = FLOWER  # 400 columns: 6 batches of 64 and one of 16
    with caplog.at_level(logging.WARNING), jax.log_compiles():
        parameters, costs = bnn.model(X, Y, [2, 4, 1], optimizer, 0.01, 64, num_epochs=4, print_cost=False,
                                      cost_every=1, backend="jax")
    compiled = [r.getMessage().split(" with ")[0] for r in caplog.records]
    assert compiled.count("Compiling jit(full_batches)") == 1, compiled
    assert compiled.count("Compiling jit(last_batch)") == 1, compiled
    assert not {"Compiling jit(dynamic_slice)", "Compiling jit(add)", "Compiling jit(_take)"} & set(compiled), compiled
    assert compiled.count("Compiling jit(take_columns)") == 2, compiled  # X's shape and Y's
    assert compiled.count("Compiling jit(_zeros_like)") == 1, compiled
    assert len(costs) == 4 and parameters.training_state["epochs"] == 4
    # the next run of the same network, optimizer and batches compiles nothing (each run compiled both anew:
    # 0.64 s of a 0.86 s run of 2 epochs at the mid size); another learning rate is an argument, not a program
    caplog.clear()
    with caplog.at_level(logging.WARNING), jax.log_compiles():
        again, costs_again = bnn.model(X, Y, [2, 4, 1], optimizer, 0.01, 64, num_epochs=4, print_cost=False,
                                       cost_every=1, backend="jax")
        bnn.model(X, Y, [2, 4, 1], optimizer, 0.02, 64, num_epochs=2, print_cost=False, backend="jax")
    compiled = [r.getMessage().split(" with ")[0] for r in caplog.records]
    assert not [c for c in compiled if any(k in c for k in ("full_batches", "last_batch", "take", "zeros"))], compiled
    assert costs_again == costs
    for k in parameters:
        np.testing.assert_array_equal(to_numpy(again[k]), to_numpy(parameters[k]))


def test_a_users_activation_is_traced_in_every_run_not_kept():
    """The library's programs are kept between runs, but not one with an activation of the user's: a global it
    reads may change between runs (a slope tried in a loop), which a program traced once would not see. Each
    run follows its slope on JAX as on NumPy, full batch and epochs, and so does each prediction."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    jax.config.update("jax_enable_x64", True)
    X, Y = FLOWER
    slope = {"value": 0.5}

    def leaky(Z, xp):
        return xp.where(Z > 0, Z, slope["value"] * Z)

    def leaky_grad(Z, A, xp):
        return xp.where(Z > 0, xp.ones_like(Z), slope["value"] * xp.ones_like(Z))

    g = bnn.Activation("my_leaky", leaky, leaky_grad)
    for value in (0.5, 0.1):
        slope["value"] = value
        for train in (partial(bnn.L_layer_model, X, Y, [2, 4, 1], num_iterations=300, activation=g),
                      partial(bnn.model, X, Y, [2, 4, 1], "adam", num_epochs=3, activation=g, print_cost=False)):
            _, on_jax = train(backend="jax")
            _, on_numpy = train(backend="numpy")
            np.testing.assert_allclose(np.asarray(on_jax, dtype=float), np.asarray(on_numpy, dtype=float), rtol=1e-9)
    # prediction too: its forward pass is a program kept per network, but not this one's
    p, _ = bnn.L_layer_model(X, Y, [2, 4, 1], num_iterations=300, activation=g, backend="jax")
    for value in (0.5, 0.1):
        slope["value"] = value
        np.testing.assert_allclose(bnn.to_numpy(bnn.predict_output(p, X)),
                                   bnn.predict_output(bnn.to_numpy(p), X), rtol=1e-12)


def test_training_resumes_from_a_saved_model(tmp_path, backend):
    """10 epochs, saved with their training state, loaded and resumed for 10 more, equal 20 epochs
    straight: the weights, Adam's v, s and t, and the epoch count (the shuffles go on) carry on."""
    X, Y = FLOWER
    straight, c20 = bnn.model(backend.asarray(X), backend.asarray(Y), [2, 5, 1], "adam", 0.01, 64, num_epochs=20,
                              print_cost=False, cost_every=1)
    first, c10 = bnn.model(backend.asarray(X), backend.asarray(Y), [2, 5, 1], "adam", 0.01, 64, num_epochs=10,
                           print_cost=False, cost_every=1)
    path = bnn.save_model(tmp_path / "half.npz", first, with_training_state=True)
    loaded = bnn.load_model(path, backend=backend.xp, device=backend.device)
    assert loaded.training_state["optimizer"] == "adam" and loaded.training_state["epochs"] == 10
    assert loaded.training_state["t"] == 10 * 7
    assert list(loaded.training_state) == list(first.training_state) == ["optimizer", "epochs", "v", "s", "t"]
    before = {k: bnn.to_numpy(v).copy() for k, v in loaded.items()}
    state_before = {f"{part}{d}": bnn.to_numpy(a).copy() for part in ("v", "s")
                    for d, a in loaded.training_state[part].items()}
    for compile in ("auto", False):  # the default path, and the eager epochs that update in place
        rest, c_rest = bnn.model(backend.asarray(X), backend.asarray(Y), [2, 5, 1], "adam", 0.01, 64, num_epochs=10,
                                 print_cost=False, cost_every=1, parameters=loaded, compile=compile)
        np.testing.assert_allclose(c10 + c_rest, c20, rtol=1e-12)
        for k in straight:
            assert_close(rest[k], bnn.to_numpy(straight[k]), backend, rtol=1e-12, atol=1e-15)
        for k in before:  # the parameters and the state resumed from are the caller's: never written
            np.testing.assert_array_equal(bnn.to_numpy(loaded[k]), before[k])
        for part in ("v", "s"):
            for d, a in loaded.training_state[part].items():
                np.testing.assert_array_equal(bnn.to_numpy(a), state_before[f"{part}{d}"])
    assert "train_v_dW1" not in np.load(bnn.save_model(tmp_path / "plain.npz", first)).files  # only when asked
    with pytest.raises(ValueError, match=r"trained with 'adam'; resume them with that optimizer, not 'momentum'.*"
                                         r"p = parameters.copy\(\); p.training_state = None"):
        bnn.model(X, Y, [2, 5, 1], "momentum", num_epochs=1, print_cost=False, parameters=bnn.load_model(path))
    fresh = bnn.load_model(path).copy()  # the error's recipe: momentum from the weights, its state from zeros
    fresh.training_state = None
    p_m, _ = bnn.model(X, Y, [2, 5, 1], "momentum", num_epochs=1, print_cost=False, parameters=fresh)
    assert p_m.training_state["optimizer"] == "momentum" and p_m.training_state["epochs"] == 1
    assert bnn.load_model(path).training_state["optimizer"] == "adam"
    with pytest.raises(ValueError, match=r"describe the network \[2, 5, 1\]"):
        bnn.model(X, Y, [2, 6, 1], "adam", num_epochs=1, print_cost=False, parameters=bnn.load_model(path))
    # Parameters are a dict, and can be edited: arrays that no longer are their network's trained on, under the
    # network's description ([2, 6, 1] arrays came back labelled [2, 5, 1]); NaN weights ended with "training
    # diverged ... Try a smaller learning_rate" at epoch 1
    edited = bnn.load_model(path) | {"W1": np.zeros((6, 2)), "b1": np.zeros((6, 1)), "W2": np.zeros((1, 6))}
    with pytest.raises(ValueError, match=r"^the parameters' layer sizes \[2, 6, 1\] are not their network's \[2, 5, 1\]\.$"):
        bnn.model(X, Y, [2, 5, 1], "adam", num_epochs=1, print_cost=False, parameters=edited)
    with pytest.raises(ValueError, match=r"^parameters\['b2'\] must be finite; it holds 1 NaN or inf value\(s\)\.$"):
        bnn.model(X, Y, [2, 5, 1], "adam", num_epochs=1, print_cost=False,
                  parameters=bnn.load_model(path) | {"b2": np.array([[np.nan]])})
    # the initialization's options at their defaults, given explicitly, are what a resumed run takes anyway
    explicit, _ = bnn.model(X, Y, [2, 5, 1], "adam", 0.01, 64, num_epochs=10, print_cost=False, cost_every=1,
                            parameters=bnn.load_model(path), seed=3, init=None, init_scale=None)
    for k in straight:
        np.testing.assert_allclose(explicit[k], bnn.to_numpy(straight[k]), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("decay", ["update_lr", "schedule_lr_decay"])
def test_a_resumed_run_goes_on_with_the_decay_schedule_and_the_epoch_numbers(capsys, decay):
    """With learning-rate decay, 1200 + 1300 epochs equal 2500 straight: the resumed run trains its first epoch at
    decay(learning_rate, 1199), not at learning_rate again, and prints the epochs by their numbers since the start
    (its cost lines at 2000, its learning-rate lines at 2000, as the straight run prints them)."""
    X, Y = FLOWER
    kw = dict(learning_rate=0.1, mini_batch_size=128, decay=decay, decay_rate=0.3, progress=False)
    if decay == "schedule_lr_decay":  # its time_interval (1000) falls inside the first run
        kw["decay_rate"] = 1.0
    straight, c_all = bnn.model(X, Y, [2, 5, 1], "gd", num_epochs=2500, print_cost=True, **kw)
    lines_all = capsys.readouterr().out.splitlines()
    first, c_first = bnn.model(X, Y, [2, 5, 1], "gd", num_epochs=1200, print_cost=True, **kw)
    lines_first = capsys.readouterr().out.splitlines()
    rest, c_rest = bnn.model(X, Y, [2, 5, 1], "gd", num_epochs=1300, print_cost=True, parameters=first, **kw)
    lines_rest = capsys.readouterr().out.splitlines()
    for k in straight:
        np.testing.assert_array_equal(rest[k], straight[k])
    assert c_first + c_rest == c_all  # 1200 is a multiple of cost_every (100): the records line up
    assert lines_first + lines_rest == lines_all
    assert [line for line in lines_rest if line.startswith("Cost")] == ["Cost after epoch 2000: " + f"{c_all[20]:f}"]
    assert any(line.startswith("learning rate after epoch 2000: ") for line in lines_rest)


def test_the_run_says_its_batches_and_a_batch_of_all_the_examples_is_full_batch(caplog):
    """The log line and the progress bar name the batches: batches of 64, or full batch where one batch holds
    every example (mini_batch_size 400 or more of the flower's 400), as without mini_batch_size."""
    X, Y = FLOWER
    said = []
    for size in (64, 399, 400, 1000):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="backend_nn"):
            bnn.model(X, Y, [2, 3, 1], "adam", mini_batch_size=size, num_epochs=1, print_cost=False, progress=False)
        said.append(re.search(r"adam, (.*):", caplog.text).group(1))
    assert said == ["batches of 64", "batches of 399", "full batch", "full batch"]


@pytest.mark.parametrize("optimizer, regularization", [("adam", dict(lambd=0.1)), ("adam", dict(keep_prob=0.8)),
                                                        ("momentum", {}), ("gd", {})])
def test_torch_compiled_mini_batch_steps_equal_the_eager_epochs(optimizer, regularization):
    """compile=True on PyTorch: torch.compile of the optimizer step, one graph per batch width
    (300 = 4 x 64 + 44: two), against NumPy's eager epochs, rtol 1e-9; Adam with L2 and with dropout (the
    same host masks in both runs: a compiled step that dropped none would be 0.04 away in cost), and the
    optimizers whose state has no step count t."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    X, labels = bnn.load_dataset("spiral")
    xp = bnn.get_namespace("torch")
    kw = dict(learning_rate=0.01, mini_batch_size=64, num_epochs=6, print_cost=False, cost_every=2, **regularization)
    fast, fast_costs = bnn.model(bnn.to_backend(X, xp), bnn.to_backend(labels, xp), [2, 12, 3], optimizer,
                                 compile=True, **kw)
    eager, eager_costs = bnn.model(X, labels, [2, 12, 3], optimizer, **kw)
    np.testing.assert_allclose(fast_costs, eager_costs, rtol=1e-9)
    for k in eager:
        assert isinstance(fast[k], torch.Tensor)
        np.testing.assert_allclose(bnn.to_numpy(fast[k]), eager[k], rtol=1e-9, atol=1e-12, err_msg=k)


def test_a_batch_without_its_dropout_masks_is_an_error_not_a_batch_without_dropout():
    from backend_nn.regularization import Dropout, dropout_for, dropout_masks

    masks = {64: Dropout(0.8, dropout_masks([2, 5, 1], 64, 0.8, xp=np, dtype=np.float64))}
    assert dropout_for(None, 64) is None and dropout_for({}, 7) is None
    assert dropout_for(masks, 64) is masks[64]
    with pytest.raises(RuntimeError, match=r"no dropout masks for a batch of 50 columns \(masks were made for "
                                           r"widths \[64\]\)"):
        dropout_for(masks, 50)


# --- the regularization assignment's functions -----------------------------------------------------------------
def _course_reg_forward(X, p):
    """The assignment's forward_propagation (reg_utils): relu, relu, sigmoid, a tuple cache."""
    Z1 = np.dot(p["W1"], X) + p["b1"]
    A1 = np.maximum(0, Z1)
    Z2 = np.dot(p["W2"], A1) + p["b2"]
    A2 = np.maximum(0, Z2)
    Z3 = np.dot(p["W3"], A2) + p["b3"]
    A3 = 1 / (1 + np.exp(-Z3))
    return A3, (Z1, A1, p["W1"], p["b1"], Z2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


def _course_backward_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T) + (lambd * W3) / m
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) + (lambd * W2) / m
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T) + (lambd * W1) / m
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
            "dZ1": dZ1, "dW1": dW1, "db1": db1}


def _course_forward_with_dropout(X, p, keep_prob):
    np.random.seed(1)
    Z1 = np.dot(p["W1"], X) + p["b1"]
    A1 = np.maximum(0, Z1)
    D1 = (np.random.rand(A1.shape[0], A1.shape[1]) < keep_prob).astype(int)
    A1 = A1 * D1 / keep_prob
    Z2 = np.dot(p["W2"], A1) + p["b2"]
    A2 = np.maximum(0, Z2)
    D2 = (np.random.rand(A2.shape[0], A2.shape[1]) < keep_prob).astype(int)
    A2 = A2 * D2 / keep_prob
    Z3 = np.dot(p["W3"], A2) + p["b3"]
    A3 = 1 / (1 + np.exp(-Z3))
    return A3, (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


def _course_backward_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3) * D2 / keep_prob
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2) * D1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
            "dZ1": dZ1, "dW1": dW1, "db1": db1}


def _reg_test_case():
    """The assignment's test case: seed 1, X (3, 5), W1 (2, 3), b1, W2 (3, 2), b2, W3 (1, 3), b3, drawn in order."""
    np.random.seed(1)
    X = np.random.randn(3, 5)
    p = {}
    for k, shape in [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 2)), ("b2", (3, 1)), ("W3", (1, 3)), ("b3", (1, 1))]:
        p[k] = np.random.randn(*shape)
    return X, np.array([[1.0, 1.0, 0.0, 1.0, 0.0]]), p


def test_the_regularization_assignments_published_numbers():
    X, Y, p = _reg_test_case()
    A3, cache = bnn.forward_propagation_with_dropout(X, p, keep_prob=0.7)
    # the notebook prints A3 = [[0.36974721 0.00305176 0.04565099 0.49683389 0.36974721]]
    np.testing.assert_allclose(A3, [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]], atol=5e-9)
    # the course's signature keeps half the units by default: forward_propagation_with_dropout(X, parameters,
    # keep_prob = 0.5)
    half, _ = bnn.forward_propagation_with_dropout(X, p, keep_prob=0.5)
    np.testing.assert_array_equal(bnn.forward_propagation_with_dropout(X, p)[0], half)
    assert not np.allclose(half, A3)
    np.random.seed(1)
    Y = np.array([[1, 1, 0, 1, 0]])
    p = {k: np.random.randn(*s) for k, s in [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 2)), ("b2", (3, 1)),
                                             ("W3", (1, 3)), ("b3", (1, 1))]}
    a3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    cost = bnn.compute_cost_with_regularization(a3, Y, p, lambd=0.1)
    assert cost == pytest.approx(1.78648594516, abs=5e-12)  # the notebook's cost
    # the course's type, np.float64 (its check reads cost.shape, ()); a float all the same
    assert type(cost) is np.float64 and cost.shape == () and isinstance(cost, float)


def _assignment_cache(*rows):
    return tuple(np.array(r) for r in rows)


def test_the_regularization_assignments_published_gradients():
    """The assignment's backward test cases, their caches as it writes them out (X from seed 1), and the
    gradients its notebook prints: with L2 (lambd = 0.7) and with dropout (keep_prob = 0.8, its masks
    given as bool arrays)."""
    np.random.seed(1)
    X, Y = np.random.randn(3, 5), np.array([[1, 1, 0, 1, 0]])
    W1, b1 = [[-1.09989127, -0.17242821, -0.87785842], [0.04221375, 0.58281521, -1.10061918]], [[1.14472371], [0.90159072]]
    W2 = [[0.50249434, 0.90085595], [-0.68372786, -0.12289023], [-0.93576943, -0.26788808]]
    b2, W3, b3 = [[0.53035547], [-0.69166075], [-0.39675353]], [[-0.6871727, -0.84520564, -0.67124613]], [[-0.0126646]]
    Z1 = [[-1.52855314, 3.32524635, 2.13994541, 2.60700654, -0.75942115],
          [-1.98043538, 4.1600994, 0.79051021, 1.46493512, -0.45506242]]
    cache = _assignment_cache(
        Z1, [[0., 3.32524635, 2.13994541, 2.60700654, 0.], [0., 4.1600994, 0.79051021, 1.46493512, 0.]], W1, b1,
        [[0.53035547, 5.94892323, 2.31780174, 3.16005701, 0.53035547],
         [-0.69166075, -3.47645987, -2.25194702, -2.65416996, -0.69166075],
         [-0.39675353, -4.62285846, -2.61101729, -3.22874921, -0.39675353]],
        [[0.53035547, 5.94892323, 2.31780174, 3.16005701, 0.53035547], [0.] * 5, [0.] * 5], W2, b2,
        [[-0.3771104, -4.10060224, -1.60539468, -2.18416951, -0.3771104]],
        [[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]], W3, b3)
    grads = bnn.backward_propagation_with_regularization(X, Y, cache, lambd=0.7)
    np.testing.assert_allclose(grads["dW1"], [[-0.25604646, 0.12298827, -0.28297129],
                                              [-0.17706303, 0.34536094, -0.4410571]], atol=5e-9)
    np.testing.assert_allclose(grads["dW2"], [[0.79276486, 0.85133918], [-0.0957219, -0.01720463],
                                              [-0.13100772, -0.03750433]], atol=5e-9)
    np.testing.assert_allclose(grads["dW3"], [[-1.77691347, -0.11832879, -0.09397446]], atol=5e-9)

    cache = _assignment_cache(
        Z1, [[True, False, True, True, True], [True, True, True, True, False]],
        [[0., 0., 4.27989081, 5.21401307, 0.], [0., 8.32019881, 1.58102041, 2.92987024, 0.]], W1, b1,
        [[0.53035547, 8.02565606, 4.10524802, 5.78975856, 0.53035547],
         [-0.69166075, -1.71413186, -3.81223329, -4.61667916, -0.69166075],
         [-0.39675353, -2.62563561, -4.82528105, -6.0607449, -0.39675353]],
        [[True, False, True, False, True], [False, True, False, True, True], [False, False, True, False, False]],
        [[1.06071093, 0., 8.21049603, 0., 1.06071093], [0.] * 5, [0.] * 5], W2, b2,
        [[-0.7415562, -0.0126646, -5.65469333, -0.0126646, -0.7415562]],
        [[0.32266394, 0.49683389, 0.00348883, 0.49683389, 0.32266394]], W3, b3)
    grads = bnn.backward_propagation_with_dropout(X, Y, cache, keep_prob=0.8)
    np.testing.assert_allclose(grads["dA1"], [[0.36544439, 0., -0.00188233, 0., -0.17408748],
                                              [0.65515713, 0., -0.00337459, 0., -0.]], atol=5e-9)
    np.testing.assert_allclose(grads["dA2"], [[0.58180856, 0., -0.00299679, 0., -0.27715731],
                                              [0., 0.53159854, -0., 0.53159854, -0.34089673],
                                              [0., 0., -0.00292733, 0., -0.]], atol=5e-9)


def test_the_regularization_assignments_functions_on_every_backend(backend):
    """Each function against the assignment's own code: the same cache layout, the same keys in the same
    order, the values to round-off, and on NumPy to the last bit: the same operations in the same order
    (1./m * np.dot(...) + (lambd * W) / m, (1/m)*(lambd/2)*sum, the masks applied in two steps)."""
    rng = np.random.RandomState(4)
    X, Y = rng.randn(3, 12), (rng.rand(1, 12) > 0.5) * 1.0
    p = bnn.initialize_parameters_deep([3, 5, 4, 1], seed=3, init="he")
    Xb, Yb, pb = backend.asarray(X), backend.asarray(Y), backend.params(p)
    tol = dict(rtol=0, atol=0) if backend.name == "numpy" else dict(rtol=1e-12, atol=1e-15)

    A3, cache = _course_reg_forward(X, p)
    ref = _course_backward_with_regularization(X, Y, cache, 0.7)
    got = bnn.backward_propagation_with_regularization(Xb, Yb, tuple(backend.asarray(c) for c in cache), 0.7)
    assert list(got) == list(ref)
    for k in ref:
        assert_close(got[k], ref[k], backend, **tol)
    course_cost = (1. / 12 * np.nansum(np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y))
                   + (1 / 12) * (0.7 / 2) * sum(np.sum(np.square(p[f"W{l}"])) for l in (1, 2, 3)))
    cost = bnn.compute_cost_with_regularization(backend.asarray(A3), Yb, pb, 0.7)
    assert cost == course_cost if backend.name == "numpy" else cost == pytest.approx(course_cost, rel=1e-13)

    A3, cache = _course_forward_with_dropout(X, p, 0.8)
    A3_b, cache_b = bnn.forward_propagation_with_dropout(Xb, pb, 0.8)
    assert_close(A3_b, A3, backend, **tol)
    assert len(cache_b) == len(cache) == 14
    for c_b, c in zip(cache_b, cache):
        assert_close(c_b, c, backend, **tol)
    ref = _course_backward_with_dropout(X, Y, cache, 0.8)
    got = bnn.backward_propagation_with_dropout(Xb, Yb, cache_b, 0.8)
    assert list(got) == list(ref)
    for k in ref:
        assert_close(got[k], ref[k], backend, **tol)


def test_the_regularization_functions_take_any_depth_and_check_their_input():
    X, Y, p = _gc_problem(3, [3, 6, 5, 4, 1], "sigmoid")
    AL, cache = bnn.forward_propagation_with_dropout(X, p, keep_prob=0.9)
    assert len(cache) == 5 * 4 - 1  # (Z, D, A, W, b) for 3 hidden layers, (Z, A, W, b) for the output
    grads = bnn.backward_propagation_with_dropout(X, Y, cache, 0.9)
    assert list(grads)[:4] == ["dZ4", "dW4", "db4", "dA3"] and list(grads)[-3:] == ["dZ1", "dW1", "db1"]
    # without dropout, they are backpropagation's gradients (which a gradient check holds to J)
    AL, caches = bnn.L_model_forward(X, p)
    flat = tuple(x for l, ((A_prev, W, b), Z) in enumerate(caches, start=1)
                 for x in (Z, caches[l][0][0] if l < 4 else AL, W, b))
    with_l2 = bnn.backward_propagation_with_regularization(X, Y, flat, 0.3)
    assert bnn.gradient_check_n(p, with_l2, X, Y, lambd=0.3) < 2e-7
    with pytest.raises(TypeError, match=r"cache must be the tuple \(Z1, A1, W1, b1, \.\.\., ZL, AL, WL, bL\) from "
                                        r"forward_propagation_n \(the assignments' forward_propagation\); got a tuple of 5"):
        bnn.backward_propagation_with_regularization(X, Y, flat[:5], 0.3)
    with pytest.raises(TypeError, match=r"cache must be the tuple \(Z1, D1, A1, W1, b1, .*; got dict"):
        bnn.backward_propagation_with_dropout(X, Y, {"Z1": 1}, 0.9)
    # one backward pass handed the other's cache says so (at 24 entries both lengths fit: the shapes then say it)
    with pytest.raises(TypeError, match=r"got a tuple of 19, the length of forward_propagation_with_dropout's cache .*: "
                                        r"backward_propagation_with_dropout reads it\.$"):
        bnn.backward_propagation_with_regularization(X, Y, cache, 0.3)
    with pytest.raises(TypeError, match=r"got a tuple of 16, the length of a cache without masks .*: "
                                        r"backward_propagation_n and backward_propagation_with_regularization read it\.$"):
        bnn.backward_propagation_with_dropout(X, Y, flat, 0.9)
    X5, Y5, p5 = _gc_problem(3, [3, 6, 5, 4, 4, 1], "sigmoid")
    _, cache5 = bnn.forward_propagation_with_dropout(X5, p5, keep_prob=0.9)
    with pytest.raises(ValueError, match=r"The cache is a tuple of 24, the length of forward_propagation_with_dropout's"):
        bnn.backward_propagation_with_regularization(X5, Y5, cache5, 0.3)
    with pytest.raises(ValueError, match=r"keep_prob must be in \(0, 1\]"):
        bnn.forward_propagation_with_dropout(X, p, keep_prob=0)
    with pytest.raises(ValueError, match=r"lambd must be a finite number >= 0; got -1.0"):
        bnn.compute_cost_with_regularization(AL, Y, p, -1)
    with pytest.raises(ValueError, match=r"X must have shape \(n_x, m\) = \(3, m\)"):
        bnn.backward_propagation_with_regularization(X[:2], Y, flat, 0.3)


def test_the_one_dimensional_gradient_check_of_the_assignment(capsys):
    """gradient_check(x, theta): J = theta x against its derivative x, as the assignment's warm-up; the
    notebook prints difference = 7.814075313343006e-11 for x = 3, theta = 4."""
    assert bnn.gradient_check(3, 4, print_msg=True) == 7.814075313343006e-11
    assert "Your backward propagation works perfectly fine! difference = 7.814075313343006e-11" in capsys.readouterr().out
    assert bnn.gradient_check(np.float32(-2.5), 0.3, epsilon=1e-6) < 2e-7
    with pytest.raises(TypeError, match=r"x must be a real number .*; got ndarray"):
        bnn.gradient_check(np.array([1.0, 2.0]), 0.5)  # a vector theta x would be checked as one number
    with pytest.raises(TypeError, match=r"theta must be a real number .*; got str '4'"):
        bnn.gradient_check(3, "4")
    with pytest.raises(ValueError, match=r"theta must be finite; got nan"):
        bnn.gradient_check(3, float("nan"))


def test_the_one_dimensional_forward_and_backward_propagation_by_their_notebook_names():
    """The gradient-checking notebook calls its one-dimensional J = theta x forward_propagation(x,
    theta) and its derivative backward_propagation(x, theta), week 3's names: given two numbers,
    those names are these (the notebook checks 8 and 2 for x = 2, theta = 4, then 2.919335883291695e-10)."""
    assert bnn.forward_propagation(2, 4) == 8 and bnn.backward_propagation(2, 4) == 2
    assert bnn.forward_propagation(np.float64(-1.5), 2) == -3.0
    assert bnn.gradient_check(2, 4) == 2.919335883291695e-10
    with pytest.raises(TypeError, match=r"takes \(parameters, cache, X, Y\), .* given two arguments"):
        bnn.backward_propagation(bnn.initialize_parameters(2, 4, 1), {})
    with pytest.raises(TypeError, match=r"parameters must be a dict"):  # an array and a number: week 3's, refused
        bnn.forward_propagation(np.ones((2, 3)), 4)
    with pytest.raises(TypeError, match=r"parameters must be a dict"):
        bnn.forward_propagation(2, True)


# --- course 2 week 1's two models: bnn.model without layers_dims and optimizer ---------------------------
def _course_xavier(layers_dims):  # the regularization assignment's initialize_parameters
    rng = np.random.RandomState(3)
    return {k: v for l in range(1, len(layers_dims)) for k, v in
            ((f"W{l}", rng.randn(layers_dims[l], layers_dims[l - 1]) / np.sqrt(layers_dims[l - 1])),
             (f"b{l}", np.zeros((layers_dims[l], 1))))}


def _course_week1_model(X, Y, p, learning_rate, num_iterations, lambd=0.0, keep_prob=1.0, init_utils=False):
    """The two assignments' loop: full-batch gradient descent through their tuple-cache functions, the
    cost as their compute_loss / compute_cost writes it (np.nansum of the log form), kept every 1000.
    ``init_utils``: the initialization assignment's backward_propagation (the 1/m in dz3), else the
    regularization assignment's (the 1/m in each dW and db)."""
    p, costs, m = dict(p), [], X.shape[1]
    for i in range(num_iterations):
        with np.errstate(over="ignore"):  # exp(-Z3) of the 'random' initialization's Z3 of -1e3 and below
            if init_utils:
                a3, cache = _course_reg_forward(X, p)  # init_utils' forward_propagation is the same
                grads = _course_init_backward(X, Y, cache)
            else:
                a3, grads = _course_week1_step(X, Y, p, lambd, keep_prob)
        with np.errstate(divide="ignore", invalid="ignore"):
            cost = 1. / m * np.nansum(np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y))
        cost += lambd / (2 * m) * sum(np.sum(np.square(p[f"W{l}"])) for l in (1, 2, 3))
        p = {k: v - learning_rate * grads["d" + k] for k, v in p.items()}
        if i % 1000 == 0:
            costs.append(cost)
    return p, costs


def _course_week1_step(X, Y, p, lambd, keep_prob):
    if keep_prob < 1:
        a3, cache = _course_forward_with_dropout(X, p, keep_prob)
        return a3, _course_backward_with_dropout(X, Y, cache, keep_prob)
    a3, cache = _course_reg_forward(X, p)
    return a3, _course_backward_with_regularization(X, Y, cache, lambd)


def _course_init_backward(X, Y, cache):
    """init_utils.backward_propagation (and opt_utils'): the 1/m taken once, in dz3."""
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache
    dz3 = 1. / m * (a3 - Y)
    dW3 = np.dot(dz3, a2.T)
    db3 = np.sum(dz3, axis=1, keepdims=True)
    da2 = np.dot(W3.T, dz3)
    dz2 = np.multiply(da2, np.int64(a2 > 0))
    dW2 = np.dot(dz2, a1.T)
    db2 = np.sum(dz2, axis=1, keepdims=True)
    da1 = np.dot(W2.T, dz2)
    dz1 = np.multiply(da1, np.int64(a1 > 0))
    dW1 = np.dot(dz1, X.T)
    db1 = np.sum(dz1, axis=1, keepdims=True)
    return {"dz3": dz3, "dW3": dW3, "db3": db3, "da2": da2, "dz2": dz2, "dW2": dW2, "db2": db2, "da1": da1,
            "dz1": dz1, "dW1": dW1, "db1": db1}


CIRCLES = bnn.load_dataset("noisy_circles", m=300)


def test_the_gradients_of_course_2s_models_are_rounded_as_init_utils_rounds_them(backend):
    """The initialization and optimization assignments' backward_propagation takes the 1/m once, in
    dz3 = 1./m * (a3 - Y); weeks 3 and 4 and the regularization assignment take it in each dW and db.
    The same gradients, rounded differently: backward_pass(mean_in_dZ=True) is init_utils' to the last bit
    on NumPy (and within round-off elsewhere), and differs from the week-4 order in some last bit."""
    from backend_nn.propagation import backward_pass, forward_pass

    X, Y = CIRCLES
    p = _course_random([2, 10, 5, 1])
    with np.errstate(over="ignore"):
        _, cache = _course_reg_forward(X, p)
    ref = _course_init_backward(X, Y, cache)
    net = bnn.Network.build([2, 10, 5, 1], "relu")
    xp = backend.xp
    AL, caches = forward_pass(backend.asarray(X), backend.params(p), net=net, xp=xp)
    got = backward_pass(AL, backend.asarray(Y), caches, net=net, xp=xp, mean_in_dZ=True)
    week4 = backward_pass(AL, backend.asarray(Y), caches, net=net, xp=xp)
    for k in got:
        assert_close(got[k], ref[k], backend, rtol=1e-12, atol=1e-15)
        assert_close(week4[k], ref[k], backend, rtol=1e-12, atol=1e-15)
        if backend.name == "numpy":
            np.testing.assert_array_equal(got[k], ref[k], err_msg=k)
    if backend.name == "numpy":
        assert any(not np.array_equal(week4[k], ref[k]) for k in ref if k in week4)


@pytest.mark.parametrize("compile", ["auto", False])
def test_the_chaotic_random_initialization_is_the_courses_to_the_last_bit_on_numpy(compile):
    """With W x 10 one ulp of dW3 becomes a different run (0.06 in the parameters after 1000 iterations,
    0.62293 against 0.62479 at iteration 1000 before the gradients were rounded as init_utils rounds them).
    On NumPy the model is now the assignment's own loop, bit for bit, on its default path (the recorded
    step replayed) and eagerly."""
    X, Y = CIRCLES
    ref, ref_costs = _course_week1_model(X, Y, _course_random([2, 10, 5, 1]), 0.01, 2001, init_utils=True)
    p, costs = bnn.model(X, Y, initialization="random", num_iterations=2001, print_cost=False, compile=compile)
    for k, v in ref.items():
        np.testing.assert_array_equal(p[k], v, err_msg=k)
    np.testing.assert_allclose(costs[1:], ref_costs[1:], rtol=1e-12)


@pytest.mark.parametrize("initialization, course_init", [("zeros", _course_zeros), ("random", _course_random),
                                                         ("he", _course_he)])
def test_the_initialization_assignments_model_on_every_backend(backend, initialization, course_init):
    """model(X, Y, initialization=...): [n_x, 10, 5, 1], learning_rate 0.01. 'random' (W x 10) is chaotic: a
    change of one ulp in dW3 moves the parameters by 0.06 after 1000 iterations, so on every backend (whose
    matrix products round as they do) it is held to the course step by step over the first 40 only."""
    X, Y = CIRCLES
    n = 40 if initialization == "random" else 300
    ref, ref_costs = _course_week1_model(X, Y, course_init([2, 10, 5, 1]), 0.01, n, init_utils=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        p, costs = bnn.model(backend.asarray(X), backend.asarray(Y), initialization=initialization, num_iterations=n,
                             print_cost=False)
    # x10 after 40 of the assignment's 15,000 iterations: still far above log K (27.7), and told so
    far = initialization == "random"
    assert [x.category for x in w] == [bnn.ConvergenceWarning] * far, [str(x.message) for x in w]
    assert all(", far above the log K (0.69 for two classes) a network starts near," in str(x.message) for x in w)
    assert p.network == bnn.Network.build([2, 10, 5, 1], "relu")
    for k, v in ref.items():
        assert_close(p[k], v, backend, rtol=1e-9, atol=1e-12)
    if initialization == "random":  # the course's log(1 - a3) overflows; the cost from the logits does not
        assert ref_costs[0] == np.inf and 10 < costs[0] < np.inf
    else:
        np.testing.assert_allclose(costs, ref_costs, rtol=1e-12)


@pytest.mark.parametrize("kw", [{}, {"lambd": 0.7}, {"keep_prob": 0.86}])
def test_the_regularization_assignments_model_on_every_backend(backend, kw):
    """model(X, Y, lambd=..., keep_prob=...): [n_x, 20, 3, 1], RandomState(3) randn / sqrt(n_{l-1}),
    learning_rate 0.3, the course's dropout masks."""
    X, Y = FLOWER[0][:, ::2], FLOWER[1][:, ::2]
    ref, _ = _course_week1_model(X, Y, _course_xavier([2, 20, 3, 1]), 0.3, 200, **kw)
    p, _ = bnn.model(backend.asarray(X), backend.asarray(Y), num_iterations=200, print_cost=False, **kw)
    for k, v in ref.items():
        assert_close(p[k], v, backend, rtol=1e-9, atol=1e-12)


def test_the_week1_models_costs_and_prints_are_the_assignments(capsys):
    """The initialization model records and prints every 1000 iterations; the regularization model records
    every 1000 and prints every 10000, in the assignments' format."""
    X, Y = CIRCLES
    ref, ref_costs = _course_week1_model(X, Y, _course_he([2, 10, 5, 1]), 0.01, 2001, init_utils=True)
    p, costs = bnn.model(X, Y, initialization="he", num_iterations=2001)
    np.testing.assert_allclose(costs, ref_costs, rtol=1e-12)
    assert capsys.readouterr().out.splitlines() == [f"Cost after iteration {i}: {c}" for i, c in zip((0, 1000, 2000),
                                                                                                      costs)]
    X, Y = FLOWER
    ref, ref_costs = _course_week1_model(X, Y, _course_xavier([2, 20, 3, 1]), 0.3, 10001, lambd=0.1)
    p, costs = bnn.model(X, Y, num_iterations=10001, lambd=0.1)
    assert len(costs) == 11
    np.testing.assert_allclose(costs, ref_costs, rtol=1e-9)
    for k, v in ref.items():
        np.testing.assert_allclose(p[k], v, rtol=1e-8, atol=1e-11, err_msg=k)
    assert capsys.readouterr().out.splitlines() == [f"Cost after iteration {i}: {costs[i // 1000]}" for i in (0, 10000)]


@pytest.mark.parametrize("kw, exc, match", [
    ({"layers_dims": [2, 4, 1]}, TypeError, r"needs optimizer \('gd', 'momentum' or 'adam'\) as well\. \(Without both, "
                                            r"model\(X, Y, \.\.\.\) is course 2 week 1's full-batch model, which takes learning_rate="),
    ({"optimizer": "adam"}, TypeError, r"needs layers_dims as well"),
    ({"layers_dims": 0.01}, TypeError, r"model's third argument is layers_dims, \[n_x, n_1, \.\.\., n_L\]; got 0.01. "
                                       r"Course 2 week 1's model\(X, Y, learning_rate=\.\.\., num_iterations=\.\.\.\) "
                                       r"takes its options by keyword here"),
    ({"layers_dims": [2, 4, 1], "optimizer": "gd", "initialization": "he"}, TypeError,
     r"initialization= belongs to course 2 week 1's model\(X, Y, \.\.\.\), without layers_dims and optimizer; the "
     r"mini-batch model counts num_epochs and initializes with init= and seed="),
    ({"mini_batch_size": 32, "num_epochs": 3}, TypeError, r"model\(X, Y, \.\.\.\) without layers_dims and optimizer "
                                                          r"is course 2 week 1's full-batch model, which takes no "
                                                          r"mini_batch_size, num_epochs: give layers_dims and optimizer"),
    ({"initialization": "He"}, ValueError, r"initialization must be one of 'zeros', 'random', 'he'; got 'He' — did "
                                           r"you mean 'he'\?"),
    # a list was "unhashable type: 'list'"
    ({"initialization": ["he"]}, ValueError, r"initialization must be one of 'zeros', 'random', 'he'; got \['he'\]\.$"),
    ({"initialization": "he", "num_iterations": 0}, ValueError, r"num_iterations must be a positive integer; got 0"),
])
def test_the_week1_models_are_told_apart_from_the_mini_batch_model_clearly(kw, exc, match):
    X, Y = CIRCLES
    with pytest.raises(exc, match=match):
        bnn.model(X, Y, print_cost=False, **kw)


@pytest.mark.parametrize("initialization, costs_at, accuracies", [
    ("zeros", {0: 0.6931471805599453, 14000: 0.6931471805599453}, ("Accuracy: 0.5", "Accuracy: 0.5")),
    ("he", {0: 0.8830537463419761, 1000: 0.6879825919728063, 14000: 0.07357895962677366},
     ("Accuracy: 0.9933333333333333", "Accuracy: 0.96")),
])
def test_the_initialization_notebooks_published_runs(capsys, initialization, costs_at, accuracies):
    """The initialization notebook end to end: its data (scikit-learn's make_circles after np.random.seed(1),
    300 points, and seed(2), 100 for test), model(train_X, train_Y, initialization=...), then
    predict(train_X, train_Y, parameters) and predict(test_X, test_Y, parameters): the costs it prints and
    the accuracies it publishes. ('random', W x 10, trains chaotically, so its path depends on the BLAS's
    round-off: it gave the notebook's 0.83 and 0.86 here, and is held to the course step by step above.)"""
    datasets = pytest.importorskip("sklearn.datasets")
    np.random.seed(1)
    train_X, train_Y = datasets.make_circles(n_samples=300, noise=.05)
    np.random.seed(2)
    test_X, test_Y = datasets.make_circles(n_samples=100, noise=.05)
    train_X, test_X, train_Y, test_Y = train_X.T, test_X.T, train_Y.reshape(1, -1), test_Y.reshape(1, -1)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always", bnn.ConvergenceWarning)
        parameters, costs = bnn.model(train_X, train_Y, initialization=initialization, print_cost=False)
    # zeros learns nothing but the class shares (0.5, log 2), and is told why; He learns, without a word
    said = ["Every unit of hidden layers 1 and 2 computes the same function" in str(x.message) for x in w]
    assert said == ([True] if initialization == "zeros" else [])
    for i, cost in costs_at.items():
        assert costs[i // 1000] == pytest.approx(cost, rel=1e-12, abs=0), i
    capsys.readouterr()
    predictions_train = bnn.predict(train_X, train_Y, parameters)
    bnn.predict(test_X, test_Y, parameters)
    assert tuple(capsys.readouterr().out.splitlines()) == accuracies
    if initialization == "zeros":  # A_L = sigmoid(0) = 0.5 exactly everywhere, and 0.5 is not > 0.5: all 0, as printed
        assert not np.any(to_numpy(predictions_train)) and to_numpy(predictions_train).shape == (1, 300)


@pytest.mark.parametrize("optimizer, options, first_line, accuracy", [
    ("gd", {}, "Cost after epoch 0: 0.702405", "Accuracy: 0.7166666666666667"),
    ("adam", {}, "Cost after epoch 0: 0.702166", "Accuracy: 0.9433333333333334"),
    ("gd", {"learning_rate": 0.1, "decay": "update_lr"}, "Cost after epoch 0: 0.701091", "Accuracy: 0.6533333333333333"),
    ("momentum", {"learning_rate": 0.1, "decay": "schedule_lr_decay"}, "Cost after epoch 0: 0.702226",
     "Accuracy: 0.9533333333333334"),
])
def test_the_optimization_notebooks_published_runs(capsys, optimizer, options, first_line, accuracy):
    """The optimization notebook end to end: its data (make_moons after np.random.seed(3), 300 points, noise
    0.2), layers_dims [2, 5, 2, 1], model(train_X, train_Y, layers_dims, optimizer, ...) for 5000 epochs and
    predict(train_X, train_Y, parameters): the first cost it prints and the accuracy it publishes (update_lr
    decays the rate too fast, 0.65; schedule_lr_decay's steps train to 0.95)."""
    datasets = pytest.importorskip("sklearn.datasets")
    np.random.seed(3)
    train_X, train_Y = datasets.make_moons(n_samples=300, noise=.2)
    train_X, train_Y = train_X.T, train_Y.reshape((1, train_Y.shape[0]))
    with warnings.catch_warnings():  # each learns (update_lr's too, slowly: 0.65), and none is told otherwise
        warnings.simplefilter("error", bnn.ConvergenceWarning)
        parameters, costs = bnn.model(train_X, train_Y, [train_X.shape[0], 5, 2, 1], optimizer, **options)
    bnn.predict(train_X, train_Y, parameters)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == first_line and len(costs) == 50 and out[-1] == accuracy


@pytest.mark.parametrize("compile", [False, "auto", True])
def test_parameters_and_state_come_back_in_the_courses_order_with_t_an_int(backend, compile):
    """jax.jit returns a dict's entries sorted by key: the parameters came back W1, W2, W3, b1, b2, b3 and
    Adam's state s, t, v with t a float32 array (a NumPy 0-d array on the replay, an int on eager PyTorch)."""
    if backend.name == "torch" and compile is True:
        pytest.skip("torch.compile's compile time: the order is set where any path's results are wrapped")
    X, Y = bnn.load_planar_dataset()
    X, Y = bnn.to_backend(X[:, :64], backend.xp, device=backend.device), Y[:, :64]
    p, _ = bnn.model(X, Y, [2, 3, 2, 1], "adam", mini_batch_size=16, num_epochs=2, print_cost=False, compile=compile)
    assert list(p) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    ts = p.training_state
    assert list(ts) == ["optimizer", "epochs", "v", "s", "t"]
    assert list(ts["v"]) == list(ts["s"]) == ["dW1", "db1", "dW2", "db2", "dW3", "db3"]
    assert type(ts["t"]) is int and ts["t"] == 2 * 4
    q, _ = bnn.L_layer_model(X, Y, [2, 3, 1], num_iterations=3, compile=compile)
    assert list(q) == ["W1", "b1", "W2", "b2"]
