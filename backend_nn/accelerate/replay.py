"""Epochs replayed on static buffers: the mini-batch step recorded once per batch width, replayed per batch.

A CUDA graph replays the kernels it recorded on the memory it recorded them on. So the step
here reads and writes only buffers that live as long as the runner: the parameters, the
optimizer state (Adam's t a 0-d array), the learning rate (a 0-d array, so a decay does not
re-record), the epoch's total cost, and one batch buffer per batch width (the complete batches'
and the last, smaller one's: two recordings, not one per step). Each batch is copied into its
width's buffers, then the recording is replayed (or, where the replay offers ``run_on``, the
recording reads the batch where it lies); the step itself is the generic, pure
:func:`~backend_nn.step.optimizer_step` followed by copies of its results into the buffers.

``capture(body, buffers, unchanged) -> replay`` is the backend's: ``body(buffers)`` runs one batch on
the buffers ({"P", "S", "X", "Y", "lr", "total"}), ``unchanged()`` is a context in which a warm-up run
of it leaves the buffers as they were. A replay may also offer ``replay.run_on(X, Y) -> bool``: the
same step reading the batch where it lies, without the copy (NumPy's; a CUDA graph reads fixed
addresses, so there the batch is copied in). :func:`backend_nn.accelerate.cupy_graph.graph_epochs` records a
CUDA graph; :func:`backend_nn.accelerate.numpy_replay.numpy_epochs` records the NumPy calls;
:func:`run_eagerly` (the body called again at each replay) runs the same buffers on any library,
which is how the tests hold this bookkeeping to the eager epoch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial
from typing import Any

from ..backend import device_of
from ..regularization import dropout_for
from ..step import _assign, _copied

__all__ = ["StaticEpochs", "run_eagerly"]


Capture = Callable[[Callable[[dict], None], dict, Callable[[], Any]], Callable[[], None]]


def run_eagerly(body: Callable[[dict], None], buffers: dict, unchanged: Callable[[], Any]) -> Callable[[], None]:
    """The reference capture: replaying is calling the body again."""
    return partial(body, buffers)


class StaticEpochs:
    """``epoch(params, state, Xs, Ys, learning_rate) -> (params, state, total)``, an
    :data:`~backend_nn.step.EpochRunner` whose steps are ``capture``-d once per batch width.

    ``step(params, state, X, Y, *, learning_rate, dropout) -> (params, state, cost)``: the pure step
    (the caller binds the network, optimizer, L2 and namespace). ``context()``: entered around each
    epoch (a CUDA stream, say). The parameters and state it returns are its own buffers (the caller's
    arrays are never written); handed back, they are used as they are.
    """

    def __init__(self, step: Callable, *, xp: Any, slices: list, dropouts: dict | None,
                 capture: Capture = run_eagerly,
                 context: Callable[[], Any] = contextlib.nullcontext) -> None:
        self.step, self.xp, self.slices = step, xp, slices
        self.dropouts = dropouts or {}
        self.capture, self.context = capture, context
        self.widths = sorted({sl.stop - sl.start for sl in slices}, reverse=True)
        self.P: dict | None = None
        self.keep: Any = None  # what a capture's recordings point into beside these buffers (set by its maker)

    def _own(self, params: dict, state: dict, Xs: Any, Ys: Any) -> None:
        """The buffers, and one recording per batch width."""
        xp = self.xp
        W1 = params["W1"]
        kw = {"dtype": W1.dtype, "device": device_of(W1)}
        self.P = _copied(params, xp)
        self.S = _copied(state, xp)
        if "t" in state and not hasattr(state["t"], "shape"):  # a Python int would be baked into a recording
            # float64: Adam's corrections 1 - beta^t then round as the eager step's Python numbers do
            self.S["t"] = xp.asarray(float(state["t"]), dtype=xp.float64, device=kw["device"])
        self.lr = xp.zeros((), **kw)
        self.total = xp.zeros((), **kw)
        self.X = {w: xp.zeros((int(Xs.shape[0]), w), **kw) for w in self.widths}
        self.Y = {w: xp.zeros((int(Ys.shape[0]), w), **kw) for w in self.widths}
        self.replays = {w: self.capture(partial(self._body, w), self._buffers(w), self._unchanged)
                        for w in self.widths}

    def prepare(self, params: dict, state: dict, Xs: Any, Ys: Any) -> None:
        """Make the buffers and the recordings now (else the first epoch does), so that a step that cannot
        be recorded fails here, where the epochs are chosen. The values are loaded again at each epoch."""
        with self.context():
            self._own(params, state, Xs, Ys)

    def _buffers(self, w: int) -> dict:
        """What the step of a batch of width w reads and writes."""
        return {"P": self.P, "S": self.S, "X": self.X[w], "Y": self.Y[w], "lr": self.lr, "total": self.total}

    @contextlib.contextmanager
    def _unchanged(self):
        """The buffers the body writes, as they were before the block (a warm-up before recording)."""
        before = _copied({"P": self.P, "S": self.S, "total": {"t": self.total}}, self.xp)
        yield
        _assign({"P": self.P, "S": self.S, "total": {"t": self.total}}, before)

    def _body(self, w: int, b: dict) -> None:
        """One batch of width w, from and into the buffers ``b`` (what is recorded)."""
        P, S, cost = self.step(b["P"], b["S"], b["X"], b["Y"], learning_rate=b["lr"],
                               dropout=dropout_for(self.dropouts, w))
        _assign(b["P"], P)
        _assign(b["S"], S)
        b["total"][...] = b["total"] + cost * w

    def __call__(self, params: dict, state: dict, Xs: Any, Ys: Any, learning_rate: float):
        with self.context():
            if self.P is None:
                self._own(params, state, Xs, Ys)
            elif params is not self.P:  # a new starting point: load it into the buffers
                _assign(self.P, params)
                _assign(self.S, {k: (float(v) if k == "t" and not hasattr(v, "shape") else v)
                                 for k, v in state.items()})
            self.lr[...] = learning_rate
            self.total[...] = 0.0
            for sl in self.slices:
                w = sl.stop - sl.start
                replay = self.replays[w]
                run_on = getattr(replay, "run_on", None)
                if run_on is not None and run_on(Xs[:, sl], Ys[:, sl]):
                    continue  # it read the batch where it lies
                self.X[w][...] = Xs[:, sl]
                self.Y[w][...] = Ys[:, sl]
                replay()
            # the total buffer is reset next epoch: hand back a copy (a window loop adds them up)
            return self.P, self.S, self.xp.asarray(self.total, copy=True)
