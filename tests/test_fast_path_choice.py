"""compile="auto", the default: which path each library takes without a flag, the failures it
survives (with one FastPathWarning) and the ones compile=True raises; the CUDA graph's cuBLAS probe
and its size limits, exercised here without a GPU (the probe's failures are reasons, not errors)."""

from __future__ import annotations

import ctypes
import importlib.util
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn import accelerate
from backend_nn.accelerate import FAST_PATHS, Declined, FastPath, FastPathWarning, check_compile, choose_runner
from backend_nn.network import Network

FLOWER = bnn.load_planar_dataset()


def _choice(xp, X, Y, dims, compile):
    net = Network.build(dims, "tanh")
    p0 = bnn.initialize_parameters_deep(dims, seed=2, init="random", backend=xp)
    return choose_runner(p0, X, Y, net=net, learning_rate=1.2, xp=xp, compile=compile)[1]


def test_numpy_default_is_the_replay_at_the_flower_and_tiles_at_large_sizes():
    X, Y = FLOWER
    flower = _choice(np, X, Y, [2, 4, 1], "auto")
    assert flower.path == "numpy replay"  # n_h * m = 1,600: the tiles do not help, the step is overhead-bound
    assert flower.passed_over[0][0] == "numpy tiles" and "as fast" in flower.passed_over[0][1]
    assert _choice(np, X, Y, [2, 4, 1], False).path == "eager"
    Xl = np.random.RandomState(0).randn(8, 20_000)
    Yl = (Xl[:1] > 0).astype(np.float64)
    assert _choice(np, Xl, Yl, [8, 16, 1], "auto").path == "numpy tiles"
    assert _choice(np, Xl, Yl, [8, 16, 1], False).path == "eager"


def test_the_default_of_every_front_door_is_auto():
    import inspect

    for fn in (bnn.nn_model, bnn.L_layer_model, bnn.model, bnn.NNClassifier):
        assert inspect.signature(fn).parameters["compile"].default == "auto", fn.__name__


def test_torch_default_stays_eager_and_says_why():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    xp = bnn.get_namespace("torch")
    X, Y = (torch.asarray(a) for a in FLOWER)
    choice = _choice(xp, X, Y, [2, 4, 1], "auto")
    assert choice.path == "eager"
    assert choice.passed_over[0][0] == "torch.compile" and "compile=True takes it" in choice.passed_over[0][1]
    from backend_nn.accelerate import choose_epochs

    net = Network.build([2, 4, 1], "tanh")
    _, epochs = choose_epochs(net=net, optimizer=bnn.optimizers.get_optimizer("adam"), xp=xp,
                              slices=[slice(0, 64)], compile="auto")
    assert epochs.path == "eager, fused adam" and epochs.passed_over[0][0] == "torch.compile steps"


def test_jax_default_is_jit():
    if importlib.util.find_spec("jax") is None:
        pytest.skip("JAX is not installed")
    xp = bnn.get_namespace("jax")
    X, Y = (xp.asarray(a) for a in FLOWER)
    assert _choice(xp, X, Y, [2, 4, 1], "auto").path == "jax.jit"


@pytest.mark.parametrize("compile", ["auto", True])
def test_an_array_library_without_fast_paths_trains_eager_and_says_so(compile):
    strict = pytest.importorskip("array_api_strict", reason="array-api-strict is not installed")
    from backend_nn.accelerate import choose_epochs

    X, Y = (strict.asarray(a) for a in FLOWER)
    choice = _choice(strict, X, Y, [2, 4, 1], compile)
    assert choice.path == "eager" and choice.passed_over == [("fast paths", "none for this array library")]
    assert _choice(strict, X, Y, [2, 4, 1], False).passed_over == []
    net = Network.build([2, 4, 1], "tanh")
    for c, why in ((compile, [("compiled epochs", "none for this array library yet")]), (False, [])):
        _, epochs = choose_epochs(net=net, optimizer=bnn.optimizers.get_optimizer("adam"), xp=strict,
                                  slices=[slice(0, 64)], compile=c)
        assert (epochs.path, epochs.passed_over) == ("eager", why)


