"""Numerics that never warn or overflow, divergence that stops loudly, and the backend edge."""

import logging
import re
import warnings

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn import activations as act, recording, streaming, training
from backend_nn.backend import array_namespace, to_numpy
from backend_nn.validation import dtype_name
from conftest import assert_close, assert_on_backend, skip_unless_compat_torch_takes_scalars

X, Y = bnn.load_planar_dataset()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_and_cost_at_abs_z_1000_never_overflow_or_warn(backend, dtype):
    dt = getattr(backend.xp, dtype)
    Z = backend.asarray([[-1000.0, -100.0, 0.0, 100.0, 1000.0]], dtype=dt)
    Yb = backend.asarray([[1.0, 1.0, 0.0, 0.0, 0.0]], dtype=dt)
    with backend.no_float_errors():  # underflow to 0 is exact enough
        A = act.sigmoid(Z, xp=backend.xp)
        cost_z = bnn.compute_cost(A, Yb, Z2=Z)
        cost_a = bnn.compute_cost(A, Yb)
    assert_on_backend(A, backend, dt)
    a = to_numpy(A)
    # sigmoid(-1000) underflows: below the smallest normal number (the formula's Z is raised to -709 / -88)
    assert np.all(np.isfinite(a)) and 0 <= a[0, 0] < np.finfo(dtype).smallest_normal
    assert a[0, -1] == 1 and a[0, 2] == 0.5
    assert float(cost_z) == pytest.approx((1000 + 100 + np.log(2) + 100 + 1000) / 5, rel=1e-5)
    assert np.isfinite(float(cost_a))


def test_training_with_saturating_units_stays_finite(backend):
    """Large weights saturate tanh and the output; nothing becomes inf or NaN."""
    Xb, Yb = backend.asarray(X * 50), backend.asarray(Y)
    with backend.no_float_errors():
        p, costs = bnn.nn_model(Xb, Yb, 4, 300, learning_rate=5.0, init_scale=3.0, cost_every=1)
    assert np.all(np.isfinite(costs))
    for v in p.values():
        assert np.all(np.isfinite(to_numpy(v)))


def test_divergence_stops_with_an_error_naming_the_iteration():
    with np.errstate(all="ignore"), pytest.raises(bnn.TrainingDivergedError,
                                                  match=r"diverged: the cost rose from 0.72\d+ at iteration 0 to") as info:
        bnn.nn_model(X * 1e3, Y, 4, 2000, activation="linear", learning_rate=1e3, cost_every=1, sync_every=100)
    assert info.value.iteration == 1
    # after costs that came home rising (0.90, ..., 9.56 at iteration 3): the error alone, no warning that it rose
    with warnings.catch_warnings(), pytest.raises(bnn.TrainingDivergedError, match=r"at iteration 4 ") as info:
        warnings.simplefilter("error")
        bnn.nn_model(X, Y, 4, 300, learning_rate=50, init="he", cost_every=1, sync_every=1)
    assert "recorded every" not in str(info.value)  # every cost recorded: the iteration is exact, no window to name


@pytest.mark.parametrize("activation, lr", [("tanh", 1e6), ("sigmoid", 1e300), ("tanh", 1e300)])
def test_divergence_with_a_finite_cost_is_an_error_too(activation, lr):
    """With tanh or sigmoid the stable cost stays finite while the weights blow up (361718.79 at
    iteration 1000 was reported as a success once): a cost above 10x its start is divergence,
    named with the window it happened in."""
    with pytest.raises(bnn.TrainingDivergedError, match=r"rose from 0.693\d+ at iteration 0 to .* at iteration 100 "
                       r"\(the limit is 10\); it was 0.693\d+ at iteration 0, so the run diverged between "
                       r"iterations 1 and 100") as info:
        bnn.nn_model(X, Y, 4, 1000, activation=activation, learning_rate=lr)
    assert info.value.iteration == 100


@pytest.mark.parametrize("options", [{}, {"compile": False}, {"optimizer": "momentum", "batch_size": 10}],
                         ids=["default", "eager", "momentum epochs"])
def test_divergence_after_the_last_recorded_cost_is_an_error(backend, options):
    """Costs are recorded every cost_every steps, but the run returns the parameters after its last
    step: where those steps diverged (NaN weights after 50 steps, with only iteration 0's cost
    recorded), the run is an error, not a result. (Epochs of one batch: with more, epoch 0's mean
    cost already holds the divergence, and the run stops there.)"""
    rng = np.random.RandomState(0)
    Xb, Yb = backend.asarray(rng.randn(3, 10) * 1e3), backend.asarray((rng.rand(1, 10) > 0.5) * 1.0)
    with np.errstate(all="ignore"), pytest.raises(  # NumPy's overflow warnings are not the point here
            bnn.TrainingDivergedError, match=r"training diverged: after (iteration|epoch) 50 the parameters hold NaN "
            r"or inf values \(W1: 150 of 150, .*\); the last recorded cost, .* at (iteration|epoch) 0, was finite, "
            r"so it diverged after that") as info:
        bnn.L_layer_model(Xb, Yb, [3, 50, 1], learning_rate=1e8, num_iterations=50, **options)
    assert info.value.iteration == 50


@pytest.mark.parametrize("train", [
    lambda: bnn.L_layer_model(X, Y, [2, 8, 8, 1], learning_rate=50, num_iterations=3000),
    lambda: bnn.model(X, Y, [2, 8, 8, 1], "gd", learning_rate=50, mini_batch_size=400, num_epochs=3000,
                      print_cost=False),
], ids=["iterations", "epochs"])
def test_a_run_whose_cost_rose_without_exploding_warns(train):
    """A ReLU network at learning rate 50: the cost climbs from 0.68 to 5.59 (8x, under the 10x that is
    divergence; 0.98 to 6.91 from model's He start) and the weights to 9e4; it was returned as a result
    without a word (accuracy 50%)."""
    with pytest.warns(bnn.ConvergenceWarning, match=r"the cost rose over the run, from 0.\d+ at (iteration|epoch) "
                      r"0 to [5-7].\d+ (for the returned parameters after iteration 3000|in the last epoch, 2999): "
                      r"the run did not learn.*Try a smaller learning_rate") as w:
        params, costs = train()
    assert costs[-1] > 7 * costs[0] and len(costs) == 30  # the result is still returned
    assert w[0].filename == __file__  # the warning names the caller's line, not the library's


@pytest.mark.parametrize("options", [{}, {"compile": False}, {"backend": "dask"}], ids=["auto", "eager", "dask"])
def test_a_run_that_diverged_after_its_last_recorded_cost_is_an_error(options):
    """Costs are recorded every 100 iterations (the week-3 model: every 1000); a run of 10 records only
    iteration 0's. At learning rate 1e6 the flower's tanh network ends with a cost of 4e5 and finite
    weights, which was returned as a result without a word (accuracy 50%). The returned parameters' cost
    is checked once at the end, against the same limit as the recorded ones."""
    if options.get("backend") == "dask":
        pytest.importorskip("dask")
    with pytest.raises(bnn.TrainingDivergedError, match=r"the cost rose from 0.693048 at iteration 0 to \d+ for the "
                       r"returned parameters after iteration 10 \(the limit is 10\)\. Try a smaller") as info:
        bnn.nn_model(X, Y, 4, num_iterations=10, learning_rate=1e6, **options)
    assert info.value.iteration == 10


def test_a_mini_batch_run_that_diverged_in_its_last_epochs_is_an_error():
    """The same for epochs: the last epoch's cost (computed anyway) is checked at the end. (One batch an
    epoch, so that epoch 0's cost is the one before its update; with more, see the next test.)"""
    with pytest.raises(bnn.TrainingDivergedError, match=r"the cost rose from 1.72808 at epoch 0 to \S+ in the last "
                       r"epoch, 4 \(the limit is 17.2808\)\. Try") as info:
        bnn.model(X, Y, [2, 8, 1], "gd", learning_rate=30, mini_batch_size=400, num_epochs=5, print_cost=False)
    assert info.value.iteration == 5


def test_a_mini_batch_run_that_diverged_in_its_first_epoch_is_an_error(backend):
    """An epoch's cost is the mean over its mini-batches, taken after updates: Adam at learning_rate=1e4
    recorded 1.2e8 at epoch 0, the limit was 10 times that, and the run returned its parameters without a
    word. The limit is taken from the cost before the first update (of the epoch's first 1024 examples: here
    all 400), as the full-batch loop's first recorded cost is."""
    kw = dict(backend=backend.xp, device=backend.device)
    with pytest.raises(bnn.TrainingDivergedError, match=r"the cost rose from 1.7280\d before the first update \(on "
                       r"all 400 examples\) to 1.239\d+e\+08 at epoch 0 \(the limit is 17.280\d\)\. Try a "
                       r"smaller learning_rate\.$") as info:
        bnn.model(X, Y, [2, 8, 1], "adam", learning_rate=1e4, num_epochs=20, print_cost=False, **kw)
    assert info.value.iteration == 0
    params, costs = bnn.model(X, Y, [2, 8, 1], "adam", num_epochs=20, print_cost=False, **kw)  # a sound run passes
    assert len(costs) == 1 and 1.5 < costs[0] < 2
    # one epoch that rose under the limit: its one cost is the last epoch's, said once
    with pytest.warns(bnn.ConvergenceWarning, match=r"^the cost rose over the run, from 0.8333\d* before the first "
                      r"update \(on all 400 examples\) to [\d.]+: the run did not learn, and its parameters are those "
                      r"of the last epoch\."):
        bnn.model(X, Y, [2, 4, 1], "adam", num_epochs=1, learning_rate=2, print_cost=False, **kw)


@pytest.mark.parametrize("data", ["streamed", "dask", "dask chunks"])
def test_a_first_epoch_that_diverged_is_an_error_whatever_holds_the_data(tmp_path, data, monkeypatch):
    """The cost before the first update is that of the epoch's first examples, in the epoch's order, wherever
    the data are: a memory map streamed in windows, dask chunks (the course's shuffle, or the per-chunk one).
    (The first 64 here: with the 1024 of a run, they would be all 400, in any order.)"""
    monkeypatch.setattr(training, "START_EXAMPLES", 64)
    options = {}
    if data == "streamed":
        np.save(tmp_path / "X.npy", X)
        Xd, options["stream"] = np.load(tmp_path / "X.npy", mmap_mode="r"), True
    else:
        da = pytest.importorskip("dask.array")
        Xd = da.from_array(X, chunks=(2, 100))
        if data == "dask chunks":
            options["shuffle"] = "chunks"
    first = 1.57859 if data != "dask chunks" else 2.00239  # the per-chunk shuffle starts with another batch
    with pytest.raises(bnn.TrainingDivergedError, match=rf"the cost rose from {first} before the first update \(on the "
                       r"epoch's first 64 of 400 examples\) .* at "
                       r"epoch 0"):
        bnn.model(Xd, Y, [2, 8, 1], "adam", learning_rate=1e4, num_epochs=20, print_cost=False, **options)
    batch = bnn.random_mini_batches(X, Y, 64, seed=11)[0]  # epoch 0 shuffles with seed + 1 (the course's loop)
    p0 = bnn.initialize_parameters_deep([2, 8, 1], init="he", seed=3)
    if data != "dask chunks":
        assert bnn.compute_cost(bnn.L_model_forward(batch[0], p0)[0], batch[1]) == pytest.approx(first, abs=1e-5)


def test_a_run_diverged_by_its_l2_term_names_lambd():
    """learning_rate * lambd / m above 2 makes the weight decay overshoot (1.2 * 1000 / 400 = 3): the run
    diverges with a sound learning rate, and the advice named only the learning rate."""
    with pytest.raises(bnn.TrainingDivergedError, match=r"Try a smaller learning_rate or lambd\.$"):
        bnn.nn_model(X, Y, 4, lambd=1000, num_iterations=300)


