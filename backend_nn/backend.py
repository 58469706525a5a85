"""The backend edge: the one module that names array libraries.

Everything else in backend_nn gets its namespace ``xp`` from the arrays it is
given. This module is where a user's *choice* of backend becomes a namespace,
where host data moves onto that backend (once), where results come back to
NumPy (explicitly), and where a CUDA GPU is detected (by counting devices:
``import cupy`` succeeds on machines without a GPU). Also where a library's own settings meet
the library's runs: JAX's float64 mode and float32 matmul precision, and the pytrees of JAX and
PyTorch that a model's Parameters join.
"""

from __future__ import annotations

import importlib
import math
import os
import sys
from contextlib import AbstractContextManager, contextmanager, nullcontext
from types import ModuleType
from typing import Any

import numpy as np
import array_api_compat
from array_api_compat import array_namespace as _compat_namespace, device as device_of

from .validation import (check_in_range, check_not_dict, did_you_mean, dtype_name, found, is_bool_like,
                         model_pair_hint, shown)

__all__ = [
    "BACKENDS",
    "cuda_device_count",
    "get_namespace",
    "namespace_of",
    "device_of",
    "to_backend",
    "host_array",
    "host_scalar",
    "is_traced",
    "has_no_value_yet",
    "to_numpy",
    "backend_name",
    "memory_of",
    "free_memory_of",
    "check_float64",
]

#: Backend names accepted by ``backend=``; any Array API namespace is accepted too.
BACKENDS = ("numpy", "cupy", "auto", "array_api_strict", "torch", "jax")

Namespace = Any  # an Array API namespace (a module)

# NumPy 2.1+ is itself an Array API namespace; using it directly skips array-api-compat's
# Python wrappers (about 0.8 µs a matmul), which is measurable at the flower's size.
_NUMPY_IS_STANDARD = tuple(int(p) for p in np.__version__.split(".")[:2]) >= (2, 1)


def array_namespace(*arrays: Any) -> Namespace:
    """array_api_compat.array_namespace, but NumPy >= 2.1 itself rather than its wrapper, and PyTorch's
    with two of its wrappers taken straight to torch (:func:`_lean_torch`)."""
    xp = _compat_namespace(*arrays)
    if _NUMPY_IS_STANDARD and array_api_compat.is_numpy_namespace(xp):
        return np
    if xp.__name__ == "array_api_compat.torch":
        return _lean_torch(xp)
    return xp


_LEAN_TORCH: dict[int, ModuleType] = {}


def _lean_torch(compat: ModuleType) -> ModuleType:
    """array-api-compat's torch namespace, with ``matmul`` and ``maximum`` taken straight to torch where
    nothing needs promoting: the same calls of torch on the same values, less Python on every call.

    array-api-compat's ``matmul`` promotes its arguments (two ``result_type`` and two ``.to`` a call), and
    its ``maximum`` makes a new 0-d tensor of a Python scalar each call: on the flower's step (2, 4, 1),
    m = 400, they took 10 and 12 µs a call against 4 for ``torch.matmul`` and ``torch.maximum`` of a kept
    0-d tensor, a quarter of PyTorch's eager step on the CPU. So tensors of one dtype go to
    ``torch.matmul``, and a float scalar beside a floating tensor becomes the 0-d tensor array-api-compat
    makes (its dtype and device; array-api-compat before 1.16 refuses the scalar itself), kept for the next
    call; anything else (two dtypes, an integer tensor) goes to array-api-compat's functions as before. The
    results are theirs to the bit, signed zeros and NaNs too (``torch.clamp_min`` is faster still, but keeps
    a -0.0 where ``torch.maximum`` gives 0.0).

    A module, so that attribute lookups cost what they cost on array-api-compat's; named as that
    module, so that ``array_api_compat.is_torch_namespace`` and :func:`backend_name` see what it is."""
    lean = _LEAN_TORCH.get(id(compat))
    if lean is None:
        import torch

        compat_matmul, compat_maximum = compat.matmul, compat.maximum
        is_compiling = getattr(getattr(torch, "compiler", None), "is_compiling", lambda: False)  # PyTorch >= 2.3
        scalars: dict[tuple, Any] = {}  # (value's bits, dtype, device) -> its 0-d tensor

        def matmul(x1: Any, x2: Any, /) -> Any:
            if isinstance(x1, torch.Tensor) and isinstance(x2, torch.Tensor) and x1.dtype == x2.dtype:
                return torch.matmul(x1, x2)
            return compat_matmul(x1, x2)

        def as_tensor(s: float, like: Any) -> Any:
            key = (s.hex(), like.dtype, like.device)  # hex: 0.0 and -0.0 are two keys; any NaN one
            t = scalars.get(key)
            if t is None:
                t = torch.asarray(s, dtype=like.dtype, device=like.device)
                # kept: the equations' few constants (not a caller's stream of values); not one made under
                # inference mode, which autograd could not save for a later backward pass, nor one of a
                # torch.compile trace (its fake tensors)
                if len(scalars) < 64 and not is_compiling() and not torch.is_inference_mode_enabled():
                    scalars[key] = t
            return t

        def maximum(x1: Any, x2: Any, /) -> Any:
            if isinstance(x2, float) and isinstance(x1, torch.Tensor) and x1.is_floating_point():
                return torch.maximum(x1, as_tensor(x2, x1))
            if isinstance(x1, float) and isinstance(x2, torch.Tensor) and x2.is_floating_point():
                return torch.maximum(as_tensor(x1, x2), x2)
            return compat_maximum(x1, x2)

        lean = ModuleType(compat.__name__, compat.__doc__)
        lean.__dict__.update({k: v for k, v in vars(compat).items() if k not in ("__name__", "__doc__")})
        lean.__dict__.update(matmul=matmul, maximum=maximum)
        _LEAN_TORCH[id(compat)] = lean
    return lean


def cuda_device_count() -> int:
    """Number of CUDA devices CuPy can use; 0 when CuPy or a GPU is missing.

    Importing CuPy succeeds without a GPU, so presence is decided by counting.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> backend = "cupy" if bnn.cuda_device_count() else "numpy"     # what backend="auto" chooses
    """
    try:
        import cupy

        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # ImportError, CUDARuntimeError, missing driver, ...
        return 0


def _cupy_namespace() -> Namespace:
    try:
        import cupy  # noqa: F401
    except ImportError:
        raise ImportError(
            "backend='cupy' needs CuPy, which is not installed. Install the extra "
            "matching your CUDA major version, e.g. pip install 'backend-nn[cuda12x]' "
            "(or [cuda11x], [cuda13x])."
        ) from None
    if cuda_device_count() == 0:
        raise RuntimeError(
            "backend='cupy' needs a CUDA GPU, but CuPy counts 0 CUDA devices on this "
            "machine. Use backend='numpy', or backend='auto' to pick CuPy only when a "
            "GPU is present."
        )
    import array_api_compat.cupy as xp

    return xp


