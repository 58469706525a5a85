"""Data larger than the device: mini-batch epochs over data that are not all on it, window by window.

X (n_x, m) stays where it is, in host memory or in a memory-mapped .npy
(``np.load(path, mmap_mode="r")``), and so do its labels; on the backend live only the
parameters, the optimizer state and two windows of batches. Each epoch:

- draws the course's permutation on the host (:func:`backend_nn.batches.permutation`, the
  stream of the in-memory run: the same batches in the same order, so the same results step
  by step);
- walks it window by window, a window being consecutive whole batches of about
  :data:`WINDOW_BYTES`: its columns are gathered on the host (``X[:, perm[a:b]]``, cast to
  the training dtype) and copied to the backend;
- trains each window with the backend's own epoch (eager, jax.jit, torch.compile: whatever
  :func:`backend_nn.accelerate.choose_epochs` picks for the window's batches) while the next
  window is gathered and copied on a thread.

The windowed loop (:func:`run_windows`) also serves dask data (:mod:`backend_nn.chunked`
computes its windows from the chunks). The copy is a *transfer*: the generic one
(:func:`~backend_nn.backend.to_backend`, any library) or, on CuPy, pinned host buffers
copied on a stream of their own (:mod:`backend_nn.accelerate.cupy_stream`), chosen in
:func:`backend_nn.accelerate.choose_transfer`.

Whether to stream (``stream=`` of :func:`~backend_nn.models.model`, ``nn_model``,
``L_layer_model``): "auto" streams mini-batch training of host data that would not fit in the
backend's free memory (the data and each epoch's shuffled copy, :func:`wanted`); True always
streams host data; False never does.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from collections.abc import Callable, Sequence
from typing import Any

import array_api_compat
import numpy as np

from .backend import backend_name, free_memory_of, get_namespace, host_array, numpy_takes_as_is, to_backend
from .validation import (check_in_range, check_seed, check_X_kind, check_X_shape, check_X_Y_shapes, dtype_name,
                         not_finite, shown)

__all__ = ["WINDOW_BYTES", "CHECK_BYTES", "STREAM_MODES", "HostData", "is_host_data", "check_stream", "wanted",
           "prepare", "host_namespace", "predicts_in_windows", "forward_in_windows", "shuffled", "windows",
           "window_key", "runners_for", "rows_layout", "gather", "gather_shape", "gather_threads", "GenericTransfer",
           "to_backend_as_laid_out", "run_windows", "host_epochs"]

#: About how many bytes of X one window holds (whole batches, at least one): two windows are on the
#: backend at a time, the one training and the one arriving.
WINDOW_BYTES = 64 * 2**20

#: The values of ``stream``: "auto" (stream when the data would not fit), True, False.
STREAM_MODES = ("auto", True, False)

#: Columns checked at a time when host data are read once before training (finite, in range).
CHECK_BYTES = 32 * 2**20


def host_namespace() -> Any:
    """The namespace of host arrays (NumPy's)."""
    return get_namespace("numpy")


@dataclass(frozen=True)
class HostData:
    """X (n_x, m) kept on the host (a NumPy array or memory map, never copied whole), to be trained on
    backend ``xp`` (on ``device``, in ``dtype``, a dtype of ``xp``) window by window.

    ``seed``: this epoch's order of the examples is the course's ``permutation(m, seed)``, drawn
    when the epoch runs (None: as stored)."""

    host: np.ndarray
    xp: Any
    device: Any
    dtype: Any
    seed: int | None = None

    @property
    def shape(self) -> tuple[int, int]:
        n_x, m = self.host.shape
        return int(n_x), int(m)

    @property
    def host_dtype(self) -> np.dtype:
        """The training dtype as NumPy's (what a window is gathered in)."""
        return np.dtype(dtype_name(self.dtype))

    def __repr__(self) -> str:
        kind = "memory map" if isinstance(self.host, np.memmap) else "array"
        return (f"HostData({self.shape}, host {kind} of {self.host.dtype}, to {backend_name(self.xp)} "
                f"{dtype_name(self.dtype)})")


def is_host_data(x: Any) -> bool:
    return isinstance(x, HostData)


def check_stream(stream: Any) -> str | bool:
    """``stream`` as one of :data:`STREAM_MODES` (numpy booleans too), or a ValueError."""
    if isinstance(stream, str) and stream == "auto":
        return "auto"
    if isinstance(stream, (bool, np.bool_)):
        return bool(stream)
    raise ValueError(f"stream must be 'auto' (the default: stream host data in windows when they would not fit on "
                     f"the backend), True (always stream host data) or False; got {shown(stream)}.")


def _is_host(X: Any) -> bool:
    return isinstance(X, (np.ndarray, list, tuple))


def _used_in_place(X: np.ndarray, xp: Any, host_dtype: np.dtype) -> bool:
    """Whether the in-memory path uses host X as it is (NumPy, X in memory in the training dtype, laid
    out C- or F-contiguous: see :func:`~backend_nn.backend.to_backend`) rather than making a copy of it."""
    return (array_api_compat.is_numpy_namespace(xp) and not isinstance(X, np.memmap) and X.dtype == host_dtype
            and numpy_takes_as_is(X))


def wanted(stream: Any, X: Any, Y: Any, xp: Any, *, dtype: Any, device: Any, batch_size: int | None) -> bool:
    """Whether to stream X: ``stream=True`` (X must be host data and training mini-batches), or
    "auto" where the in-memory run would not fit the backend's free memory: X and Y in the training
    dtype, and each epoch's shuffled copy of them (on NumPy, host data already in the training dtype
    are used in place, so they count once)."""
    stream = check_stream(stream)
    if stream is False:
        return False
    if not _is_host(X):
        if stream is True:
            raise ValueError(f"stream=True streams host data (a NumPy array, or np.load(path, mmap_mode='r')); X is "
                             f"a {type(X).__module__.split('.')[0]}.{type(X).__name__}, on its backend already. Pass "
                             "the host array, or leave stream='auto'.")
        return False
    X = X if isinstance(X, np.ndarray) else host_array(X, "X")  # a ragged list: an error that names X
    if batch_size is None:
        if stream is True:
            raise ValueError("stream=True streams mini-batches: give batch_size= (mini_batch_size= in model()); a "
                             "full-batch step needs all of X at once (for data larger than one device, use a dask "
                             "array: backend='dask').")
        return False
    if stream is True:
        return True
    host_dtype = np.dtype(dtype_name(dtype))
    if X.ndim != 2:
        return False  # not data to stream: the checks in memory say what is wrong
    rows_y = int(np.shape(Y)[0]) if np.ndim(Y) == 2 else 1
    data = host_dtype.itemsize * int(X.shape[1]) * (int(X.shape[0]) + rows_y)
    need = data if _used_in_place(X, xp, host_dtype) else 2 * data
    free = free_memory_of(xp, device)
    return free is not None and need > free


def _check_host_X(X: np.ndarray, dtype: np.dtype) -> None:
    """Host X, read once in column blocks (a memory map is never loaded whole): real numbers, 2-D, at
    least one example and feature, finite, within ``dtype``'s range."""
    check_X_kind(X, xp=host_namespace())
    if not np.isdtype(X.dtype, "real floating"):
        return
    n_x, m = (int(n) for n in X.shape)
    step = max(1, CHECK_BYTES // (n_x * X.dtype.itemsize))
    n_bad, big = 0, 0.0
    for a in range(0, m, step):
        block = X[:, a:a + step]
        finite = np.isfinite(block)
        if not finite.all():
            n_bad += int(block.size - np.count_nonzero(finite))
        elif not n_bad:
            big = max(big, np.max(np.abs(block)))  # a NumPy float: a long double past float64's stays itself
    if n_bad:
        raise not_finite("X", n_bad)
    if dtype.itemsize < X.dtype.itemsize:
        check_in_range(big, dtype)


def prepare(X: Any, Y: Any, *, xp: Any, dtype: Any, device: Any) -> tuple[HostData, np.ndarray]:
    """(HostData, Y on the host): X checked in one pass over its columns, nothing copied whole, and
    Y (labels, not yet encoded) shape-checked against it."""
    X, Yh = host_array(X), host_array(Y)
    check_X_Y_shapes(X, Yh)
    _check_host_X(X, np.dtype(dtype_name(dtype)))
    return HostData(X, xp, device, dtype), Yh


def predicts_in_windows(X: Any, xp: Any, *, dtype: Any, device: Any, layer_dims: Sequence[int]) -> bool:
    """Whether a prediction on host X goes window by window: where X on the backend (unless NumPy uses
    it in place) and every layer's Z and A for all its columns would not fit the backend's free memory."""
    if not isinstance(X, np.ndarray) or X.ndim != 2:
        return False
    host_dtype = np.dtype(dtype_name(dtype))
    m = int(X.shape[1])
    if m <= WINDOW_BYTES // max(1, int(X.shape[0]) * host_dtype.itemsize):  # one window would be all of X: not
        return False  # asked (the free memory read at every call: /proc/meminfo on a CPU, ~50 us of a flower predict)
    need = host_dtype.itemsize * m * 2 * sum(layer_dims[1:])
    if not _used_in_place(X, xp, host_dtype):
        need += host_dtype.itemsize * m * int(X.shape[0])
    free = free_memory_of(xp, device)
    return free is not None and need > free


def forward_in_windows(parameters: dict, X: Any, *, net: Any, xp: Any, dtype: Any, device: Any) -> Any:
    """A_L (n_L, m) of host X, window by window (about :data:`WINDOW_BYTES` of X each): X is checked in
    one pass over its columns, each window cast to ``dtype`` and moved to the backend, its outputs
    kept there and joined. Nothing holds all of X on the backend."""
    from .accelerate import kept_program
    from .step import forward as forward_pass

    forward = kept_program(forward_pass, net=net, xp=xp)
    Xh = host_array(X)
    check_X_shape(Xh, n_x=int(parameters["W1"].shape[1]))
    host_dtype = np.dtype(dtype_name(dtype))
    _check_host_X(Xh, host_dtype)
    n_x, m = (int(n) for n in Xh.shape)
    width = max(1, WINDOW_BYTES // (n_x * host_dtype.itemsize))
    parts = []
    for a in range(0, m, width):
        Xw = to_backend_as_laid_out(np.asarray(Xh[:, a:a + width], dtype=host_dtype), xp, device)
        parts.append(forward(dict(parameters), Xw))
    return parts[0] if len(parts) == 1 else xp.concat(parts, axis=1)


def shuffled(X: HostData, Y: np.ndarray, seed: int) -> tuple[HostData, np.ndarray]:
    """The course's shuffle of host data, as an order: X with the epoch's ``seed`` (the epoch draws
    ``permutation(m, seed)`` and gathers each window in that order); Y as it is (gathered in X's)."""
    return replace(X, seed=check_seed(seed)), Y


def windows(slices: list[slice], width: int) -> list[tuple[int, int, tuple[slice, ...]]]:
    """Consecutive runs of whole batches of about ``width`` columns (at least one batch each):
    (start, stop, the batches' slices relative to start)."""
    out, start, group = [], 0, []
    for sl in slices:
        group.append(sl)
        if sl.stop - start >= width or sl is slices[-1]:
            out.append((start, sl.stop, tuple(slice(s.start - start, s.stop - start) for s in group)))
            start, group = sl.stop, []
    return out


def window_key(rel: tuple[slice, ...]) -> tuple:
    """A window's batch layout, as a key: windows of one layout share one epoch runner."""
    return tuple((s.start, s.stop) for s in rel)


def rows_layout(X: np.ndarray) -> bool:
    """Whether X (n_x, m) is stored example by example (X.T C-contiguous: an (m, n_x) file's ``.T``),
    where a column is contiguous and a gather reads whole examples."""
    return X.flags.f_contiguous and not X.flags.c_contiguous


#: A window of at least this many elements is gathered in pieces when :func:`gather` is given threads.
SPLIT_ELEMENTS = 2**20
#: The most threads a gather takes (:func:`gather_threads`), and the size of the pool they run on.
MAX_GATHER_THREADS = 8

_gather_pool: ThreadPoolExecutor | None = None
_gather_pool_lock = threading.Lock()


def gather_threads() -> int:
    """Threads for gathering the windows of a backend that computes off the host CPU (CuPy): the host is
    idle while the GPU trains, and on an H100 machine one thread's gather was the streamed epoch's time
    (3 windows of ~40 ms against a 70 ms epoch on the device). Twice the CPUs this process may run on, at
    most 8: a gather waits on memory, and on a 2-CPU VM a window of 784 x 21,504 float32 took 41 ms on one
    thread, 41 on two and 31 on four."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(MAX_GATHER_THREADS, 2 * n))


def _pool() -> ThreadPoolExecutor:
    global _gather_pool
    with _gather_pool_lock:
        if _gather_pool is None:
            _gather_pool = ThreadPoolExecutor(max_workers=MAX_GATHER_THREADS, thread_name_prefix="backend_nn-gather")
        return _gather_pool


def _forget_pool_in_child() -> None:
    """A forked child has none of the pool's threads, and the pool would wait on them: it makes its own."""
    global _gather_pool, _gather_pool_lock
    _gather_pool, _gather_pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_child)


def _take(src: np.ndarray, cols: np.ndarray, axis: int, out: np.ndarray) -> None:
    """out = src.take(cols, axis) as out's dtype, without copying src whole."""
    if not src.flags.c_contiguous:  # np.take would first copy all of X into a contiguous array
        out[...] = src[cols] if axis == 0 else src[:, cols]
    elif src.dtype == out.dtype:
        np.take(src, cols, axis=axis, out=out, mode="clip")  # "clip": unbuffered; cols are a permutation's
    else:
        out[...] = np.take(src, cols, axis=axis)


def gather(X: np.ndarray, cols: np.ndarray, dtype: np.dtype, out: np.ndarray | None = None,
           threads: int = 1) -> np.ndarray:
    """X[:, cols] as ``dtype`` (n_x, len(cols)), read from X without copying X whole.

    X stored example by example (an (m, n_x) array's ``.T``): the rows ``X.T[cols]`` are gathered,
    and the window is their transpose (column-major); else the columns, row by row (row-major).
    ``out`` (the layout :func:`gather_shape` gives): where to write; the result is a view of it.
    ``threads``: a window of :data:`SPLIT_ELEMENTS` or more is gathered in that many pieces at once
    (NumPy's take lets go of the GIL), each its own rows of ``out``: the same bytes.
    """
    rows = rows_layout(X)
    src, axis = (X.T, 0) if rows else (X, 1)
    shape = (cols.size, X.shape[0]) if rows else (X.shape[0], cols.size)
    if out is None:
        out = np.empty(shape, dtype)
    pieces = min(threads, out.shape[0]) if out.size >= SPLIT_ELEMENTS else 1
    if pieces <= 1:
        _take(src, cols, axis, out)
    else:  # by rows of out: the examples of a rows gather, the features of a columns gather
        edges = np.linspace(0, out.shape[0], pieces + 1).astype(np.int64)
        parts = [(src, cols[a:b], 0, out[a:b]) if rows else (src[a:b], cols, 1, out[a:b])
                 for a, b in zip(edges[:-1], edges[1:])]
        for done in [_pool().submit(_take, *part) for part in parts]:
            done.result()  # a piece's error is raised here
    return out.T if rows else out


def gather_shape(X: np.ndarray, width: int) -> tuple[int, int]:
    """The shape of :func:`gather`'s ``out`` for ``width`` columns of X."""
    return (width, int(X.shape[0])) if rows_layout(X) else (int(X.shape[0]), width)


class GenericTransfer:
    """Host windows onto any backend with :func:`~backend_nn.backend.to_backend` (a new array each
    window; the thread that fetches does the copy)."""

    note = None

    def __init__(self, X: HostData, Y: np.ndarray, width: int) -> None:
        self.xp, self.device, self.dtype = X.xp, X.device, X.host_dtype

    def put(self, X: np.ndarray, Y: np.ndarray, cols: np.ndarray) -> tuple[Any, Any, None]:
        Xw, Yw = gather(X, cols, self.dtype), gather(Y, cols, self.dtype)
        return to_backend_as_laid_out(Xw, self.xp, self.device), to_backend_as_laid_out(Yw, self.xp, self.device), None


def to_backend_as_laid_out(w: np.ndarray, xp: Any, device: Any) -> Any:
    """A host window onto the backend in the layout it has: a column-major one (an example-by-example X's
    columns) goes as its C-contiguous transpose and is transposed there, a view where the library has
    them. (:func:`~backend_nn.backend.to_backend` would make it C-contiguous first: a host copy of every
    window, 1.4x a PyTorch epoch.)"""
    if w.ndim == 2 and not w.flags.c_contiguous and w.T.flags.c_contiguous:
        return to_backend(w.T, xp, device=device).T
    return to_backend(w, xp, device=device)


def run_windows(params: dict, state: dict, learning_rate: float, *, spans: list[tuple[int, int, tuple[slice, ...]]],
                fetch: Callable[[int, int], tuple], runners: dict, pool: ThreadPoolExecutor, first: Any = None,
                then: Callable[[], None] | None = None) -> tuple[dict, dict, Any]:
    """One epoch window by window: ``fetch(start, stop) -> (Xw, Yw, ticket)`` on ``pool`` for the next
    window while ``runners[window_key(batches)]`` trains the current one. A ticket (or None) is told
    ``ready()`` before its window's steps are queued and ``done()`` after, so a transfer that reuses
    its buffers knows when they are free. ``first``: the first window's fetch, already submitted
    (a previous epoch started it); ``then()``: called when the last window has arrived, to start
    what comes next. Returns (params, state, total), total = the sum over batches of (batch cost x
    batch width), on the backend."""
    total = None
    ahead = first if first is not None else pool.submit(fetch, spans[0][0], spans[0][1])
    for i, (_, _, rel) in enumerate(spans):
        Xw, Yw, ticket = ahead.result()
        if i + 1 < len(spans):
            ahead = pool.submit(fetch, spans[i + 1][0], spans[i + 1][1])
        elif then is not None:
            then()
        if ticket is not None:
            ticket.ready()
        params, state, part = runners[window_key(rel)](params, state, Xw, Yw, learning_rate)
        if ticket is not None:
            ticket.done()
        total = part if total is None else total + part
    return params, state, total


def runners_for(spans: list[tuple[int, int, tuple[slice, ...]]], inner: Callable[[list[slice]], Any]) -> dict:
    """One epoch runner per batch layout among the windows (``inner(batch slices)``, built here once)."""
    runners: dict[tuple, Any] = {}
    for _, _, rel in spans:
        if window_key(rel) not in runners:
            runners[window_key(rel)] = inner(list(rel))
    return runners


def host_epochs(inner: Callable[[list[slice]], Any], *, slices: list[slice], X: HostData, Y: np.ndarray,
                transfer: Callable[[HostData, np.ndarray, int], Any]) -> Any:
    """The epoch runner of streamed host data: windows of about :data:`WINDOW_BYTES` of whole batches,
    each gathered in the epoch's order (``permutation(m, Xs.seed)``), put on the backend by
    ``transfer(X, Y, widest window)`` (a :class:`GenericTransfer` or a faster one), and trained by
    ``inner(window's batch slices)``. The next epoch's first window (in the order of
    ``Xs.seed + 1``, the loop's next seed) is fetched while this epoch's last one trains; an epoch
    that comes with another seed fetches its own."""
    from .batches import permutation

    size = max(s.stop - s.start for s in slices)
    per_column = X.shape[0] * X.host_dtype.itemsize
    spans = windows(slices, max(size, WINDOW_BYTES // per_column // size * size))
    runners = runners_for(spans, inner)
    put = transfer(X, Y, max(b - a for a, b, _ in spans)).put
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="backend_nn-stream")
    ahead: dict = {}  # the next epoch's first window, fetched while this epoch's last one trains

    def order_of(Xs: HostData, seed: int | None) -> np.ndarray | None:
        return None if seed is None else permutation(Xs.shape[1], seed)

    def epoch(params, state, Xs: HostData, Ys: np.ndarray, learning_rate):
        if ahead.get("key") == (Xs.seed, id(Xs.host), id(Ys)):  # started by the previous epoch
            order, first = ahead["order"], ahead["window"]
        else:
            order, first = order_of(Xs, Xs.seed), None
        ahead.clear()

        def fetch_in(order_: np.ndarray | None, host: np.ndarray, Y_: np.ndarray):
            def fetch(a: int, b: int):
                cols = np.arange(a, b, dtype=np.int64) if order_ is None else order_[a:b]
                return put(host, Y_, cols)
            return fetch

        def next_epoch():
            # the loop reseeds every epoch with seed + 1 (the course's): its first window starts now
            if Xs.seed is not None:
                nxt = order_of(Xs, Xs.seed + 1)
                ahead.update(key=(Xs.seed + 1, id(Xs.host), id(Ys)), order=nxt,
                             window=pool.submit(fetch_in(nxt, Xs.host, Ys), spans[0][0], spans[0][1]))

        return run_windows(params, state, learning_rate, spans=spans, fetch=fetch_in(order, Xs.host, Ys),
                           runners=runners, pool=pool, first=first, then=next_epoch)

    return epoch
