"""One backend fixture for the whole suite.

Backends: NumPy; array-api-strict on its default device and on a second
device (to catch device mix-ups); PyTorch and JAX (through array-api-compat)
when installed; CuPy, marked ``gpu``, only when a CUDA device is counted.
A backend that is not there is a visible skip with its reason.
"""

from __future__ import annotations

import contextlib
import importlib
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.backend import get_namespace, to_backend, to_numpy


@dataclass(frozen=True)
class Backend:
    name: str
    xp: Any
    device: Any = None

    def asarray(self, a, dtype=None):
        """Host data -> this backend and device (float64 unless dtype says otherwise)."""
        a = np.asarray(a)
        if dtype is None and a.dtype.kind == "f":
            dtype = self.xp.float64
        return to_backend(a, self.xp, device=self.device, dtype=dtype)

    def params(self, host: dict, dtype=None):
        return {k: self.asarray(v, dtype) for k, v in host.items()}

    @contextlib.contextmanager
    def no_float_errors(self):
        """Overflow, invalid operations and division by zero raise, each library its own way; and every
        Python warning is an error. NumPy and array-api-strict (NumPy inside): ``np.errstate``. JAX:
        ``jax.debug_infs`` and ``jax.debug_nans`` (an inf or NaN made by any operation raises).
        PyTorch and CuPy have no floating-point traps: there only the warnings are errors, and the
        tests that use this also check their results (and what they can see of the intermediates)
        are finite."""
        with contextlib.ExitStack() as stack:
            stack.enter_context(warnings.catch_warnings())
            warnings.simplefilter("error")
            if self.name.startswith(("numpy", "array_api_strict")):
                stack.enter_context(np.errstate(over="raise", invalid="raise", divide="raise"))
            elif self.name.startswith("jax"):
                import jax

                stack.enter_context(jax.debug_infs(True))
                stack.enter_context(jax.debug_nans(True))
            yield

    def __str__(self):
        return self.name