def get_namespace(backend: str | ModuleType | None = "numpy") -> Namespace:
    """Turn a backend choice into an Array API namespace.

    Parameters
    ----------
    backend : str, module or None
        ``"numpy"`` (CPU), ``"cupy"`` (CUDA GPU), ``"auto"`` (CuPy when a CUDA
        device is counted, else NumPy), ``"array_api_strict"``, ``"torch"``,
        ``"jax"``, or an array module / Array API namespace (``numpy``,
        ``cupy``, ``torch``, ``jax.numpy``, ``array_api_strict``, ...).
        ``None`` means ``"numpy"``.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> bnn.get_namespace("numpy").__name__
    'numpy'
    >>> xp = bnn.get_namespace("array_api_strict")
    >>> xp.__name__, xp.asarray([1.0, 2.0]).dtype
    ('array_api_strict', array_api_strict.float64)
    """
    if isinstance(backend, ModuleType) and backend in _NAMESPACES:  # a module's namespace is made once
        return _NAMESPACES[backend]
    if backend is None:
        backend = "numpy"
    if isinstance(backend, str):
        name = backend.lower().replace("-", "_")
        if name == "auto":
            name = "cupy" if cuda_device_count() > 0 else "numpy"
        if name == "numpy":
            return array_namespace(np.asarray(0.0))
        if name == "cupy":
            return _cupy_namespace()
        if name in ("array_api_strict", "torch", "jax"):
            module = "jax.numpy" if name == "jax" else name
            try:
                mod = importlib.import_module(module)
            except ImportError:
                raise ImportError(
                    f"backend={shown(backend)} needs the package {shown(name)}, which is not installed."
                ) from None
            return get_namespace(mod)
        # a device named, not a library: the libraries that run on one
        hint = (" — for a CUDA GPU, did you mean 'cupy' ('auto' takes it where a device is counted), or 'torch' "
                "with device='cuda', or 'jax' with device='gpu'?") if name in ("gpu", "cuda", "nvidia") \
            else did_you_mean(backend, BACKENDS)
        raise ValueError(
            f"unknown backend {shown(backend)}; expected one of {', '.join(map(repr, BACKENDS))} "
            f"or an Array API namespace such as array_api_strict{hint or '.'}"
        )
    if isinstance(backend, ModuleType) and hasattr(backend, "asarray"):
        if backend.__name__.split(".")[0] == "cupy" or array_api_compat.is_cupy_namespace(backend):
            namespace = _cupy_namespace()
        else:
            try:  # that of an array it makes (JAX compiled a program for it at each call)
                namespace = array_namespace(backend.asarray(0.0))
            except TypeError:
                namespace = None
        if namespace is not None:
            _NAMESPACES[backend] = namespace
            return namespace
    raise TypeError(
        f"backend must be a name ({', '.join(map(repr, BACKENDS))}) or an Array API "
        f"namespace module; got {type(backend).__name__} {shown(backend)}."
    )


#: a module's namespace, as :func:`get_namespace` made it: the library's own moves pass theirs on every step
#: (dropout masks, through :func:`to_backend`), where making it again (2-5 µs) would add up
_NAMESPACES: dict[ModuleType, Namespace] = {}


def _as_namespace(xp: Any) -> Namespace:
    """:func:`get_namespace` of a backend choice that :func:`to_backend` was given: a name, None, or a module,
    which may be the library's own (``torch``, ``dask.array``) or array-api-compat's wrapper of it rather than the
    namespace the library computes with (PyTorch's was "x is a torch.Tensor but the backend is torch", dask's
    an error inside ``from_array``)."""
    if not isinstance(xp, (ModuleType, str)) and xp is not None and hasattr(xp, "asarray"):
        return xp  # a namespace already
    return get_namespace(xp)


def backend_name(xp: Namespace) -> str:
    """Short library name of a namespace, for messages and reports ('numpy', 'cupy', ...)."""
    name = getattr(xp, "__name__", type(xp).__name__)
    return name.removeprefix("array_api_compat.").split(".")[0]


def default_int(xp: Namespace) -> Any:
    """The namespace's default integer dtype, for labels and counts: int64, or int32 on JAX without its
    64-bit mode (where asking for int64 warns and truncates)."""
    info = getattr(xp, "__array_namespace_info__", None)
    return xp.int64 if info is None else info().default_dtypes()["integral"]


def widest_float(xp: Namespace) -> Any:
    """float64 where the namespace has it; float32 on JAX without its 64-bit mode."""
    info = getattr(xp, "__array_namespace_info__", None)
    return xp.float64 if info is None or "float64" in info().dtypes(kind="real floating") else xp.float32


def count_true(mask: Any, xp: Namespace) -> Any:
    """How many entries of a bool array are True: a 0-d array of the default integer, left on the device. The
    standard's ``count_nonzero`` (2023.12) where the namespace has it (NumPy's 4x faster than a sum of a cast),
    else that sum."""
    count = getattr(xp, "count_nonzero", None)
    return count(mask) if count is not None else xp.sum(xp.astype(mask, default_int(xp)))


def first_values(values: Any, mask: Any, n: int = 5) -> list[float]:
    """For error messages: the first ``n`` distinct values of ``values`` where ``mask`` holds, in their
    order ([2.0, 5.0], not [2.0, 2.0, 2.0, ...]). Read on the host (a device sync), where a slice may
    stop past the end, as the Array API's may not."""
    bad = np.ravel(to_numpy(values[mask]))
    _, first = np.unique(bad, return_index=True)
    return [float(v) for v in bad[np.sort(first)[:n]]]


def _describe(x: Any) -> str:
    mod = type(x).__module__.split(".")[0]
    return f"{mod}.{type(x).__name__}"


