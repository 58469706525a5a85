"""Every backend trains like NumPy float64, step by step, then over the whole flower run.

Tolerances, and why:
- First 1000 iterations, float64: rtol 1e-9 / atol 1e-12 on parameters and
  costs. The backends run the same operations, but a library may sum in a
  different order (BLAS blocking, a different reduction tree): round-off of
  ~1e-16 per step, which the early, contracting phase of training keeps small
  (measured: below 1e-12 on NumPy, array-api-strict, PyTorch and JAX).
- Whole 10,000-iteration flower: at learning rate 1.2 the run oscillates after
  ~7000 iterations and amplifies any round-off difference (two CPU libraries
  were seen 28% apart in a late parameter). So we compare what the course
  publishes: costs to 1e-6 up to iteration 6000, 2e-3 after (REFERENCE.md), and
  training accuracy within 1 percentage point (4 of 400 points) of 90.75%.
- float32 against float64, first 1000 iterations: rtol 1e-4 on the costs and
  atol 1e-4 on the parameters: float32 round-off (eps 1.2e-7) accumulated over
  1000 steps of size 1.2 (measured: about 1e-6).
"""

import logging

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.backend import get_namespace, to_numpy
from backend_nn.network import Network
from backend_nn.step import train_step
from conftest import assert_on_backend

FLOWER = bnn.load_planar_dataset()
EARLY = [0.693048, 0.288083, 0.254385, 0.233864, 0.226792, 0.222644, 0.219731]


def _reference_run(n_steps, activation="tanh"):
    """NumPy float64 eager steps: parameters and cost at every step."""
    X, Y = FLOWER
    xp = get_namespace("numpy")
    net = Network.build([2, 4, 1], activation)
    p = bnn.initialize_parameters(2, 4, 1)
    history = []
    for _ in range(n_steps):
        p, cost = train_step(p, X, Y, net=net, learning_rate=1.2, xp=xp)
        history.append(({k: np.array(v) for k, v in p.items()}, float(cost)))
    return history


REFERENCE_1000 = _reference_run(1000)


def test_step_by_step_parity_first_1000_iterations(backend):
    xp = backend.xp
    X, Y = backend.asarray(FLOWER[0]), backend.asarray(FLOWER[1])
    net = Network.build([2, 4, 1], "tanh")
    p = bnn.initialize_parameters(2, 4, 1, backend=xp, device=backend.device)
    for i, (ref_p, ref_cost) in enumerate(REFERENCE_1000):
        p, cost = train_step(p, X, Y, net=net, learning_rate=1.2, xp=xp)
        assert float(cost) == pytest.approx(ref_cost, rel=1e-9, abs=1e-12), f"cost at iteration {i}"
        for k in ref_p:
            np.testing.assert_allclose(to_numpy(p[k]), ref_p[k], rtol=1e-9, atol=1e-12, err_msg=f"{k} at iteration {i}")
    for v in p.values():
        assert_on_backend(v, backend, xp.float64)


def test_nn_model_matches_the_step_by_step_reference(backend):
    X, Y = backend.asarray(FLOWER[0]), backend.asarray(FLOWER[1])
    params, costs = bnn.nn_model(X, Y, 4, 1000, cost_every=1, sync_every=250)
    np.testing.assert_allclose(costs, [c for _, c in REFERENCE_1000], rtol=1e-9, atol=1e-12)
    for k, v in REFERENCE_1000[-1][0].items():
        np.testing.assert_allclose(to_numpy(params[k]), v, rtol=1e-9, atol=1e-12)
        assert_on_backend(params[k], backend, backend.xp.float64)


def _check_flower_run(costs, params, backend):
    assert costs.shape == (10,)
    np.testing.assert_allclose(costs[:7], EARLY, atol=1e-6)
    late = np.array([0.217504, 0.219473, 0.218562])  # NumPy's late costs; sensitive to summation order
    np.testing.assert_allclose(costs[7:], late, atol=2e-3)
    acc = bnn.accuracy(bnn.predict(params, backend.asarray(FLOWER[0])), backend.asarray(FLOWER[1]))
    assert abs(acc - 0.9075) <= 0.01, acc