@pytest.mark.parametrize("bad", ["yes", 1, None, "True"])
def test_compile_values(bad):
    assert check_compile("auto") == "auto" and check_compile(np.bool_(True)) is True and check_compile(False) is False
    with pytest.raises(ValueError, match=r"compile must be 'auto' \(the default.*True.*False.*got"):
        bnn.nn_model(*FLOWER, 4, num_iterations=2, compile=bad)


class _Breaking(FastPath):
    """A NumPy fast path whose builder fails as an unexpected error would (not Declined)."""

    def build(self, *args, **kwargs):
        raise KeyError("a broken probe")


def test_a_path_that_fails_to_build_is_passed_over_with_one_warning_under_auto(monkeypatch):
    monkeypatch.setattr(accelerate, "FAST_PATHS", (_Breaking("broken", "numpy", "unused:unused"), *FAST_PATHS))
    X, Y = FLOWER
    with pytest.warns(FastPathWarning, match=r"the fast path 'broken' failed to build \(KeyError: 'a broken probe'\); "
                                             r"training without it") as record:
        params, _ = bnn.nn_model(X, Y, 4, num_iterations=20)
    assert len(record) == 1
    expected, _ = bnn.nn_model(X, Y, 4, num_iterations=20, compile=False)
    for k in expected:
        np.testing.assert_array_equal(params[k], expected[k])
    with pytest.raises(KeyError, match="a broken probe"):
        bnn.nn_model(X, Y, 4, num_iterations=20, compile=True)


def _branching_activation():
    """A user's activation that branches on an array's value: fine eagerly, untraceable by jax.jit."""
    from backend_nn.activations import Activation

    def forward(Z, *, xp):
        return xp.tanh(Z) * (0.5 if float(xp.max(xp.abs(Z))) > 1.0 else 1.0)

    def derivative(Z, A, *, xp):
        s = 0.5 if float(xp.max(xp.abs(Z))) > 1.0 else 1.0
        return s * (1 - (A / s) ** 2)

    return Activation("scaled_tanh", forward, derivative)


@pytest.mark.parametrize("mini_batches", [False, True, "streamed"])
def test_a_step_jax_cannot_trace_is_a_warning_under_auto_and_an_error_under_true(mini_batches):
    """jax.jit traced the step at the first call, so a step it could not trace was an error in the middle of the
    default run (ConcretizationTypeError), not a path passed over. The step is now traced (jax.eval_shape)
    where the path is chosen (for streamed data, with a window's shapes): under "auto" one FastPathWarning
    and the eager step (equal to compile=False); under True the error, with a note of what the other modes do."""
    if importlib.util.find_spec("jax") is None:
        pytest.skip("JAX is not installed")
    X, Y = FLOWER
    act = _branching_activation()

    def train(compile):
        if mini_batches:
            return bnn.model(X, Y, [2, 4, 1], "adam", num_epochs=3, mini_batch_size=64, activation=act,
                             backend="jax", compile=compile, print_cost=False, stream=mini_batches == "streamed")[0]
        return bnn.nn_model(X, Y, 4, num_iterations=30, activation=act, backend="jax", compile=compile)[0]

    name = "jax.jit epochs" if mini_batches else "jax.jit"
    with pytest.warns(FastPathWarning, match=rf"the fast path '{name}' failed to build \(ConcretizationTypeError") as rec:
        params = train("auto")
    assert len(rec) == 1
    expected = train(False)
    for k in expected:
        np.testing.assert_allclose(bnn.to_numpy(params[k]), bnn.to_numpy(expected[k]), rtol=1e-12, atol=1e-15)
    import jax

    with pytest.raises(jax.errors.ConcretizationTypeError) as raised:
        train(True)
    if sys.version_info >= (3, 11):  # exceptions take notes from 3.11; on 3.10 the error is raised as it is
        assert any(f"building the fast path '{name}' (compile=True); compile='auto' trains without it" in note
                   for note in getattr(raised.value, "__notes__", []))


def test_a_declined_path_is_passed_over_silently(monkeypatch):
    class Declining(FastPath):
        def build(self, *args, **kwargs):
            raise Declined("not here")

    monkeypatch.setattr(accelerate, "FAST_PATHS", (Declining("picky", "numpy", "unused:unused"),))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        choice = _choice(np, *FLOWER, [2, 4, 1], "auto")
    assert choice.path == "eager" and choice.passed_over == [("picky", "not here")]