def check_plain_array(x: Any, name: str) -> None:
    """A TypeError for what looks like an array but cannot enter the equations: a sparse matrix or
    tensor (its arithmetic is another's, or missing), a PyTorch tensor on the "meta" device, which
    has a shape and no values, a pandas or polars table (rows as samples, where the course's X is
    (n_x, m)), a structured array (a record per example), a zarr or h5py array in storage (read through
    dask), or a dict (parameters, gradients or a cache where data belong)."""
    check_not_dict(x, name)
    module = type(x).__module__
    if module.startswith(("pandas", "polars")):
        how = (f"{name}.to_numpy().reshape(1, -1) (one row of m values)" if len(getattr(x, "shape", ())) == 1 else
               f"{name}.to_numpy(), transposed ({name}.to_numpy().T) where its rows are examples (the course lays "
               "examples out as columns)")
        raise TypeError(f"{name} is a {module.split('.')[0]} {type(x).__name__}; the equations take arrays: pass "
                        f"{how}, or use NNClassifier, which takes tables.")
    if module.startswith("scipy.sparse"):
        raise TypeError(f"{name} is a SciPy sparse {type(x).__name__}; the equations take dense arrays: pass "
                        f"{name}.toarray().")
    if isinstance(x, np.ndarray) and x.dtype.names:  # a record per example: np.isdtype fails on a recarray's dtype
        how = (f"np.stack([{name}[f] for f in {name}.dtype.names]), one row per field" if x.ndim == 1 else
               "one plain array of its fields' numbers")
        raise TypeError(f"{name} is a structured array with fields {list(x.dtype.names)}; the equations take plain "
                        f"numbers: pass {how}.")
    if module.startswith(("zarr", "h5py")):  # stored arrays: read chunk by chunk, through dask
        kind, read = (("a zarr", f"dask.array.from_zarr({name})") if module.startswith("zarr") else
                      ("an h5py", f"dask.array.from_array({name}, chunks=(-1, 10_000))"))
        raise TypeError(f"{name} is {kind} {type(x).__name__}, an array in storage: pass {read}, chunked over the "
                        f"examples (columns), to train on it chunk by chunk, or {name}[...] to read it whole where it "
                        "fits in memory.")
    if module.startswith("torch"):
        layout = str(getattr(x, "layout", "torch.strided"))
        if layout != "torch.strided":
            raise TypeError(f"{name} is a PyTorch tensor of layout {layout}; the equations take dense tensors: pass "
                            f"{name}.to_dense().")
        if getattr(x, "is_nested", False):  # strided, but of no one shape: "NestedTensorImpl doesn't support sizes"
            raise TypeError(f"{name} is a PyTorch nested tensor (tensors of their own shapes in one); the equations "
                            f"take one dense tensor: join its parts along the examples, torch.cat({name}.unbind(), "
                            "dim=1) in the course's (n_x, m) layout (dim=0 for rows of samples).")
        if str(getattr(x, "device", "")) == "meta":
            raise TypeError(f"{name} is on PyTorch's 'meta' device, which holds shapes but no values; give a tensor "
                            "with data.")


def namespace_of(**arrays: Any) -> Namespace:
    """The common namespace of named arrays, checking that they share one device.

    ``namespace_of(X=X, W1=W1)`` is ``array_namespace(X, W1)`` with errors that
    name the arguments: which ones come from which library or device.
    """
    if _NUMPY_IS_STANDARD and all(type(a) is np.ndarray and a.dtype.names is None for a in arrays.values()):
        return np  # plain NumPy arrays, what the checks below find (in 1.3 us for six, not 20: every call has them)
    spaces = {}
    for name, a in arrays.items():
        if isinstance(a, (np.matrix, np.ma.MaskedArray)):
            # Both are NumPy arrays to array_namespace, but np.matrix's * is a matrix product (and its sum
            # takes no keepdims) and a masked array computes around its mask: the equations would fail
            # inside NumPy or compute something else.
            kind = "np.matrix" if isinstance(a, np.matrix) else "NumPy masked array"
            fix = "np.asarray(" + name + ")" if isinstance(a, np.matrix) else f"{name}.filled(value)"
            raise TypeError(f"{name} is a {kind}, whose arithmetic differs from an array's; the equations take "
                            f"plain arrays: pass {fix}.")
        check_plain_array(a, name)
        try:
            spaces[name] = array_namespace(a)
        except TypeError:
            raise TypeError(
                f"{name} must be an array of an Array API library (numpy, cupy, ...); "
                f"got {_describe(a)}."
            ) from None
    if len({id(s) for s in spaces.values()}) > 1:
        which = ", ".join(f"{n} is {_describe(arrays[n])}" for n in spaces)
        raise TypeError(
            f"arrays come from different backends: {which}. Move them to one backend "
            "first (backend_nn.to_backend / backend_nn.to_numpy)."
        )
    # an array being traced (inside jax.jit or jax.grad) has no device yet: it is not compared
    devices = {name: d for name, a in arrays.items() if (d := device_of(a)) is not None}
    if len({str(d) for d in devices.values()}) > 1:
        which = ", ".join(f"{n} on {d}" for n, d in devices.items())
        raise ValueError(f"arrays live on different devices: {which}. Move them to one device first.")
    return next(iter(spaces.values()))


def host_array(x: Any, name: str = "x") -> np.ndarray:
    """Host data (a NumPy array, a memory map, a list, ...) as a NumPy array, copying nothing that need
    not be: a memory map stays one; a masked array without masked cells is its data; with masked cells
    it is refused (the network would train on the values under the mask), and so are nested lists whose
    rows differ in length (``name``: what the errors call ``x``)."""
    if isinstance(x, np.ma.MaskedArray):
        n_masked = int(np.ma.count_masked(x))
        if n_masked:
            raise ValueError(f"{name} is a masked array with {n_masked} masked cell(s); the network would read the "
                             f"values under the mask. Fill them ({name}.filled(value)) or drop those examples first.")
        x = np.ma.getdata(x)
    if isinstance(x, np.memmap):
        return x
    check_not_dict(x, name)  # np.asarray would make a dict an object array, a model's result a ragged list
    try:
        return np.asarray(x)
    except ValueError as exc:  # NumPy's "setting an array element with a sequence ... inhomogeneous shape"
        if not isinstance(x, (list, tuple)):
            raise
        lengths = sorted({len(row) if isinstance(row, (list, tuple, np.ndarray)) else 1 for row in x})
        rows = f": its rows hold {' or '.join(map(str, lengths))} values" if len(lengths) > 1 else ""
        raise ValueError(f"{name} is a nested list that is not rectangular{rows}, so it is no array. Give every "
                         "row the same number of values.") from exc


