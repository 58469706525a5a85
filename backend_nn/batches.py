"""Mini-batches (course 2, week 2): shuffled with the course's seeded stream, cut in order.

``random_mini_batches(X, Y, mini_batch_size=64, seed=0)``: the permutation is drawn on the
host from ``numpy.random.RandomState(seed).permutation(m)`` (the course's legacy stream,
without touching NumPy's global generator), the columns of X and Y are taken in that order
on their own backend, then cut into complete batches of ``mini_batch_size`` columns and a
last, smaller batch of the remainder.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .accelerate import kept_program, moves_its_arguments
from .backend import device_of, namespace_of, to_backend
from .validation import check_positive, check_seed

__all__ = ["random_mini_batches", "shuffled", "permutation", "take_columns", "batch_slices"]


_STREAMS = threading.local()


def permutation(m: int, seed: int) -> np.ndarray:
    """The course's order of m examples: RandomState(seed).permutation(m), int64, on the host.

    Drawn from this thread's one RandomState, reseeded: the same numbers as a new
    RandomState(seed) (tested), without its construction, which costs more than the
    permutation of a few hundred examples (~170 us against ~10 us here), once an epoch."""
    rng = getattr(_STREAMS, "rng", None)
    if rng is None:
        rng = _STREAMS.rng = np.random.RandomState()
    rng.seed(check_seed(seed))
    return rng.permutation(m).astype(np.int64)


def shuffled(X: Any, Y: Any, seed: int, *, xp: Any) -> tuple[Any, Any]:
    """X[:, permutation], Y[:, permutation] with the course's permutation(m) from RandomState(seed).

    On JAX each take is a compiled program, kept (:func:`~backend_nn.accelerate.kept_program`), that takes the
    permutation from the host as its argument: the move by ``jax.device_put`` and the two takes eagerly were 100 us
    of a flower epoch's 250 on a 2-core CPU, 23 so (digits 150-220 -> 90-120 us; (784, 10,000) the same, 30-36
    ms). Both takes in one program were 3x slower at (784, 10,000) (XLA's CPU gathers)."""
    perm = permutation(int(X.shape[1]), seed)
    take = kept_program(take_columns, xp=xp)
    order = perm if moves_its_arguments(take) else to_backend(perm, xp, device=device_of(X))
    return take(X, order), take(Y, order)


def take_columns(A: Any, order: Any, *, xp: Any) -> Any:
    """A[:, order]: A (n, m), order (m,) integer indices."""
    return xp.take(A, order, axis=1)


def batch_slices(m: int, mini_batch_size: int) -> list[slice]:
    """Column slices of the complete batches, then of the remainder (if any)."""
    return [slice(k, min(k + mini_batch_size, m)) for k in range(0, m, mini_batch_size)]


def random_mini_batches(X: Any, Y: Any, mini_batch_size: int = 64, seed: int = 0) -> list[tuple[Any, Any]]:
    """The course's mini-batches: a list of (mini_batch_X (n_x, size), mini_batch_Y (n_y, size)).

    X : (n_x, m); Y : (n_y, m). The last batch has m % mini_batch_size columns where that is
    not 0. The arrays stay on their backend.

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> batches = bnn.random_mini_batches(np.zeros((5, 148)), np.zeros((1, 148)), mini_batch_size=64)
    >>> [(mini_batch_X.shape, mini_batch_Y.shape) for mini_batch_X, mini_batch_Y in batches]
    [((5, 64), (1, 64)), ((5, 64), (1, 64)), ((5, 20), (1, 20))]
    >>> X, Y = np.arange(6.0).reshape(1, 6), np.array([[0, 1, 0, 1, 0, 1]])
    >>> [mini_batch_X for mini_batch_X, _ in bnn.random_mini_batches(X, Y, mini_batch_size=4, seed=0)]
    [array([[5., 2., 1., 3.]]), array([[0., 4.]])]
    """
    mini_batch_size = check_positive("mini_batch_size", mini_batch_size, integer=True)
    xp = namespace_of(X=X, Y=Y)
    if len(X.shape) != 2 or len(Y.shape) != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X (n_x, m) and Y (n_y, m) must be 2-D with the same m; got {tuple(X.shape)} and "
                         f"{tuple(Y.shape)}.")
    if X.shape[1] == 0:
        raise ValueError(f"X has shape {tuple(X.shape)}: there are no examples (m = 0) to cut into mini-batches.")
    Xs, Ys = shuffled(X, Y, seed, xp=xp)
    return [(Xs[:, s], Ys[:, s]) for s in batch_slices(int(X.shape[1]), mini_batch_size)]