def test_a_short_run_whose_cost_rose_warns():
    """One recorded cost, and a run that did not learn: the returned parameters' cost says so."""
    with pytest.warns(bnn.ConvergenceWarning, match=r"from 0.\d+ at iteration 0 to \S+ for the returned parameters "
                      r"after iteration 50: the run did not learn") as w:
        params, costs = bnn.L_layer_model(X, Y, [2, 8, 8, 1], learning_rate=50, num_iterations=50)
    assert len(costs) == 1 and w[0].filename == __file__


def test_a_flat_or_falling_run_does_not_warn_that_it_rose():
    with warnings.catch_warnings():
        warnings.simplefilter("error", bnn.ConvergenceWarning)
        _, falling = bnn.nn_model(X, Y, 4, 1000)
    # the symmetry lesson: flat at log 2, the cost of the flower's class shares (0.5), which is what it says
    with pytest.warns(bnn.ConvergenceWarning, match=r"^the cost ended at 0.693147 for the returned parameters after "
                      r"iteration 300, the cost of predicting Y's mean, 0.5, for every example \(0.693147\): the "
                      r"network learned nothing from X but how often each class occurs\. Every unit of hidden layer 1 "
                      r"computes the same function \(the rows of each W_l and b_l are equal, as init='zeros' leaves "
                      r"them: the symmetry lesson\); a random start \(init='random' or init='he'\) breaks the "
                      r"symmetry\.$") as w:
        _, flat = bnn.L_layer_model(X, Y, [2, 3, 1], num_iterations=300, init="zeros")
    assert len(w) == 1 and flat[-1] == flat[0] and falling[-1] < falling[0]
    Xk, Yk = bnn.load_dataset("spiral")  # softmax: the entropy of the class shares, log 3
    with pytest.warns(bnn.ConvergenceWarning, match=r"^the cost ended at 1.09861 .*, the cost of predicting the 3 "
                      r"class shares, 0.333 each, for every example \(1.09861\): .* Every unit of hidden layers 1 and "
                      r"2 computes the same function"):
        bnn.L_layer_model(Xk, Yk, [2, 5, 4, 3], num_iterations=300, init="zeros")
    # one unit has no symmetry to break: the advice is the general one
    with pytest.warns(bnn.ConvergenceWarning, match=r"learned nothing from X but how often each class occurs\. "
                      r"Another learning_rate, more iterations or another init may move it, unless X carries nothing "
                      r"about Y\.$"):
        bnn.nn_model(X, Y, 1, 300, init="zeros")


def _unscaled_flower() -> tuple[np.ndarray, np.ndarray]:
    """The flower as breast cancer's features come (large, all positive: 1000 +- 408) with its classes 4:3, as
    breast cancer's are about 5:3: every hidden unit saturates the same way for every example."""
    keep = np.r_[np.flatnonzero(Y[0] == 1), np.flatnonzero(Y[0] == 0)[:150]]
    return X[:, keep] * 100 + 1000, Y[:, keep]