def test_whole_flower_run(backend):
    X, Y = backend.asarray(FLOWER[0]), backend.asarray(FLOWER[1])
    # JAX's eager dispatch is ~4 ms a step; its compiled path gives the same run in about a second.
    compiled = backend.name == "jax"
    params, costs = bnn.nn_model(X, Y, 4, 10000, learning_rate=1.2, cost_every=1000, compile=compiled)
    _check_flower_run(costs, params, backend)
    if backend.name == "numpy":
        assert bnn.accuracy(bnn.predict(params, FLOWER[0]), FLOWER[1]) == 0.9075


def test_compiled_path_matches_eager(backend):
    """The optional compiled paths (jax.jit loop, torch.compile, CUDA graph, NumPy's recorded step) against
    the eager loop."""
    if backend.name not in ("jax", "torch", "cupy", "numpy"):
        pytest.skip(f"{backend.name}: no compiled path; compile=True runs the eager loop")
    X, Y = backend.asarray(FLOWER[0]), backend.asarray(FLOWER[1])
    params, costs = bnn.nn_model(X, Y, 4, 1000, cost_every=10, sync_every=500, compile=True)
    eager_p, eager_c = bnn.nn_model(FLOWER[0], FLOWER[1], 4, 1000, cost_every=10, compile=False)
    np.testing.assert_allclose(costs, eager_c, rtol=1e-9, atol=1e-12)
    for k, v in eager_p.items():
        np.testing.assert_allclose(to_numpy(params[k]), v, rtol=1e-9, atol=1e-12)
        assert_on_backend(params[k], backend, backend.xp.float64)


