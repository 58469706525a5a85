"""Training on dask arrays: each chunk's step on the chunk's own library, summed by dask.

A dask array X (n_x, m) chunked over its examples (columns), with Y (n_y, m) chunked the same
way, holds data spread over a cluster's memory (or read from Zarr / .npy per step). Its chunks
are arrays of an Array API library, NumPy on CPU workers or CuPy on GPU workers; that library
is the namespace ``xp`` the equations and the parameters use. Nothing here writes an equation:

- a full-batch step is one small task graph: the parameters (one key, sent once to each worker
  holding chunks), tasks running :func:`backend_nn.step.gradients` on each chunk with its
  library, weighted by the chunk's share m_k / m (on a Client, one task per worker thread for the
  chunks that worker holds, summed there: the scheduler's cost per task is paid a few times a
  step, not once per chunk), a tree sum of the costs and gradients (``split_every`` at a time),
  and the update. A graph chains a few steps
  (``steps_per_compute``) and is computed on dask's scheduler (a ``dask.distributed`` Client
  when one is active, else dask's local threads); the parameters come back concrete, so the
  graph never grows with the number of iterations;
- mini-batch epochs gather the course's shuffled columns window by window (a window is about
  one chunk of whole batches), the next window computed while the current one trains, and run
  the chunk library's epoch on each; or, with ``shuffle="chunks"``, visit the chunks in a
  shuffled order, each shuffled within itself (nothing crosses chunks: faster, not the course's
  stream);
- predict is lazy: ``X.map_blocks`` of the forward pass, chunked like X.

The data are persisted (kept in the workers' memory) where they fit in half of it, else read
from their source at every step (out of core), one step a graph, so that each chunk is let go
once its part is computed.
"""

from __future__ import annotations

import itertools
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from types import SimpleNamespace
from typing import Any

import array_api_compat
import numpy as np

from .backend import array_namespace, backend_name, host_scalar, memory_of, to_numpy
from .network import Network
from .step import EpochRunner, Runner, forward, gradients
from .step import cost as step_cost
from .update import descend
from .validation import is_one_of, shown

__all__ = [
    "SHUFFLES",
    "SPLIT_EVERY",
    "STEPS_PER_COMPUTE",
    "check_shuffle",
    "chunk_namespace",
    "chunk_slices",
    "dask_epochs",
    "dask_runner",
    "in_memory",
    "is_dask",
    "place",
    "predict_blocks",
    "prepare_X_Y",
    "shuffled",
    "shuffled_chunks",
    "to_dask",
    "worker_memory_limits",
]

#: Steps chained in one task graph before it is computed (the parameters come back after each graph).
STEPS_PER_COMPUTE = 10
#: Fan-in of the tree sum of the chunks' gradients (dask's own default for its reductions).
SPLIT_EVERY = 4


def is_dask(x: Any) -> bool:
    return array_api_compat.is_dask_array(x)


def computed(arrays: dict) -> dict:
    """A dict of dask arrays (parameters, say), computed into their chunks' library in one dask.compute."""
    dask, _ = _dask()
    return dict(zip(arrays, dask.compute(*arrays.values())))


def _dask():
    try:
        import dask
        import dask.array as da
    except ImportError:
        raise ImportError(
            "backend='dask' needs dask, which is not installed: pip install 'backend-nn[dask]'.") from None
    return dask, da


def chunk_namespace(X: Any, name: str = "X") -> Any:
    """The Array API namespace of a dask array's chunks (NumPy, CuPy, ...), from its meta."""
    meta = getattr(X, "_meta", None)
    try:
        if isinstance(meta, np.ndarray) and type(meta) is not np.ndarray:
            raise TypeError
        return array_namespace(meta)
    except TypeError:
        raise TypeError(f"{name} is a dask array of {type(meta).__module__}.{type(meta).__name__} chunks, which are "
                        "not arrays of an Array API library; backend_nn trains on dask arrays of NumPy or CuPy chunks "
                        "(X.map_blocks(numpy.asarray), or build it with dask.array.from_array(numpy_array)).") from None


