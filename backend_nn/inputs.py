"""The user's data onto the backend, at the edge of every model: X and Y checked once, moved once
and cast to the training dtype; n_L read from the labels and Y encoded for the output layer; dask
data kept chunked (:mod:`backend_nn.chunked`) and host data to be streamed kept on the host
(:mod:`backend_nn.streaming`). The equations never see a list, a wrong shape or a NaN.

    X : (n_x, m), examples as columns;  Y : (n_y, m)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import chunked, streaming
from .backend import (backend_asarray, check_plain_array, device_of, get_namespace, host_array, host_cast_for,
                      is_traced, namespace_of, to_backend, to_numpy)
from .initialization import resolve_dtype
from .network import Network
from .outputs import SOFTMAX, encode_labels, output_for
from .validation import (check_finite, check_labels_dtype, check_layer_dims, check_X_kind, check_X_Y, dtype_name,
                         host_labels, is_one_of, shown)

__all__ = ["backend_for", "prepare_X", "prepare_Y", "prepare_data", "n_outputs", "encode_Y", "layers_dims_for",
           "labels_namespace", "place_data", "data_device", "examples_at_once"]


def backend_for(X: Any, backend: Any) -> Any:
    """The namespace: the chosen backend, or X's own when ``backend`` is None."""
    if backend is not None or isinstance(X, (np.ndarray, list, tuple)):
        return get_namespace(backend)
    return namespace_of(X=X)


def prepare_X(X: Any, *, xp: Any, dtype: Any, device: Any, n_x: int | None = None) -> Any:
    """X on the backend, once, checked (2-D, finite) and cast to the training dtype.

    Integer and boolean X are cast to ``dtype`` explicitly (like scikit-learn). The
    caller's arrays are never written to. ``n_x``: the network's, where it is known (the
    hint for a 1-D X).
    """
    check_plain_array(X, "X")
    on_host = isinstance(X, np.ndarray)
    if on_host:  # on the host first: text or objects would meet each library's own message, and the values are read
        check_X_kind(X, xp=np, n_x=n_x)  # where they are (on the device JAX compiled two programs for each new m)
        check_finite(X, xp=np)
    Xb = backend_asarray(X, xp, device=device, dtype=host_cast_for(xp, X, dtype), name="X")
    check_X_kind(Xb, xp=xp, n_x=n_x)
    checked = on_host and dtype_name(Xb.dtype) == dtype_name(X.dtype)  # a move in another dtype may overflow
    if not xp.isdtype(Xb.dtype, "real floating"):
        Xb = xp.astype(Xb, dtype)
    if not checked:
        check_finite(Xb, xp=xp)
    return to_backend(Xb, xp, dtype=dtype, name="X")  # a narrowing cast checked: no finite x becomes inf


def prepare_Y(Y: Any, Xb: Any, *, xp: Any) -> Any:
    """Y shape-checked against X (not yet encoded): host labels (a NumPy array, a list) as a NumPy array, to be
    checked and encoded on the host and moved once (:func:`encode_Y`); others on X's backend and device."""
    check_plain_array(Y, "Y")
    if isinstance(Y, (np.ndarray, list, tuple)):
        Yh = host_array(Y, "Y")
        check_labels_dtype(Yh, xp=np)
        check_X_Y(Xb, Yh, xp=xp)
        return Yh
    Yb = backend_asarray(Y, xp, device=device_of(Xb), dtype=host_cast_for(xp, Y, Xb.dtype), name="Y")
    namespace_of(X=Xb, Y=Yb)
    check_X_Y(Xb, Yb, xp=xp)
    return Yb


def n_outputs(Y: Any, output: Any, *, xp: Any, fix: str | None = None) -> int:
    """n_L from the labels: K rows of a (K, m) Y; for a (1, m) Y, 1 where it is 0/1 (binary) and
    no softmax is asked for, else the labels' K = max + 1 (labels 0..K-1). ``fix``: what the error
    for other labels advises, in the caller's terms (the command line's: its data file)."""
    n = int(Y.shape[0])
    if n > 1:
        return n
    if output is not None and output_for(2, output) is not SOFTMAX:
        return 1
    if xp.isdtype(Y.dtype, "bool"):
        return 2 if output is not None else 1
    values = chunked.label_values(Y) if chunked.is_dask(Y) else np.unique(to_numpy(Y))
    finite = values[np.isfinite(values)]
    if output is None and np.all(np.isin(values, (0, 1))):
        return 1
    K = finite.size
    shown = "[" + ", ".join(map(str, finite[:10].tolist())) + (", ...]" if K > 10 else "]")
    if finite.size < values.size:  # before the advice on numbering classes, which NaN is not
        raise ValueError(f"Y must be finite; it holds NaN or inf{f' beside the labels {shown}' if K else ', only'}. "
                         "Drop those examples, or give them their labels.")
    if not (K >= 2 and np.array_equal(finite, np.arange(K))):
        raise ValueError(
            f"Y must hold 0/1 labels (binary) or class labels 0..K-1 with every class present; it holds "
            f"{shown}. " + (fix or (
                "Number the classes 0..K-1 (np.unique(Y, return_inverse=True)[1] does it); to keep classes that "
                "are absent from Y, give their number, L_layer_model(X, Y, [n_x, ..., K]), or a one-hot Y (K, m)."
                + (" Fractional values are targets of a sigmoid output only where it is asked for: output='sigmoid'."
                   if output is None and np.any(finite != np.round(finite)) else "")))
        )
    return K


