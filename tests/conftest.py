"""One backend fixture for the whole suite.

Backends: NumPy; array-api-strict on its default device and on a second
device (to catch device mix-ups); PyTorch and JAX (through array-api-compat)
when installed; CuPy, marked ``gpu``, only when a CUDA device is counted.
A backend that is not there is a visible skip with its reason.
"""

from __future__ import annotations

import importlib
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


def assert_hooked_lines_match(params, X, Y, g, hooked, *, xp, rtol, atol, cache_rtol=None, cache_atol=None):
    """Forward and backward propagation with an activation carrying fused-line hooks (``hooked``)
    against the generic lines (``g``): every cache entry the hooked forward kept, and every
    gradient's values, shape and dtype. Returns the hooked cache."""
    from backend_nn.propagation import _backward, _forward

    cache_rtol = rtol if cache_rtol is None else cache_rtol
    cache_atol = atol if cache_atol is None else cache_atol
    _, cache = _forward(X, params, g=g, xp=xp)
    _, cache_h = _forward(X, params, g=hooked, xp=xp)
    for k in cache:
        if cache_h[k] is not None:
            np.testing.assert_allclose(to_numpy(cache_h[k]), to_numpy(cache[k]), rtol=cache_rtol, atol=cache_atol,
                                       err_msg=k)
    plain = _backward(params, cache, X, Y, g=g, xp=xp)
    via_hooks = _backward(params, cache_h, X, Y, g=hooked, xp=xp)
    for k in plain:
        np.testing.assert_allclose(to_numpy(via_hooks[k]), to_numpy(plain[k]), rtol=rtol, atol=atol, err_msg=k)
        assert via_hooks[k].shape == plain[k].shape and via_hooks[k].dtype == plain[k].dtype, k
    return cache_h