def test_a_run_that_learned_only_the_class_shares_says_so_and_names_unscaled_inputs():
    """Unscaled breast cancer through NNClassifier() (features up to 4254) ended 1.2e-9 from the cost of predicting
    its class shares, 62.7% right (every example the larger class), without a word."""
    Xu, Yu = _unscaled_flower()
    said = (r"^the cost ended at 0.682908 {where}, the cost of predicting Y's mean, 0.571, for every example "
            r"\(0.682908\): the network learned nothing from X but how often each class occurs\. X's features reach "
            r"1407.82 in size, far from unit scale: hidden units saturate, and one learning_rate cannot suit every "
            r"feature\. Standardize each feature, \(X - mean\) / std, e.g. with sklearn\.preprocessing\.StandardScaler\.$")
    with pytest.warns(bnn.ConvergenceWarning, match=said.format(where="for the returned parameters after iteration "
                                                                      "300")) as w:
        params, _ = bnn.nn_model(Xu, Yu, 4, num_iterations=300)
    assert len(w) == 1 and w[0].filename == __file__
    assert np.all(to_numpy(bnn.predict(params, Xu)) == 1)  # the larger class, for every example
    # mini-batches, the data streamed from the host: the same, its end the last epoch's mean
    with pytest.warns(bnn.ConvergenceWarning, match=r"^the cost ended at 0.68\d+ in the last epoch, 49, the cost of "
                      r"predicting Y's mean, 0.571, .* X's features reach 1407.82 in size"):
        bnn.model(Xu, Yu, [2, 4, 1], "gd", learning_rate=0.05, num_epochs=50, print_cost=False, init="random",
                  init_scale=0.01, cost_every=5, stream=True)
    # what it says to do: standardized, the same run learns, and says nothing
    Xs = (Xu - Xu.mean(axis=1, keepdims=True)) / Xu.std(axis=1, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", bnn.ConvergenceWarning)
        params, _ = bnn.nn_model(Xs, Yu, 4, num_iterations=300)
    assert np.mean(to_numpy(bnn.predict(params, Xs)) == Yu) > 0.8


def test_the_class_shares_check_reads_every_backend(backend):
    Xu, Yu = _unscaled_flower()
    with pytest.warns(bnn.ConvergenceWarning, match=r"predicting Y's mean, 0.571, for every example \(0.68290\d\): "
                      r".* X's features reach 1407.8\d in size"):
        bnn.nn_model(backend.asarray(Xu), backend.asarray(Yu), 4, num_iterations=300)
    with pytest.warns(bnn.ConvergenceWarning, match=r"the cost of predicting Y's mean, 0.5, .* Every unit of hidden "
                      r"layer 1 computes the same function"):
        bnn.nn_model(backend.asarray(X), backend.asarray(Y), 4, num_iterations=300, init="zeros")


def test_a_rise_or_divergence_from_unscaled_inputs_names_their_scale():
    """Unscaled wine (features up to 1680) at week 3's 1.2 rose and was told only to take smaller steps; at 0.1 it
    learned only its class shares. Diverged, at 10, it was told the same."""
    scale = r"X's features reach {} in size, far from unit scale: .* sklearn\.preprocessing\.StandardScaler\.$"
    with pytest.warns(bnn.ConvergenceWarning, match=r"the cost rose over the run, from 0.69145 at iteration 0 to "
                      r"0.69314\d .* Try a smaller learning_rate\. " + scale.format(r"2\d\d\.\d+")):  # ~ log 2
        bnn.nn_model(X * 30 + 100, Y, 4, num_iterations=300)
    Xu, Yu = _unscaled_flower()
    with pytest.raises(bnn.TrainingDivergedError, match=r"Try a smaller learning_rate\. " + scale.format("1407.82")):
        bnn.nn_model(Xu, Yu, 4, num_iterations=300, learning_rate=100)
    with pytest.raises(bnn.TrainingDivergedError, match=r"Try a smaller learning_rate or lambd\. " +
                       scale.format("1407.82")):  # the scale is X's, whatever the cost holds
        bnn.nn_model(Xu, Yu, 4, num_iterations=300, learning_rate=100, lambd=0.1)
    with pytest.raises(bnn.TrainingDivergedError) as info:  # at unit scale, the step alone
        bnn.nn_model(X, Y, 4, num_iterations=300, learning_rate=1e4)
    assert str(info.value).endswith(". Try a smaller learning_rate.")


def test_a_run_that_bounced_above_the_cost_of_ignoring_X_says_so():
    """He-initialized ReLU units at learning_rate=100 on unscaled inputs: the cost bounced between 3 and 25 and ended
    at 15.3, under its start (25.0) and the divergence limit, 42.9% right (the class shares give 57.1%), silently."""
    Xu, Yu = _unscaled_flower()
    with pytest.warns(bnn.ConvergenceWarning, match=r"^the cost ended at 15.3\d* for the returned parameters after "
                      r"iteration 300, 5.1\d times its lowest \(2.98\d* at iteration 100\) and 22.4 times the cost of "
                      r"predicting Y's mean, 0.571, for every example \(0.682908\): the run bounced instead of "
                      r"settling, and its parameters do worse than ignoring X\. Its first cost, 25.0\d*, was already "
                      r"far above .* Try a smaller learning_rate\.$") as w:
        _, costs = bnn.nn_model(Xu, Yu, [4], 300, learning_rate=100, activation="relu", init="he", cost_every=20)
    assert len(w) == 1 and costs[-1] < costs[0]  # no rise: it ended under its start


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_each_output_layers_dA_is_m_times_the_costs_derivative(output):
    """The course's general route starts from dA_L = m dJ/dA_L (OutputLayer.dA): against centred differences of
    compute_cost in A_L, entry by entry, for 0/1 labels and soft targets."""
    from backend_nn.outputs import get_output

    rng = np.random.RandomState(4)
    K, m, h = (1 if output == "sigmoid" else 3), 5, 1e-6
    AL = rng.uniform(0.2, 0.8, (K, m))
    if output == "softmax":
        AL /= AL.sum(axis=0)
    Ys = [(rng.rand(K, m) > 0.5) * 1.0, rng.rand(K, m)] if output == "sigmoid" else [np.eye(K)[:, rng.randint(0, K, m)]]
    for Y in Ys:
        def cost(A, Y=Y):  # softmax: the cross-entropy of any A_L (a nudged column no longer sums to 1)
            return -np.sum(Y * np.log(A)) / m if output == "softmax" else bnn.compute_cost(A, Y)

        numeric = np.zeros_like(AL)
        for i in np.ndindex(*AL.shape):
            up, down = AL.copy(), AL.copy()
            up[i] += h
            down[i] -= h
            numeric[i] = (cost(up) - cost(down)) / (2 * h)
        np.testing.assert_allclose(get_output(output).dA(AL, Y, xp=np), m * numeric, rtol=1e-7, atol=1e-9)


def test_the_cost_takes_probabilities_of_exactly_0_and_1_and_clips_them_to_the_nearest_normal_ones():
    """A_L in [0, 1] inclusive is taken (a sigmoid that rounded off gives exact 0s and 1s); each is clipped to the
    smallest normal number or the largest number below 1, 1 - eps/2, and every A_L strictly between is the course's
    own: the cost of A = 1 - eps/2 against Y = 0 is -log(eps/2) with or without the clip."""
    for dt in (np.float64, np.float32):
        info = np.finfo(dt)
        top, tiny = dt(1) - info.eps / 2, info.smallest_normal
        assert top < 1 and np.nextafter(top, dt(2)) == 1
        for AL, Y, want in (([[0.0, 1.0]], [[0, 1]], -(np.log(np.float64(top)) + np.log1p(-np.float64(tiny))) / 2),
                            ([[1.0]], [[0]], -np.log(np.float64(info.eps) / 2)),
                            ([[top]], [[0]], -np.log(np.float64(info.eps) / 2)),
                            ([[0.0]], [[1]], -np.log(np.float64(tiny)))):
            cost = bnn.compute_cost(np.array(AL, dtype=dt), np.array(Y))
            assert cost == pytest.approx(want, rel=1e-5), (dt, AL, Y)


def test_a_softmax_output_whose_columns_do_not_sum_to_1_is_refused_at_its_precisions_round_off():
    """Column sums off by 1e-4 are refused in float64 (round-off there is 1e-16) and taken in float32 (the tolerance,
    1e-3, of a float32 softmax over many classes); the course's own softmax is taken in both."""
    Y = np.eye(3)[:, [0, 1, 2, 0]]
    good = np.full((3, 4), 1 / 3)
    off = good * (1 + 1e-4)
    with pytest.raises(ValueError, match=r"each column must sum to 1; 4 column\(s\) do not"):
        bnn.compute_cost(off, Y)
    for AL in (good, good.astype(np.float32), off.astype(np.float32)):
        assert bnn.compute_cost(AL, Y) == pytest.approx(np.log(3), rel=2e-4)


def test_the_cost_of_predicting_the_class_shares_is_the_output_layers_cost_of_them():
    from backend_nn.outputs import SIGMOID, SOFTMAX

    Ys = np.array([[1.0, 0.0, 1.0, 1.0, 0.25]])  # a soft target too
    p = Ys.mean(axis=1)
    AL = np.broadcast_to(p[:, None], Ys.shape)
    assert float(SIGMOID.constant_cost(p, xp=np)) == pytest.approx(bnn.compute_cost(AL, Ys), rel=1e-14)
    assert float(SIGMOID.constant_cost(np.array([1.0]), xp=np)) == 0.0  # one class: nothing to predict
    Yk = np.eye(3)[:, [0, 0, 1, 2, 2, 2]]
    p = Yk.mean(axis=1)
    cost = bnn.compute_cost(np.broadcast_to(p[:, None], Yk.shape), Yk, output="softmax")
    assert float(SOFTMAX.constant_cost(p, xp=np)) == pytest.approx(cost, rel=1e-14)
    assert float(SOFTMAX.constant_cost(np.array([0.5, 0.0, 0.5]), xp=np)) == pytest.approx(np.log(2), rel=1e-15)


def test_a_mini_batch_run_that_ended_above_its_start_warns_though_its_first_epoch_was_higher():
    """Adam at learning_rate=1.2 (gradient descent's default, once the CLI's for every optimizer) on the digits:
    2.30 before any update, 15.5 as epoch 0's mean (taken after that epoch's 29 updates), 6.8 at the end, accuracy
    10%; measured against epoch 0's mean the cost fell, and the run returned without a word. Here the flower at
    2.0: 0.693, then 3.58, then 2.03 (the same with each of 4 OpenBLAS kernels; the digits' end is chaotic)."""
    with pytest.warns(bnn.ConvergenceWarning, match=r"the cost rose over the run, from 0.69302\d before the first "
                      r"update \(on all 400 examples\) to 2.03\d+ in the last epoch, 9: the run did not learn.*Try a "
                      r"smaller learning_rate\.$") as w:
        params, costs = bnn.nn_model(X, Y, [16], 10, optimizer="adam", batch_size=32, learning_rate=2.0, cost_every=1)
    assert costs[0] > costs[-1] > recording.NOT_LEARNED_FACTOR * 0.693026  # epoch 0 higher than the end
    assert w[0].filename == __file__


def test_a_mini_batch_start_is_the_epochs_first_1024_examples(monkeypatch):
    """Where m is larger than 1024: the start the message names is that of the epoch's first 1024 examples, or
    as many as a window of its widest layer holds (streaming.WINDOW_BYTES: 64 MiB, 682 examples of the cat
    pictures' 12,288 float64 features), and never less than a batch."""
    X_t, Y_t = np.tile(X, 3), np.tile(Y, 3)  # m = 1200
    with pytest.raises(bnn.TrainingDivergedError, match=r"from 0.6930\d+ before the first update \(on the epoch's "
                       r"first 1024 of 1200 examples\)"):
        bnn.nn_model(X_t, Y_t, [16], 10, optimizer="adam", batch_size=32, learning_rate=1e4)
    monkeypatch.setattr(streaming, "WINDOW_BYTES", 100 * 16 * 8)  # 100 columns of the 16 hidden units
    for batch, first in [(32, 100), (128, 128)]:
        with pytest.raises(bnn.TrainingDivergedError, match=rf"before the first update \(on the epoch's first {first} "
                           r"of 1200 examples\)"):
            bnn.nn_model(X_t, Y_t, [16], 10, optimizer="adam", batch_size=batch, learning_rate=1e4)


def test_mini_batch_runs_that_learn_do_not_warn_with_any_start():
    """The start is an estimate (1024 examples of the epoch's order): runs that learn, from He, the course's x10
    random and the 0.01 initializations, are not told that they rose. The x10 start on the spiral, 28.9 before
    the first update and 26.7 after 3 epochs, is told only that it is still far above log K."""
    X_s, Y_s = bnn.load_dataset("spiral")
    for init, scale in [("he", None), ("random", 10.0), ("random", None)]:
        for Xs, Ys, hidden in [(X, Y, [8]), (X_s, Y_s, [16])]:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                _, costs = bnn.nn_model(Xs, Ys, hidden, 3, optimizer="adam", batch_size=64, learning_rate=0.01,
                                        init=init, init_scale=scale, cost_every=1)
            assert costs[-1] < costs[0]
            said = [(x.category, str(x.message).split(",")[0]) for x in w]
            far = costs[-1] > recording.LARGE_START
            assert said == ([(bnn.ConvergenceWarning, f"the cost ended at {costs[-1]:.6g} in the last epoch")] if far
                            else []), said
            assert far == (init == "random" and scale == 10.0 and Xs is X_s)


def test_a_run_with_dropout_starts_from_its_cost_with_the_masks_and_its_epochs_may_scatter():
    """A network with dropout costs more than one without: with course 2's x10 initialization and keep_prob 0.2 on
    the moons, 16.2 at epoch 0 against 1.34 without the masks. The start before the first update was taken without
    them, and at learning_rate=1e-12 (nothing moves) the run was called diverged (limit 13.4). The start is now the
    epoch's first batches' cost, each batch with its masks (checked here by hand), and an end within
    NOT_LEARNED_FACTOR of the first epoch is the masks' scatter (they fall on other examples each epoch: 14.5 to
    17.1 here; with keep_prob 0.9, 2.62 at epoch 0 and 3.39 at the end), not a warning that the run rose."""
    X_m, Y_m = bnn.load_dataset("noisy_moons")
    options = dict(activation="tanh", optimizer="adam", batch_size=64, keep_prob=0.2, init_scale=10, cost_every=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, costs = bnn.nn_model(X_m, Y_m, [20, 3], 5, learning_rate=1e-12, **options)
        _, scattered = bnn.nn_model(X_m, Y_m, [20, 3], 5, learning_rate=1e-12, **{**options, "keep_prob": 0.9})
    assert costs.max() > costs[0] * (1 + 1e-3) and costs.max() < costs[0] * recording.NOT_LEARNED_FACTOR
    assert scattered[0] * (1 + 1e-3) < scattered[-1] < scattered[0] * recording.NOT_LEARNED_FACTOR  # 2.62, ..., 3.39
    with pytest.raises(bnn.TrainingDivergedError, match=r"before the first update \(on all 200 examples, with the "
                       r"run's dropout masks\)") as info:
        bnn.nn_model(X_m, Y_m, [20, 3], 5, learning_rate=1e4, **options)
    total, _ = _moons_epoch_zero_by_hand(X_m, Y_m, keep_prob=0.2)
    start = float(str(info.value).split("the cost rose from ")[1].split(" ")[0])
    assert start == pytest.approx(total / 200, rel=1e-5)


def _moons_epoch_zero_by_hand(X_m, Y_m, *, keep_prob):
    """(the cross-entropy summed over epoch 0's batches of 64 (seed 11), each with its width's masks from
    RandomState(1) as the course draws them, of the x10 [2, 20, 3, 1] tanh network; the number of batches)."""
    p = bnn.initialize_parameters_deep([2, 20, 3, 1], seed=2, init="random", scale=10)
    batches = bnn.random_mini_batches(X_m, Y_m, 64, seed=11)
    total = 0.0
    for Xb, Yb in batches:
        rng, A = np.random.RandomState(1), Xb
        for l in (1, 2):
            A = np.tanh(p[f"W{l}"] @ A + p[f"b{l}"])
            if keep_prob < 1:
                A = A * (rng.rand(p[f"W{l}"].shape[0], Xb.shape[1]) < keep_prob) / keep_prob
        Z = p["W3"] @ A + p["b3"]
        total += np.sum(np.logaddexp(0, Z) - Yb * Z)  # the cross-entropy from the logits, summed over the batch
    return total, len(batches)


@pytest.mark.parametrize("keep_prob", [1.0, 0.2])
def test_a_mini_batch_start_with_l2_holds_each_batchs_term(keep_prob):
    """With lambd, each batch's cost holds lambd / (2 w) * sum ||W_l||^2 for its own width w, and the epoch's
    mean weighs it by w: lambd / 2 * sum ||W_l||^2 once per batch. With dropout the start is the epoch's first
    batches, each with its masks and its L2 term (the moons' 200 examples: batches of 64, 64, 64 and 8); without,
    the mean cross-entropy of the first examples and a full batch's term. Checked by hand."""
    X_m, Y_m = bnn.load_dataset("noisy_moons")
    lambd = 0.7
    with pytest.raises(bnn.TrainingDivergedError, match=r"before the first update \(on all 200 examples") as info:
        bnn.nn_model(X_m, Y_m, [20, 3], 5, activation="tanh", optimizer="adam", batch_size=64, keep_prob=keep_prob,
                     lambd=lambd, init_scale=10, learning_rate=1e4)
    p = bnn.initialize_parameters_deep([2, 20, 3, 1], seed=2, init="random", scale=10)
    squares = sum(np.sum(p[f"W{l}"] ** 2) for l in (1, 2, 3))
    total, n_batches = _moons_epoch_zero_by_hand(X_m, Y_m, keep_prob=keep_prob)
    l2 = n_batches * lambd / 2 * squares / 200 if keep_prob < 1 else lambd / (2 * 64) * squares
    start = float(str(info.value).split("the cost rose from ")[1].split(" ")[0])
    assert start == pytest.approx(total / 200 + l2, rel=1e-5)


def test_a_flat_run_is_told_to_move_not_to_take_smaller_steps():
    """A cost that stays at log 2 and ends 0.02% above it has not begun to learn: 'Try a smaller learning_rate'
    (the advice for a climbing cost) would keep it there."""
    X_q, Y_q = bnn.load_dataset("gaussian_quantiles")
    with pytest.warns(bnn.ConvergenceWarning, match=r"at epoch 0 to 0.69\d+ in the last epoch, 19: the run did not "
                      r"learn.*The cost stayed flat \(it rose by 0.0\d+%\): the run has not started to learn\. More "
                      r"epochs, a larger learning_rate or another init may move it\.$"):
        _, costs = bnn.nn_model(X_q, Y_q, [8], 20, optimizer="gd", learning_rate=0.1, batch_size=32, cost_every=1)
    assert abs(costs[-1] / costs[0] - 1) < 1e-3


@pytest.mark.parametrize("run, where", [
    (lambda X, Y: bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=300, print_cost=False, epsilon=1e30),
     r"0.9879566311 at epoch 0 to 0.9879566311 in the last epoch, 299"),
    (lambda X, Y: bnn.L_layer_model(X, Y, [2, 5, 1], num_iterations=300, learning_rate=1e-20),
     r"0.9059184111 at iteration 0 to 0.9059184111 for the returned parameters after iteration 300"),
    (lambda X, Y: bnn.nn_model(X, Y, [3], 300, learning_rate=1e-20, lambd=0.5, init="he"),
     r"0.7754937785 at iteration 0 to 0.7754937785 in the last iteration, 299"),
])
def test_a_run_whose_cost_did_not_move_says_so(run, where):
    """Steps too small to change the parameters (Adam's epsilon=1e30, learning_rate=1e-20) left a He- or
    Xavier-initialized network where it started, about 50% right, without a word: its cost is above that of ignoring
    X (so not "learned nothing") and did not rise. The week-3 start, at the cost of ignoring X, keeps its own
    message (below); a run that learns, and one with dropout on shuffled batches, whose costs scatter, say nothing."""
    with pytest.warns(bnn.ConvergenceWarning, match=rf"^the cost did not move, from {where}: the run's steps were too "
                      r"small to change the parameters, and it learned nothing\. A larger learning_rate \(or, where "
                      r"they apply, a smaller epsilon or a slower decay\) moves them\.$") as w:
        run(X, Y)
    assert len(w) == 1
    with pytest.warns(bnn.ConvergenceWarning, match=r"the network learned nothing from X but how often each class"):
        bnn.nn_model(X, Y, 4, 300, learning_rate=1e-20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bnn.model(X, Y, [2, 3, 1], "gd", num_epochs=30, print_cost=False, learning_rate=1e-20, keep_prob=0.8)
        bnn.model(X, Y, [2, 5, 1], "adam", num_epochs=30, print_cost=False)


def test_a_full_batch_run_that_ends_a_little_above_its_start_overshot():
    """Full-batch gradient descent's cost falls at every step once the learning rate is small enough, so a rise,
    however small, is a step that overshot: it was told 'stayed flat ... a larger learning_rate' (unscaled iris at
    week 3's 1.2 ended 0.02% above its start, 33% right; 0.1 learns). The run's last bits are the machine's (its
    tanh and exp): the rise shows at the last record (iteration 200) on an Intel Xeon, at the returned parameters
    (iteration 300) on an AMD EPYC."""
    X_c, Y_c = bnn.load_dataset("noisy_circles")
    X_c = 8 * X_c + 8  # features of a few units, not centred
    message = (r"^the cost rose over the run, from (0.6931\d*) at iteration 0 to (0.693\d*) (?:at iteration 200|for "
               r"the returned parameters after iteration 300): the run did not learn, and its parameters are those of "
               r"the last iteration\. Try a smaller learning_rate\.$")
    with pytest.warns(bnn.ConvergenceWarning, match=message) as w:
        bnn.nn_model(X_c, Y_c, 4, num_iterations=300)
    start, end = (float(v) for v in re.match(message, str(w[0].message)).groups())
    assert start < end < start * (1 + recording.FLAT_RISE)  # the rise the old advice called flat
    _, costs = bnn.nn_model(X_c, Y_c, 4, num_iterations=300, learning_rate=0.1, cost_every=10)
    assert np.all(np.diff(costs) < 0)  # the smaller step the advice names: the cost falls at every record
    # the epochs' loop over one full batch (another optimizer): its costs do not scatter either. One momentum step
    # of a He-initialized network: 0.901016 to 0.902774, 0.2% up
    with pytest.warns(bnn.ConvergenceWarning, match=r"^the cost rose over the run, from 0.901016 at iteration 0 to "
                      r"0.90277\d in the last iteration, 1: .* Try a smaller learning_rate\.$"):
        bnn.nn_model(X, Y, 4, 2, optimizer="momentum", learning_rate=76, init="he", cost_every=1)


def test_a_run_that_starts_far_from_unit_scale_is_told_so_not_only_to_take_smaller_steps():
    """X * 1e200 starts at a cost of 2.9e199 and was told only 'Try a smaller learning_rate.'; a network near unit
    scale starts near log K (course 2's x10 initialization starts at 183 to 12,000 on the library's data)."""
    with pytest.raises(bnn.TrainingDivergedError, match=r"Its first cost, 2.93\d*e\+199, was already far above the log "
                       r"K \(0.69 for two classes\) a network starts near: weights or inputs far from unit scale \(a "
                       r"large init_scale, unscaled features\) give outputs that sure and that wrong\. Rescale X or "
                       r"start from smaller weights\. Try a smaller learning_rate\.$"):
        bnn.L_layer_model(X * 1e200, Y, [2, 4, 1], num_iterations=100)
    with pytest.raises(bnn.TrainingDivergedError) as info:  # a start near log 2: the step alone is said
        bnn.L_layer_model(X, Y, [2, 50, 1], learning_rate=1e8, num_iterations=50)
    assert "first cost" not in str(info.value) and str(info.value).endswith(". Try a smaller learning_rate.")
    with pytest.raises(bnn.TrainingDivergedError) as info:  # L2's term alone starts at 32.5 here, at unit scale
        bnn.model(X, Y, lambd=1000, learning_rate=1.0, num_iterations=2000, print_cost=False)
    assert "it was 32.46" in str(info.value) and "first cost" not in str(info.value)
    assert str(info.value).endswith(". Try a smaller learning_rate or lambd.")
    assert recording.LARGE_START > 2.4  # above every start of the small inits measured (week 3, He, Xavier)


@pytest.mark.parametrize("fit, end, start", [
    (lambda: bnn.nn_model(X[:, ::10], Y[:, ::10], 3, 300, init_scale=1e300),
     r"for the returned parameters after iteration 300", r"at iteration 0"),
    (lambda: bnn.model(X, Y, [2, 5, 1], "adam", num_epochs=5, print_cost=False, init="random", init_scale=1e4),
     r"in the last epoch, 4", r"before the first update \(on all 400 examples\)"),
])
def test_a_run_that_ends_far_above_log_k_is_told_it_has_not_come_down(fit, end, start):
    """init_scale=1e300 stayed at a cost of 6.2e299 for 300 iterations (every tenth flower example), 60% right,
    without a word (the whole flower: 1.2e300, 57%): it neither rose nor diverged from its start, and the check
    against the cost of ignoring X looks near log K only."""
    message = (rf"^the cost ended at (\S+) {end}, far above the log K \(0.69 for two classes\) a network starts near, "
               rf"and it was (\S+) {start}: outputs that sure and that wrong come from weights or inputs far from unit "
               r"scale \(a large init_scale, unscaled features\), and the run has not come down from them\. Rescale "
               r"X or start from smaller weights, or train for more (?:iteration|epoch)s\.$")
    with pytest.warns(bnn.ConvergenceWarning, match=message) as w:
        params, costs = fit()
    ended, began = (float(v) for v in re.match(message, str(w[0].message)).groups())
    assert recording.LARGE_START < ended <= began * (1 + 1e-6)  # far above log K, and no rise (that has its own word)
    assert all(np.all(np.isfinite(v)) for v in params.values())


def test_a_diverging_run_is_its_error_alone_without_numpys_warnings_before_it():
    """NumPy's "overflow encountered in matmul" (four RuntimeWarnings pointing into numpy_replay.py)
    came before the TrainingDivergedError that says what happened."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning on the way would be raised instead of the error
        with pytest.raises(bnn.TrainingDivergedError, match=r"the parameters hold NaN or inf"):
            bnn.L_layer_model(X, Y, [2, 50, 1], learning_rate=1e8, num_iterations=50)
    # a user's own choice stays: np.seterr(over="raise") raises NumPy's FloatingPointError, as it did
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
        bnn.L_layer_model(X, Y, [2, 50, 1], learning_rate=1e8, num_iterations=50, compile=False)
    assert np.geterr()["over"] == "warn"  # and the library's hold on the warnings ends with the run
    # with the fast paths too, the error alone: it was "FastPathWarning: the fast path 'numpy replay' failed to build
    # (FloatingPointError: underflow encountered in exp); training without it", then the eager step's same error
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(under="raise"), pytest.raises(FloatingPointError, match="underflow encountered in exp"):
            bnn.model(X, Y, initialization="random", num_iterations=20, print_cost=False)  # course 2's x10 init


def test_a_fast_paths_rehearsal_adds_no_numpy_warning_of_its_own(caplog):
    """Building the replay runs the step once on the run's own parameters and data: Adam's s overflowing on the
    gradients of lambd=1e300 came as four raw "overflow encountered in square" RuntimeWarnings from numpy_replay.py
    before the run's own report. The run's steps meet the same errors; the report counts them, once."""
    import logging

    with caplog.at_level(logging.INFO, logger="backend_nn"), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        bnn.model(X[:, ::10], Y[:, ::10], [2, 3, 1], "adam", num_epochs=3, mini_batch_size=16, print_cost=False,
                  lambd=1e300)
    assert "numpy replay epochs" in caplog.text  # the path whose build rehearses the step
    assert [(x.category, x.filename) for x in w] == [(RuntimeWarning, __file__)], [str(x.message) for x in w]
    assert re.fullmatch(r"NumPy met floating-point errors in the training's arithmetic: overflow \(\d+x\); the "
                        r"costs and parameters the run returns are finite, but a smaller learning_rate or lambd may "
                        r"be safer\.", str(w[0].message))


def test_floating_point_errors_of_a_run_that_ends_well_are_reported_once_at_the_users_line():
    from backend_nn.recording import Recorder

    rec = Recorder(total=1, every=1, unit="iteration", print_cost=False, print_every=1, print_format="",
                    progress=False, desc="")
    np.minimum(np.exp(np.array([1000.0])), 1.0)  # an overflow on the way that leaves nothing behind
    rec.sync(np.array([0.5]), 1)
    rec.finish({"W1": np.ones((1, 1)), "b1": np.zeros((1, 1))}, 1)
    with pytest.warns(RuntimeWarning, match=r"NumPy met floating-point errors in the training's arithmetic: "
                                            r"overflow \(1x\); the costs and parameters the run returns are finite") as w:
        rec.close()
    assert w[0].filename == __file__


def test_print_cost_with_a_cost_every_that_does_not_divide_1000(capsys):
    bnn.nn_model(X, Y, 4, 3000, print_cost=True, cost_every=300)
    printed = [line.split(":")[0] for line in capsys.readouterr().out.splitlines()]
    # the first recorded cost at or after each multiple of 1000: iterations 0, 1200, 2100
    assert printed == ["Cost after iteration 0", "Cost after iteration 1200", "Cost after iteration 2100"]


def test_predict_and_accuracy_stay_on_the_backend(backend):
    p, _ = bnn.nn_model(backend.asarray(X), backend.asarray(Y), 4, 200)
    pred = bnn.predict(p, X)  # host data is moved to the parameters' backend
    assert_on_backend(pred, backend, backend.xp.bool)
    assert pred.shape == (1, 400)
    acc = bnn.accuracy(pred, backend.asarray(Y))
    assert isinstance(acc, float) and 0.5 < acc <= 1.0
    assert bnn.accuracy(pred, Y) == acc == bnn.accuracy(pred, Y.tolist())  # host labels move, as host X does


@pytest.mark.filterwarnings("ignore:the matrix subclass")
def test_host_labels_are_read_as_the_models_read_them_whatever_the_predictions_backend(backend, capsys):
    """accuracy compares against host labels on the host. Read as nn_model reads Y: a np.matrix, a masked array
    without masked cells and numbers in an object array are labels; masked cells, a ragged list and text are
    refused with what to do. Before, a np.matrix Y or an object one was taken on every backend but NumPy, a ragged
    list met NumPy's "setting an array element with a sequence", and uint64 labels 2**63 PyTorch's
    NotImplementedError ("lt_cpu" not implemented for 'UInt64'). The course's predict(X, y, parameters) alike."""
    p, _ = bnn.nn_model(backend.asarray(X), backend.asarray(Y), 4, 200)
    pred = bnn.predict(p, X)
    acc = bnn.accuracy(pred, Y)
    assert 0.5 < acc < 1.0
    for same in (np.asmatrix(Y), np.ma.masked_array(Y, mask=np.zeros_like(Y, dtype=bool)), Y.astype(object),
                 Y.tolist(), tuple(map(tuple, Y.astype(int).tolist())), (Y > 0), Y.astype(np.int8)):
        assert bnn.accuracy(pred, same) == acc
    refused = [
        (np.ma.masked_array(Y, mask=Y > 0), ValueError, r"^Y is a masked array with 200 masked cell\(s\)"),
        ([[1, 0], [1]], ValueError, r"^Y is a nested list that is not rectangular: its rows hold 1 or 2 values"),
        (np.where(Y > 0, "a", "b"), TypeError, r"^Y must hold numeric labels .* got dtype <U1"),
        (np.full((1, 400), 2**63, dtype=np.uint64), ValueError, r"^Y holds labels the predictions never take, e\.g\. "
                                                                r"\[9\.22"),
    ]
    for labels, exc, match in refused:
        with pytest.raises(exc, match=match):
            bnn.accuracy(pred, labels)
    bnn.predict(X, np.asmatrix(Y), p)
    assert capsys.readouterr().out == f"Accuracy: {acc}\n"
    with pytest.raises(ValueError, match=r"^y is a nested list that is not rectangular"):
        bnn.predict(X, Y.tolist() + [[1]], p)


def test_accuracy_takes_one_hot_columns_and_refuses_other_k_rows(backend):
    labels = np.array([[0, 2, 1, 2]])
    one_hot = backend.asarray(np.eye(3)[:, labels[0]])
    assert bnn.accuracy(backend.asarray(labels), one_hot) == 1.0
    assert bnn.accuracy(one_hot, backend.asarray(np.array([[0, 2, 1, 1]]))) == 0.75
    # a (K, m) of probabilities or of several 1s a column was argmax'd into labels in silence
    probabilities = backend.asarray(np.array([[0.2, 0.1, 0.6, 0.1], [0.7, 0.1, 0.3, 0.3], [0.1, 0.8, 0.1, 0.6]]))
    with pytest.raises(ValueError, match=r"predictions must hold only 0 and 1 \(one-hot columns, \(K, m\)\); found "
                                         r"other values, e\.g\. \[0\.2.*take predict\(parameters, X\)'s labels"):
        bnn.accuracy(probabilities, backend.asarray(labels))
    with pytest.raises(ValueError, match=r"Y \(K, m\) must be one-hot, exactly one 1 in every column; columns \[1, 3\] "
                                         r"sum to \[2\.0, 0\.0\]\. Or give labels \(1, m\) in 0\.\.K-1"):
        bnn.accuracy(backend.asarray(labels), backend.asarray(np.array([[1., 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]])))


def test_accuracy_of_a_multi_label_sigmoid_output_counts_examples_whose_labels_all_match(backend):
    """predict of a sigmoid output of K units gives bool (K, m); accuracy refused it as "not one-hot" and
    told the user to take predict's labels, which they had."""
    Y2 = np.r_[Y, (X[0:1] > 0).astype(float)]  # two independent labels per example
    p, _ = bnn.nn_model(backend.asarray(X), backend.asarray(Y2), 4, 300, output="sigmoid")
    pred = bnn.predict(p, X)
    assert_on_backend(pred, backend, backend.xp.bool)
    assert pred.shape == (2, 400)
    P = to_numpy(pred)
    expected = float(np.mean(np.all(P == (Y2 == 1), axis=0)))
    assert 0.5 < expected < 1.0
    assert bnn.accuracy(pred, backend.asarray(Y2)) == expected == bnn.accuracy(pred, Y2.astype(bool))
    with pytest.raises(ValueError, match=r"Y must hold 0/1 labels in each of its 2 rows to be compared with a sigmoid "
                                         r"output's bool predictions"):
        bnn.accuracy(pred, backend.asarray(Y2 * 2))
    # one example of K labels is (K, 1), as is a transposed binary task's (m, 1) bool predictions and labels: the
    # flower's scored 0.0 (not all 400 "labels" of the one "example" matched) without a word. Both are said.
    one = bnn.predict(p, X[:, :1])
    with pytest.warns(UserWarning, match=r"shape \(2, 1\): one example with 2 independent 0/1 labels"):
        assert bnn.accuracy(one, Y2[:, :1]) == float(np.all(to_numpy(one) == (Y2[:, :1] == 1)))
    binary, _ = bnn.nn_model(X, Y, 4, 300)
    with pytest.warns(UserWarning, match=r"shape \(400, 1\): one example with 400 independent 0/1 labels .* accuracy is "
                                         r"0 or 1\. If they are 400 examples' labels, examples go in columns: pass "
                                         r"predictions\.T and Y\.T"):
        assert bnn.accuracy(bnn.predict(binary, X).T, Y.T) in (0.0, 1.0)


@pytest.mark.parametrize("Y, match", [
    ([[0, 1, 2, 5, 1, 0]], r"labels must be in 0\.\.2 for the 3 output units; found \[5\.0\]\."),
    ([[0, 0.5, 2, 1, 1, 0]], r"labels must be whole numbers 0\.\.2; found \[0\.5\]\."),
    (np.eye(3)[:, [0, 1, 2, 1, 1, 0]] * 2, r"Y must hold only 0 and 1 \(one-hot columns, \(K, m\)\); found other values"),
])
def test_wrong_labels_are_named_on_every_backend(backend, Y, match):
    # array-api-strict raised IndexError ("out-of-bounds stops are not specified") where fewer than
    # five labels were wrong: the message sliced the wrong ones [:5] on the device
    X6 = np.random.default_rng(0).standard_normal((2, 6))
    with pytest.raises(ValueError, match=match):
        bnn.L_layer_model(backend.asarray(X6), backend.asarray(np.asarray(Y, dtype=float)), [2, 4, 3],
                          num_iterations=2)


def test_host_data_moves_to_the_chosen_backend_once(backend):
    p, costs = bnn.nn_model(X, Y, 4, 50, backend=backend.xp, device=backend.device)
    for v in p.values():
        assert_on_backend(v, backend, backend.xp.float64)
    assert isinstance(costs, np.ndarray) and costs.dtype == np.float64 and costs.shape == (1,)


def test_host_data_go_to_jax_as_a_copy_made_without_a_compiled_program(caplog):
    """jnp.asarray compiled two programs (a copy and a cast) for each new shape it moved, five moves a run (X, Y and
    the parameters), 10-30 ms each on a CPU. The move is jax.device_put, with may_alias=False: JAX's CPU device
    would otherwise alias a small NumPy array, and the caller's later writes to it would show in the data."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    jax.config.update("jax_enable_x64", True)
    bnn.get_namespace("jax")  # made once a process
    jax.clear_caches()
    buffer = np.zeros(12 + 8)
    start = (-buffer.ctypes.data % 64) // 8  # 64-byte aligned, as JAX's CPU device takes NumPy memory without a copy
    x = buffer[start:start + 12].reshape(3, 4)
    x[...] = np.arange(12.0).reshape(3, 4)
    with caplog.at_level(logging.WARNING), jax.log_compiles():
        moved = bnn.to_backend(x, "jax")
    assert not [r.getMessage() for r in caplog.records if r.getMessage().startswith("Compiling")]
    x[0, 0] = 99.0
    assert isinstance(moved, jax.Array) and moved.dtype == np.float64
    np.testing.assert_array_equal(np.asarray(moved), np.arange(12.0).reshape(3, 4))


def test_to_backend_moves_a_models_parameters_with_their_description(backend):
    # chunked's error advised backend_nn.to_backend(p, ...) for parameters, which took arrays only
    p, _ = bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=2, print_cost=False)
    q = bnn.to_backend(p, backend.xp, device=backend.device)
    assert isinstance(q, bnn.Parameters) and q.network == p.network and list(q) == list(p)
    for k in p:
        assert_on_backend(q[k], backend, backend.xp.float64)
        assert_close(q[k], p[k], backend, rtol=0, atol=0)
    state = q.training_state
    assert state["optimizer"] == "adam" and state["t"] == p.training_state["t"] and state["epochs"] == 2
    assert_on_backend(state["s"]["dW1"], backend, backend.xp.float64)
    np.testing.assert_array_equal(bnn.to_numpy(bnn.predict(q, X)), bnn.predict(p, X))
    grads = bnn.to_backend({"dW1": np.ones((3, 2))}, backend.xp, device=backend.device)  # any dict of arrays
    assert_on_backend(grads["dW1"], backend, backend.xp.float64)
    with pytest.raises(TypeError, match=r"takes an array or a dict of arrays; got tuple; this is a \(parameters, "
                                        r"costs\) pair: .* unpack them: parameters, costs = nn_model\(\.\.\.\)"):
        bnn.to_backend((p, [0.5]), backend.xp)


@pytest.mark.parametrize("library", ["torch", "array_api_compat.torch", "dask.array", "array_api_compat.dask.array",
                                     "jax.numpy", "numpy", "array_api_compat.numpy", "array_api_strict"])
def test_to_backend_takes_the_library_module_itself_or_array_api_compats_wrapper(library):
    """to_backend(x, torch) of a tensor was "x is a torch.Tensor but the backend is torch" (the library computes
    with a namespace of its own for PyTorch), and to_backend(X, dask.array) an error inside from_array (no
    device=): each module names the namespace get_namespace gives for it, for host data and the library's own."""
    module = pytest.importorskip(library, reason=f"{library} is not installed")
    xp = bnn.get_namespace(module)
    for data in (X, xp.asarray(X)):
        moved = bnn.to_backend(data, module, dtype="float32")  # float32: JAX's too, in any mode
        assert array_namespace(moved) is xp
        np.testing.assert_array_equal(bnn.to_numpy(moved), X.astype(np.float32))
    p, _ = bnn.nn_model(X, Y, 4, 5, backend=module, dtype="float32")
    assert array_namespace(bnn.to_backend(p, module)["W1"]) is xp


def test_to_numpy_brings_a_models_parameters_home_whole(backend):
    """to_backend(p, "numpy") of a model trained elsewhere says "bring it to the host with to_numpy first",
    and to_numpy(p) gave a 0-d array of one object: a GPU-trained model could not come home whole."""
    p, _ = bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=2, print_cost=False, backend=backend.xp,
                     device=backend.device)
    q = bnn.to_numpy(p)
    assert isinstance(q, bnn.Parameters) and q.network == p.network and list(q) == list(p)
    for k in p:
        assert isinstance(q[k], np.ndarray) and q[k].dtype == np.float64
        np.testing.assert_array_equal(q[k], to_numpy(p[k]))
    state = q.training_state
    assert state["optimizer"] == "adam" and state["epochs"] == 2 and int(state["t"]) == int(p.training_state["t"])
    assert isinstance(state["v"]["dW1"], np.ndarray) and isinstance(state["s"]["db2"], np.ndarray)
    np.testing.assert_array_equal(bnn.predict(q, X), bnn.to_numpy(bnn.predict(p, X)))
    grads = bnn.to_numpy({"dW1": backend.asarray(np.ones((3, 2))), "note": "kept"})  # any dict of arrays
    assert isinstance(grads["dW1"], np.ndarray) and grads["note"] == "kept"
    kept_whole = bnn.to_numpy(bnn.model(backend.asarray(X), backend.asarray(Y), [2, 3, 1], "gd", num_epochs=1,
                                        print_cost=False))  # parameters = model(...): its parameters come home
    assert type(kept_whole) is bnn.Parameters and isinstance(kept_whole["W1"], np.ndarray)
    with pytest.raises(TypeError, match=r"to_numpy takes an array or a dict of arrays; got tuple; this is "
                                        r"a \(parameters, costs\) pair"):
        bnn.to_numpy((p, [0.5]))


def test_host_data_in_any_byte_order_layout_or_read_only_trains_on_every_backend(backend):
    """Big-endian data (">f8", as FITS or network-order files give them), read-only arrays (a
    memory map opened "r") and views in any layout (X_rows.T, reversed or strided columns) train
    and predict as the native C-ordered ones do, to the last bit: PyTorch refused ">f8" with
    "byte order different from the native byte order", array-api-strict had no such dtype,
    PyTorch warned that writing to a tensor on a read-only buffer was undefined, refused
    X[:, ::-1] ("tensors with negative strides are not currently supported"), and trained a
    Fortran-ordered or strided X to parameters 2e-16 away from the C-ordered X's."""
    ref, _ = bnn.nn_model(X, Y, 4, 20, backend=backend.xp, device=backend.device)
    big = X.astype(">f8")
    ro = X.copy()
    ro.setflags(write=False)
    fortran = np.asfortranarray(X)
    reversed_ = np.ascontiguousarray(X[:, ::-1])[:, ::-1]  # the same numbers, negative strides
    wide = np.zeros((X.shape[0], 2 * X.shape[1]))
    wide[:, ::2] = X
    for Xh, Yh in ((big, Y.astype(">f8")), (ro, Y), (fortran, Y), (reversed_, Y), (wide[:, ::2], Y)):
        p, _ = bnn.nn_model(Xh, Yh, 4, 20, backend=backend.xp, device=backend.device)
        for k in ref:
            assert_close(p[k], to_numpy(ref[k]), backend, rtol=0, atol=0)
        np.testing.assert_array_equal(bnn.to_numpy(bnn.predict(p, Xh)), bnn.to_numpy(bnn.predict(ref, X)))
        moved = bnn.to_backend(Xh, backend.xp, device=backend.device)  # NumPy keeps them as they are
        assert dtype_name(moved.dtype) == "float64"
        np.testing.assert_array_equal(to_numpy(moved), X)
        if backend.name == "numpy":  # in place where contiguous either way; a reversed or gapped view laid out anew
            assert np.shares_memory(moved, Xh) == (Xh.flags.c_contiguous or Xh.flags.f_contiguous)
            assert moved.flags.c_contiguous or moved.flags.f_contiguous
    if backend.name == "torch":  # a writeable C-ordered X shared as it is; a read-only one copied (PyTorch would
        assert np.shares_memory(bnn.to_backend(X, "torch").numpy(), X)  # share it, writing to it undefined)
        assert not np.shares_memory(bnn.to_backend(ro, "torch").numpy(), ro)
    assert big.dtype.byteorder == ">" and not ro.flags.writeable  # the caller's arrays as they were
    assert fortran.flags.f_contiguous and reversed_.strides[1] < 0


def test_course_functions_take_numpy_arrays_in_either_byte_order():
    """NumPy multiplies ">f8" by "<f8" exactly; "the arrays must share one dtype; got X >f8, W1 float64"
    refused what was one dtype, and W1 ">f8" was "not float64 or float32"."""
    p = bnn.initialize_parameters_deep([2, 4, 1])
    AL, _ = bnn.L_model_forward(X, p)
    big = {k: v.astype(">f8") for k, v in p.items()}
    for Xh, ph in ((X.astype(">f8"), p), (X, big)):
        AL_h, caches = bnn.L_model_forward(Xh, ph)
        np.testing.assert_array_equal(AL_h, AL)
        grads = bnn.L_model_backward(AL_h, Y, caches)
        assert grads["dW1"].dtype == np.float64
    with pytest.raises(TypeError, match=r"must share one dtype; got A >f8, W float32, b float64"):
        bnn.linear_forward(X.astype(">f8"), p["W1"].astype(np.float32), p["b1"])


def test_to_numpy_round_trip(backend):
    a = np.arange(6.0).reshape(2, 3)
    b = backend.asarray(a)
    assert_close(b, a, backend)
    out = bnn.to_numpy(b)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, a)