def to_backend(x: Any, xp: Namespace | str, *, device: Any = None, dtype: Any = None, name: str = "x") -> Any:
    """Move host data (a NumPy array, a list, ...) onto backend ``xp``, once.

    ``xp`` is a namespace or a backend name (see :func:`get_namespace`). An array already in ``xp`` is
    returned as is (cast to ``dtype`` if given, moved to ``device`` if given; a NumPy view with gapped
    or negative strides is copied contiguous, as other libraries get host data, so that it computes the
    same bits). An array of another device library is refused rather than silently copied through the
    host. Without ``dtype`` the data take the dtype the backend's ``asarray`` gives them, with one
    exception: float64 host data on JAX without its 64-bit mode, which ``jnp.asarray`` would make
    float32 in silence, are an error that says how to turn that mode on or to pass ``dtype="float32"``;
    ``dtype="float64"`` there is an error too, never a float32, and so are integers beyond int32's
    range, which JAX would wrap, and so are dtype "int64", "uint64" and "complex128" there, which JAX would
    hold in 32 bits. A ``dtype`` narrower than the data's (float64 to float32) is refused where it would
    turn finite values into inf (a ValueError that names the largest |x|); NaN and inf already there pass
    as they are. So is any other cast that would change a value: into an integer dtype, values past its
    range, fractions, NaN or inf; into bool, values other than 0 and 1; into a real dtype, complex values
    with imaginary parts. Host data of a dtype the backend lacks (a long double but on NumPy; float16 on
    array-api-strict) are cast to ``dtype`` on the host before they move, and without ``dtype`` are a
    TypeError that asks for one. A PyTorch tensor that requires grad comes back detached (the same
    memory, no autograd history): the library computes its own gradients, and a graph recorded through a
    run's steps grows with each (nn_model of such an X held 2.8 GB after 3000 steps at m = 4000, against
    0.24 GB, and ran 5.7x slower).

    A dict of arrays (a model's Parameters, gradients) has each of its arrays moved;
    Parameters keep their network and their training state (its arrays moved too). ``name``
    is what errors call ``x`` ("Y is a torch.Tensor but the backend is numpy ...").

    Examples
    --------
    >>> import backend_nn as bnn
    >>> bnn.to_backend([[1, 2, 3]], "numpy", dtype="float32")
    array([[1., 2., 3.]], dtype=float32)

    A model's parameters moved whole, network kept (here to array-api-strict, the standard's
    reference library; "torch", "jax" and "cupy" alike where installed):

    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters, costs = bnn.nn_model(X, Y, 4, num_iterations=1000)
    >>> moved = bnn.to_backend(parameters, "array_api_strict")
    >>> moved
    Parameters({W1: (4, 2), b1: (4, 1), W2: (1, 4), b2: (1, 1)}, network=[2, 4, 1], hidden tanh, output sigmoid)
    >>> type(moved["W1"]).__module__.split(".")[0]
    'array_api_strict'
    """
    xp = _as_namespace(xp)
    x = _parameters_of(x)
    if dtype is None and _jax_without_x64(xp):
        _refuse_float64_narrowing(x, name)
    return backend_asarray(x, xp, device=device, dtype=dtype, name=name)


def _refuse_float64_narrowing(x: Any, name: str) -> None:
    """Host float64 data bound for JAX without its 64-bit mode, where ``jnp.asarray`` would hold them as float32:
    a TypeError that says how to keep float64 or to ask for float32."""
    found: list[str] = []

    def note(a: Any, key: Any) -> Any:
        if (isinstance(a, np.ndarray) and a.dtype.kind in "fc"
                and a.dtype.itemsize == (8 if a.dtype.kind == "f" else 16)):
            found.append(name if key is None else f"{name}[{key!r}]")
        return a

    if isinstance(x, dict):
        _map_arrays(x, note)
    elif isinstance(x, (np.ndarray, np.generic, list, tuple, float)):
        try:
            note(x if isinstance(x, np.ndarray) else np.asarray(x), None)
        except (TypeError, ValueError):  # ragged or not numbers: backend_asarray says what is wrong
            return
    if found:
        which = f"{found[0]} is" if len(found) == 1 else f"{found[0]} and {len(found) - 1} more are"
        it = "it" if len(found) == 1 else "them"
        raise TypeError(f"{which} float64, and JAX's 64-bit mode is off: JAX would hold {it} as float32. Turn the mode "
                        "on before any JAX array is made (jax.config.update('jax_enable_x64', True), or the "
                        f"environment variable JAX_ENABLE_X64=1), or pass dtype='float32' to move {it} as float32.")


#: The Array API's dtypes by name, and the half-precision ones some backends add.
_DTYPE_NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "bfloat16",
                "float32", "float64", "complex64", "complex128")


def _is_dtype_of(xp: Namespace, dtype: Any) -> bool:
    """Whether ``dtype`` is one of the namespace's dtypes (xp.float32, torch.float32, array_api_strict's)."""
    for name in _DTYPE_NAMES:
        own = getattr(xp, name, None)
        if own is not None and (dtype is own or (type(dtype) is type(own) and not isinstance(own, type)
                                                 and dtype == own)):
            return True
    return False


_HAS_DTYPE: dict[tuple[Namespace, np.dtype], bool] = {}


def has_dtype(xp: Namespace, dtype: np.dtype) -> bool:
    """Whether the namespace has NumPy dtype ``dtype`` (PyTorch and JAX have no long double, array-api-strict no
    float16). Kept per namespace and dtype: every move of host data asks (dropout's masks, each step), and the
    lookup took 3.8 µs on PyTorch, nearly doubling the 4.4 µs of the move itself."""
    key = (xp, dtype)
    known = _HAS_DTYPE.get(key)
    if known is None:
        known = _HAS_DTYPE[key] = (array_api_compat.is_numpy_namespace(xp)
                                   or _is_dtype_of(xp, getattr(xp, dtype.name, None)))
    return known


def host_cast_for(xp: Namespace, x: Any, dtype: Any) -> Any:
    """The ``dtype=`` for :func:`backend_asarray` to move ``x`` with, where a library's own move would keep x's
    dtype: None (keep it) but for a NumPy array of a dtype ``xp`` lacks (a long double, or float16 for
    array-api-strict), which is then cast to ``dtype`` on the host, range-checked, before it moves."""
    return dtype if isinstance(x, np.ndarray) and not has_dtype(xp, x.dtype) else None


