"""NumPy: the hidden layer's lines evaluated tile by tile, in cache, into arrays the step owns.

The generic lines run each operation over whole (n_h, m) arrays: dZ1 = W2^T dZ2 * (1 - A1 A1)
makes four full-size temporaries and passes over memory, and on a virtual machine every fresh
page of a large temporary is a costly fault (measured on the 2-core development VM: two 10 MB
temporaries alive at once cost ~3 ms in page faults, ten times the arithmetic). This path
evaluates the *same* lines, with the generic activation and derivative functions of
:mod:`backend_nn.activations`, on tiles of 64k elements: the chain of operations on a tile
stays in cache, its temporaries are small and reused by the allocator, and the results are
written into one output array per line. dW2 = dZ2 A1^T and db1 = sum(dZ1, axis=1) are taken
in the same pass, tile by tile, where n_2 = 1; where a layer's W_l^T dZ_l is a matrix product
(n_l > 1), g' is taken tile by tile over the product, written in place (the deep size, (784, 512,
256, 10) at m = 60,000 float32, on the 2-core VM: medians of 651-680 ms a step before and 613-640
after, in 8 of 9 alternating pairs of runs (one after-run took 687); the same bits).

It plugs into the generic step as :class:`TiledLines`, a subclass of the generic
:class:`~backend_nn.propagation.Lines` (as CuPy's kernels do): A1 and dZ1 come out bit for bit
as in the generic lines, dW2 and db1 differ in round-off only (another summation order; where n_l > 1
every gradient is the generic lines' to the bit). Tested
against the generic lines. Threads were tried and dropped: after each GEMM OpenBLAS's worker
threads spin for a while, and elementwise work in a second thread then ran slower than in one
(tanh over (128, 10^4) float64: 17 ms in one thread, 9.5 ms in two, 20 ms in two right after a GEMM).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..network import Network
from ..propagation import Lines, _db, mean_of
from ..step import Runner, eager_runner

__all__ = ["TiledLines", "tiled_runner", "TILE_ELEMENTS", "MIN_ELEMENTS"]

#: Elements per tile (512 KiB of float64): a tile's chain of temporaries stays in a core's L2 cache;
#: measured best of 2**14 ... 2**17 on the 2-core VM (mid size 87 -> 77 ms, f64 sweep m = 10^5 21 -> 15 ms).
TILE_ELEMENTS = 2**16
#: Below this many elements in the largest hidden layer's (n_l, m) arrays, the generic lines are as fast.
MIN_ELEMENTS = 2**16


def _tile_shape(n: int, m: int) -> tuple[int, int]:
    """(rows, cols) of a tile of an (n, m) array: whole rows where they fit, else part of one row."""
    rows = max(1, min(n, TILE_ELEMENTS // m))
    return rows, min(m, max(1, TILE_ELEMENTS // rows))


def _for_each_tile(fn: Callable[[slice, slice], None], n: int, m: int) -> None:
    rows, cols = _tile_shape(n, m)
    for r in range(0, n, rows):
        for c in range(0, m, cols):
            fn(slice(r, min(r + rows, n)), slice(c, min(c + cols, m)))


class TiledLines(Lines):
    """The hidden lines tile by tile (NumPy arrays); the generic ones where they do not apply."""

    name = "numpy tiles"

    def forward(self, A_prev, W, b, g, *, xp, keep_Z=False):
        """Z = W A_prev + b, A = g(Z), tile by tile; Z is None (A written over W A_prev) where g'
        needs A alone, unless ``keep_Z`` (dropout follows)."""
        WA = np.matmul(W, A_prev)
        keep_Z = keep_Z or g.needs_Z
        A = np.empty_like(WA) if keep_Z else WA

        def tile(r, c):
            Z = WA[r, c]
            np.add(Z, b[r], out=Z)  # Z = W A_prev + b, in place
            A[r, c] = g(Z, xp=np)

        _for_each_tile(tile, *WA.shape)
        return (WA if keep_Z else None), A

    def backward(self, dZ, A_prev, Z_prev, W, g_prev, *, xp, inv_m, dropout=None, l=0):
        """dW_l, dZ_{l-1} = W_l^T dZ_l * g'(Z_{l-1}) and db_{l-1}: where n_l = 1 (W_l^T dZ_l is an outer
        product) in one pass over A_{l-1}; where n_l > 1, g' taken tile by tile over the product (below);
        with dropout, the generic lines."""
        if dropout is not None or W.shape[0] != 1:  # the generic line, and g' in tiles (through)
            return super().backward(dZ, A_prev, Z_prev, W, g_prev, xp=xp, inv_m=inv_m, dropout=dropout, l=l)
        n, m = A_prev.shape
        Z_prev = A_prev if Z_prev is None else Z_prev  # read only where g' needs Z
        WT, d = W.T, dZ[0]
        cols = _tile_shape(n, m)[1]
        dZ_prev = np.empty_like(A_prev)
        part_dW = np.empty((-(-m // cols), n), dtype=A_prev.dtype)  # partial sums, one row per column tile
        part_db = np.empty_like(part_dW)

        def tile(r, c):
            out, k = dZ_prev[r, c], c.start // cols
            np.multiply(WT[r] * d[c], g_prev.grad(Z_prev[r, c], A_prev[r, c], xp=np), out=out)  # W^T dZ * g'(Z)
            part_dW[k, r] = A_prev[r, c] @ d[c]  # this tile's share of (dZ A_prev^T)^T
            part_db[k, r] = np.sum(out, axis=1)

        _for_each_tile(tile, n, m)
        dW, db = np.sum(part_dW, axis=0)[None, :], np.sum(part_db, axis=0)[:, None]
        return mean_of(dW, inv_m), dZ_prev, mean_of(db, inv_m)

    def through(self, dA, Z, A, g, *, xp, inv_m, dropout=None, l=0):
        """n_l > 1: dZ_{l-1} written over W_l^T dZ_l (the fresh product of the generic line), tile by tile,
        each tile's g'(Z_{l-1}) made and used in cache, where the generic lines make two full-size
        temporaries (relu: Z > 0 and its float copy) and a third for the result. The same operations on
        each element, so the same bits; db_{l-1} is the generic lines' own. With dropout, the generic line."""
        if dropout is not None:
            return super().through(dA, Z, A, g, xp=xp, inv_m=inv_m, dropout=dropout, l=l)

        def tile(r, c):
            dA[r, c] = g.backward(dA[r, c], None if Z is None else Z[r, c], A[r, c], xp=np)  # dA * g'(Z), in cache

        _for_each_tile(tile, *dA.shape)
        return dA, _db(dA, inv_m, xp=np)


def tiled_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
                 mean_in_dZ: bool = False) -> Runner:
    """The generic eager step with the hidden lines in tiles."""
    return eager_runner(parameters, X, Y, net=net, learning_rate=learning_rate, xp=xp, lines=TiledLines(),
                        mean_in_dZ=mean_in_dZ)