def test_backend_names_resolve():
    assert bnn.get_namespace("numpy") is bnn.get_namespace(np)
    assert bnn.get_namespace(None) is bnn.get_namespace("numpy")
    strict = pytest.importorskip("array_api_strict")
    assert bnn.get_namespace("array_api_strict") is strict


def test_pytorchs_namespace_calls_matmul_and_maximum_straight_with_array_api_compats_values():
    """The lean namespace of PyTorch (backend._lean_torch) gives array-api-compat's values and dtypes for
    every argument mix, promoting where compat promotes; and it is the one torch namespace found everywhere."""
    torch = pytest.importorskip("torch")
    import array_api_compat
    import array_api_compat.torch as compat

    from backend_nn.backend import array_namespace, backend_name

    xp = bnn.get_namespace("torch")
    assert xp is bnn.get_namespace(torch) is array_namespace(torch.zeros(2)) is bnn.get_namespace(compat)
    assert xp is not compat and array_api_compat.is_torch_namespace(xp) and backend_name(xp) == "torch"
    assert xp.matmul is not compat.matmul and xp.sum is compat.sum

    for Z in _special_tensors():
        _same_tensor(xp.maximum(Z, Z * 0.5), compat.maximum(Z, Z * 0.5))
    W = torch.randn(3, 2, dtype=torch.float64)
    for A in (torch.randn(2, 5, dtype=torch.float64), torch.randn(2, 5, dtype=torch.float32), torch.ones(2, 5, dtype=torch.int64),
              torch.randn(2, dtype=torch.float64)):
        _same_tensor(xp.matmul(W, A), compat.matmul(W, A))
        _same_tensor(xp.matmul(W.float(), A), compat.matmul(W.float(), A))
    with pytest.raises(RuntimeError):  # a shape mismatch is PyTorch's own error, as before
        xp.matmul(W, torch.randn(3, 5, dtype=torch.float64))
    # the kept 0-d tensor of a scalar: not one made under inference mode, which autograd cannot save later
    with torch.inference_mode():
        xp.maximum(torch.zeros(2, dtype=torch.float64), -12.5)
    Z = torch.tensor([-20.0, 3.0], dtype=torch.float64, requires_grad=True)
    xp.maximum(Z, -12.5).sum().backward()
    assert Z.grad.tolist() == [0.0, 1.0]
    # nor one of a torch.compile trace, which traces the scalar's tensor whole (values: a compiled kernel's
    # signed zeros are its compiler's)
    Z = torch.tensor([-20.0, 3.0, -0.0], dtype=torch.float64)
    compiled = torch.compile(lambda z: xp.maximum(z, -11.5) + xp.maximum(0.0, z), fullgraph=True)
    assert torch.equal(compiled(Z), xp.maximum(Z, -11.5) + xp.maximum(0.0, Z))  # the eager values, as the test below
    torch._dynamo.reset()


