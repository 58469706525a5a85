"""NumPy's recorded step (accelerate/numpy_replay.py): the generic step recorded once as NumPy calls on
buffers, replayed. Held to the eager step bit for bit, at every depth, activation, output and dtype;
the recording refuses what it cannot replay (a value read on the host) instead of baking it in."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.accelerate import FastPathWarning, choose_runner, numpy_replay
from backend_nn.accelerate.numpy_replay import MAX_ELEMENTS, Untraceable, record
from backend_nn.network import Network
from backend_nn.step import eager_runner

FLOWER = bnn.load_planar_dataset()


def _problem(dims, m, dtype, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m).astype(dtype)
    labels = rng.randint(0, dims[-1] if dims[-1] > 1 else 2, size=m)
    Y = (labels[None, :] * 1.0 if dims[-1] == 1 else np.eye(dims[-1])[:, labels]).astype(dtype)
    p0 = {k: v.astype(dtype) for k, v in bnn.initialize_parameters_deep(list(dims), seed=seed, init="he").items()}
    return X, Y, p0


CASES = [([2, 4, 1], "tanh", "sigmoid"), ([3, 1], "tanh", "sigmoid"), ([5, 7, 6, 3], "relu", "softmax"),
         ([4, 6, 5, 1], ["leaky_relu", "sigmoid"], "sigmoid"), ([4, 5, 3], "linear", "softmax")]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("dims, hidden, output", CASES)
def test_the_replay_equals_the_eager_step_bit_for_bit(dims, hidden, output, dtype):
    X, Y, p0 = _problem(dims, 60, dtype)
    net = Network.build(dims, hidden, output)
    replay, choice = choose_runner(p0, X, Y, net=net, learning_rate=0.3, xp=np, compile="auto")
    assert choice.path == "numpy replay", choice
    eager = eager_runner(p0, X, Y, net=net, learning_rate=0.3, xp=np)
    p_r, p_e = p0, p0
    for n_records, every in ((1, 1), (3, 4), (2, 7)):  # with and without the cost, and every mixture
        p_r, c_r = replay(p_r, n_records, every)
        p_e, c_e = eager(p_e, n_records, every)
        np.testing.assert_array_equal(c_r, c_e)
        assert c_r.dtype == np.dtype(dtype)
        for k in p_e:
            np.testing.assert_array_equal(p_r[k], p_e[k], err_msg=k)


def test_the_front_doors_train_the_same_network_with_and_without_it():
    X, Y = FLOWER
    kw = dict(num_iterations=300, cost_every=50, seed=3)
    fast, c_fast = bnn.nn_model(X, Y, 4, **kw)
    eager, c_eager = bnn.nn_model(X, Y, 4, compile=False, **kw)
    np.testing.assert_array_equal(c_fast, c_eager)
    for k in eager:
        np.testing.assert_array_equal(fast[k], eager[k], err_msg=k)
    labels = np.digitize(X[0], [-1.0, 1.0])[None, :]
    deep, _ = bnn.L_layer_model(X, labels, [2, 8, 6, 3], num_iterations=40, activation="relu")
    deep_eager, _ = bnn.L_layer_model(X, labels, [2, 8, 6, 3], num_iterations=40, activation="relu", compile=False)
    for k in deep_eager:
        np.testing.assert_array_equal(deep[k], deep_eager[k], err_msg=k)


def test_the_callers_arrays_are_not_written_and_a_new_start_is_loaded():
    X, Y, p0 = _problem([2, 4, 1], 50, "float64")
    before = {k: v.copy() for k, v in p0.items()}
    Xb, Yb = X.copy(), Y.copy()
    net = Network.build([2, 4, 1], "tanh")
    runner, _ = choose_runner(p0, X, Y, net=net, learning_rate=1.2, xp=np, compile="auto")
    runner(p0, 2, 5)
    for k in p0:
        np.testing.assert_array_equal(p0[k], before[k])
    np.testing.assert_array_equal(X, Xb)
    np.testing.assert_array_equal(Y, Yb)
    again, _ = runner(before, 2, 5)  # another dict: the run starts again from it
    eager, _ = eager_runner(before, X, Y, net=net, learning_rate=1.2, xp=np)(before, 2, 5)
    for k in eager:
        np.testing.assert_array_equal(again[k], eager[k])


def test_sizes_above_its_limit_go_to_the_tiles_or_the_eager_step():
    rng = np.random.RandomState(0)
    m = 20_000
    X = rng.randn(3, m)
    Y1 = (X[:1] > 0) * 1.0
    net = Network.build([3, 16, 1], "tanh")
    p = bnn.initialize_parameters_deep([3, 16, 1], seed=1)
    assert choose_runner(p, X, Y1, net=net, learning_rate=0.1, xp=np, compile="auto")[1].path == "numpy tiles"
    Y10 = np.eye(10)[:, rng.randint(0, 10, m)]  # hidden 2 x m too small for the tiles, output 10 x m too large here
    net10 = Network.build([3, 2, 10], "tanh", "softmax")
    p10 = bnn.initialize_parameters_deep([3, 2, 10], seed=1)
    choice = choose_runner(p10, X, Y10, net=net10, learning_rate=0.1, xp=np, compile="auto")[1]
    assert choice.path == "eager"
    assert dict(choice.passed_over)["numpy replay"] == f"n_l * m = {10 * m} >= {MAX_ELEMENTS}: a recording's " \
                                                      "buffers cost more than they save"


# --- the recording itself ----------------------------------------------------------------------------------------
def test_a_recording_replays_its_calls_on_its_buffers():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[0.5], [-0.5]])
    X = np.array([[1.0, -1.0, 2.0], [0.0, 1.0, -2.0]])

    def step(p, X):
        Z = np.matmul(p["W"], X) + p["b"]
        A = np.where(Z > 0, Z, 0.0)  # no out=: copied into its buffer
        s = np.sum(A * A, axis=1, keepdims=True) / X.shape[1]
        p["W"] -= 0.01 * np.matmul(A, X.T)  # a view of an input, and an update in place
        return s, p["W"].T

    def eager(p):
        Z = W_e @ X + b
        A = np.where(Z > 0, Z, 0.0)
        s = np.sum(A * A, axis=1, keepdims=True) / 3
        p -= 0.01 * (A @ X.T)
        return s

    p = {"W": W.copy(), "b": b}
    W_e = W.copy()
    tape, (s, WT) = record(step, p, X)
    assert np.shares_memory(WT, p["W"])  # a view of the buffer, taken once
    np.testing.assert_array_equal(s, eager(W_e))
    for _ in range(3):
        tape.replay()
        np.testing.assert_array_equal(s, eager(W_e))  # the result buffer holds this replay's value
        np.testing.assert_array_equal(p["W"], W_e)
        np.testing.assert_array_equal(WT, W_e.T)
    assert len(tape.ops) == 10  # matmul, add, greater, where, multiply, sum, divide; matmul, multiply, subtract


def test_the_astype_method_is_recorded():
    """A step may call the array's method (a user's Activation in NumPy's habits; array-api-compat's astype on
    NumPy 2.0): the recording had none ("'Traced' object has no attribute 'astype'", and the replay was passed
    over with a FastPathWarning)."""
    X = np.array([[0.5, -1.5], [2.25, 3.0]])
    tape, (Y, same) = record(lambda X: (X.astype(np.float32) * 2, X.astype(np.float64, copy=False)), X)
    assert same is X and Y.dtype == np.float32
    X[...] = [[1.0, 2.0], [3.0, 4.0]]
    tape.replay()
    np.testing.assert_array_equal(Y, np.float32(2) * X.astype(np.float32))


def test_a_0d_power_is_replayed_as_pythons_power():
    """Adam's corrections 1 - beta ** t with t a 0-d buffer: each replay computes what the eager step's
    Python numbers give. NumPy's SIMD power on AVX-512 differs from C's pow in the last bit at 0.999 ** 7
    (and 0.9 ** 12), which made the recorded Adam epochs differ from the eager ones on such machines."""
    t = np.zeros((), dtype=np.float64)
    tape, (c1, c2) = record(lambda t: (1.0 - 0.9 ** t, 1.0 - 0.999 ** t), t)
    for step in range(1, 40):
        t[...] = step
        tape.replay()
        assert (float(c1), float(c2)) == (1.0 - 0.9 ** step, 1.0 - 0.999 ** step), step
    W = np.array([[2.0, 3.0]])
    tape, out = record(lambda w: w ** 2.0, W)  # arrays still take NumPy's power
    np.testing.assert_array_equal(out, np.power(W, 2.0))


def test_a_batch_step_reads_the_batch_where_it_lies_or_has_it_copied_in():
    """The mini-batch epochs' replay reads each batch as a view of the epoch's columns (the eager epochs
    read the same views): the calls that read the batch buffers, or X's transpose, are bound to the view
    for that replay. Where that cannot be done it says so, and the caller copies the batch in."""
    from backend_nn.accelerate.numpy_replay import _BatchReplay

    X, Y, out = np.zeros((3, 4)), np.zeros((1, 4)), np.zeros((3, 3))

    def step(X, Y, out):
        out[...] = np.matmul(X, X.T) + np.sum(Y)

    tape, _ = record(step, X, Y, out)
    replay = _BatchReplay(tape, X, Y)
    data, labels = np.arange(24.0).reshape(3, 8), np.ones((1, 8))
    assert replay.run_on(data[:, 2:6], labels[:, 2:6])
    np.testing.assert_array_equal(out, data[:, 2:6] @ data[:, 2:6].T + 4.0)
    assert not X.any() and not Y.any()  # nothing was copied into the buffers
    X[...], Y[...] = data[:, :4], 1.0
    replay()  # called, it replays on the buffers (a CUDA graph's way)
    np.testing.assert_array_equal(out, data[:, :4] @ data[:, :4].T + 4.0)
    assert not replay.run_on(data[:, 2:6].astype(np.float32), labels[:, 2:6])  # another dtype: copied in
    assert not replay.run_on(data[:, 2:5], labels[:, 2:5])  # another width
    assert all(slots is not None for _, slots in replay.readers.values())  # each rebound where it stands
    # a call that holds the batch deeper in its arguments (in a tuple) is rebound by a search of them
    wide = np.zeros((3, 8))
    tape, _ = record(lambda X, Y, wide: wide.__setitem__(..., np.concatenate((X, X * Y), axis=1)), X, Y, wide)
    nested = _BatchReplay(tape, X, Y)
    assert any(slots is None for _, slots in nested.readers.values())
    assert nested.run_on(data[:, 2:6], labels[:, 2:6] * 3)
    np.testing.assert_array_equal(wide, np.concatenate((data[:, 2:6], data[:, 2:6] * 3), axis=1))
    # a step that reads another view of its batch (a column slice) is replayed on copies only
    tape, _ = record(lambda X, Y, out: out.__setitem__(..., np.matmul(X[:, :3], X[:, :3].T)), X, Y, out)
    assert not _BatchReplay(tape, X, Y).run_on(data[:, 2:6], labels[:, 2:6])
    # and one with a transpose's strides but not its shape (X[:2].T) is not taken for X.T
    tape, _ = record(lambda X, Y, top: top.__setitem__(..., np.matmul(X[:2].T, np.ones((2, 3)))), X, Y,
                     np.zeros((4, 3)))
    assert not _BatchReplay(tape, X, Y).run_on(data[:, 2:6], labels[:, 2:6])
    # X.T held in a tuple is rebound by the search too
    twice = np.zeros((4, 6))
    tape, _ = record(lambda X, Y, twice: twice.__setitem__(..., np.concatenate((X.T, X.T), axis=1)), X, Y, twice)
    assert _BatchReplay(tape, X, Y).run_on(data[:, 2:6], labels[:, 2:6])
    np.testing.assert_array_equal(twice, np.concatenate((data[:, 2:6].T, data[:, 2:6].T), axis=1))

    def doubles_its_batch(X, Y, out):
        X *= 2.0
        out[...] = np.matmul(X, X.T)

    # a step that writes its batch buffers is replayed on copies only: the caller's data are not written
    tape, _ = record(doubles_its_batch, X, Y, out)
    assert not _BatchReplay(tape, X, Y).run_on(data[:, 2:6], labels[:, 2:6])
    np.testing.assert_array_equal(data, np.arange(24.0).reshape(3, 8))


def test_what_is_computed_from_an_index_of_a_recorded_array_is_recorded_too():
    """X[:, :2] (a view) and X[:, [0, 2]] (a copy) of a recorded array are the recording's, not constants:
    a slice was once taken as a constant, computed at the recording and replayed stale (the build-time
    check could not see it: at the recording the constant is right)."""
    X = np.ones((2, 3))
    tape, (view, fancy) = record(lambda X: (X[:, :2] * 2.0, X[:, [0, 2]] * 3.0), X)
    X[...] = 5.0
    tape.replay()
    np.testing.assert_array_equal(view, np.full((2, 2), 10.0))
    np.testing.assert_array_equal(fancy, np.full((2, 2), 15.0))


def test_calls_on_constants_alone_are_computed_once():
    X = np.arange(6.0).reshape(2, 3)
    tape, out = record(lambda x: x + np.ones((2, 3)) * 2.0, X)
    assert len(tape.ops) == 1  # ones * 2 is a constant; only the add reads the recorded array
    np.testing.assert_array_equal(out, X + 2.0)
    tape, out = record(lambda x: x * np.shape(x)[1], X)  # a shape (a tuple of ints) is a constant too
    assert len(tape.ops) == 1
    np.testing.assert_array_equal(out, X * 3)
    tape, out = record(lambda x: np.sum(x, axis=1, keepdims=True), X)  # np.sum's own reduction, without its layers
    assert [op.func for op in tape.ops] == [np.add.reduce]
    np.testing.assert_array_equal(out, X.sum(axis=1, keepdims=True))


@pytest.mark.parametrize("read", [lambda a: float(np.sum(a)), lambda a: 1 if np.sum(a) > 0 else 0,
                                  lambda a: np.asarray(a), lambda a: list(a), lambda a: a.item(),
                                  lambda a: np.add.at(a, [0], 1.0), lambda a: np.divmod(a, 2.0),
                                  lambda a: np.add(np.zeros((2, 2)), a, out=np.zeros((2, 2))),
                                  lambda a: np.broadcast_arrays(a, a)],
                         ids=["float", "branch", "asarray", "iterate", "item", "ufunc.at", "two outputs",
                              "into a constant", "several arrays"])
def test_what_a_recording_cannot_replay_is_refused(read):
    with pytest.raises(Untraceable, match="host|not recorded|several|not one of the recording's"):
        record(read, np.ones((2, 2)))


def test_a_replay_that_differs_from_its_recording_is_never_used(monkeypatch):
    """Built once, the with-cost replay is held to the recorded run; here the replay is broken (does
    nothing), so the path fails to build: auto falls back to the eager step with one warning."""
    monkeypatch.setattr(numpy_replay.Tape, "replay", lambda self: None)
    X, Y = FLOWER
    with pytest.warns(FastPathWarning, match="numpy replay.*RuntimeError: the replayed step differs"):
        params, costs = bnn.nn_model(X, Y, 4, num_iterations=30, cost_every=10)
    expected, expected_costs = bnn.nn_model(X, Y, 4, num_iterations=30, cost_every=10, compile=False)
    np.testing.assert_array_equal(costs, expected_costs)
    for k in expected:
        np.testing.assert_array_equal(params[k], expected[k])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeError, match="differs"):
            bnn.nn_model(X, Y, 4, num_iterations=30, compile=True)


# --- mini-batch epochs: the optimizer step of each batch width recorded ------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("optimizer, lambd, keep_prob, output", [("gd", 0.0, 1.0, "sigmoid"),
                                                                 ("momentum", 0.2, 1.0, "softmax"),
                                                                 ("adam", 0.0, 0.8, "sigmoid"),
                                                                 ("adam", 0.1, 1.0, "softmax")])
def test_recorded_epochs_equal_the_eager_epochs_bit_for_bit(optimizer, lambd, keep_prob, output, dtype):
    from backend_nn.accelerate.numpy_replay import numpy_epochs
    from backend_nn.batches import batch_slices
    from backend_nn.optimizers import get_optimizer
    from backend_nn.regularization import Dropout, dropout_masks
    from backend_nn.step import eager_epochs

    dims = [5, 4, 3, 1 if output == "sigmoid" else 3]
    X, Y, p0 = _problem(dims, 300, dtype)  # four complete batches of 64 and a last one of 44
    net = Network.build(dims, "relu", output)
    opt = get_optimizer(optimizer)
    slices = batch_slices(300, 64)
    dropouts = {} if keep_prob == 1.0 else {
        w: Dropout(keep_prob, dropout_masks(dims, w, keep_prob, xp=np, dtype=X.dtype)) for w in (64, 44)}
    kw = dict(net=net, optimizer=opt, xp=np, lambd=lambd, slices=slices, dropouts=dropouts)
    eager, recorded = eager_epochs(**kw), numpy_epochs(**kw)
    pe, se, pr, sr = p0, opt.init(p0), p0, opt.init(p0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # recorded, not passed over
        for epoch, lr in enumerate((0.01, 0.01, 0.005)):
            pe, se, te = eager(pe, se, X, Y, lr)
            pr, sr, tr = recorded(pr, sr, X, Y, lr)
            np.testing.assert_array_equal(tr, te)
            for k in pe:
                np.testing.assert_array_equal(pr[k], pe[k], err_msg=f"epoch {epoch} {k}")
                assert pr[k].dtype == np.dtype(dtype)
    assert not any(b.any() for b in (*recorded.X.values(), *recorded.Y.values()))  # read in place, never copied


def test_model_takes_the_recorded_epochs_by_default_with_the_same_result(capsys):
    X, Y = FLOWER
    kw = dict(optimizer="adam", learning_rate=0.01, mini_batch_size=64, num_epochs=30, print_cost=False)
    params, costs = bnn.model(X, Y, [2, 5, 2, 1], **kw)
    eager, eager_costs = bnn.model(X, Y, [2, 5, 2, 1], compile=False, **kw)
    np.testing.assert_array_equal(costs, eager_costs)
    for k in eager:
        np.testing.assert_array_equal(params[k], eager[k], err_msg=k)
    from backend_nn.accelerate import choose_epochs
    from backend_nn.batches import batch_slices
    from backend_nn.optimizers import get_optimizer

    net = Network.build([2, 5, 2, 1], "relu")
    slices = batch_slices(400, 64)
    _, choice = choose_epochs(net=net, optimizer=get_optimizer("adam"), xp=np, slices=slices, compile="auto")
    assert choice.path == "numpy replay epochs"
    _, wide = choose_epochs(net=Network.build([2, 2048, 1], "relu"), optimizer=get_optimizer("adam"), xp=np,
                            slices=slices, compile="auto")
    assert wide.passed_over == [("numpy replay epochs", "n_l * m = 131072 >= 65536: a recording's buffers cost more "
                                                        "than they save")] and wide.path == "eager"
    # the widest batch decides, not m: 100,000 columns in batches of 64 are as small a step as 400 are
    _, long = choose_epochs(net=net, optimizer=get_optimizer("adam"), xp=np, slices=batch_slices(100_000, 64),
                            compile="auto")
    assert long.path == "numpy replay epochs"


def test_an_epoch_step_that_cannot_be_recorded_runs_eagerly_and_the_choice_says_why(monkeypatch):
    """The step is recorded where the epochs are chosen: one that cannot be is passed over there, as a full-batch
    step is, and the path report says eager and why (it said "numpy replay epochs" while each batch width ran
    eagerly after its own FastPathWarning). Windows of streamed data too, recorded with the window's shapes.
    Where no run's parameters are given (a benchmark's own epochs), each width is recorded at its first batch,
    and one that cannot be runs eagerly after a warning."""
    from backend_nn.accelerate import choose_epochs
    from backend_nn.batches import batch_slices
    from backend_nn.optimizers import get_optimizer

    def refuse(*args, **kwargs):
        raise Untraceable("a stand-in refusal")

    monkeypatch.setattr(numpy_replay, "record", refuse)
    X, Y = FLOWER
    kw = dict(optimizer="momentum", learning_rate=0.01, mini_batch_size=128, num_epochs=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        params, _ = bnn.model(X, Y, [2, 3, 1], **kw)
    eager, _ = bnn.model(X, Y, [2, 3, 1], compile=False, **kw)
    for k in eager:
        np.testing.assert_array_equal(params[k], eager[k], err_msg=k)
    p0 = bnn.initialize_parameters_deep([2, 3, 1])
    opt = get_optimizer("momentum")
    _, choice = choose_epochs(net=Network.build([2, 3, 1], "relu"), optimizer=opt, xp=bnn.get_namespace("numpy"),
                              slices=batch_slices(400, 128), compile="auto", X=X, Y=Y, parameters=p0,
                              state=opt.init(p0))
    assert choice.path == "eager" and choice.passed_over == [("numpy replay epochs", "a stand-in refusal")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        streamed, _ = bnn.model(X, Y, [2, 3, 1], stream=True, **kw)
    for k in eager:
        np.testing.assert_array_equal(streamed[k], eager[k], err_msg=k)
    epochs, choice = choose_epochs(net=Network.build([2, 3, 1], "relu"), optimizer=opt, xp=bnn.get_namespace("numpy"),
                                   slices=batch_slices(400, 128), compile="auto")
    assert choice.path == "numpy replay epochs"  # not recorded yet
    with pytest.warns(FastPathWarning, match="could not be recorded.*a stand-in refusal") as caught:
        epochs(p0, opt.init(p0), X, Y, 0.01)
    assert len(caught) == 2  # once per batch width (128 and the last 16)


def test_where_the_gemms_dominate_the_replay_serves_too_and_equals_the_eager_step():
    """(64, 32, 16, 10) at m = 1,797, digits' size: 4.9 million multiply-adds a pass. With its temporaries
    sharing buffers the replay measured no slower than the eager step there (benchmarks/README.md)."""
    dims = [64, 32, 16, 10]
    X, Y, p0 = _problem(dims, 1797, "float64")
    net = Network.build(dims, "relu", "softmax")
    replay, choice = choose_runner(p0, X, Y, net=net, learning_rate=0.1, xp=np, compile="auto")
    assert choice.path == "numpy replay"
    p_r, c_r = replay(p0, 2, 3)
    p_e, c_e = eager_runner(p0, X, Y, net=net, learning_rate=0.1, xp=np)(p0, 2, 3)
    np.testing.assert_array_equal(c_r, c_e)
    for k in p_e:
        np.testing.assert_array_equal(p_r[k], p_e[k], err_msg=k)


def _distinct_results(tape):
    """The distinct memory the calls write into (where each result starts)."""
    return {numpy_replay._written(op).ctypes.data for op in tape.ops if numpy_replay._written(op) is not None}


def test_temporaries_whose_lives_do_not_overlap_share_a_buffer():
    X = np.arange(12.0).reshape(3, 4)

    def step(x):
        a = x * 2.0        # a: read by the next call only
        b = a + 1.0        # b: from here a is dead
        c = b * b          # c can take a's memory: a was read for the last time before this call
        d = c - x          # d can take b's
        e = np.sum(d, axis=0, keepdims=True)   # (1, 4): fits in c's memory, freed by the call before
        return np.sum(e * 2.0, axis=1)

    tape, out = record(step, X)
    expected = (((X * 2.0 + 1.0) ** 2 - X).sum(axis=0, keepdims=True) * 2.0).sum(axis=1)
    before = _distinct_results(tape)
    reused = tape.share_buffers(keep=[X, out])
    assert reused == 4  # c, d, e and e * 2.0 in memory freed before them
    assert len(_distinct_results(tape)) == len(before) - 3  # e starts where a and c did
    for _ in range(3):
        tape.replay()
        np.testing.assert_array_equal(out, expected)


def test_what_is_kept_viewed_or_read_before_it_is_written_keeps_its_own_buffer():
    X = np.arange(12.0).reshape(3, 4)
    acc = np.zeros((3, 4))

    def step(x, acc):
        a = x * 2.0
        view = a.T           # a has a view: it keeps its buffer, and nothing takes it
        b = view.T + 1.0
        acc += b             # acc is read before it is written: it carries a value across replays
        c = b * 3.0          # c is kept (returned); and b is read by this very call, so c could not take it
        return c

    tape, c = record(step, X, acc)
    assert tape.share_buffers(keep=[X, c]) == 0  # acc not even named in keep: read first, it stays
    arrays = [numpy_replay._written(op) for op in tape.ops]
    assert any(a is acc for a in arrays) and any(a is c for a in arrays)
    for n in range(2, 5):  # acc accumulates, the rest is the same each replay
        tape.replay()
        np.testing.assert_array_equal(acc, n * (X * 2.0 + 1.0))
        np.testing.assert_array_equal(c, (X * 2.0 + 1.0) * 3.0)


def test_the_arena_takes_the_best_fit_the_latest_freed_and_merges_freed_neighbours():
    """share_buffers' layout: 64-byte aligned blocks; a new block goes to the smallest freed block that holds it
    (of equal ones, the most recently freed, whose memory is likeliest still in cache), else past the end; a freed
    block merges with a freed neighbour on either side, so that later larger arrays fit where two small ones were."""
    arena = numpy_replay._Arena()
    a, b, c, d = (arena.take(n)[0] for n in (64, 8, 100, 64))
    assert (a, b, c, d) == (0, 64, 128, 256) and arena.top == 320  # each rounded up to a cache line
    arena.give(a, 64, when=1)
    arena.give(d, 64, when=2)
    assert arena.take(10) == (d, True)  # two free 64-byte blocks: the one freed last
    assert arena.take(200) == (320, False)  # nothing free holds it: past the end
    arena.give(c, 100, when=3)  # [128, 256) free; b, between it and the free [0, 64), still taken
    arena.give(b, 8, when=4)  # merges with [0, 64) before it and [128, 256) after it: [0, 256) free
    assert arena.take(64) == (0, True) and arena.free == [[64, 192, 4]]  # its start taken, the rest still free
    assert arena.take(192) == (64, True) and arena.free == []
    arena.give(320, 200, when=5)
    arena.give(256, 64, when=6)  # just before the free [320, 576): merged into one block [256, 576)
    assert arena.take(300) == (256, True) and arena.free == []  # 300 rounds up to 320: the whole block
    memory = arena.allocate()
    assert memory.nbytes == arena.top == 576 and memory.ctypes.data % 64 == 0


# --- Tape.elide_copies: each case a step of (x, w, u), its replays against the same step on plain arrays ----------
def _into_w(x, w, u):
    w[...] = x * 2.0 + 1.0


def _among_other_calls(x, w, u):
    v = x * 2.0
    r = x + 1.0  # between the call and the copy: reads neither w nor v
    w[...] = v
    return r, x - 1.0  # after it: does not read v


def _into_w_sliced(x, w, u):
    w[:] = x * 2.0  # a key other than ...: left as a copy


def _returned(x, w, u):
    v = x * 2.0
    w[...] = v
    return v  # the caller holds v: it keeps its buffer


def _a_view_written(x, w, u):
    v = np.multiply(x, 2.0, out=u[:, :3])  # v is a view of u, which must be written
    w[...] = v


def _broadcast(x, w, u):
    w[...] = np.sum(x, axis=0, keepdims=True) * 2.0  # (1, 3) into (2, 3)


def _another_dtype(x, w, u):
    w[...] = x.astype(np.float32) * np.float32(2.0)


def _written_twice(x, w, u):
    v = x * 2.0
    np.add(v, 1.0, out=v)
    w[...] = v


def _without_out(x, w, u):
    w[...] = np.where(x > 0, x, 0.0)  # np.where has no out=: its result is copied into a buffer


def _a_product_reading_its_target(x, w, u):
    w[...] = np.matmul(np.matmul(x, x.T), w)


def _elementwise_reading_its_target(x, w, u):
    w[...] = x + w  # add(x, w, out=w) reads each element before it writes it


def _target_read_between(x, w, u):
    v = x * 2.0
    r = w + 1.0  # reads w's old value, after v is computed
    w[...] = v
    return r


def _target_written_between(x, w, u):
    v = x * 2.0
    w[...] = x  # written here and then again: v's call must not write w before this copy
    w[...] = v


def _target_viewed_between(x, w, u):
    v = x * 2.0
    r = w.T * 1.0
    w[...] = v
    return r


def _value_read_after(x, w, u):
    v = x * 2.0
    w[...] = v
    return v + 1.0


def _value_viewed_after(x, w, u):
    v = x * 2.0
    t = v.T
    w[...] = v
    return t * 1.0


def _value_viewed_between(x, w, u):
    v = x * 2.0
    r = v.T * 1.0
    w[...] = v
    return r


@pytest.mark.parametrize("step, elided", [
    (_into_w, 1), (_elementwise_reading_its_target, 1), (_among_other_calls, 1), (_into_w_sliced, 0),
    (_returned, 0), (_a_view_written, 0), (_broadcast, 0), (_another_dtype, 0), (_written_twice, 0),
    (_without_out, 0), (_a_product_reading_its_target, 0), (_target_read_between, 0), (_target_written_between, 0),
    (_target_viewed_between, 0), (_value_read_after, 0), (_value_viewed_after, 0), (_value_viewed_between, 0)],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None)
def test_a_copy_goes_only_where_its_producer_can_write_the_target_itself(step, elided):
    """Tape.elide_copies: ``w[...] = v`` goes, and v's call writes w, only where that changes no value: v
    not held by the caller, not a view, of w's shape and dtype, written by one call that takes out= (and, for
    a product, does not read w), w untouched between that call and the copy, v (or a view of it) not read
    after. Each case replayed on new data equals the same step run on plain arrays."""
    rng = np.random.RandomState(0)
    x, w, u = rng.randn(2, 3), rng.randn(2, 3), rng.randn(2, 6)
    tape, result = record(step, x, w, u)
    calls = len(tape.ops)
    assert tape.elide_copies(keep=[x, w, u, *numpy_replay._flat(result)]) == elided
    assert len(tape.ops) == calls - elided
    for _ in range(3):
        x[...], w[...], u[...] = rng.randn(2, 3), rng.randn(2, 3), rng.randn(2, 6)
        w_eager, u_eager = w.copy(), u.copy()
        expected = step(x.copy(), w_eager, u_eager)
        tape.replay()
        np.testing.assert_array_equal(w, w_eager)
        np.testing.assert_array_equal(u, u_eager)
        if expected is not None:
            np.testing.assert_array_equal(result, expected)