def to_dask(X: Any, *, chunks: Any = None, like: Any = None) -> Any:
    """Host data (n_x, m) as a dask array chunked over its columns only: ``chunks`` examples per chunk
    (default: dask's "auto" size, about 128 MiB a chunk), or the column chunks of ``like``."""
    _, da = _dask()
    if is_dask(X):
        return X
    host = np.asarray(X)
    if host.ndim != 2:
        return da.from_array(host)  # the shape checks that follow say what is wrong with it
    if like is not None:
        cols = like.chunks[1]
    elif chunks is None:
        cols = "auto"
    else:
        cols = chunks
    return da.from_array(host, chunks=(-1, cols))


def _check_layout(X: Any, Y: Any) -> None:
    """X (n_x, m) with all its rows in each chunk; Y chunked over the examples as X is."""
    for name, a in (("X", X), ("Y", Y)):
        if a.ndim != 2:
            raise ValueError(f"{name} must be 2-D (n, m), examples as columns; got shape {tuple(a.shape)}.")
        if len(a.chunks[0]) > 1:
            raise ValueError(
                f"{name} {tuple(a.shape)} is chunked over its rows (features) into {len(a.chunks[0])} chunks "
                f"{a.chunks[0]}; backend_nn needs each chunk to hold whole examples (all rows of some columns). "
                f"Rechunk it over the examples only: {name} = {name}.rechunk({{0: -1}})."
            )
    if X.shape[1] == Y.shape[1] and X.chunks[1] != Y.chunks[1]:
        raise ValueError(
            f"X and Y are chunked differently over the examples (columns): X {_short(X.chunks[1])}, Y "
            f"{_short(Y.chunks[1])}; each chunk of X needs its labels in the matching chunk of Y. "
            "Rechunk Y like X: Y = Y.rechunk({1: X.chunks[1]})."
        )


def _short(chunks: tuple) -> str:
    return str(chunks) if len(chunks) <= 6 else f"({', '.join(map(str, chunks[:3]))}, ... {len(chunks)} chunks)"


def prepare_X_Y(X: Any, Y: Any, *, dtype: Any, chunks: Any = None) -> tuple[Any, Any, Any]:
    """(xp, X, Y): dask X (n_x, m) of the chunks' float dtype, checked (layout, real numbers, finite,
    within the dtype's range, in one pass over the data), and Y chunked like it (labels not yet encoded).
    Host X or Y become dask arrays chunked over the columns (``chunks`` examples each)."""
    dask, da = _dask()
    from .initialization import resolve_dtype
    from .validation import (check_in_range, check_labels_dtype, check_positive, check_X_kind, check_X_Y_shapes,
                             not_finite)

    if chunks is not None:  # before any rechunk: dask's own error for chunks=0 was a ZeroDivisionError
        chunks = check_positive("chunks", chunks, integer=True)
    if not is_dask(X):  # host X beside a dask Y takes Y's chunks, as a host Y takes X's
        like_Y = chunks is None and is_dask(Y) and Y.ndim == 2 and np.ndim(X) == 2 and np.shape(X)[1] == Y.shape[1]
        X = to_dask(X, chunks=chunks, like=Y if like_Y else None)
    elif chunks is not None:
        X = X.rechunk({1: chunks})
    Y = to_dask(Y, like=X) if not is_dask(Y) and np.ndim(Y) == 2 and np.shape(Y)[1] == X.shape[1] \
        else (Y if is_dask(Y) else da.from_array(np.asarray(Y)))
    xp = chunk_namespace(X, "X")
    yxp = chunk_namespace(Y, "Y")
    if yxp is not xp:
        raise TypeError(f"X's chunks are {backend_name(xp)} arrays but Y's are {backend_name(yxp)}; give Y chunks "
                        "of X's library.")
    dt = resolve_dtype(dtype, xp)
    check_X_Y_shapes(X, Y)  # unknown chunk sizes (NaN) are refused there
    _check_layout(X, Y)
    if 0 in X.chunks[1] and X.shape[1]:
        # empty chunks (a boolean mask's, after compute_chunk_sizes) hold no examples: each chunk's mean
        # divided by zero, and shuffle="chunks" found no chunk to draw from. Left out, nothing is read.
        kept = tuple(c for c in X.chunks[1] if c)
        X, Y = X.rechunk({1: kept}), Y.rechunk({1: kept})
    check_X_kind(X, xp=xp)
    check_labels_dtype(Y, xp=xp)  # the dtype only: strings were NumPy's "ufunc 'isfinite' not supported"
    finite, big = dask.compute(da.isfinite(X).all(), abs(X).max())
    if not bool(finite):
        raise not_finite("X")
    if X.dtype != dt and xp.isdtype(X.dtype, "real floating"):
        check_in_range(host_scalar(big), dt)
    return xp, (X if X.dtype == dt else X.astype(dt)), Y