def _same_tensor(a, b):
    """The same dtype, shape, values, NaNs and signs (of zeros and NaNs)."""
    import torch

    assert a.dtype == b.dtype and a.shape == b.shape
    assert torch.equal(torch.isnan(a), torch.isnan(b)) and torch.equal(a[~torch.isnan(a)], b[~torch.isnan(b)])
    assert torch.equal(torch.signbit(a), torch.signbit(b))


def _special_tensors():
    """Float64 and float32 tensors of NaN, signed zeros, infinities, a subnormal; an integer tensor; a 0-d one."""
    import torch

    special = torch.tensor([[float("nan"), -0.0, 0.0, -1.0, 2.0], [float("inf"), -float("inf"), -800.0, 1e-320, 5.0]],
                           dtype=torch.float64)
    return special, special.float(), torch.tensor([[1, -2, 3]]), torch.tensor(-3.0)


def test_pytorchs_lean_maximum_gives_array_api_compats_values_beside_python_scalars():
    """``maximum`` of a tensor and a Python scalar (either order; float and integer tensors and scalars, signed
    zeros, NaN, inf): array-api-compat's dtype and values to the bit, where array-api-compat takes scalars."""
    pytest.importorskip("torch")
    import array_api_compat.torch as compat

    skip_unless_compat_torch_takes_scalars()
    xp = bnn.get_namespace("torch")
    for Z in _special_tensors():
        for s in (0.0, -0.0, -709.0, 0.5, 0, -88, np.float64(-1.5), float("nan"), float("inf"), -float("inf")):
            _same_tensor(xp.maximum(Z, s), compat.maximum(Z, s))
            _same_tensor(xp.maximum(s, Z), compat.maximum(s, Z))