def _optional(module: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _backend_params():
    out = [pytest.param(("numpy", None), id="numpy")]
    strict = _optional("array_api_strict")
    skip_strict = [pytest.mark.skip(reason="array-api-strict is not installed")] if strict is None else []
    out.append(pytest.param(("array_api_strict", None), id="strict", marks=skip_strict))
    out.append(pytest.param(("array_api_strict", "device1"), id="strict-device1", marks=skip_strict))
    torch = _optional("torch")
    out.append(pytest.param(("torch", None), id="torch",
                            marks=[pytest.mark.skip(reason="PyTorch is not installed")] if torch is None else []))
    jax = _optional("jax")
    if jax is not None:
        jax.config.update("jax_enable_x64", True)
    out.append(pytest.param(("jax", None), id="jax",
                            marks=[pytest.mark.skip(reason="JAX is not installed")] if jax is None else []))
    n_gpu = bnn.cuda_device_count()
    gpu_marks = [pytest.mark.gpu]
    if n_gpu == 0:
        why = "CuPy is not installed" if _optional("cupy") is None else "CuPy counts 0 CUDA devices"
        gpu_marks.append(pytest.mark.skip(reason=f"no CUDA GPU: {why}"))
    out.append(pytest.param(("cupy", None), id="cupy", marks=gpu_marks))
    return out


BACKEND_PARAMS = _backend_params()


def torch_device_params() -> list:
    """"cpu" and "cuda" for PyTorch's own fast paths; "cuda" marked ``gpu``, skipped with the reason where
    PyTorch counts no CUDA device. Call it after ``pytest.importorskip("torch")``."""
    import torch

    marks = [pytest.mark.gpu]
    if not torch.cuda.is_available():
        marks.append(pytest.mark.skip(reason="no CUDA GPU: PyTorch counts no CUDA device"))
    return ["cpu", pytest.param("cuda", marks=marks)]


def make_backend(name: str, device: Any = None) -> Backend:
    xp = get_namespace(name)
    if device is not None:
        device = xp.Device(device)
    return Backend(f"{name}" + (f"-{device}" if device is not None else ""), xp, device)


@pytest.fixture(params=BACKEND_PARAMS)
def backend(request) -> Backend:
    return make_backend(*request.param)


@pytest.fixture(params=["float64", "float32"])
def dtype_name(request) -> str:
    return request.param


def skip_unless_compat_torch_takes_scalars() -> None:
    """Skip, saying why, where array-api-compat's torch ``maximum`` refuses a Python scalar beside a tensor
    (before 1.16: PyTorch's TypeError): the tests that compare the library's scalar calls with it need it."""
    import array_api_compat
    import array_api_compat.torch as compat
    import torch

    try:
        compat.maximum(torch.zeros(1), 0.0)
    except TypeError:
        pytest.skip(f"array-api-compat {array_api_compat.__version__}'s maximum refuses Python scalars (1.16 takes "
                    "them): nothing to compare with")


def assert_on_backend(actual, backend: Backend, dtype=None):
    """The result came back on the backend under test, on its device, in the expected dtype."""
    from array_api_compat import device

    from backend_nn.backend import array_namespace

    assert array_namespace(actual) is backend.xp, f"result is {type(actual)}, not {backend.name}"
    if backend.device is not None:
        assert str(device(actual)) == str(backend.device), f"result on {device(actual)}, expected {backend.device}"
    if dtype is not None:
        assert actual.dtype == dtype, f"dtype {actual.dtype}, expected {dtype}"


def assert_close(actual, expected, backend: Backend, *, rtol=1e-7, atol=0.0, dtype=None):
    """Backend, device, dtype and values: the one comparison helper."""
    assert_on_backend(actual, backend, dtype=backend.xp.float64 if dtype is None else dtype)
    np.testing.assert_allclose(to_numpy(actual), np.asarray(expected), rtol=rtol, atol=atol)


def assert_lines_match(params, X, Y, net, lines, *, xp, rtol, atol, cache_rtol=None, cache_atol=None,
                       mean_in_dZ=False, dropout=None):
    """Forward and backward propagation through a fast path's ``lines`` (a Lines subclass) against
    the generic lines: every Z and A the fast forward kept, and every gradient's values, shape and
    dtype (both with ``mean_in_dZ``, course 2's order; both with ``dropout``, a Dropout of the same
    masks). Returns the fast path's caches."""
    from backend_nn.propagation import backward_pass, forward_pass

    cache_rtol = rtol if cache_rtol is None else cache_rtol
    cache_atol = atol if cache_atol is None else cache_atol
    AL, caches = forward_pass(X, params, net=net, xp=xp, dropout=dropout)
    AL_f, caches_f = forward_pass(X, params, net=net, xp=xp, lines=lines, dropout=dropout)
    for l, (((A_prev, _, _), Z), ((A_prev_f, _, _), Z_f)) in enumerate(zip(caches, caches_f, strict=True), start=1):
        np.testing.assert_allclose(to_numpy(A_prev_f), to_numpy(A_prev), rtol=cache_rtol, atol=cache_atol,
                                   err_msg=f"A{l - 1}")
        if Z_f is not None:
            np.testing.assert_allclose(to_numpy(Z_f), to_numpy(Z), rtol=cache_rtol, atol=cache_atol, err_msg=f"Z{l}")
    np.testing.assert_allclose(to_numpy(AL_f), to_numpy(AL), rtol=cache_rtol, atol=cache_atol, err_msg="AL")
    plain = backward_pass(AL, Y, caches, net=net, xp=xp, mean_in_dZ=mean_in_dZ, dropout=dropout)
    via_lines = backward_pass(AL_f, Y, caches_f, net=net, xp=xp, lines=lines, mean_in_dZ=mean_in_dZ, dropout=dropout)
    assert set(plain) == set(via_lines)
    for k in plain:
        np.testing.assert_allclose(to_numpy(via_lines[k]), to_numpy(plain[k]), rtol=rtol, atol=atol, err_msg=k)
        assert via_lines[k].shape == plain[k].shape and via_lines[k].dtype == plain[k].dtype, k
    return caches_f


def hidden_layer_data(xp, n_x, m, dtype, seed=0):
    """X (n_x, m) drawn from N(0, 1) and Y = [X[0] X[-1] > 0]: a nonlinear rule, so the hidden layer has work."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    Y = (X[:1] * X[-1:] > 0) * 1.0
    return to_backend(X, xp, dtype=dtype), to_backend(Y, xp, dtype=dtype)


def assert_runner_matches_eager(runner, p0, X, Y, net, lr, dtype, *, xp, n_records, cost_every):
    """A fast path's runner against the generic step taken n_records * cost_every times eagerly: the
    costs it records, the parameters after (values and dtype), and p0 left as it was (the runner works on
    buffers of its own). float64 rtol 1e-9 / atol 1e-12, float32 2e-4 / 1e-6 (sums in another order)."""
    from backend_nn.step import train_step

    start = {k: v.copy() for k, v in p0.items()}
    fast_p, fast_costs = runner(p0, n_records, cost_every)
    for k in p0:
        np.testing.assert_array_equal(to_numpy(p0[k]), to_numpy(start[k]), err_msg=f"{k} was written to")
    p, costs = start, []
    for i in range(n_records * cost_every):
        p, c = train_step(p, X, Y, net=net, learning_rate=lr, xp=xp, with_cost=i % cost_every == 0)
        if c is not None:
            costs.append(float(c))
    rtol, atol = (1e-9, 1e-12) if dtype == "float64" else (2e-4, 1e-6)
    np.testing.assert_allclose(to_numpy(fast_costs), costs, rtol=rtol, atol=atol)
    for k in p:
        np.testing.assert_allclose(to_numpy(fast_p[k]), to_numpy(p[k]), rtol=rtol, atol=atol, err_msg=k)
        assert fast_p[k].dtype == p[k].dtype, k


def assert_row_sums_close(total, terms, inv_m: float | None, *, err_msg: str = "") -> None:
    """``total`` (n, 1) is ``inv_m * sum(terms, axis=1)`` (or the plain sum where inv_m is None) added in
    ``terms``' precision, in any order: against the sum of the same terms in float64, within 2 eps of the
    sum of their magnitudes a row, plus eps of the total for the 1/m. That is the scale of a summation's
    round-off in any order (a blocked or pairwise sum's error was at most 0.075 of it in these tests); a fixed
    rtol is unsound where the terms cancel: 50,001 float32 terms of magnitude 25,873 in all summing to -0.24
    differ by 3e-4 relative between NumPy's pairwise sum and a kernel's blocked one, both right. A column
    block lost or counted twice is orders of magnitude outside it (a single small term may not be)."""
    host = to_numpy(terms)
    terms64 = host.astype(np.float64)
    scale = 1.0 if inv_m is None else inv_m
    want = np.sum(terms64, axis=1, keepdims=True) * scale
    eps = np.finfo(host.dtype).eps
    bound = 2 * eps * np.sum(np.abs(terms64), axis=1, keepdims=True) * scale + eps * np.abs(want)
    got = to_numpy(total).astype(np.float64)
    assert got.shape == want.shape, f"{err_msg}: shape {got.shape}, expected {want.shape}"
    off = np.abs(got - want) > bound
    assert not off.any(), (f"{err_msg}: rows {np.flatnonzero(off).tolist()} off by "
                           f"{(np.abs(got - want) / bound)[off].max():.3g} times the round-off bound; "
                           f"got {got[off].ravel()}, the float64 sums {want[off].ravel()}")


def assert_through_line_matches(lines, *, xp, activation, dtype, n, m):
    """``lines.through`` after a matrix product (n_l = 5): dZ = W^T dZ_next * g'(Z) and db = sum(dZ, axis=1)
    (/ m and not), written over the product, against the generic line; Z, A and the product's inputs not
    written; for relu, leaky relu and linear the same bits (dA times 1, 0 or the slope; relu'(0) = 0,
    leaky_relu'(0) = the slope), else round-off (g' formed in another order)."""
    from backend_nn.activations import get_activation
    from backend_nn.propagation import GENERIC_LINES

    rng = np.random.RandomState(5)
    dt = np.dtype(dtype)
    Z = to_backend(rng.randn(n, m), xp, dtype=dt)
    Z[:, :7] = 0
    g = get_activation(activation, negative_slope=0.05)
    A = g(Z, xp=xp)
    W, dZ_next = (to_backend(rng.randn(*shape), xp, dtype=dt) for shape in [(5, n), (5, m)])
    inputs = {"Z": Z, "A": A, "W": W, "dZ_next": dZ_next}
    before = {k: v.copy() for k, v in inputs.items()}
    Z_kept = Z if g.needs_Z else None
    exact = activation in ("relu", "leaky_relu", "linear")
    rtol, atol = (0, 0) if exact else ((1e-13, 1e-15) if dtype == "float64" else (1e-5, 1e-6))
    for inv_m in (1.0 / m, None):
        want_dZ, want_db = GENERIC_LINES.through(xp.matmul(W.T, dZ_next), Z_kept, A, g, xp=xp, inv_m=inv_m)
        product = xp.matmul(W.T, dZ_next)
        dZ, db = lines.through(product, Z_kept, A, g, xp=xp, inv_m=inv_m)
        assert dZ is product, "dZ is written over the product"
        np.testing.assert_allclose(to_numpy(dZ), to_numpy(want_dZ), rtol=rtol, atol=atol)
        assert_row_sums_close(db, dZ, inv_m, err_msg="the kernel's db against its own dZ")
        assert_row_sums_close(want_db, want_dZ, inv_m, err_msg="the generic db against its own dZ")
        assert db.shape == want_db.shape == (n, 1) and db.dtype == want_db.dtype == dt
    for k, v in inputs.items():
        np.testing.assert_array_equal(to_numpy(v), to_numpy(before[k]), err_msg=f"{k} was written to")


def course_model(X, Y, dims, optimizer, lr, size, epochs, beta=0.9, beta1=0.9, beta2=0.999, eps=1e-8, lambd=0.0,
                 batches=None):
    """The course's optimization model, in plain NumPy: He init (seed 3), reseeded shuffles from 10,
    relu hidden layers and a sigmoid output, the cost summed over the epoch and divided by m; the
    gradients in the order of its opt_utils.backward_propagation (the 1/m in dz3 = 1./m * (a3 - Y),
    then dW = np.dot(dz, a_prev.T), db = np.sum(dz), dz = np.multiply(da, np.int64(a > 0))).
    ``batches(seed, m, size)``: the epoch's batches as column indices (default: the course's
    permutation of all m, cut in order)."""
    L, m = len(dims) - 1, X.shape[1]
    p = bnn.initialize_parameters_deep(dims, seed=3, init="he")
    v = {"d" + k: np.zeros_like(a) for k, a in p.items()}
    s = {"d" + k: np.zeros_like(a) for k, a in p.items()}
    t, seed, costs = 0, 10, []
    for i in range(epochs):
        seed += 1
        if batches is None:
            perm = np.random.RandomState(seed).permutation(m)
            cols = [perm[k:k + size] for k in range(0, m, size)]
        else:
            cols = batches(seed, m, size)
        total = 0.0
        for idx in cols:
            x, y = X[:, idx], Y[:, idx]
            mb = x.shape[1]
            A, cache = x, []
            for l in range(1, L + 1):
                Z = p[f"W{l}"] @ A + p[f"b{l}"]
                cache.append((A, Z))
                A = np.maximum(Z, 0) if l < L else 1 / (1 + np.exp(-Z))
            total += np.sum(-y * np.log(A) - (1 - y) * np.log(1 - A)) + lambd / 2 * sum(
                np.sum(p[f"W{l}"] ** 2) for l in range(1, L + 1))
            dZ, g = 1. / mb * (A - y), {}
            for l in range(L, 0, -1):
                A_prev, _ = cache[l - 1]
                g[f"dW{l}"] = np.dot(dZ, A_prev.T) + (lambd * p[f"W{l}"]) / mb
                g[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
                if l > 1:
                    dZ = np.multiply(np.dot(p[f"W{l}"].T, dZ), np.int64(A_prev > 0))
            t += 1
            for k2 in p:
                d = "d" + k2
                if optimizer == "gd":
                    p[k2] = p[k2] - lr * g[d]
                elif optimizer == "momentum":
                    v[d] = beta * v[d] + (1 - beta) * g[d]
                    p[k2] = p[k2] - lr * v[d]
                else:
                    v[d] = beta1 * v[d] + (1 - beta1) * g[d]
                    s[d] = beta2 * s[d] + (1 - beta2) * g[d] ** 2
                    p[k2] = p[k2] - lr * (v[d] / (1 - beta1**t)) / (np.sqrt(s[d] / (1 - beta2**t)) + eps)
        if i % 100 == 0:
            costs.append(total / m)
    return p, costs