def test_each_fast_paths_declaration_gives_its_reason_on_either_side_of_each_bound():
    """The rows of FAST_PATHS as the reasons the choice reports, the CuPy ones included (their declarations are
    plain Python: no GPU needed); each bound tried where it just holds and where it just fails."""
    from backend_nn.accelerate.cupy_fused import MAX_ACCUMULATORS, MAX_M
    from backend_nn.accelerate.numpy_replay import MAX_ELEMENTS
    from backend_nn.accelerate.numpy_tiles import MIN_ELEMENTS

    def why(name, dims, m=400, dtype="float64", hidden="tanh", output=None):
        net = Network.build(dims, hidden, output)
        return accelerate.fast_path(name).support.reason_against(net, m, dtype)

    fused, graph, lines = "cupy fused kernel", "cuda graph", "cupy lines"
    # the fused kernel: two layers, one sigmoid unit, n_h n_x + 2 n_h + 2 accumulators, m up to MAX_M[dtype]
    assert why(fused, [2, 4, 1]) is None and why(fused, [2, 4, 1], hidden="relu") is None
    assert why(fused, [2, 4, 4, 1]) == "takes 2..2 layers; this network has 3"
    assert why(fused, [2, 1]) == "takes 2..2 layers; this network has 1"
    assert why(fused, [2, 4, 3]) == "takes outputs ['sigmoid'], not softmax"
    assert why(fused, [2, 4, 2], output="sigmoid") == "takes one output unit"
    assert MAX_ACCUMULATORS == 64  # (n_x, n_h) = (29, 2): 58 + 4 + 2 = 64, just fits; (30, 2): 66
    assert why(fused, [29, 2, 1]) is None
    assert why(fused, [30, 2, 1]) == "n_h * n_x + 2 n_h + 2 = 66 accumulators > 64"
    for dtype in ("float64", "float32"):
        assert why(fused, [2, 4, 1], MAX_M[dtype], dtype) is None
        assert why(fused, [2, 4, 1], MAX_M[dtype] + 1, dtype).startswith(f"m = {MAX_M[dtype] + 1} > {MAX_M[dtype]} ")
    assert why(fused, [2, 4, 1], 10**9, None) is None  # the epochs are chosen before their data: no size yet
    # the graph takes any depth, activation and output; the lines two layers or more
    assert why(graph, [2, 1]) is None and why(graph, [5, 8, 8, 3], hidden="relu") is None
    assert why(graph, [2, 4, 1], dtype="float16") == "takes ['float32', 'float64'], not float16"
    assert why(graph, [2, 4, 1], dtype=None) is None
    assert why(lines, [2, 1]) == "takes 2..any layers; this network has 1"
    assert why(lines, [2, 4, 4, 4, 1]) is None
    # PyTorch's lines: relu and leaky relu hidden layers only
    assert why("torch lines", [2, 4, 1], hidden="relu") is None
    assert why("torch lines", [2, 4, 1], hidden=["leaky_relu"]) is None
    assert why("torch lines", [2, 4, 4, 1], hidden=["relu", "tanh"]) == "takes hidden activations ['leaky_relu', 'relu']"
    # NumPy's tiles from MIN_ELEMENTS hidden values (the output layer not counted); the replay below MAX_ELEMENTS
    assert MIN_ELEMENTS % 16 == 0 and MAX_ELEMENTS % 4 == 0
    assert why("numpy tiles", [2, 16, 1], MIN_ELEMENTS // 16) is None
    low = 16 * (MIN_ELEMENTS // 16 - 1)
    assert why("numpy tiles", [2, 16, 1], MIN_ELEMENTS // 16 - 1) == (f"n_l * m = {low} < {MIN_ELEMENTS}: the "
                                                                        "generic lines are as fast")
    assert why("numpy tiles", [2, 16, 1], 10**9, None) is None
    assert why("numpy replay", [2, 4, 1], MAX_ELEMENTS // 4 - 1) is None
    assert why("numpy replay", [2, 4, 1], MAX_ELEMENTS // 4).startswith(f"n_l * m = {MAX_ELEMENTS} >= {MAX_ELEMENTS}:")
    assert why("numpy replay", [2, 1, 4], MAX_ELEMENTS // 4).startswith(f"n_l * m = {MAX_ELEMENTS} >= ")  # the output too


def test_every_fast_path_is_handed_the_steps_order_of_rounding(monkeypatch):
    """Course 2's init_utils and opt_utils take the 1/m in dZ_L (``mean_in_dZ``): every builder takes it on
    to its step, choose_runner hands it to the path it builds, and the fused kernel, whose sums are
    its own, declines it (without a GPU: it says so before touching CUDA)."""
    import inspect

    from backend_nn.accelerate.cupy_fused import fused_runner

    for path in FAST_PATHS:
        module, function = path.builder.split(":")
        build = getattr(importlib.import_module(f"backend_nn.accelerate.{module}"), function)
        assert "mean_in_dZ" in inspect.signature(build).parameters, path.name
    seen = []

    class Recording(FastPath):
        def build(self, *args, **kwargs):
            seen.append(kwargs["mean_in_dZ"])
            raise Declined("recorded")

    monkeypatch.setattr(accelerate, "FAST_PATHS", (Recording("recording", "numpy", "unused:unused"),))
    X, Y = FLOWER
    net = Network.build([2, 4, 1], "tanh")
    p = bnn.initialize_parameters_deep([2, 4, 1], seed=3)
    for flag in (True, False):
        choose_runner(p, X, Y, net=net, learning_rate=1.0, xp=np, compile="auto", mean_in_dZ=flag)
    assert seen == [True, False]
    with pytest.raises(Declined, match=r"takes the mean in dW and db \(weeks 3 and 4\), not in dZ_L"):
        fused_runner(p, X, Y, net=net, learning_rate=1.0, xp=np, mean_in_dZ=True)


# --- the CUDA graph's cuBLAS probe, without a GPU --------------------------------------------------------------
def test_every_cublas_entry_point_is_declared_for_ctypes():
    from backend_nn.accelerate import cupy_graph

    lib = SimpleNamespace(**{name: SimpleNamespace() for name in cupy_graph._SIGNATURES})
    cupy_graph._declared(lib)
    for name, fn in vars(lib).items():
        assert fn.restype is ctypes.c_int, name
        assert fn.argtypes, name
    gemm = lib.cublasDgemm_v2.argtypes
    assert len(gemm) == 14 and gemm[6] is ctypes.POINTER(ctypes.c_double)
    assert lib.cublasSetWorkspace_v2.argtypes[2] is ctypes.c_size_t
    del vars(lib)["cublasSgemm_v2"]
    with pytest.raises(AttributeError):
        cupy_graph._declared(lib)


def test_a_failing_probe_is_a_reason_and_one_warning(monkeypatch):
    from backend_nn.accelerate import cupy_graph

    def broken():
        raise AttributeError("'NoneType' object has no attribute 'get_cublas_handle'")

    monkeypatch.setattr(cupy_graph, "_candidates", broken)
    cupy_graph._cublas_library.cache_clear()
    try:
        with pytest.warns(FastPathWarning, match="the CUDA graph cannot call cuBLAS .*AttributeError"):
            lib, why = cupy_graph._cublas_library()
        assert lib is None and why.startswith("AttributeError")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert cupy_graph._cublas_library() == (None, why)  # probed once a process
    finally:
        cupy_graph._cublas_library.cache_clear()


def test_unloadable_candidates_are_named_in_the_reason(monkeypatch, tmp_path):
    from backend_nn.accelerate import cupy_graph

    not_a_library = tmp_path / "libcublas.so.99"
    not_a_library.write_text("not a library")
    monkeypatch.setattr(cupy_graph, "_candidates", lambda: [str(not_a_library), "libnothing-here.so.1"])
    cupy_graph._cublas_library.cache_clear()
    try:
        with pytest.warns(FastPathWarning):
            lib, why = cupy_graph._cublas_library()
        assert lib is None and str(not_a_library) in why and "libnothing-here.so.1" in why
    finally:
        cupy_graph._cublas_library.cache_clear()


def test_sizes_past_cublas_32_bits_are_refused_not_truncated(monkeypatch):
    from backend_nn.accelerate import cupy_graph

    assert cupy_graph.INT32_MAX == 2**31 - 1 == np.iinfo(np.int32).max
    cupy_graph._int32(M=2**31 - 1, N=1, K=1, lda=1, ldb=1)
    with pytest.raises(OverflowError, match=r"\{'N': 2147483648\} exceed cuBLAS's 32-bit sizes"):
        cupy_graph._int32(M=4, N=2**31, K=3, lda=3, ldb=2)

    class PastTheSizeCheck(Exception):
        pass

    def no_stream():
        raise PastTheSizeCheck

    monkeypatch.setattr(cupy_graph, "_new_stream", no_stream)  # the next step of the build, here without a GPU
    net = Network.build([2, 4, 1], "tanh")
    with pytest.raises(PastTheSizeCheck):
        cupy_graph.graph_runner({}, SimpleNamespace(shape=(2, 2**31 - 1)), None, net=net, learning_rate=1.0, xp=None)
    for X, big in ((SimpleNamespace(shape=(2, 2**31)), net), (SimpleNamespace(shape=(2, 9)), Network.build([2**31, 1]))):
        with pytest.raises(Declined, match="exceeds cuBLAS's 32-bit sizes"):
            cupy_graph.graph_runner({}, X, None, net=big, learning_rate=1.0, xp=None)


def test_without_a_capturable_cublas_the_graph_multiplies_by_broadcast_up_to_its_size_limit(monkeypatch):
    """Where cuBLAS cannot be called inside the capture, the graph's matmul is a broadcast product whose temporary
    holds n_l * n_(l-1) * m values: up to GRAPH_MAX_ELEMENTS (2**22) the graph is built that way, past it declined
    with both reasons."""
    from backend_nn.accelerate import cupy_graph

    class Built(Exception):
        pass

    def namespace(xp, gemm):
        assert gemm is None
        raise Built

    monkeypatch.setattr(cupy_graph, "_new_stream", lambda: None)
    monkeypatch.setattr(cupy_graph._CapturableGemm, "create", staticmethod(lambda stream: (None, "no libcublas here")))
    monkeypatch.setattr(cupy_graph, "_CaptureSafeNamespace", namespace)
    assert cupy_graph.GRAPH_MAX_ELEMENTS == 2**22
    net = Network.build([2, 4, 1], "tanh")  # the largest product: W1 A0, 4 x 2 x m
    with pytest.raises(Built):
        cupy_graph.graph_runner({}, SimpleNamespace(shape=(2, 2**19)), None, net=net, learning_rate=1.0, xp=None)
    with pytest.raises(Declined, match=r"^no capturable cuBLAS \(no libcublas here\), and n_l \* n_\(l-1\) \* m = "
                                       r"4194312 > 4194304 for the broadcast matmul$"):
        cupy_graph.graph_runner({}, SimpleNamespace(shape=(2, 2**19 + 1)), None, net=net, learning_rate=1.0, xp=None)


@pytest.mark.parametrize("hidden, output, optimizer", [("relu", "softmax", "adam"), ("tanh", "sigmoid", None)])
def test_torch_compile_traces_each_step_whole(hidden, output, optimizer):
    """torch.compile puts the whole step in one graph: no graph break (array-api-compat's maximum(0.0, Z)
    asked torch.result_type of the Python scalar, and the output layer's cached_property took a lock:
    each broke the step into pieces, some left eager, and made the compiled flower step 3x slower than
    the eager one). The mini-batch step with L2 and dropout, and the full-batch step with its cost."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    from functools import partial

    from backend_nn.accelerate.torch_compile import _TraceableNamespace
    from backend_nn.regularization import Dropout, dropout_masks
    from backend_nn.step import optimizer_step, train_step

    xp = bnn.get_namespace("torch")
    dims = [2, 5, 4, 3 if output == "softmax" else 1]
    net = Network.build(dims, hidden, output)
    X = torch.asarray(FLOWER[0][:, :32])
    Y = torch.asarray(np.eye(3)[np.arange(32) % 3].T if output == "softmax" else FLOWER[1][:, :32])
    params = {k: torch.asarray(v) for k, v in bnn.initialize_parameters_deep(dims).items()}
    if optimizer is None:
        step, args = partial(train_step, net=net, learning_rate=0.1, xp=_TraceableNamespace(xp), with_cost=True), ()
    else:
        opt = bnn.optimizers.get_optimizer(optimizer)
        state = {**opt.init(params), "t": torch.tensor(0.0, dtype=torch.float64)}
        dropout = Dropout(0.8, dropout_masks(dims, 32, 0.8, xp=xp, dtype=X.dtype))
        step = partial(optimizer_step, net=net, optimizer=opt, xp=_TraceableNamespace(xp), lambd=0.1, dropout=dropout)
        args = (state,)
        step = partial(step, learning_rate=torch.tensor(0.01, dtype=X.dtype))
    torch._dynamo.reset()
    explained = torch._dynamo.explain(step)(params, *args, X, Y)
    assert (explained.graph_count, explained.graph_break_count) == (1, 0), explained.break_reasons


def test_torch_compile_keeps_compiling_model_after_model_in_one_process():
    """Every torch.compile of a partial shared one code object, so Dynamo's recompile limits counted the steps
    of every model in the process: about the fifth model ran eager while its path report said
    torch.compile. Each compiled step now has a code object, and so a cache and a count, of its own. Here
    both of Dynamo's limits are 1, and three networks (each with a smaller last batch), two full-batch
    learning rates and a repeat of the first network all compile every step."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    from torch._dynamo.utils import counters

    X, Y = FLOWER[0][:, :150], FLOWER[1][:, :150]

    def frames():
        return dict(counters["frames"]), [k for k in counters["unimplemented"] if "recompile limit" in k]

    with torch._dynamo.config.patch(recompile_limit=1, accumulated_recompile_limit=1):
        before = frames()
        for dims in ([2, 5, 1], [2, 3, 2, 1], [2, 6, 1], [2, 5, 1]):
            bnn.model(X, Y, dims, optimizer="adam", mini_batch_size=64, num_epochs=2, backend="torch",
                      compile=True, print_cost=False)
        for lr in (1.2, 0.5):
            bnn.nn_model(X, Y, 4, num_iterations=3, learning_rate=lr, backend="torch", compile=True)
        after = frames()
    assert after[1] == before[1], after[1]  # no step fell back to eager
    compiled = after[0]["ok"] - before[0].get("ok", 0)
    assert compiled == after[0]["total"] - before[0].get("total", 0) == 4 * 2 + 2 * 2  # 2 widths; cost/no cost


def test_the_traceable_namespace_gives_array_api_compats_values_and_dtypes():
    """maximum/minimum with a Python scalar: the same values, signed zeros, NaNs and dtypes as array-api-compat's
    torch (an integer tensor and a float scalar are left to array-api-compat, which promotes them to float)."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    from backend_nn.accelerate.torch_compile import _TraceableNamespace
    from conftest import skip_unless_compat_torch_takes_scalars

    skip_unless_compat_torch_takes_scalars()
    xp = bnn.get_namespace("torch")
    ns = _TraceableNamespace(xp)
    z64 = torch.tensor([-1.5, -0.0, 0.0, 2.0, float("nan"), float("-inf")], dtype=torch.float64)
    cases = [(0.0, z64), (z64, 0.0), (-709.0, z64.to(torch.float32)), (z64, 1), (torch.tensor([-1, 2]), 0.5)]
    for fn in ("maximum", "minimum"):
        for a, b in cases:
            got, want = getattr(ns, fn)(a, b), getattr(xp, fn)(a, b)
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got.numpy(), want.numpy())
            np.testing.assert_array_equal(np.signbit(got.numpy()), np.signbit(want.numpy()))


def test_the_cuda_graphs_namespace_without_cublas_multiplies_as_matmul_does():
    """The CUDA graph's namespace where no capturable cuBLAS loads: one broadcast product and a reduction,
    equal to xp.matmul; every other name is xp's own (checked on NumPy: the overlay names no library)."""
    from backend_nn.accelerate.cupy_graph import _CaptureSafeNamespace

    xp = bnn.get_namespace("numpy")
    ns = _CaptureSafeNamespace(xp, None)
    rng = np.random.RandomState(0)
    a, b = rng.randn(4, 3), rng.randn(3, 5)
    np.testing.assert_allclose(ns.matmul(a, b), xp.matmul(a, b), rtol=1e-14)
    assert ns.sum is xp.sum and ns.float64 is xp.float64