def test_auto_is_cupy_exactly_when_a_gpu_is_counted():
    name = bnn.get_namespace("auto").__name__
    assert ("cupy" in name) == (bnn.cuda_device_count() > 0)


def test_costs_are_recorded_at_the_documented_iterations():
    _, every = bnn.nn_model(X, Y, 4, 250, cost_every=1)
    _, some = bnn.nn_model(X, Y, 4, 250, cost_every=100)
    assert some.shape == (3,)
    np.testing.assert_array_equal(some, every[[0, 100, 200]])


def test_print_cost_prints_like_the_course(capsys):
    bnn.nn_model(X, Y, 4, 2001, print_cost=True)
    out = capsys.readouterr().out.splitlines()
    assert out == ["Cost after iteration 0: 0.693048", "Cost after iteration 1000: 0.288083",
                   "Cost after iteration 2000: 0.254385"]


def test_progress_bar_on_request(capsys):
    pytest.importorskip("tqdm", reason="tqdm is not installed")
    bnn.nn_model(X, Y, 4, 3000, progress=True, sync_every=1000, print_cost=True)
    captured = capsys.readouterr()
    err, out = captured.err, captured.out
    assert "3000/3000" in err and "it/s" in err and "numpy, numpy replay" in err
    # the bar's cost says which iteration it is (the last recorded one), not the bar's count
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert "3000/3000" in last and "(iteration 2900)" in last and "cost 0.23" in last
    # print_cost lines stay whole lines on stdout, never glued to the bar (tqdm's write)
    assert out.splitlines() == ["Cost after iteration 0: 0.693048", "Cost after iteration 1000: 0.288083",
                                "Cost after iteration 2000: 0.254385"]
    # a run that is not a whole number of records (150: one record of 100, then 50 iterations) ends full too, and
    # so do the epochs' loop's
    for run in (lambda: bnn.nn_model(X, Y, 4, 150, progress=True),
                lambda: bnn.model(X, Y, [2, 4, 1], "adam", num_epochs=150, progress=True, print_cost=False)):
        run()
        last = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
        assert "150/150" in last, last


