"""CuPy: host windows copied in through pinned buffers on a stream of their own.

The generic transfer (:class:`backend_nn.streaming.GenericTransfer`) copies from pageable
memory, which CUDA stages through a bounce buffer and cannot overlap with the compute stream.
Here each of two slots has a pinned (page-locked) host buffer and a device buffer, both sized
for the widest window; the fetching thread gathers the window straight into the pinned buffer
and queues the copy on the transfer stream, then records an event. Training waits for that
event on its own stream (on the GPU, not the host), and records another when its steps are
queued, which the next copy into the same slot waits for. So the copy of window i + 1 runs
while window i trains, nothing is allocated per window, and no host sync is added to a step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..streaming import HostData, gather, gather_shape, gather_threads, rows_layout

__all__ = ["PinnedTransfer"]

#: Windows in flight: the one training and the one arriving.
SLOTS = 2


class _Slot:
    """One window's buffers: pinned host and device, for X and Y, and the events that guard them."""

    def __init__(self, cupy: Any, cupyx: Any, shapes: tuple, dtype: np.dtype) -> None:
        self.cupy = cupy
        size = [int(np.prod(s)) for s in shapes]
        self.pinned = [cupyx.empty_pinned((n,), dtype) for n in size]
        self.device = [cupy.empty((n,), dtype) for n in size]
        self.copied = None  # the copy into this slot is done (recorded on the transfer stream)
        self.released = None  # the steps that read this slot are done (recorded on the compute stream)

    def ready(self) -> None:
        """Before the window's steps: the compute stream waits for the copy (on the GPU)."""
        self.cupy.cuda.get_current_stream().wait_event(self.copied)

    def done(self) -> None:
        """After the window's steps are queued: the next copy into this slot waits for them."""
        self.released = self.cupy.cuda.get_current_stream().record()


class PinnedTransfer:
    """``put(X, Y, cols)`` on the fetching thread: X[:, cols] and Y[:, cols] gathered into a slot's
    pinned buffers and copied to its device buffers on the transfer stream; returns the device
    windows and the slot (the ticket of :func:`backend_nn.streaming.run_windows`)."""

    note = "pinned buffers, copy stream"

    def __init__(self, X: HostData, Y: np.ndarray, width: int) -> None:
        import cupy
        import cupyx

        self.cupy, self.dtype = cupy, X.host_dtype
        device = X.device if isinstance(X.device, int) else getattr(X.device, "id", None)
        self.device_id = cupy.cuda.Device(device).id if device is not None else cupy.cuda.Device().id
        with cupy.cuda.Device(self.device_id):
            self.stream = cupy.cuda.Stream(non_blocking=True)
            self.slots = [_Slot(cupy, cupyx, (gather_shape(X.host, width), gather_shape(Y, width)), self.dtype)
                          for _ in range(SLOTS)]
        self.turn = 0
        self.threads = gather_threads()  # the host is idle while the GPU trains

    def put(self, X: np.ndarray, Y: np.ndarray, cols: np.ndarray) -> tuple[Any, Any, _Slot]:
        slot = self.slots[self.turn % SLOTS]
        self.turn += 1
        if slot.copied is not None:
            slot.copied.synchronize()  # the previous copy out of this pinned buffer is over
        sources = (X, Y)
        shapes = [gather_shape(a, cols.size) for a in sources]
        hosts = [p[: int(np.prod(s))].reshape(s) for p, s in zip(slot.pinned, shapes)]
        for a, h in zip(sources, hosts):
            gather(a, cols, self.dtype, out=h, threads=self.threads)
        with self.cupy.cuda.Device(self.device_id):
            if slot.released is not None:
                self.stream.wait_event(slot.released)  # the steps reading the device buffers are over
            windows = [d[: int(np.prod(s))].reshape(s) for d, s in zip(slot.device, shapes)]
            for d, h in zip(windows, hosts):
                d.set(h, stream=self.stream)
            slot.copied = self.stream.record()
        # an example-by-example source is gathered as (width, n): its window is the transpose
        Xw, Yw = (w.T if rows_layout(a) else w for w, a in zip(windows, sources))
        return Xw, Yw, slot