def backend_asarray(x: Any, xp: Namespace | str, *, device: Any = None, dtype: Any = None, name: str = "x") -> Any:
    """:func:`to_backend` without its float64 check: host data as the backend's ``asarray`` takes them (float64
    as float32 on JAX without its 64-bit mode), for the library's own moves whose dtype is the run's, cast next
    (X, Y, labels), never for a user's data or parameters as they are."""
    xp = _as_namespace(xp)
    device = _native_device(xp, device)
    if isinstance(x, dict):
        return _map_arrays(
            x, lambda a, key: backend_asarray(a, xp, device=device, dtype=dtype, name=f"{name}[{key!r}]"))
    if model_pair_hint(x):
        raise TypeError(f"to_backend takes an array or a dict of arrays; got {type(x).__name__}{model_pair_hint(x)}.")
    if isinstance(dtype, np.dtype) or (isinstance(dtype, type) and (issubclass(dtype, np.generic)
                                                                    or dtype in (bool, int, float, complex))):
        dtype = dtype_name(dtype)  # np.float32 for another backend: its float32, as the models take it
    if isinstance(dtype, str):  # "float32", as the rest of the library takes it, or NumPy's "f4", "single", "i8"
        # NumPy's meaning first: "float" is float64 there, and torch.float is float32 (a quiet halving of precision);
        # a name NumPy lacks ("bfloat16") is the backend's own
        attribute = dtype_name(dtype) if hasattr(xp, dtype_name(dtype)) else dtype
        if not _is_dtype_of(xp, getattr(xp, attribute, None)):  # not xp.asarray for "asarray"
            raise ValueError(f"dtype {shown(dtype)} is not a dtype of {backend_name(xp)}.")
        dtype = getattr(xp, attribute)
    elif dtype is not None and not _is_dtype_of(xp, dtype):  # before any ==, which an array answers elementwise
        raise TypeError(f"dtype must be a name such as 'float32', a NumPy dtype, or a dtype of {backend_name(xp)}; "
                        f"got {type(dtype).__name__} {shown(dtype)}.")
    if dtype is not None and dtype_name(dtype) in _NARROWED_WITHOUT_X64:
        check_float64(xp, dtype_name(dtype))  # JAX would give float32 (int32, ...) with a warning of its own
    if isinstance(x, (np.ndarray, np.generic, list, tuple, int, float, bool)):
        host = _native(host_array(x, name), xp)
        if host.dtype.kind in "OSUVMm":  # objects, text, records, dates: not numbers any backend computes with
            raise TypeError(f"{name} must hold numbers (bool, integer or floating); got dtype {host.dtype}.")
        if dtype is not None:
            host = _check_cast(host, np, dtype, name)
            if not has_dtype(xp, host.dtype):  # cast on the host, as the backend has no dtype for the data as they are
                host = host.astype(dtype_name(dtype))
        elif not has_dtype(xp, host.dtype):
            raise TypeError(f"{name} has dtype {host.dtype}, which {backend_name(xp)} has no dtype for: pass dtype= "
                            f"(float64, say) to cast it on the host first.")
        elif host.dtype.kind in "iu" and host.dtype.itemsize == 8 and host.size and _jax_without_x64(xp):
            info = np.iinfo(np.int32 if host.dtype.kind == "i" else np.uint32)  # JAX's integers there
            if host.min() < info.min or host.max() > info.max:  # jnp.asarray would wrap them: 2**40 became 0
                beyond = host.max() if host.max() > info.max else host.min()
                raise ValueError(f"{name} holds integers beyond {info.dtype}'s range (e.g. {beyond}), and JAX's 64-bit "
                                 f"mode is off: JAX would hold them as {info.dtype}, wrapped. Turn the mode on before "
                                 "any JAX array is made (jax.config.update('jax_enable_x64', True), or the environment "
                                 "variable JAX_ENABLE_X64=1).")
        with _placing(xp, device):
            if array_api_compat.is_cupy_namespace(xp) and isinstance(device, int):
                import cupy

                with cupy.cuda.Device(device):
                    out = xp.asarray(host)
            elif array_api_compat.is_jax_namespace(xp):
                out = _jax_put(host, device)
            else:
                out = xp.asarray(host, device=device)
        return out if dtype is None or out.dtype == dtype else xp.astype(out, dtype)
    check_plain_array(x, name)
    try:
        src = array_namespace(x)
    except TypeError:
        raise TypeError(f"{name} must be an array or host data (NumPy array, list); got {_describe(x)}.") from None
    if src is not xp:
        what = _describe(x)
        raise TypeError(
            f"{name} is {'an' if what[0] in 'aeiou' else 'a'} {what} but the backend is {backend_name(xp)}; bring it "
            f"to the host with backend_nn.to_numpy({name}) first, or choose the matching backend."
        )
    if getattr(x, "requires_grad", False):  # PyTorch's autograd would record every step of a run
        x = x.detach()
    if device is not None and str(device_of(x)) != str(device):
        with _placing(xp, device):
            x = array_api_compat.to_device(x, device)
    if dtype is not None:
        x = _check_cast(x, xp, dtype, name)
    return x if dtype is None or x.dtype == dtype else xp.astype(x, dtype)


def _numpy_kind(dtype: Any) -> np.dtype | None:
    """The NumPy dtype of the same name as ``dtype`` (any library's): bool, an integer, a float or a complex;
    None for the rest (bfloat16, which NumPy lacks or ml_dtypes adds as a kind of its own), which no check
    here narrows."""
    try:
        kind = np.dtype(dtype_name(dtype))
    except TypeError:
        return None
    return kind if kind.kind in "biufc" else None


def _check_cast(a: Any, xp: Namespace, dtype: Any, name: str) -> Any:
    """A cast that ``to_backend`` is asked for must not change a value in silence, as the libraries' casts
    do (NumPy at most warns; PyTorch and JAX say nothing): a float of smaller range must not turn finite
    values into inf (float64 to float32, integers to float16; NaN and inf there already pass); an integer
    dtype must hold every value as it is (none wrapped past its range, as -1 to uint8's 255, none cut to
    its whole part, as 1.5 to 1, no NaN or inf, which have no integer); bool only 0 and 1 (2 would be
    True); and a real dtype no complex value with an imaginary part, which the cast would drop. Reads the
    data (a few reductions: syncs on a GPU) only where the cast could lose values, once, at this edge.
    Returns what to cast: ``a``, or for complex ``a`` into a real dtype its real part (each library warns
    of, or refuses, a cast of complex values to real ones)."""
    src, dst = _numpy_kind(a.dtype), _numpy_kind(dtype)
    if src is None or dst is None or src == dst or src.kind == "b" or not math.prod(a.shape):
        return a
    parts, to_real = [a], src.kind == "c" and dst.kind != "c"
    if to_real:
        if found(xp.any(xp.imag(a) != 0)):
            raise ValueError(f"{name} holds complex values with imaginary parts, which dtype {dst.name!r} would drop; "
                             f"pass its real part ({name}.real) if that is meant.")
        parts = [xp.real(a)]
    elif src.kind == "c":
        parts = [xp.real(a), xp.imag(a)]
    if dst.kind == "c":  # a complex dtype holds its parts in the float of half its size
        dst = np.dtype(f"float{dst.itemsize * 4}")
    for part in parts:
        _check_real_cast(part, xp, dst, name)
    return parts[0] if to_real else a


