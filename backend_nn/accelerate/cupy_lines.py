"""CuPy: one kernel for each of the hidden layer's lines, for any size (``hidden_lines.cu``).

- forward: Z1 = (W1 X) + b1, A1 = g(Z1): two passes over (n_h, m) arrays in the
  generic code, one kernel here. Where g' is written through A alone (tanh,
  sigmoid) Z1 is not kept: A1 is written over W1 X in place, so the line reads
  one (n_h, m) array and writes one.
- backward, into a hidden layer from a layer of one unit (n_y = 1 in week 3): dW2 = dZ2 A1^T,
  dZ1 = W2^T dZ2 * g'(Z1) and db1 = sum(dZ1, axis=1) are, per row i of A1, a dot product, an
  outer product times an elementwise derivative, and a row sum. One kernel does all three
  (a thread block per row), reading A1 once and writing dZ1 once; the generic
  code makes six passes (a GEMV, W2^T dZ2, A*A, 1 - ..., the product, the sum).
- through, into a hidden layer from a layer of n_l > 1 units (deep networks): dW_l and
  W_l^T dZ_l are cuBLAS's, in the generic line; then dZ_{l-1} = W_l^T dZ_l * g'(Z_{l-1}) and
  db_{l-1} = sum(dZ_{l-1}, axis=1) in one kernel, written over that product, where the generic code
  makes up to four passes (relu: Z > 0, its cast, the product, the row sums).

Passes count: at the large size one pass over a (1024, 60000) float32 array is
~85 µs of a ~5 ms step, beside GEMMs that cannot go faster. :class:`CupyLines` is a
:class:`~backend_nn.propagation.Lines` with these kernels; wherever one does not apply
(dropout, more rows than a grid has, unusual layouts) it takes the generic line. Tested
against the generic lines, for every hidden layer of deep networks.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..network import Network
from ..propagation import Lines, mean_of
from ..step import Runner, eager_runner
from ._cuda import ACT_CODES, cuda_source, slope

__all__ = ["CupyLines", "lines_runner"]

_THREADS = 256
_UNROLL = 4  # elements each thread has in flight per pass (UNROLL in hidden_lines.cu)
_MAX_ROWS = 65535  # a grid's y dimension: one row of blocks per row of the array


#: The kernels of ``hidden_lines.cu``, in the order :func:`_kernels` returns them.
KERNELS = ("forward_rows", "backprop_rows", "through_rows")


@lru_cache(maxsize=None)
def _kernels(device: int, dtype: str, name: str) -> tuple[Any, ...]:
    """(forward_rows, backprop_rows, through_rows) compiled for one device, dtype and activation."""
    import cupy

    with cupy.cuda.Device(device):
        module = cupy.RawModule(code=cuda_source("hidden_lines.cu", dtype, name, UNROLL=_UNROLL))
        return tuple(module.get_function(k) for k in KERNELS)


@lru_cache(maxsize=None)
def _multiprocessors(device: int) -> int:
    import cupy

    return int(cupy.cuda.Device(device).attributes["MultiProcessorCount"])


def _column_blocks(n: int, m: int) -> int:
    """Column blocks per row for the backward kernel: enough blocks in all to fill every SM
    about four times over (one per row leaves an H100 idle at n_h = 4, m = 10^6)."""
    import cupy

    wanted = -(-4 * _multiprocessors(cupy.cuda.Device().id) // n)
    return max(1, min(wanted, -(-m // (_THREADS * _UNROLL))))


def _c_layout(a: Any) -> bool:
    return a.flags.c_contiguous


class CupyLines(Lines):
    """The hidden lines as one CUDA kernel each (CuPy arrays); the generic lines where they do not apply."""

    name = "cupy lines"

    def forward(self, A_prev, W, b, g, *, xp, keep_Z=False):
        """Z = W A_prev + b, A = g(Z) in one pass over W A_prev; Z is None (A written over
        W A_prev) where g' needs A alone, unless ``keep_Z`` (dropout follows)."""
        import cupy

        if g.name not in ACT_CODES:
            return super().forward(A_prev, W, b, g, xp=xp, keep_Z=keep_Z)
        WA = xp.matmul(W, A_prev)  # xp: the CUDA graph's capture-safe namespace, or CuPy's
        n, m = WA.shape
        if n > _MAX_ROWS or not _c_layout(WA):
            Z = WA + b
            return Z, g(Z, xp=xp)
        b = b if _c_layout(b) else cupy.ascontiguousarray(b)
        keep_Z = keep_Z or g.needs_Z
        A = cupy.empty_like(WA) if keep_Z else WA  # Z is written over W A_prev, or A is
        blocks_x = min(-(-m // (_THREADS * _UNROLL)), 2**16)
        _kernels(cupy.cuda.Device().id, str(WA.dtype), g.name)[0]((blocks_x, n), (_THREADS,), (
            WA, b, WA, A, np.int64(m), np.int32(keep_Z), slope(g, WA.dtype)))
        return (WA if keep_Z else None), A

    def backward(self, dZ, A_prev, Z_prev, W, g_prev, *, xp, inv_m, dropout=None, l=0):
        """dW_l = dZ_l A_{l-1}^T / m, dZ_{l-1} = W_l^T dZ_l * g'(Z_{l-1}) and db_{l-1} in one kernel
        where n_l = 1; the generic lines (cuBLAS) otherwise."""
        import cupy

        Z_read = A_prev if Z_prev is None else Z_prev  # the kernel reads Z only where g' needs it
        n, m = A_prev.shape
        if (dropout is not None or W.shape[0] != 1 or g_prev.name not in ACT_CODES or n > _MAX_ROWS
                or not all(map(_c_layout, (W, dZ, Z_read, A_prev)))):  # the generic line, then through()
            return super().backward(dZ, A_prev, Z_prev, W, g_prev, xp=xp, inv_m=inv_m, dropout=dropout, l=l)
        dt = A_prev.dtype
        dZ_prev = cupy.empty((n, m), dtype=dt)
        blocks_x = _column_blocks(n, m)
        partial = cupy.empty((2, blocks_x, n), dtype=dt)  # partial sums of dW and db, per column block
        _kernels(cupy.cuda.Device().id, str(dt), g_prev.name)[1]((blocks_x, n), (_THREADS,), (
            W, dZ, Z_read, A_prev, dZ_prev, partial[0], partial[1], np.int64(m), slope(g_prev, dt)))
        sums = partial[:, 0] if blocks_x == 1 else cupy.sum(partial, axis=1)  # (2, n)
        return mean_of(sums[0][None, :], inv_m), dZ_prev, mean_of(sums[1][:, None], inv_m)

    def through(self, dA, Z, A, g, *, xp, inv_m, dropout=None, l=0):
        """dZ_l = dA_l * g'(Z_l) written over dA_l (W_{l+1}^T dZ_{l+1}, cuBLAS's fresh product), and
        db_l = sum(dZ_l, axis=1) / m, in one kernel; the generic line with dropout or unusual layouts."""
        import cupy

        Z_read = A if Z is None else Z  # the kernel reads Z only where g' needs it
        n, m = A.shape
        if (dropout is not None or g.name not in ACT_CODES or n > _MAX_ROWS or dA.dtype != A.dtype
                or not all(map(_c_layout, (dA, Z_read, A)))):
            return super().through(dA, Z, A, g, xp=xp, inv_m=inv_m, dropout=dropout, l=l)
        blocks_x = _column_blocks(n, m)
        partial = cupy.empty((blocks_x, n), dtype=A.dtype)  # partial sums of db, per column block
        _kernels(cupy.cuda.Device().id, str(A.dtype), g.name)[2]((blocks_x, n), (_THREADS,), (
            dA, Z_read, A, dA, partial, np.int64(m), slope(g, A.dtype)))
        db = partial[0] if blocks_x == 1 else cupy.sum(partial, axis=0)  # (n,)
        return dA, mean_of(db[:, None], inv_m)


def lines_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
                 mean_in_dZ: bool = False) -> Runner:
    """The generic eager step, in place on buffers of its own, with the hidden lines as kernels: any size.
    The kernels are compiled here (CuPy compiles at first use), so that a failure is the build's, passed over
    under compile="auto", and not the first step's."""
    import cupy

    for name in {g.name for g in net.hidden} & set(ACT_CODES):
        _kernels(cupy.cuda.Device().id, str(np.dtype(X.dtype)), name)
    return eager_runner(parameters, X, Y, net=net, learning_rate=learning_rate, xp=xp, lines=CupyLines(),
                        mean_in_dZ=mean_in_dZ)