@pytest.mark.parametrize("lengths_as_arguments, compilations", [(True, 2), (False, 5)])
def test_the_jax_loops_chunks_equal_the_eager_steps_and_compile_once_on_the_cpu(lengths_as_arguments, compilations,
                                                                                caplog, capsys):
    """jax.jit's runner on the CPU takes the chunk's length and cost_every as arguments of one program: the chunks
    of a run differ (the longest first, then shorter ones, and the week-4 models' last step alone, for its cost),
    and each length was a compilation of its own, 4 in a run of L_layer_model with print_cost. Off the CPU the
    lengths stay constants, a program per distinct chunk (XLA's GPU while loop would read an uncounted condition
    back to the host every iteration). Both against the eager steps, chunk by chunk; a chunk longer than any
    before grows the costs' buffer (one compilation more)."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    from backend_nn.accelerate.jax_loop import clear_programs, jax_runner
    from conftest import assert_runner_matches_eager

    jax.config.update("jax_enable_x64", True)
    clear_programs()  # whatever an earlier test ran
    xp = get_namespace("jax")
    X, Y = (xp.asarray(a) for a in FLOWER)
    net = Network.build([2, 5, 3, 1], "relu")
    p0 = bnn.initialize_parameters_deep([2, 5, 3, 1], seed=1, backend=xp)
    with caplog.at_level(logging.WARNING), jax.log_compiles():
        runner = jax_runner(p0, X, Y, net=net, learning_rate=0.05, xp=xp, lengths_as_arguments=lengths_as_arguments)
        for n, every in ((3, 4), (1, 7), (2, 1), (1, 1), (5, 2)):
            assert_runner_matches_eager(runner, p0, X, Y, net, 0.05, "float64", xp=xp, n_records=n, cost_every=every)
        assert sum(r.getMessage().startswith("Compiling jit(run") for r in caplog.records) == compilations
    if lengths_as_arguments:  # what a run on the CPU takes
        with caplog.at_level(logging.WARNING), jax.log_compiles():
            caplog.clear()
            # 2500 iterations, a cost every 100, a sync every 1000: chunks of 10, 10 and 4 records, 99 steps, 1 step
            _, costs = bnn.L_layer_model(X, Y, [2, 5, 3, 1], num_iterations=2500, print_cost=True)
            assert sum(r.getMessage().startswith("Compiling jit(run") for r in caplog.records) == 1
            # and the next run of the network at that rate compiles nothing: X and Y are arguments of the program
            # kept (a run compiled its own, X and Y its constants: 0.26 s of a 0.31 s flower run of 1000 steps)
            # (another learning rate too: it is an argument of the program, as the data are)
            caplog.clear()
            _, costs_again = bnn.L_layer_model(-X, Y, [2, 5, 3, 1], 0.03, num_iterations=2500, seed=3)
            assert not [r for r in caplog.records if r.getMessage().startswith("Compiling jit(run")]
        _, eager_again = bnn.L_layer_model(-X, Y, [2, 5, 3, 1], 0.03, num_iterations=2500, seed=3, compile=False)
        np.testing.assert_allclose(costs_again, eager_again, rtol=1e-9)
        _, eager_costs = bnn.L_layer_model(*FLOWER, [2, 5, 3, 1], num_iterations=2500, print_cost=True,
                                           compile=False)
        assert "Cost after iteration 2499" in capsys.readouterr().out
        np.testing.assert_allclose(costs, eager_costs, rtol=1e-9)


def test_jax_predicts_with_one_compiled_forward_pass_kept_per_network(caplog):
    """Eager JAX compiles each operation for every new shape: a prediction on a new number of examples compiled the
    forward pass's operations one by one (11 for the flower's network, 0.34 s on a 2-core CPU) and the accuracy's
    checks 14 more. The forward pass is one program now, kept for the network's later predictions, and predict's
    is the forward pass with the output layer's rule (the rule apart was one more compilation per new m: the
    digits' softmax predictions 0.18-0.22 -> 0.13 s); the accuracy against host labels is taken on the host. The
    values are the eager forward pass's, round-off apart, and the labels its argmax."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    from backend_nn.accelerate.jax_loop import clear_programs
    from backend_nn.propagation import forward_pass

    jax.config.update("jax_enable_x64", True)
    clear_programs()  # whatever an earlier test ran
    X, Y = FLOWER
    labels = (X[0:1] > 0).astype(int) + (X[1:2] > 0).astype(int)  # three classes
    p, _ = bnn.L_layer_model(X, labels, [2, 6, 5, 3], activation=["leaky_relu", "tanh"], num_iterations=200,
                             backend="jax")
    xp = get_namespace("jax")
    compiled = []
    with caplog.at_level(logging.WARNING), jax.log_compiles():
        for m in (37, 51, 37, 400):
            caplog.clear()
            AL = bnn.predict_output(p, X[:, :m])
            pred = bnn.predict(p, X[:, :m])
            acc = bnn.accuracy(pred, labels[:, :m])
            # X and the labels are read on the host, where they are: nothing but the two programs for their m
            compiled.append(sorted(r.getMessage().split(" with ")[0] for r in caplog.records
                                   if r.getMessage().startswith("Compiling")))
            eager, _ = forward_pass(xp.asarray(X[:, :m]), p, net=p.network, xp=xp)
            np.testing.assert_allclose(to_numpy(AL), to_numpy(eager), rtol=1e-12, atol=1e-15)
            np.testing.assert_array_equal(to_numpy(pred), np.argmax(to_numpy(eager), axis=0)[None, :])
            assert isinstance(AL, jax.Array) and AL.dtype == np.float64
            assert acc == float(np.mean(to_numpy(pred) == labels[:, :m]))
    programs = ["Compiling jit(forward)", "Compiling jit(predicted)"]
    assert compiled == [programs, programs, [], programs]  # once per new m, kept for later calls
    on_numpy = bnn.predict_output(bnn.to_numpy(p), X)
    np.testing.assert_allclose(to_numpy(bnn.predict_output(p, X)), on_numpy, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("train", ["nn_model", "model"])
def test_a_jax_runs_edges_are_one_compiled_program_each(train, caplog):
    """A run's first cost (mini-batches), its last (full batch) and its end's check of the parameters for NaN or inf
    ran eagerly: on JAX each operation of each was a compilation for the run's shapes, 35 of a first flower run's
    57 (0.9 s of 1.8 on a 2-core CPU). Each is one program now, kept; with compile=False the run stays eager."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    from backend_nn.accelerate.jax_loop import clear_programs

    jax.config.update("jax_enable_x64", True)
    X, Y = FLOWER
    run = {"nn_model": lambda **kw: bnn.nn_model(X[:, :301], Y[:, :301], 3, 200, backend="jax", **kw),
           "model": lambda **kw: bnn.model(X[:, :301], Y[:, :301], [2, 3, 1], "adam", num_epochs=2, print_cost=False,
                                           backend="jax", **kw)}[train]
    for compile in (False, "auto"):
        clear_programs()
        jax.clear_caches()  # the eager operations' compilations of earlier tests too
        caplog.clear()
        with caplog.at_level(logging.WARNING), jax.log_compiles():
            p, costs = run(compile=compile)
        names = [r.getMessage().split(" with ")[0].removeprefix("Compiling ") for r in caplog.records
                 if r.getMessage().startswith("Compiling ")]
        kept = [n for n in names if n in ("jit(cost)", "jit(nonfinite_counts)")]
        if compile is False:
            assert not kept and "jit(log1p)" in names  # the cost, eager
            eager = costs
        else:
            assert sorted(kept) == ["jit(cost)", "jit(nonfinite_counts)"]  # the last cost (model: the first)
            assert not {"jit(log1p)", "jit(invert)", "jit(tanh)"} & set(names), names  # no eager cost or check
            # nor eager moves or checks of the host data: read on the host, copied by jax.device_put
            assert not {"jit(_identity_fn)", "jit(isfinite)", "jit(equal)", "jit(bitwise_or)"} & set(names), names
            np.testing.assert_allclose(costs, eager, rtol=1e-9)


def test_the_public_train_step_on_jax_is_one_program_kept_for_every_step_and_rate(caplog):
    """bnn.train_step in a loop of the user's own: eager JAX dispatched each of the step's operations, 0.7 ms a
    flower step on a 2-core CPU, against 32 µs for the step compiled. It is one program now, compiled once for
    all the steps of a loop and any learning rate; its values are the eager step's, round-off apart."""
    jax = pytest.importorskip("jax", reason="JAX is not installed")
    from backend_nn.accelerate.jax_loop import clear_programs

    jax.config.update("jax_enable_x64", True)
    clear_programs()
    xp = get_namespace("jax")
    X, Y = (xp.asarray(a) for a in FLOWER)
    net = Network.build([2, 4, 1], "tanh")
    p = eager = dict(bnn.initialize_parameters(2, 4, 1, backend="jax"))
    with caplog.at_level(logging.WARNING), jax.log_compiles():
        for rate in (1.2, 1.2, 0.5, 0.7):
            p, cost = bnn.train_step(p, X, Y, learning_rate=rate, net=net, check=False)
            eager, eager_cost = train_step(eager, X, Y, net=net, learning_rate=rate, xp=xp)
            assert float(cost) == pytest.approx(float(eager_cost), rel=1e-13)
    assert sum(r.getMessage().startswith("Compiling jit(train_step)") for r in caplog.records) == 1
    for k in eager:
        np.testing.assert_allclose(to_numpy(p[k]), to_numpy(eager[k]), rtol=1e-12, atol=1e-15)


def test_float32_tracks_float64(backend):
    X, Y = backend.asarray(FLOWER[0]), backend.asarray(FLOWER[1])
    p32, c32 = bnn.nn_model(X, Y, 4, 1000, dtype="float32", cost_every=100)
    for v in p32.values():
        assert_on_backend(v, backend, backend.xp.float32)
    ref = [c for _, c in REFERENCE_1000][::100]
    np.testing.assert_allclose(c32, ref, rtol=1e-4)
    for k, v in REFERENCE_1000[-1][0].items():
        np.testing.assert_allclose(to_numpy(p32[k]), v, atol=1e-4, rtol=1e-4)


def test_numpy_follows_the_courses_own_code_bit_for_bit():
    """The course's week-3 code as a learner writes it (np.dot, 1 / (1 + np.exp(-z)), np.power, 1 / m * ...),
    against nn_model on NumPy: the same operations in the same order, so the same bits at every
    recorded step, also where the run later oscillates and amplifies any round-off."""
    X, Y = FLOWER
    np.random.seed(2)
    W1, b1 = np.random.randn(4, 2) * 0.01, np.zeros((4, 1))
    W2, b2 = np.random.randn(1, 4) * 0.01, np.zeros((1, 1))
    m = X.shape[1]
    for _ in range(3000):
        A1 = np.tanh(np.dot(W1, X) + b1)
        A2 = 1 / (1 + np.exp(-(np.dot(W2, A1) + b2)))
        dZ2 = A2 - Y
        dW2, db2 = 1 / m * np.dot(dZ2, A1.T), 1 / m * np.sum(dZ2, axis=1, keepdims=True)
        dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
        dW1, db1 = 1 / m * np.dot(dZ1, X.T), 1 / m * np.sum(dZ1, axis=1, keepdims=True)
        W1, b1, W2, b2 = W1 - 1.2 * dW1, b1 - 1.2 * db1, W2 - 1.2 * dW2, b2 - 1.2 * db2
    params, _ = bnn.nn_model(X, Y, 4, 3000)
    for k, v in {"W1": W1, "b1": b1, "W2": W2, "b2": b2}.items():
        np.testing.assert_array_equal(params[k], v, err_msg=k)