def prepare_data(X: Any, Y: Any, *, backend: Any, dtype: Any, device: Any, chunks: Any = None,
                  stream: Any = False, batch_size: int | None = None):
    """(xp, dtype, X, Y): the data checked and on their backend (Y not yet encoded). A dask X, or
    backend="dask", keeps the data in dask arrays chunked over the examples; xp is then the
    library of their chunks, which the parameters use (:mod:`backend_nn.chunked`). Host data that
    are to be streamed (:func:`backend_nn.streaming.wanted`) stay on the host, X as a
    :class:`~backend_nn.streaming.HostData`, Y a NumPy array."""
    if is_traced(X) or is_traced(Y):  # was JAX's TracerArrayConversionError from the first value read
        raise TypeError(f"{'X' if is_traced(X) else 'Y'} is traced by JAX (this call is inside jax.jit, jax.grad or "
                        "jax.vmap): training runs its own loop, which reads costs as they come and compiles its "
                        "steps with jax.jit itself (compile='auto'). Call it outside the trace.")
    Y = host_labels(Y)
    if chunked.is_dask(X) or chunked.is_dask(Y) or is_one_of(backend, ("dask",)):
        if not (backend is None or is_one_of(backend, ("dask",))):
            raise ValueError(f"X is a dask array; leave backend= unset (the chunks' library is used) or give "
                             f"backend='dask', not {shown(backend)}.")
        if streaming.check_stream(stream) is True:
            raise ValueError("stream=True streams host data; dask data are read chunk by chunk already (leave "
                             "stream unset).")
        if device is not None:  # it was dropped in silence
            raise ValueError(f"dask data stay where their chunks are (the parameters go to the default device of "
                             f"the chunks' library, each worker's): give no device; got device={shown(device)}.")
        xp, Xb, Yb = chunked.prepare_X_Y(X, Y, dtype=dtype, chunks=chunks)
        return xp, Xb.dtype, Xb, Yb
    if chunks is not None:
        raise ValueError("chunks= is for dask arrays: give backend='dask' (or a dask X) with it.")
    xp = backend_for(X, backend)
    dt = resolve_dtype(dtype, xp)
    if streaming.wanted(stream, X, Y, xp, dtype=dt, device=device, batch_size=batch_size):
        Xh, Yh = streaming.prepare(X, Y, xp=xp, dtype=dt, device=device)
        return xp, dt, Xh, Yh
    Xb = prepare_X(X, xp=xp, dtype=dt, device=device)
    return xp, dt, Xb, prepare_Y(Y, Xb, xp=xp)


def encode_Y(Y: Any, n_y: int, net: Network, *, dtype: Any, xp: Any, Xb: Any = None) -> Any:
    """Y as the output layer takes it (0/1, or one-hot (n_y, m)), where the data are: dask chunks,
    the host for streamed data (:func:`backend_nn.outputs.encode_labels`)."""
    if chunked.is_dask(Y):
        return chunked.encode(Y, n_y, net.output, dtype=dtype, xp=xp)
    if isinstance(Y, np.ndarray):  # host labels, checked and encoded where they are (no device program, no sync)
        streamed = streaming.is_host_data(Xb)  # the labels then stay on the host, gathered with X's windows
        host_dtype = Xb.host_dtype if streamed else np.dtype(dtype_name(dtype))
        Yh = np.ascontiguousarray(encode_labels(Y, n_y, net.output, dtype=host_dtype, xp=streaming.host_namespace()))
        return Yh if streamed else backend_asarray(Yh, xp, device=device_of(Xb), name="Y")
    return encode_labels(Y, n_y, net.output, dtype=dtype, xp=xp)


def labels_namespace(Y: Any, xp: Any) -> Any:
    """The namespace the labels are in before :func:`encode_Y`: the host's for NumPy labels, else the backend's."""
    return streaming.host_namespace() if isinstance(Y, np.ndarray) else xp


def place_data(Xb: Any, Yf: Any) -> tuple[Any, Any]:
    """Dask data kept in the workers' memory where they fit (else read from their source per step)."""
    return chunked.place(Xb, Yf) if chunked.is_dask(Xb) else (Xb, Yf)


def data_device(Xb: Any) -> Any:
    """Where the parameters go: X's device (a dask X's chunks: the library's default; streamed
    host data: the device they are streamed to)."""
    if streaming.is_host_data(Xb):
        return Xb.device
    return None if chunked.is_dask(Xb) else device_of(Xb)


def examples_at_once(Xb: Any, batch: int | None = None) -> int:
    """The most examples one step holds: X's (or a dask chunk's) columns, at most one batch."""
    m = max(Xb.chunks[1]) if chunked.is_dask(Xb) else int(Xb.shape[1])
    return m if batch is None else min(m, batch)


def layers_dims_for(layers_dims: Any, X: Any) -> list[int]:
    """layers_dims checked (positive integers, at least [n_x, n_L]) and its n_x against X's rows."""
    dims = check_layer_dims(layers_dims, "layers_dims")
    n_x = int(X.shape[0]) if hasattr(X, "shape") and len(X.shape) == 2 else None
    if n_x is not None and dims[0] != n_x:
        hint = " — did you mean X.T? (examples go in columns)" if int(X.shape[1]) == dims[0] else ""
        raise ValueError(f"layers_dims[0] = {dims[0]} must be n_x, the number of rows of X {tuple(X.shape)}{hint}.")
    return dims