def _check_real_cast(a: Any, xp: Namespace, dst: np.dtype, name: str) -> None:
    """:func:`_check_cast` of real ``a`` (floats or integers) into ``dst``, a NumPy float, integer or bool dtype."""
    src = np.dtype(dtype_name(a.dtype))
    if dst.kind == "b":
        n_bad = int(count_true((a != 0) & (a != 1), xp))
        if n_bad:
            raise ValueError(f"{name} holds {n_bad} value(s) other than 0 and 1, which dtype 'bool' would make True; "
                             f"compare them first ({name} != 0, say) if that is meant.")
        return
    if src.kind == "f":
        if dst.kind == "f" and float(np.finfo(src).max) <= float(np.finfo(dst).max):
            return
        hi, lo = host_scalar(xp.max(a)), host_scalar(xp.min(a))  # two reductions, no temporary the size of a
        if not (np.isfinite(hi) and np.isfinite(lo)):
            if dst.kind != "f":
                raise ValueError(f"{name} holds {int(count_true(~xp.isfinite(a), xp))} NaN or inf value(s), which "
                                 f"dtype {dst.name!r} has no value for; fill or drop them first.")
            finite = xp.isfinite(a)  # NaN and inf pass into a float as they are; the finite rest must fit
            if not found(xp.any(finite)):
                return
            hi = lo = host_scalar(xp.max(xp.where(finite, xp.abs(a), xp.zeros_like(a))))
    else:
        src_info = np.iinfo(src)
        if dst.kind == "f" and src_info.max <= float(np.finfo(dst).max):
            return
        if dst.kind != "f" and np.iinfo(dst).min <= src_info.min and src_info.max <= np.iinfo(dst).max:
            return
        hi, lo = int(xp.max(a)), int(xp.min(a))  # exact, as Python integers
    if dst.kind == "f":
        check_in_range(max(abs(hi), abs(lo)), dst, name)
        return
    if src.kind == "f":
        n_cut = int(count_true(xp.floor(a) != a, xp))
        if n_cut:
            raise ValueError(f"{name} holds {n_cut} value(s) with a fractional part, which dtype {dst.name!r} would "
                             f"cut off; round them first ({name}.round(), say) if that is meant.")
        hi, lo = int(hi), int(lo)  # whole numbers: exact as Python integers, compared exactly below
    info = np.iinfo(dst)
    if lo < info.min or hi > info.max:
        raise ValueError(f"{name} holds values outside the range of {dst.name}, [{info.min}, {info.max}] (they run "
                         f"from {lo} to {hi}), which the cast would wrap; choose a wider dtype or rescale {name}.")


def is_traced(x: Any) -> bool:
    """Whether ``x`` is an array that jax.jit, jax.grad or jax.vmap is tracing: it has a shape and a dtype,
    and no values until the traced function runs (JAX is not imported for it)."""
    jax = sys.modules.get("jax")
    return jax is not None and isinstance(x, jax.core.Tracer)


def has_no_value_yet(x: Any) -> bool:
    """Whether ``x`` is an array being differentiated or traced, that cannot be read as a value: a JAX
    tracer (:func:`is_traced`), or a tensor inside PyTorch's ``torch.func.grad`` (a wrapper without
    storage of its own; PyTorch is not imported for it). A tensor that merely requires grad has a value."""
    if is_traced(x):
        return True
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(x, torch.Tensor):
        return False
    wrapped = getattr(getattr(torch._C, "_functorch", None), "is_functorch_wrapped_tensor", None)
    return bool(wrapped is not None and wrapped(x))


def host_scalar(v: Any) -> Any:
    """A 0-d reduction's result (any library's) on the host: a NumPy float as it is (a long double
    past float64's range stays itself), anything else a Python float (an integer's |min| does not
    fit its own dtype)."""
    return v if isinstance(v, np.floating) else float(v)


def numpy_takes_as_is(host: np.ndarray) -> bool:
    """Whether a NumPy backend computes with host array ``host`` where it lies (C- or F-contiguous) rather
    than with a contiguous copy (see :func:`_native`)."""
    return bool(host.flags.c_contiguous or host.flags.f_contiguous)


def _native(host: np.ndarray, xp: Namespace) -> np.ndarray:
    """Host data as another library can take them in: in the machine's byte order (PyTorch refuses
    big-endian ">f8" data, array-api-strict has no such dtype; NumPy computes with them as they are),
    C-contiguous (PyTorch refuses negative strides, X[:, ::-1], and shares a Fortran-ordered or
    strided view, X_rows.T or X[:, ::2], as it is, whose matrix products round differently from the
    same numbers laid out in rows: 2e-16 apart after 50 steps) and, for PyTorch, which would share a
    read-only buffer with a warning that writing to it is undefined, a copy. NumPy takes an array as it
    is, but for a view with negative or gapped strides (neither C- nor F-contiguous), whose matrix
    products NumPy 2.1 rounds differently from the same numbers laid out contiguously (1.4e-16 apart
    after 20 steps; NumPy 2.5 gives the same bits): copied. The caller's array is never written either way."""
    if array_api_compat.is_numpy_namespace(xp):
        return host if host.ndim < 2 or numpy_takes_as_is(host) else np.ascontiguousarray(host)
    if not host.dtype.isnative or not host.flags.c_contiguous:
        return host.astype(host.dtype.newbyteorder("="), order="C")
    if array_api_compat.is_torch_namespace(xp) and not host.flags.writeable:
        return host.copy()
    return host


def _jax_put(host: np.ndarray, device: Any) -> Any:
    """Host data onto JAX's ``device`` (None: its default) with no compiled program, as a copy. ``jnp.asarray``
    compiled two programs (a copy and a cast) for each new shape, 10-30 ms each on a CPU, five moves a run (X, Y
    and each parameter); ``jax.device_put`` compiles none. JAX's CPU device takes 64-byte aligned NumPy memory as
    it is (``may_alias=False`` did not stop it, JAX 0.10), and the caller's later writes would show in the data:
    host data going there are copied first, as the move would copy them anyway."""
    import jax

    target = device if device is not None else (jax.config.jax_default_device or jax.devices()[0])
    platform = target if isinstance(target, str) else getattr(target, "platform", "cpu")
    return jax.device_put(np.array(host, copy=True) if platform == "cpu" else host, device)