def label_values(Y: Any) -> np.ndarray:
    """The distinct values of a dask Y, on the host."""
    _, da = _dask()
    return to_numpy(da.unique(Y.ravel()).compute())  # CuPy chunks refuse np.asarray


def encode(Y: Any, n_y: int, output: Any, *, dtype: Any, xp: Any) -> Any:
    """encode_labels on each chunk of Y with its own library: (n_y, m) floats chunked like Y."""
    from .outputs import encode_labels

    def block(y):
        return encode_labels(y, n_y, output, dtype=dtype, xp=xp)

    return Y.map_blocks(block, chunks=((n_y,), Y.chunks[1]), dtype=dtype,
                        meta=xp.empty((0, 0), dtype=dtype))


def in_memory(X: Any) -> bool:
    """Whether dask X's chunks are held (persisted, or arrays in its graph) rather than computed from a
    source (Zarr, .npy, a computation): its graph is then just its chunks."""
    return len(X.__dask_graph__()) == X.npartitions


def _client():
    try:
        from distributed import get_client

        return get_client()
    except (ImportError, ValueError):
        return None


def _memory_limit(dask_worker: Any) -> int:
    """A worker's memory limit in bytes (0: none), run on the worker by :func:`worker_memory_limits`."""
    return int(dask_worker.memory_manager.memory_limit or 0)


def worker_memory_limits(client: Any) -> dict[str, int]:
    """Each worker's memory limit in bytes (0: none), by address, asked of the workers themselves.

    Not ``client.scheduler_info()["workers"]``: that is a cache, which the Client's periodic refresh
    fills without the workers in recent distributed (``n_workers=0``), so a call that met a refresh
    read no workers at all (an IndexError in the test suite's LocalCluster, 2 cores under load)."""
    return client.run(_memory_limit)


def _memory_for_data() -> int | None:
    """Bytes the data may take when persisted: half the workers' memory limits (a Client's), or half of
    this machine's memory with dask's local scheduler."""
    client = _client()
    if client is not None:
        limits = list(worker_memory_limits(client).values())
        return sum(limits) // 2 if limits and all(limits) else None
    total, _ = memory_of(array_namespace(np.asarray(0.0)))
    return None if total is None else total // 2


def place(X: Any, Y: Any, *, persist: bool | None = None) -> tuple[Any, Any]:
    """X and Y persisted in the workers' memory (or this process's, without a Client) where
    ``persist`` is True, or None and they take at most half of it; else left to be read from their
    source at every step."""
    dask, _ = _dask()
    if persist is None:
        room = _memory_for_data()
        persist = room is None or X.nbytes + Y.nbytes <= room
    if not persist:
        return X, Y
    client = _client()
    if client is None:
        return dask.persist(X, Y)
    return _spread(X, Y, client)


def _own_copy(block: Any) -> Any:
    """A chunk copied into memory of its own library's allocator on the worker that keeps it. A chunk
    received over the network lives in the receive buffer, which NumPy did not allocate (likely: no
    huge pages advised, 16-byte aligned): each step over it ran ~1.6x slower (2-core VM, measured)."""
    return array_namespace(block).asarray(block, copy=True)