def test_costs_come_home_once_every_sync_every_units(monkeypatch):
    """The loops' only host syncs (GPU work must not wait on the host every step): one per ``sync_every`` units and
    one at the end, in gradient descent's loop and in the epochs' loop alike (Recorder.sync's ``done``, counted)."""
    synced = []
    real_sync = recording.Recorder.sync
    monkeypatch.setattr(recording.Recorder, "sync", lambda self, chunk, done: synced.append(done) or
                        real_sync(self, chunk, done))
    for run in (lambda n: bnn.nn_model(X, Y, 4, n, cost_every=10, sync_every=250),
                lambda n: bnn.model(X, Y, [2, 4, 1], "adam", num_epochs=n, cost_every=10, sync_every=250,
                                    print_cost=False)):
        for n, expected in [(1000, [250, 500, 750, 1000]), (1001, [250, 500, 750, 1000, 1001])]:
            synced.clear()
            _, costs = run(n)
            assert synced == expected and len(costs) == -(-n // 10)  # units 0, 10, ..., 990 (and 1000)


def test_the_bar_shows_by_default_on_a_terminal_for_runs_of_2000_units_or_more(monkeypatch):
    pytest.importorskip("tqdm", reason="tqdm is not installed")
    import io

    shown = {}
    for tty in (True, False):
        err = io.StringIO()
        err.isatty = lambda tty=tty: tty
        monkeypatch.setattr("sys.stderr", err)
        for total in (1999, 2000):
            bar = recording._progress_bar(total, None, "run")
            shown[tty, total] = bar is not None
            if bar is not None:
                bar.close()
    assert shown == {(True, 1999): False, (True, 2000): True, (False, 1999): False, (False, 2000): False}


def test_progress_true_without_tqdm_says_so(monkeypatch):
    """It ran without the bar and without a word (a source tree on a machine without tqdm)."""
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError("No module named 'tqdm'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    with pytest.warns(UserWarning, match=r"progress=True needs tqdm, which is not installed"):
        _, costs = bnn.nn_model(X, Y, 4, 100, progress=True)
    assert costs.shape == (1,)


def test_deep_network_is_the_same_code():
    """Principle 5: the shallow network is the L = 2 case; L = 3 runs through the same functions."""
    p = bnn.initialize_parameters_deep([2, 5, 3, 1], seed=1, init="he")
    xp = bnn.get_namespace("numpy")
    net = bnn.Network.build([2, 5, 3, 1], "relu")
    costs = []
    for _ in range(300):
        p, c = bnn.train_step(p, X, Y, net=net, learning_rate=0.1, xp=xp)
        costs.append(float(c))
    assert costs[-1] < costs[0]
    A3, cache = bnn.forward_propagation(X, p, activation="relu")
    assert set(cache) == {"Z1", "A1", "Z2", "A2", "Z3", "A3"} and A3.shape == (1, 400)


def test_jax_float64_without_x64_mode_is_an_error_not_a_silent_float32():
    """Run in a fresh interpreter: the suite's conftest turns x64 on for its own JAX tests."""
    import subprocess
    import sys

    pytest.importorskip("jax", reason="JAX is not installed")
    code = (
        "import jax, backend_nn as bnn\n"
        "X, Y = bnn.load_planar_dataset()\n"
        "try:\n"
        "    bnn.nn_model(X, Y, 4, 10, backend='jax')\n"
        "except TypeError as e:\n"
        "    print('refused:', e)\n"
        "p, c = bnn.nn_model(X, Y, 4, 10, backend='jax', dtype='float32')\n"
        "print('float32 works:', p['W1'].dtype)\n"
        # float32 runs without a warning from JAX: labels and counts in its default integer, int32 there
        "labels = bnn.predict(p, X)\n"
        "assert float(bnn.accuracy(labels, Y)) > 0.5\n"
        "Xd, Yd = bnn.load_dataset('blobs')\n"
        "q, _ = bnn.L_layer_model(Xd, Yd, [2, 6, 4], num_iterations=10, backend='jax', dtype='float32')\n"
        "print('softmax labels:', bnn.predict(q, Xd).dtype)\n"
        "bnn.predict(Xd, Yd, q)\n"
        "bnn.model(X, Y, [2, 3, 1], 'adam', num_epochs=2, print_cost=False, backend='jax', dtype='float32')\n"
        "try:\n"
        "    bnn.nn_model(X * float('nan'), Y, 4, 10, backend='jax', dtype='float32')\n"
        "except ValueError as e:\n"
        "    print('counted:', e)\n"
        # a float64 model was loaded as float32 in silence; to_backend(dtype='float64') was JAX's warning and float32
        "import tempfile, os\n"
        "path = bnn.save_model(os.path.join(tempfile.mkdtemp(), 'm.npz'), bnn.nn_model(X, Y, 4, 5)[0])\n"
        "try:\n"
        "    bnn.load_model(path, backend='jax')\n"
        "except TypeError as e:\n"
        "    print('load refused:', e)\n"
        "q32 = bnn.load_model(bnn.save_model(os.path.join(tempfile.mkdtemp(), 'm32.npz'), p), backend='jax')\n"
        "print('float32 model loads:', q32['W1'].dtype)\n"
        "try:\n"
        "    bnn.to_backend(X, 'jax', dtype='float64')\n"
        "except TypeError as e:\n"
        "    print('to_backend refused:', e)\n"
        "print('to_backend float32:', bnn.to_backend(X, 'jax', dtype='float32').dtype)\n"
        # without a dtype, float64 host data and a float64 model became float32 in silence (jnp.asarray's way)
        "for what, data in (('data', X), ('model', bnn.nn_model(X, Y, 4, 5)[0])):\n"
        "    try:\n"
        "        bnn.to_backend(data, 'jax')\n"
        "    except TypeError as e:\n"
        "        print(f'to_backend {what} refused:', e)\n"
        "print('labels as they are:', bnn.to_backend(Y.astype(int), 'jax').dtype, bnn.to_backend(X.astype('float32'), 'jax').dtype)\n"
        # int64 beyond int32's range was wrapped in silence: 2**40 became 0
        "try:\n"
        "    bnn.to_backend(__import__('numpy').array([3, 2**40]), 'jax')\n"
        "except ValueError as e:\n"
        "    print('wrap refused:', e)\n"
        "print('int32 ends kept:', bnn.to_backend(__import__('numpy').array([-2**31, 2**31 - 1]), 'jax').tolist())\n"
        # dtype='int64' asked for was int32, clipped: 2.0**40 became 2147483647 (a warning from JAX, nothing else)
        "for wide in ('int64', 'uint64', 'complex128'):\n"
        "    try:\n"
        "        bnn.to_backend(__import__('numpy').array([2.0**40]), 'jax', dtype=wide)\n"
        "    except TypeError as e:\n"
        "        print(f'{wide} refused:', e)\n"
        "clf = bnn.NNClassifier(num_iterations=5, backend='jax', dtype='float32').fit(X.T, Y.ravel())\n"
        "print('classifier float32:', clf.parameters_['W1'].dtype, clf.predict(X.T).shape, clf.score(X.T, Y.ravel()) > 0)\n"
        "print('x64 untouched:', jax.config.read('jax_enable_x64'))\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "JAX_ENABLE_X64"}
    r = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=300,
                       env=env)
    assert r.returncode == 0, r.stderr
    assert "refused: dtype='float64' on JAX needs JAX's 64-bit mode" in r.stdout and "dtype='float32'" in r.stdout
    assert "float32 works: float32" in r.stdout and "x64 untouched: False" in r.stdout
    assert "softmax labels: int32" in r.stdout and "counted: X must be finite; it holds 800 NaN" in r.stdout
    assert "holds a float64 model, and JAX's 64-bit mode is off: JAX would hold it as float32" in r.stdout
    assert "float32 model loads: float32" in r.stdout
    assert "to_backend refused: dtype='float64' on JAX needs JAX's 64-bit mode" in r.stdout
    assert "to_backend float32: float32" in r.stdout
    assert ("to_backend data refused: x is float64, and JAX's 64-bit mode is off: JAX would hold it as float32. Turn "
            "the mode on") in r.stdout and "or pass dtype='float32' to move it as float32." in r.stdout
    assert "to_backend model refused: x['W1'] and 3 more are float64, and JAX's 64-bit mode is off: JAX would hold them as float32" in r.stdout
    assert "labels as they are: int32 float32" in r.stdout
    assert ("wrap refused: x holds integers beyond int32's range (e.g. 1099511627776), and JAX's 64-bit mode is off: "
            "JAX would hold them as int32, wrapped.") in r.stdout
    assert "int32 ends kept: [-2147483648, 2147483647]" in r.stdout  # at the ends of int32's range: no wrap
    for wide, narrow in (("int64", "int32"), ("uint64", "uint32"), ("complex128", "complex64")):
        assert (f"{wide} refused: dtype='{wide}' on JAX needs JAX's 64-bit mode, which is off: without it JAX holds "
                f"{wide} as {narrow}.") in r.stdout and f"or choose dtype='{narrow}'." in r.stdout
    assert "classifier float32: float32 (400,) True" in r.stdout


def test_jax_runs_on_the_device_named_among_several():
    """A JAX run given its second device stays there, from the data to the prediction, with the same numbers as
    on the first; an array on the first device is moved to the one named. Two CPU devices stand in for two GPUs
    (XLA's host device count, set before JAX starts: a fresh interpreter)."""
    import subprocess
    import sys

    pytest.importorskip("jax", reason="JAX is not installed")
    code = (
        "import jax, jax.numpy as jnp, numpy as np, backend_nn as bnn\n"
        "first, second = jax.devices()\n"
        "for device in ('cpu:1', second):\n"
        "    assert bnn.to_backend(jnp.ones(3), 'jax', device=device).devices() == {second}\n"
        "X, Y = bnn.load_planar_dataset()\n"
        "p, _ = bnn.nn_model(X, Y, 4, 50, backend='jax', device='cpu:1')\n"
        "ref, _ = bnn.nn_model(X, Y, 4, 50, backend='jax')\n"
        "assert all(v.devices() == {second} for v in p.values()) and ref['W1'].devices() == {first}\n"
        "assert all(np.array_equal(p[k], ref[k]) for k in ref)\n"
        "assert bnn.predict(p, X).devices() == {second}\n"
        "Xd, Yd = bnn.load_dataset('blobs')\n"
        "q, _ = bnn.L_layer_model(Xd, Yd, [2, 6, 4], num_iterations=20, backend='jax', device=second)\n"
        "assert all(v.devices() == {second} for v in q.values()) and bnn.predict(q, Xd).devices() == {second}\n"
        "print('ok')\n"
    )
    env = {**__import__("os").environ, "JAX_ENABLE_X64": "1", "JAX_PLATFORMS": "cpu",  # CPU devices, on a GPU too
           "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    r = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=300,
                       env=env)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_jax_float32_runs_multiply_in_float32_and_a_users_own_precision_is_kept(monkeypatch):
    """JAX multiplies float32 matrices in TF32 on NVIDIA GPUs since Ampere (bfloat16 passes on TPUs) unless
    told otherwise: a float32 run would be computed in less, in silence. The library's runs ask for float32
    where the user has not chosen a precision. On a CPU the numbers do not move, so this reads the precision
    each matmul is traced with (the sizes are odd ones, so that JAX traces them here)."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    from jax.lax import Precision

    seen = []
    bind = jax.lax.dot_general_p.bind

    def spy(*args, **params):
        seen.append(params.get("precision"))
        return bind(*args, **params)

    monkeypatch.setattr(jax.lax.dot_general_p, "bind", spy)
    runs = {
        "nn_model": lambda m: bnn.nn_model(X[:, :m], Y[:, :m], 3, 5, backend="jax", dtype="float32", progress=False),
        "eager": lambda m: bnn.nn_model(X[:, :m], Y[:, :m], 3, 5, backend="jax", dtype="float32", progress=False,
                                        compile=False),
        "adam": lambda m: bnn.model(X[:, :m], Y[:, :m], [2, 3, 1], "adam", num_epochs=2, mini_batch_size=8,
                                    backend="jax", dtype="float32", print_cost=False, progress=False),
        "predict": lambda m: bnn.predict(trained, X[:, :m]),
        "train_step": lambda m: bnn.train_step(trained, bnn.to_backend(X[:, :m], "jax", dtype="float32"),
                                               bnn.to_backend(Y[:, :m], "jax", dtype="float32"), learning_rate=0.1),
    }
    trained, _ = runs["nn_model"](400)
    for precision, expected, sizes in ((None, Precision.HIGHEST, (53, 59, 61, 67, 71)),
                                       ("tensorfloat32", Precision.HIGH, (73, 79, 83, 89, 97))):
        for (name, run), m in zip(runs.items(), sizes):
            seen.clear()
            with jax.default_matmul_precision(precision):
                run(m)
                assert jax.config.jax_default_matmul_precision == precision  # the user's setting, as it was
            assert seen and set(seen) == {(expected, expected)}, (name, precision, seen)


def test_costs_of_pytorch_tensors_that_track_gradients_are_floats_without_a_warning():
    """compute_cost returns a Python float as the course's does; float() of a tensor with
    requires_grad warned "Converting a tensor with requires_grad=True to a scalar may lead to
    unexpected behavior"."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    host = bnn.initialize_parameters_deep([2, 3, 1])
    p = {k: torch.tensor(v, requires_grad=True) for k, v in host.items()}
    AL, _ = bnn.L_model_forward(torch.tensor(X), p)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost = bnn.compute_cost(AL, torch.tensor(Y))
        reg = bnn.compute_cost_with_regularization(AL, torch.tensor(Y), p, 0.7)
    assert type(cost) is float and cost == pytest.approx(bnn.compute_cost(bnn.L_model_forward(X, host)[0], Y), rel=1e-12)
    assert isinstance(reg, np.float64)
    assert reg == pytest.approx(cost + 0.7 / (2 * X.shape[1]) * sum(np.sum(host[f"W{l}"] ** 2) for l in (1, 2)), rel=1e-12)


def test_training_on_pytorch_tensors_that_track_gradients_records_no_autograd_history():
    """The library computes its own gradients: a model trained on an X (or from parameters) with
    requires_grad returned parameters with requires_grad and a grad_fn chained through every step
    (3000 steps at m = 4000 held 2.8 GB, against 0.24 GB). The pure functions keep autograd, so that
    backpropagation can be checked against it."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    Xt, Yt = torch.tensor(X, requires_grad=True), torch.tensor(Y)
    plain, _ = bnn.nn_model(torch.tensor(X), Yt, 4, 50)
    for params, costs in (bnn.nn_model(Xt, Yt, 4, 50), bnn.L_layer_model(Xt, Yt, [2, 4, 1], num_iterations=50),
                          bnn.model(Xt, Yt, [2, 4, 1], "adam", num_epochs=2, print_cost=False)):
        assert not any(v.requires_grad or v.grad_fn is not None for v in params.values())
    again, _ = bnn.nn_model(Xt, Yt, 4, 50)
    assert all(torch.equal(again[k], plain[k]) for k in plain)  # the same run, untracked
    first, _ = bnn.model(Xt, Yt, [2, 4, 1], "gd", num_epochs=2, print_cost=False)
    start = bnn.Parameters({k: v.clone().requires_grad_() for k, v in first.items()}, network=first.network)
    resumed, _ = bnn.model(Xt, Yt, [2, 4, 1], "gd", num_epochs=2, print_cost=False, parameters=start)
    assert not resumed["W1"].requires_grad and Xt.requires_grad and start["W1"].requires_grad  # the caller's as given
    # the course's functions are pure: autograd runs through them, and agrees with their backward pass
    host = bnn.initialize_parameters_deep([2, 3, 1], init="he")
    p = {k: torch.tensor(v, requires_grad=True) for k, v in host.items()}
    AL, caches = bnn.L_model_forward(torch.tensor(X), p)
    Ytf = torch.tensor(Y, dtype=torch.float64)
    J = -torch.mean(Ytf * torch.log(AL) + (1 - Ytf) * torch.log(1 - AL))
    J.backward()
    grads = bnn.L_model_backward(AL.detach(), Ytf, [((a.detach(), w.detach(), b.detach()), z.detach())
                                                    for (a, w, b), z in caches])
    for k in host:
        torch.testing.assert_close(grads["d" + k], p[k].grad, rtol=1e-10, atol=1e-14)


def test_the_course_functions_run_under_jax_jit_and_jax_grad():
    """A JAX user's own jax.jit of the week-4 functions (and of predict): the checks on values (labels
    0/1, A_L not exactly 0 or 1, X finite) raised JAX's TracerBoolConversionError, and jax.grad through
    L_model_forward was refused as "arrays live on different devices: X on cpu:0, W1 on None". Under a
    trace the checks on values wait for values (an eager call still makes them); shapes are checked
    either way."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    jnp = jax.numpy
    p = bnn.initialize_parameters_deep([2, 3, 1], init="he", backend="jax")
    Xj, Yj = jnp.asarray(X), jnp.asarray(Y, dtype=jnp.float64)

    def backward(X, Y, p):
        AL, caches = bnn.L_model_forward(X, p)
        return bnn.L_model_backward(AL, Y, caches)

    eager, traced = backward(Xj, Yj, p), jax.jit(backward)(Xj, Yj, p)
    for k in eager:
        np.testing.assert_allclose(np.asarray(traced[k]), np.asarray(eager[k]), rtol=1e-12, atol=1e-15)

    def J(p):
        AL, _ = bnn.L_model_forward(Xj, p)
        return -jnp.mean(Yj * jnp.log(AL) + (1 - Yj) * jnp.log(1 - AL))

    auto = jax.grad(J)(p)
    for k in p:
        np.testing.assert_allclose(np.asarray(auto[k]), np.asarray(eager["d" + k]), rtol=1e-10, atol=1e-14)
    # compute_cost returns a float, which a traced cost cannot be ("TracerArrayConversionError"): under the
    # trace it returns the traced 0-d array, so jax.grad differentiates the course's own cost
    course = jax.grad(lambda p: bnn.compute_cost(bnn.L_model_forward(Xj, p)[0], Yj))(p)
    for k in p:
        np.testing.assert_allclose(np.asarray(course[k]), np.asarray(eager["d" + k]), rtol=1e-10, atol=1e-14)
    assert isinstance(bnn.compute_cost(bnn.L_model_forward(Xj, p)[0], Yj), float)  # eager: the course's float
    regularized = jax.grad(lambda p: bnn.compute_cost_with_regularization(bnn.L_model_forward(Xj, p)[0], Yj, p, 0.7))(p)
    np.testing.assert_allclose(np.asarray(regularized["W2"]), np.asarray(eager["dW2"] + 0.7 / 400 * p["W2"]),
                               rtol=1e-10, atol=1e-14)
    with pytest.raises(TypeError, match=r"^X is traced by JAX \(this call is inside jax.jit, jax.grad or jax.vmap\): "
                                        r"training runs its own loop, .* Call it outside the trace\."):
        jax.jit(lambda X: bnn.nn_model(X, Yj, 4, 2)[1])(Xj)  # was TracerArrayConversionError, from inside
    stepped = jax.jit(lambda p: bnn.update_parameters(p, backward(Xj, Yj, p), 0.1))(p)
    np.testing.assert_allclose(np.asarray(stepped["W1"]), np.asarray(p["W1"] - 0.1 * eager["dW1"]), rtol=1e-12)
    trained, _ = bnn.nn_model(Xj, Yj, 4, 20)
    assert bool(jnp.all(jax.jit(lambda X: bnn.predict(trained, X))(Xj) == bnn.predict(trained, Xj)))
    # accuracy too (was TracerBoolConversionError from its checks on values): the traced 0-d array there
    assert float(jax.jit(lambda X: bnn.accuracy(bnn.predict(trained, X), Yj))(Xj)) == \
        pytest.approx(bnn.accuracy(bnn.predict(trained, Xj), Yj), rel=1e-15)
    with pytest.raises(ValueError, match=r"found other whole numbers, e\.g\. \[3\.0\]"):
        backward(Xj, Yj * 3, p)  # eager: the values are checked
    with pytest.raises(ValueError, match=r"W \(3, 3\) expects 3 input rows"):  # traced: shapes are
        jax.jit(lambda X: bnn.linear_forward(X, jnp.ones((3, 3)), jnp.zeros((3, 1)))[0])(Xj)


def test_a_models_parameters_pass_through_jax_jit_grad_and_tree_map_with_their_network_and_state():
    """The Parameters a model returns were one leaf to JAX (a dict subclass it does not know):
    jax.jit(f)(parameters, X) was "not a valid JAX type", jax.grad of them too, and
    jax.tree_util.tree_map(lambda a: 2 * a, parameters) multiplied the dict. They are a pytree now:
    JAX takes them as a dict and gives back Parameters with the same network and training state."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    jnp = jax.numpy
    trained, _ = bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=3, backend="jax", print_cost=False, progress=False)
    Xj, Yj = jnp.asarray(X), jnp.asarray(Y, dtype=jnp.float64)

    traces = []
    predict = jax.jit(lambda p, X: traces.append(p) or bnn.predict_output(p, X))
    AL = predict(trained, Xj)
    predict(trained, Xj)  # the same model: its network and state compare equal, so JAX reuses the trace
    assert len(traces) == 1
    np.testing.assert_allclose(np.asarray(AL), np.asarray(bnn.predict_output(trained, Xj)), rtol=1e-12)

    def J(p):
        AL, _ = bnn.L_model_forward(Xj, p)
        return -jnp.mean(Yj * jnp.log(AL) + (1 - Yj) * jnp.log(1 - AL))

    grads = jax.grad(J)(trained)
    AL, caches = bnn.L_model_forward(Xj, trained)
    by_hand = bnn.L_model_backward(AL, Yj, caches)
    assert isinstance(grads, bnn.Parameters) and grads.network == trained.network
    for k in trained:
        np.testing.assert_allclose(np.asarray(grads[k]), np.asarray(by_hand["d" + k]), rtol=1e-10, atol=1e-14)

    doubled = jax.tree_util.tree_map(lambda a: 2 * a, trained)
    assert isinstance(doubled, bnn.Parameters) and list(doubled) == ["W1", "b1", "W2", "b2"]
    assert all(bool(jnp.all(doubled[k] == 2 * trained[k])) for k in trained)
    assert [str(path[0]) for path, _ in jax.tree_util.tree_flatten_with_path(trained)[0]] == \
        ["['W1']", "['b1']", "['W2']", "['b2']"]

    moved = jax.device_put(trained)  # the training state goes along: resuming from it is resuming
    assert moved.training_state is trained.training_state
    resumed, _ = bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=3, backend="jax", print_cost=False, progress=False,
                           parameters=moved)
    straight, _ = bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=6, backend="jax", print_cost=False, progress=False)
    assert all(bool(jnp.all(resumed[k] == straight[k])) for k in straight)
    same = jax.jit(lambda p: p)  # each model's own state comes back through one jit: never the first one traced
    assert same(resumed).training_state is resumed.training_state
    assert same(straight).training_state is straight.training_state


def test_a_models_parameters_pass_through_torch_func_grad_and_torch_pytrees():
    """torch.func.grad of a model's Parameters was "Thing passed to transform API must be Tensor": PyTorch's
    pytrees took the dict subclass for one leaf too. And compute_cost could not be differentiated by it."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    import torch.utils._pytree as pytree

    trained, _ = bnn.model(X, Y, [2, 3, 1], "adam", num_epochs=3, backend="torch", print_cost=False, progress=False)
    Xt, Yt = bnn.to_backend(X, "torch"), bnn.to_backend(Y, "torch")

    def J(p):
        AL, _ = bnn.L_model_forward(Xt, p)
        return -torch.mean(Yt * torch.log(AL) + (1 - Yt) * torch.log(1 - AL))

    grads = torch.func.grad(J)(trained)
    AL, caches = bnn.L_model_forward(Xt, trained)
    by_hand = bnn.L_model_backward(AL, Yt, caches)
    assert isinstance(grads, bnn.Parameters) and grads.network == trained.network
    for k in trained:
        np.testing.assert_allclose(grads[k].numpy(), by_hand["d" + k].numpy(), rtol=1e-10, atol=1e-14)
    # the course's own cost, as under jax.grad: inside torch.func.grad it has no value to be a float ("Cannot
    # access data pointer of Tensor that doesn't have storage"), and is the 0-d tensor there
    course = torch.func.grad(lambda p: bnn.compute_cost(bnn.L_model_forward(Xt, p)[0], Yt))(trained)
    for k in trained:
        np.testing.assert_allclose(course[k].numpy(), by_hand["d" + k].numpy(), rtol=1e-10, atol=1e-14)
    regularized = torch.func.grad(
        lambda p: bnn.compute_cost_with_regularization(bnn.L_model_forward(Xt, p)[0], Yt, p, 0.7))(trained)
    np.testing.assert_allclose(regularized["W2"].numpy(), (by_hand["dW2"] + 0.7 / 400 * trained["W2"]).numpy(),
                               rtol=1e-10, atol=1e-14)
    tracked = {k: v.clone().requires_grad_() for k, v in trained.items()}
    assert isinstance(bnn.compute_cost(bnn.L_model_forward(Xt, tracked)[0], Yt), float)  # a value: the float
    doubled = pytree.tree_map(lambda a: 2 * a, trained)
    assert isinstance(doubled, bnn.Parameters) and doubled.training_state is trained.training_state
    assert all(bool((doubled[k] == 2 * trained[k]).all()) for k in trained)


def test_parameters_are_made_as_before_after_the_module_is_reloaded(monkeypatch):
    """importlib.reload or IPython's autoreload runs backend.py again, and its record of the pytree
    registrations starts empty: registering Parameters again raised "Duplicate custom PyTreeDef type
    registration" (JAX) or "already registered" (PyTorch) from every Parameters made after."""
    pytest.importorskip("torch", reason="PyTorch is not installed")
    import backend_nn.backend as edge

    trained, _ = bnn.nn_model(X, Y, 4, 5, progress=False)  # registers with what is imported
    monkeypatch.setattr(edge, "_PYTREES", set())  # what a reload leaves
    again = trained.copy()
    assert again.network == trained.network and {lib for lib, _ in edge._PYTREES} >= {"torch"}


@pytest.mark.parametrize("dtype, name", [
    ("f4", "float32"), (">f8", "float64"), (float, "float64"), (bool, "bool"), (np.float32, "float32"),
    (np.dtype("int64"), "int64"), ("bfloat16", "bfloat16"),
    (np.arange(3.0), "array([0., 1., 2.])"), (np.array(1.0), "array(1.)"),  # values, not dtypes: as they are
])
def test_dtype_name_names_each_spelling_and_shows_a_value_as_itself(dtype, name):
    """An array where a dtype belongs was NumPy's 'truth value of an array ... is ambiguous' (``in`` compared
    it with Python's types by ==), and a 0-d array 1.0 was named "0" (its text cut at the last dot)."""
    assert dtype_name(dtype) == name