def _native_device(xp: Namespace, device: Any) -> Any:
    """``device`` as ``xp`` takes it. JAX takes only its Device objects: a name ("cpu", "gpu", "cuda:1",
    "tpu:0", as the command line gives one) or a number is looked up in ``jax.devices()``. CuPy takes
    device numbers: "cuda:1" is 1, "cuda" the current device. PyTorch's "meta" device holds no values,
    so no data are placed there."""
    if device is None:
        return None
    if is_bool_like(device) or isinstance(device, (float, complex, np.inexact)):
        # PyTorch's Tensor.to took 0.5 and True and left the data where they were
        raise TypeError(f"device must be a device of the backend, or its name or number ('cpu', 'cuda:1', 0); got "
                        f"{type(device).__name__} {shown(device)}.")
    if isinstance(device, np.integer):  # a NumPy integer counts as the number it is (JAX looked it up as a sharding)
        device = int(device)
    if array_api_compat.is_jax_namespace(xp) and isinstance(device, (str, int)) and not isinstance(device, bool):
        import jax

        if isinstance(device, int):
            devices, index = jax.devices(), device
        else:
            platform, _, number = device.lower().partition(":")
            platform = {"cuda": "gpu", "rocm": "gpu"}.get(platform, platform)
            try:
                devices = jax.devices(platform)
            except RuntimeError:
                devices = []
            index = int(number) if number.isdigit() else 0 if not number else -1
        if not 0 <= index < len(devices):
            raise ValueError(f"jax has no device {shown(device)} here; its devices are {jax.devices()} (give one of "
                             f"them, or a name such as 'cpu', 'gpu:0').")
        return devices[index]
    if array_api_compat.is_cupy_namespace(xp) and isinstance(device, str):
        platform, _, number = device.lower().partition(":")
        if platform not in ("cuda", "gpu") or not (number.isdigit() or not number):
            raise ValueError(f"cupy takes a CUDA device number (0, 1, ...) or 'cuda:N'; got device={shown(device)}.")
        return int(number) if number else None  # "cuda": the current device, as PyTorch reads it
    if array_api_compat.is_torch_namespace(xp) and str(device).split(":")[0] == "meta":
        raise ValueError("device='meta' holds no values (PyTorch's meta tensors have shapes only): choose a device "
                         "that holds data, 'cpu' or 'cuda'.")
    if array_api_compat.is_torch_namespace(xp) and str(device).split(":")[0] == "cuda":
        import torch

        if not torch.cuda.is_available():  # its own message is a page about dispatch keys (a CPU build)
            why = ("this PyTorch is a CPU-only build" if torch.version.cuda is None else
                   "this PyTorch counts no CUDA device")
            raise ValueError(f"backend='torch' cannot place data on device={shown(device)}: {why} "
                             "(torch.cuda.is_available() is False). Leave device unset (or 'cpu'), or install "
                             "PyTorch's CUDA build on a machine with an NVIDIA GPU.")
    return device


@contextmanager
def _placing(xp: Namespace, device: Any):
    """A device the backend cannot place data on is one clear error (PyTorch's CPU build raised
    NotImplementedError "Could not run 'aten::empty_strided' with arguments from the 'CUDA' backend",
    or an AssertionError "Torch not compiled with CUDA enabled")."""
    try:
        yield
    except (RuntimeError, NotImplementedError, AssertionError, ValueError, TypeError) as exc:
        if device is None:
            raise
        said = str(exc).splitlines()[0] if str(exc) else ""
        raise ValueError(f"backend={backend_name(xp)!r} cannot place data on device={shown(device)}: "
                         f"{type(exc).__name__}: "
                         f"{said if len(said) <= 300 else said[:300] + ' ...'}") from exc


def _parameters_of(x: Any) -> Any:
    """network.parameters_of (imported here: the backend module is the bottom layer): a model's result kept
    whole, ``parameters = nn_model(...)``, moves as its parameters."""
    if isinstance(x, tuple) and hasattr(x, "costs"):
        from .network import parameters_of

        return parameters_of(x)
    return x


def _map_arrays(x: dict, move_array: Any) -> dict:
    """A dict of arrays (nested dicts too) with ``move_array(array, key)`` applied to each array; other
    values (t, names, counts) kept. Parameters keep their network and training state (its arrays moved)."""
    def move(v: Any, key: Any) -> Any:
        if isinstance(v, dict):
            return {k: move(a, k) for k, a in v.items()}
        return move_array(v, key) if hasattr(v, "shape") else v

    moved = {k: move(v, k) for k, v in x.items()}
    if hasattr(x, "network"):  # Parameters (imported here: the backend module is the bottom layer)
        from .network import Parameters

        if isinstance(x, Parameters):
            return Parameters(moved, network=x.network,
                              training_state=move(x.training_state or {}, "training_state") or None)
    return moved


def to_numpy(x: Any) -> Any:
    """Bring an array from any backend back to a NumPy array (the one explicit exit). A dict of
    arrays (a model's Parameters, gradients) comes home whole: each of its arrays brought back,
    Parameters keeping their network and training state, as :func:`to_backend` moves them.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> xs = bnn.to_backend(X, "array_api_strict")
    >>> home = bnn.to_numpy(xs)
    >>> type(home).__name__, home.shape, bool((home == X).all())
    ('ndarray', (2, 400), True)
    """
    if x is None:  # np.asarray would make it an array of one object, in silence
        raise TypeError("to_numpy expects an array (of any backend) or host data such as a list; got None.")
    x = _parameters_of(x)
    if isinstance(x, dict):  # np.asarray would make it an array of one object, in silence
        return _map_arrays(x, lambda a, key: to_numpy(a))
    if model_pair_hint(x):
        raise TypeError(f"to_numpy takes an array or a dict of arrays; got {type(x).__name__}{model_pair_hint(x)}.")
    if isinstance(x, np.ndarray):
        return x
    if array_api_compat.is_cupy_array(x):
        return x.get()
    if array_api_compat.is_torch_array(x):
        x = x.detach().cpu().resolve_conj().resolve_neg()  # a lazy conjugate or negative view: .numpy() refuses it
        if str(x.dtype) == "torch.bfloat16":  # NumPy has no bfloat16; float32 holds each of its values exactly
            x = x.float()
        return x.numpy()
    if array_api_compat.is_jax_array(x) and str(x.dtype) == "bfloat16":  # as PyTorch's, not ml_dtypes' bfloat16
        x = x.astype("float32")
    if array_api_compat.is_numpy_array(x) or array_api_compat.is_jax_array(x):
        return np.asarray(x)
    if array_api_compat.is_dask_array(x):  # computed, then its chunks' library brought home
        return to_numpy(x.compute())
    try:
        xp = array_namespace(x)
    except TypeError:
        return np.asarray(x)
    if array_api_compat.is_array_api_strict_namespace(xp):
        x = x.to_device(xp.__array_namespace_info__().default_device())
    return np.from_dlpack(x)


def memory_of(xp: Namespace, device: Any = None) -> tuple[int | None, str]:
    """(bytes, what) of the memory arrays of ``xp`` on ``device`` live in: a CUDA device's for CuPy,
    else this machine's physical memory; (None, ...) where it cannot be told."""
    device = _native_device(xp, device)
    if array_api_compat.is_cupy_namespace(xp):
        try:
            import cupy

            dev = device if isinstance(device, int) else getattr(device, "id", None)
            with cupy.cuda.Device(dev if dev is not None else cupy.cuda.Device().id) as d:
                return int(d.mem_info[1]), f"CUDA device {d.id}"
        except Exception:
            return None, "the CUDA device"
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")), "this machine"
    except (ValueError, OSError, AttributeError):
        return None, "this machine"