def _spread(X: Any, Y: Any, client: Any) -> tuple[Any, Any]:
    """Persist on a Client with the chunks spread evenly over the workers, consecutive chunks together
    (left to dask, chunks cut from one in-memory array would all land on the worker that holds it).

    The workers are those the scheduler counts now (``client.nthreads()``, asked, not cached); each
    chunk's is a preference, so that a worker lost meanwhile moves its chunks to another rather than
    leaving them waiting for it. With no worker yet, dask places the data as workers arrive."""
    _, da = _dask()
    from distributed import futures_of, wait

    workers = sorted(client.nthreads())
    n = len(X.chunks[1])
    edges = np.cumsum((0, *X.chunks[1]))
    xs, ys = [], []
    for i in range(n):
        cols = slice(int(edges[i]), int(edges[i + 1]))
        place = {"workers": [workers[i * len(workers) // n]], "allow_other_workers": True} if workers else {}
        xi, yi = client.persist([X[:, cols].map_blocks(_own_copy), Y[:, cols].map_blocks(_own_copy)], **place)
        xs.append(xi)
        ys.append(yi)
    # persisted again, so that the arrays' own keys are held (each where its chunk already is)
    X, Y = client.persist([da.concatenate(xs, axis=1), da.concatenate(ys, axis=1)])
    wait(futures_of(X) + futures_of(Y))
    return X, Y


def shuffled(X: Any, Y: Any, seed: int) -> tuple[Any, Any]:
    """The course's shuffle of dask X, Y: the same permutation(m) from RandomState(seed), lazily."""
    from .batches import permutation

    perm = permutation(int(X.shape[1]), seed)
    return X[:, perm], Y[:, perm]


#: The ways an epoch over dask data may shuffle (``shuffle=`` of the models).
SHUFFLES = ("course", "chunks")


def check_shuffle(shuffle: Any, X: Any, batch_size: int | None) -> bool:
    """Whether ``shuffle`` asks for the per-chunk shuffle (validated against X: only dask data have chunks, and
    against ``batch_size``: only mini-batch epochs shuffle)."""
    if not is_one_of(shuffle, SHUFFLES):
        raise ValueError(f"shuffle must be one of {SHUFFLES}: 'course' draws the course's permutation of all "
                         f"examples, 'chunks' shuffles within each chunk of a dask X; got {shown(shuffle)}.")
    if shuffle == "chunks" and not is_dask(X):
        from .streaming import HostData

        kind = ("host data streamed in windows" if isinstance(X, HostData) else
                f"an array of {type(X).__module__.split('.')[0]}")
        raise ValueError(f"shuffle='chunks' shuffles within the chunks of a dask array, and X is {kind}: pass X as "
                         "a dask array (or backend='dask'), or keep shuffle='course' (the default).")
    if shuffle == "chunks" and batch_size is None:
        raise ValueError("shuffle='chunks' orders the examples of mini-batch epochs, and this run is full batch (each "
                         "step takes every example, unshuffled): give batch_size= with it, or leave shuffle out.")
    return shuffle == "chunks"


def chunk_slices(chunks: tuple[int, ...], batch_size: int) -> list[slice]:
    """The batches of the per-chunk shuffle: cut within each chunk (each chunk's last batch holds its
    remainder), the chunks in the given order."""
    return [slice(a + s.start, a + s.stop) for a, _, rel in _chunk_windows(chunks, batch_size) for s in rel]


def shuffled_chunks(X: Any, Y: Any, seed: int) -> tuple[Any, Any]:
    """The per-chunk shuffle of dask X, Y, lazily: with ``rng = RandomState(seed)``, the chunks in the
    order ``rng.permutation(n_chunks)``, then each chunk's columns in the order ``rng.permutation(m_k)``
    (drawn in that visiting order). Each new chunk is taken from one old chunk, on the worker holding it:
    nothing crosses chunks, where the course's shuffle gathers every batch from all of them. It is the
    same on every backend (a host generator), but it is not the course's stream."""
    from .validation import check_seed

    _, da = _dask()
    rng = np.random.RandomState(check_seed(seed))
    xs, ys = [], []
    for k in rng.permutation(X.npartitions):
        perm = rng.permutation(int(X.chunks[1][k])).astype(np.int64)
        xs.append(X.blocks[:, int(k)][:, perm])
        ys.append(Y.blocks[:, int(k)][:, perm])
    return da.concatenate(xs, axis=1), da.concatenate(ys, axis=1)


# --- the full-batch step as a task graph --------------------------------------------------------------
def _chunk_part(params: dict, Xk: Any, Yk: Any, weight: float, with_cost: bool, *, net: Network, xp: Any,
                mean_in_dZ: bool = False):
    """(cost, grads) of one chunk, weighted by its share m_k / m of the examples."""
    cost, grads = gradients(params, Xk, Yk, net=net, xp=xp, with_cost=with_cost, mean_in_dZ=mean_in_dZ)
    return (None if cost is None else cost * weight), {k: g * weight for k, g in grads.items()}


def _group_part(params: dict, weights: tuple, with_cost: bool, *blocks: Any, net: Network, xp: Any,
                mean_in_dZ: bool = False):
    """The summed (cost, grads) of several chunks (X_0, Y_0, X_1, Y_1, ...) held by one worker, in turn."""
    return _add(*(_chunk_part(params, blocks[2 * i], blocks[2 * i + 1], w, with_cost, net=net, xp=xp,
                              mean_in_dZ=mean_in_dZ) for i, w in enumerate(weights)))


def _groups(X: Any) -> list[list[int]]:
    """The chunks' indices grouped by the worker (and thread) that holds them, so that a step has one task
    per worker thread rather than one per chunk; one chunk a group without a Client or persisted data."""
    n = len(X.chunks[1])
    client = _client()
    futures = []
    if client is not None:
        from distributed import futures_of

        futures = futures_of(X)
    if not futures:
        return [[i] for i in range(n)]
    who = client.who_has(futures)
    threads = client.nthreads()
    by_worker: dict[Any, list[int]] = {}
    from dask.core import flatten

    for i, key in enumerate(flatten(X.__dask_keys__())):
        holders = who.get(key) or [None]
        by_worker.setdefault(holders[0], []).append(i)
    groups: list[list[int]] = []
    for worker, idx in by_worker.items():
        t = max(1, min(int(threads.get(worker, 1)), len(idx)))
        groups.extend(idx[j::t] for j in range(t))
    return groups


def _add(*parts: tuple) -> tuple:
    costs = [c for c, _ in parts]
    cost = None if costs[0] is None else sum(costs[1:], costs[0])
    grads = {k: sum((g[k] for _, g in parts[1:]), parts[0][1][k]) for k in parts[0][1]}
    return cost, grads


def _apply(params: dict, learning_rate: float, *parts: tuple) -> tuple[dict, Any]:
    """The top of the tree: the last sum, then the update; (new parameters, cost)."""
    cost, grads = _add(*parts)
    return descend(params, grads, learning_rate=learning_rate, inplace=False), cost


def _group_step(start: dict | None, learning_rate: float, weights: tuple, with_cost: bool, n_prev: int, *args: Any,
                net: Network, xp: Any, mean_in_dZ: bool = False) -> tuple[dict, Any, dict]:
    """One group's task of a step where few groups share the work: first the previous step's update, from
    every group's previous (parameters, cost, grads) summed in group order, so that every group computes
    the same new parameters (no separate update task, one hop a step); then this group's part.
    Returns (the parameters it used, its cost, its grads)."""
    prevs, blocks = args[:n_prev], args[n_prev:]
    params = _updated(learning_rate, *prevs) if prevs else start
    assert params is not None, "the first step of a run starts from the given parameters"
    cost, grads = _group_part(params, weights, with_cost, *blocks, net=net, xp=xp, mean_in_dZ=mean_in_dZ)
    return params, cost, grads


def _updated(learning_rate: float, *outs: tuple) -> dict:
    """The parameters after a step, from every group's (parameters used, cost, grads) of it."""
    _, grads = _add(*((c, g) for _, c, g in outs))
    return descend(outs[0][0], grads, learning_rate=learning_rate, inplace=False)


def _cost_of(*outs: tuple) -> Any:
    return _add(*((c, g) for _, c, g in outs))[0]


def _tree(parts: list, split_every: int, delayed: Any) -> list:
    """Sums ``split_every`` at a time until at most ``split_every`` parts are left (for :func:`_apply`)."""
    while len(parts) > split_every:
        parts = [delayed(_add, pure=False)(*parts[i:i + split_every]) for i in range(0, len(parts), split_every)]
    return parts


def dask_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
                steps_per_compute: int | None = None, split_every: int | None = None,
                mean_in_dZ: bool = False) -> Runner:
    """The runner over dask X (n_x, m), Y (n_L, m) chunked over the examples; parameters of the chunks'
    library. Each step: every chunk's weighted (cost, gradients), tree-summed, then the update
    (``mean_in_dZ`` as in :func:`~backend_nn.step.gradients`, within each chunk)."""
    dask, _ = _dask()
    delayed = dask.delayed
    # Data read from their source hold a graph's chunks until its last step is done: one step a graph
    # keeps them out of core (the reads are the step's cost there, not the scheduler).
    steps_per_compute = steps_per_compute or (STEPS_PER_COMPUTE if in_memory(X) and in_memory(Y) else 1)
    split_every = split_every or SPLIT_EVERY
    m = int(X.shape[1])
    Xk, Yk = X.to_delayed().ravel(), Y.to_delayed().ravel()
    groups = [(tuple(X.chunks[1][i] / m for i in g), [a for i in g for a in (Xk[i], Yk[i])]) for g in _groups(X)]
    part = partial(_group_part, net=net, xp=xp, mean_in_dZ=mean_in_dZ)

    def parameters_task(params: dict) -> Any:
        # a key of its own (not tokenized: that would hash the parameters every compute), unique across runs:
        # a cluster that still held a key of an earlier run's parameters would hand those to this one
        return delayed(dict(params), name=f"backend_nn-parameters-{uuid.uuid4().hex}", traverse=False)

    step = partial(_group_step, net=net, xp=xp, mean_in_dZ=mean_in_dZ)

    def run_few(params: dict, flags: list[bool]) -> tuple[dict, list]:
        """Up to ``split_every`` groups: each step's tasks also do the previous update (one hop a step)."""
        p = parameters_task(params)
        outs: list = []
        costs = []
        for with_cost in flags:
            outs = [delayed(step, pure=False)(p if not outs else None, learning_rate, weights, with_cost, len(outs),
                                              *outs, *blocks) for weights, blocks in groups]
            if with_cost:
                costs.append(delayed(_cost_of, pure=False)(*outs))
        return dask.compute(delayed(_updated, pure=False)(learning_rate, *outs), costs)

    def run(params: dict, flags: list[bool]) -> tuple[dict, list]:
        if len(groups) <= split_every:
            return run_few(params, flags)
        p = parameters_task(params)
        costs = []
        for with_cost in flags:
            parts = [delayed(part, pure=False)(p, weights, with_cost, *blocks) for weights, blocks in groups]
            p, cost = delayed(_apply, pure=False, nout=2)(p, learning_rate, *_tree(parts, split_every, delayed))
            if with_cost:
                costs.append(cost)
        params, costs = dask.compute(p, costs)
        return params, costs

    def runner(params: dict, n_records: int, cost_every: int):
        flags = [k % cost_every == 0 for k in range(n_records * cost_every)]
        costs = []
        for i in range(0, len(flags), steps_per_compute):
            params, new = run(params, flags[i:i + steps_per_compute])
            costs.extend(new)
        return params, xp.stack(costs) if costs else xp.zeros((0,), dtype=X.dtype)

    return runner


def _chunk_cost(params: dict, Xk: Any, Yk: Any, weight: float, *, net: Network, xp: Any) -> Any:
    return step_cost(params, Xk, Yk, net=net, xp=xp) * weight


def cost(parameters: dict, X: Any, Y: Any, *, net: Network, xp: Any) -> Any:
    """J of ``parameters`` over dask X (n_x, m), Y (n_L, m) chunked alike over the examples (as the
    runner has them): each chunk's cost weighted by its share m_k / m, summed; one compute, a 0-d array."""
    dask, _ = _dask()
    m = int(X.shape[1])
    p = dask.delayed(dict(parameters), traverse=False)
    parts = [dask.delayed(_chunk_cost, pure=False)(p, Xk, Yk, X.chunks[1][i] / m, net=net, xp=xp)
             for i, (Xk, Yk) in enumerate(zip(X.to_delayed().ravel(), Y.to_delayed().ravel()))]
    return dask.delayed(sum, pure=False)(parts).compute()


# --- mini-batch epochs --------------------------------------------------------------------------------
def _chunk_windows(chunks: tuple[int, ...], batch_size: int) -> list[tuple[int, int, tuple[slice, ...]]]:
    """A window a chunk, its batches cut within it (the per-chunk shuffle's epoch)."""
    from .batches import batch_slices

    edges = np.cumsum((0, *chunks)).tolist()
    return [(a, b, tuple(batch_slices(b - a, batch_size))) for a, b in itertools.pairwise(edges)]


def columns(X: Any, Y: Any, a: int, b: int, *, xp: Any, scheduler: Any = None) -> tuple[Any, Any]:
    """Columns a:b of dask X and Y, computed into the chunk library ``xp``. ``scheduler`` as ``dask.compute``
    takes it: None, dask's default (the Client current in the calling thread, where there is one)."""
    dask, _ = _dask()
    Xw, Yw = dask.compute(X[:, a:b], Y[:, a:b], scheduler=scheduler)
    return xp.asarray(Xw), xp.asarray(Yw)


def dask_epochs(inner: Any, *, slices: list, X: Any, xp: Any, per_chunk: bool = False) -> EpochRunner:
    """An epoch over dask data already shuffled (lazily), window by window
    (:func:`backend_nn.streaming.run_windows`), each window's columns computed into the chunk library
    (the next while the current one trains) and trained by ``inner(window's batch slices)``, the chunk
    library's epoch. Windows: with the course's shuffle, consecutive whole batches of about one chunk
    of columns; with the per-chunk shuffle (``per_chunk``, batches from :func:`chunk_slices`), the
    shuffled chunks, each read from the one chunk it came from. ``inner`` is called here, once per
    batch layout."""
    from .streaming import run_windows, runners_for, windows

    size = max(s.stop - s.start for s in slices)  # the batch size (a first chunk may be narrower than it)
    # a shuffled chunk order visits the same chunk widths, so the same layouts
    layouts = (_chunk_windows(X.chunks[1], size) if per_chunk
               else windows(slices, max(size, max(X.chunks[1]) // size * size)))
    fixed = None if per_chunk else layouts  # the course's shuffle: the same windows every epoch
    runners = runners_for(layouts, inner)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="backend_nn-window")

    def epoch(params, state, Xs, Ys, learning_rate):
        spans = fixed if fixed is not None else _chunk_windows(Xs.chunks[1], size)  # per chunk: this epoch's order
        scheduler = _client()  # the caller's Client (it may be current in this thread only)

        def fetch(a: int, b: int):
            return *columns(Xs, Ys, a, b, xp=xp, scheduler=scheduler), None

        return run_windows(params, state, learning_rate, spans=spans, fetch=fetch, runners=runners, pool=pool)

    return epoch


# --- prediction ---------------------------------------------------------------------------------------
def _forward_block(Xk: Any, params: dict, *, net: Network, xp: Any) -> Any:
    W1 = params["W1"]
    if Xk.dtype != W1.dtype:
        Xk = xp.astype(Xk, W1.dtype)
    if not bool(xp.all(xp.isfinite(Xk))):
        raise ValueError("X must be finite; a chunk of it holds NaN or inf value(s).")
    return forward(params, Xk, net=net, xp=xp)


def predict_blocks(parameters: dict, X: Any, *, net: Network, xp: Any) -> Any:
    """A_L (n_L, m) of dask X, lazily: the forward pass on each chunk, chunked like X's columns (whose sizes
    may be unknown: the number of columns a boolean mask kept)."""
    _dask()
    from .validation import check_X_shape, not_2d

    if X.ndim != 2:
        raise not_2d(tuple(X.shape), int(net.layer_dims[0]))
    Xxp = chunk_namespace(X, "X")
    if Xxp is not xp:
        raise TypeError(f"X's chunks are {backend_name(Xxp)} arrays but the parameters are {backend_name(xp)} arrays; "
                        f"bring the parameters to X's library (backend_nn.to_backend(p, ...)) or X's chunks to "
                        f"theirs (X.map_blocks(...)).")
    if not xp.isdtype(X.dtype, ("real floating", "integral", "bool")):
        raise TypeError(f"X must hold real numbers; got dtype {X.dtype}.")
    m = X.shape[1]
    # each block's forward pass needs only n_x: columns of unknown number (after a boolean mask) are fine here
    check_X_shape(X if m == m else SimpleNamespace(shape=(X.shape[0], 1)), n_x=net.layer_dims[0])
    if len(X.chunks[0]) > 1:
        X = X.rechunk({0: -1})
    W1 = parameters["W1"]
    block = partial(_forward_block, net=net, xp=xp)
    return X.map_blocks(block, dict(parameters), chunks=((net.layer_dims[-1],), X.chunks[1]), dtype=W1.dtype,
                        meta=xp.empty((0, 0), dtype=W1.dtype))