def _host_available() -> int | None:
    """Bytes of this machine's memory available to a new allocation (Linux: MemAvailable)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def free_memory_of(xp: Namespace, device: Any = None) -> int | None:
    """Bytes free for new arrays of ``xp`` on ``device``: a CUDA device's free memory plus what CuPy's
    or PyTorch's pool holds unused; JAX's device limit less its use; else this machine's available
    memory. None where it cannot be told."""
    device = _native_device(xp, device)  # "gpu:0" on JAX, "cuda:1" on CuPy: the device itself
    try:
        if array_api_compat.is_cupy_namespace(xp):
            import cupy

            dev = device if isinstance(device, int) else getattr(device, "id", None)
            with cupy.cuda.Device(dev if dev is not None else cupy.cuda.Device().id) as d:
                return int(d.mem_info[0]) + int(cupy.get_default_memory_pool().free_bytes())
        if array_api_compat.is_torch_namespace(xp):
            import torch

            dev = torch.device(device) if device is not None else torch.get_default_device()
            if dev.type == "cuda":
                free, _ = torch.cuda.mem_get_info(dev)
                return int(free) + int(torch.cuda.memory_reserved(dev) - torch.cuda.memory_allocated(dev))
        if array_api_compat.is_jax_namespace(xp):
            import jax

            dev = device if device is not None else jax.devices()[0]
            stats = dev.memory_stats() if dev.platform != "cpu" else None
            if stats and "bytes_limit" in stats:
                return int(stats["bytes_limit"]) - int(stats.get("bytes_in_use", 0))
    except Exception:  # a driver that will not answer: the host's figure is not the device's
        return None
    return _host_available()


def float64_in_own_process(backend: Any) -> None:
    """For a process of this library's own (the command line): where the backend is JAX, turn on its
    64-bit mode, so that float64 (the default dtype) is float64 there as everywhere. Library calls
    never do this (:func:`check_float64`: a user's JAX configuration is theirs). An environment that
    sets JAX_ENABLE_X64 itself keeps its choice."""
    if backend != "jax" or "JAX_ENABLE_X64" in os.environ:
        return
    import jax

    jax.config.update("jax_enable_x64", True)


def _jax_without_x64(xp: Namespace) -> bool:
    """JAX with its 64-bit mode off: float64 and int64 data become float32 and int32 there."""
    if not array_api_compat.is_jax_namespace(xp):
        return False
    import jax

    return not jax.config.read("jax_enable_x64")


_NARROWED_WITHOUT_X64 = {"float64": "float32", "int64": "int32", "uint64": "uint32", "complex128": "complex64"}


def check_float64(xp: Namespace, dtype: str = "float64") -> None:
    """float64 must mean float64: JAX computes in float32 unless its 64-bit mode is on, with only a
    warning to say so. Refuse rather than train in a lower precision than asked; the user's JAX
    configuration is theirs to change, not this library's. The same for JAX's other 64-bit dtypes
    (``dtype``: "int64", "uint64", "complex128"), which it would hold in 32 bits, clipped or rounded."""
    if _jax_without_x64(xp):
        narrow = _NARROWED_WITHOUT_X64[dtype]
        holds = "computes in float32" if dtype == "float64" else f"holds {dtype} as {narrow}"
        raise TypeError(
            f"dtype={dtype!r} on JAX needs JAX's 64-bit mode, which is off: without it JAX {holds}. "
            "Turn it on before any JAX array is made (jax.config.update('jax_enable_x64', True), or the "
            f"environment variable JAX_ENABLE_X64=1), or choose dtype={narrow!r}."
        )


def full_precision(xp: Namespace) -> AbstractContextManager:
    """A context in which the library's own runs (training, prediction) multiply float32 matrices in
    float32.

    JAX's default precision for float32 matmuls is the platform's fastest: TF32 (10 mantissa bits,
    about 1e-3 relative) on NVIDIA GPUs since Ampere, bfloat16 passes on TPUs. A run asked for in
    float32 would be computed in less, without a word. Where the user has not chosen a precision
    (``jax_default_matmul_precision`` unset), this sets "float32" for the run. A precision the user
    chose is theirs, and kept. It sets it the way ``jax.default_matmul_precision`` does, for this
    thread and for the duration of the run. It changes nothing on CPUs, where float32 is float32
    already, or for float64. Other libraries compute float32 in float32 unless their user asks
    otherwise (PyTorch's ``allow_tf32``, CuPy's ``CUPY_TF32``)."""
    if array_api_compat.is_jax_namespace(xp):
        import jax

        if jax.config.jax_default_matmul_precision is None:  # type: ignore[attr-defined]  # a flag, not in JAX's stubs
            return jax.default_matmul_precision("float32")
    return nullcontext()


class _ByIdentity:
    """A value carried through pytrees (JAX's, PyTorch's) as it is, compared by identity: a training state holds
    arrays, which neither hash nor compare as the static part of a pytree must."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByIdentity) and other.value is self.value

    def __hash__(self) -> int:
        return id(self.value)


_PYTREES: set = set()


def _aux(p: Any) -> tuple:
    """What a pytree keeps of Parameters besides their arrays: the keys, the network, the training state."""
    return tuple(p), p.network, _ByIdentity(p.training_state)


def _flatten(p: Any) -> tuple[list, tuple]:
    return list(p.values()), _aux(p)


def _unflattener(cls: type) -> Any:
    def unflatten(children: Any, aux: tuple) -> Any:
        keys, network, state = aux
        return cls(zip(keys, children), network=network, training_state=state.value)

    return unflatten


def register_pytree(cls: type) -> None:
    """Make ``cls`` (:class:`~backend_nn.network.Parameters`) a node of JAX's and PyTorch's pytrees,
    where those are imported, so that ``jax.jit``, ``jax.grad``, ``jax.device_put``,
    ``jax.tree_util`` and ``torch.func`` take a model's parameters as they take a dict, and give
    back Parameters with the same network and training state. Without it each takes a dict
    subclass for one leaf, and refuses it ("not a valid JAX type", "must be Tensor"). Called
    whenever Parameters are made, so those made before JAX or PyTorch was imported are taken too
    once any are made after; nothing is imported for it."""
    jax: Any = sys.modules.get("jax")  # None where not imported
    if ("jax", cls) not in _PYTREES and hasattr(jax, "tree_util"):
        _PYTREES.add(("jax", cls))
        DictKey, unflatten = jax.tree_util.DictKey, _unflattener(cls)
        with _registered_already():
            jax.tree_util.register_pytree_with_keys(
                cls, lambda p: ([(DictKey(k), v) for k, v in p.items()], _aux(p)),
                lambda aux, children: unflatten(children, aux), _flatten)
    pytree: Any = sys.modules.get("torch.utils._pytree")  # PyTorch's (torch.func's, torch.compile's); private by name
    if ("torch", cls) not in _PYTREES and hasattr(pytree, "register_pytree_node"):
        _PYTREES.add(("torch", cls))
        with _registered_already():
            pytree.register_pytree_node(cls, _flatten, _unflattener(cls))


@contextmanager
def _registered_already():
    """A class registered before this module was (re)loaded (importlib.reload, IPython's autoreload) is
    registered still: the library's "duplicate registration" ValueError is not the user's concern."""
    try:
        yield
    except ValueError as exc:
        if "regist" not in str(exc):
            raise
