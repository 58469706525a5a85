"""Recording a run: the costs a loop brings home (one transfer per sync), printed and shown on the
progress bar, and what they say about the run.

A run that diverged is a :class:`TrainingDivergedError`: a NaN or infinite cost, one above
:data:`DIVERGED_FACTOR` times its start, or NaN or inf weights at the end. One that finished without
learning is a :class:`ConvergenceWarning`: its cost rose over the run; or it ended far above the log K
a network starts near, where it started (weights or inputs far from unit scale); or it ended at the cost
of predicting Y's mean for every example (it learned nothing from X); or it bounced above that cost; or its
cost did not move at all (steps too small to change the parameters). Each says what to try, and names
X's scale where it is far from unit (:class:`RunData`, the data read once at the end, or where the run
fails).
"""

from __future__ import annotations

import contextlib
import functools
import math
import sys
import warnings
from contextvars import ContextVar
from typing import Any, Iterator

import numpy as np

from . import streaming
from .accelerate import kept_program
from .backend import array_namespace, to_numpy
from .network import Network
from .step import nonfinite_counts
from .validation import user_stacklevel

__all__ = ["Recorder", "RunData", "TrainingDivergedError", "ConvergenceWarning"]


#: A cost above this many times its start (or above this many, where it started below 1), recorded or the run's last,
#: is divergence (the start: the first recorded cost, or, where that is an epoch's mean over mini-batches, the cost
#: before the first update): gradient descent that works does not climb so far (with tanh or sigmoid units the
#: stable cost stays finite as the weights blow up, so waiting for a NaN would report a success).
DIVERGED_FACTOR = 10.0

#: A mini-batch run whose end is above this many times its start did not learn, even where its first epoch's mean
#: (taken after that epoch's updates) was higher still: Adam at learning_rate=1.2 on the digits went from 2.30 to
#: 15.5 in epoch 0 and ended at 4 to 12 (the BLAS's round-off decides), accuracy 10%, without a word. The margin
#: covers the start's noise (:data:`backend_nn.training.START_EXAMPLES`); a run that learns ends below its start.
#: An end above this many times both its lowest cost and the cost of ignoring X bounced (He ReLU units at
#: learning_rate=100 on unscaled inputs: 3 to 25, ending at 15.3 under its start of 25.0, 42.9% right).
NOT_LEARNED_FACTOR = 1.5

#: A mini-batch run that ends above its start by at most this fraction of it stayed flat: it has not begun to learn
#: (a smaller learning rate, the advice for a cost that climbs, would only keep it there).
FLAT_RISE = 0.01

#: A first cost above this is no network near its start at log K (0.69 for two classes, 2.3 for ten): outputs that
#: sure and that wrong come from weights or inputs far from unit scale. Course 2's x10 initialization started at 183
#: to 12,000 on the library's data sets, X * 1e200 at 2.9e199; the week-3, He and Xavier starts were 0.53 to 2.4.
#: A cross-entropy that ends above it has not learned either (the mean example's own class at e^-20 or less).
LARGE_START = 20.0

#: A run whose last costs are within this fraction of the cost of predicting Y's mean alone (the class frequencies)
#: learned nothing from X: unscaled breast cancer (features up to 4254) through NNClassifier() ended 1.2e-9 from
#: it, 62.7% right (every example the larger class), without a word.
CONSTANT_TOLERANCE = 1e-3

#: A run whose end is within this fraction of its first recorded cost did not move: its steps were too small to
#: change the parameters (Adam with epsilon=1e30 held a He-initialized network on the flower at 0.988 for 300 epochs,
#: 50% right, without a word: above the cost of ignoring X, so not "learned nothing", and not a rise). Round-off
#: alone: a run that learns moves its cost by far more, and one that stops learning does not stop to the last 9 digits.
UNMOVED_TOLERANCE = 1e-9

#: Inputs whose largest |value| passes this are named as the likely cause of a run that learned only the class
#: frequencies (breast cancer 4254, wine 1680; standardized, they stay within 12, images in [0, 1] within 1).
FAR_FROM_UNIT = 100.0


def _limit(start: float) -> float:
    """The cost above which a run that started at ``start`` has diverged."""
    return DIVERGED_FACTOR * max(start, 1.0)


class ConvergenceWarning(UserWarning):
    """A run that finished with a higher cost than it started with: it did not learn (most often a
    learning rate too large for the cost to fall, though not so large that it explodes); or one that
    finished at the cost of predicting Y's mean for every example: it learned nothing from X (most
    often inputs far from unit scale, which saturate the hidden units). The scikit-learn-style classifier
    raises it as a subclass that is scikit-learn's ConvergenceWarning too (:func:`warn_as`).

    Examples
    --------
    A run whose steps were too small to learn anything finishes, and says so:

    >>> import warnings
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     parameters, costs = bnn.nn_model(X, Y, 4, num_iterations=300, learning_rate=1e-12)
    >>> print(caught[0].category.__name__, caught[0].message)
    ConvergenceWarning the cost ended at 0.693048 ... the network learned nothing from X but how often each ...
    """


#: The class a run's :class:`ConvergenceWarning` is raised as: a subclass where a front door asks for one
#: (:func:`warn_as`; the scikit-learn-style classifier raises scikit-learn's ConvergenceWarning too).
_WARNING_CLASS: ContextVar[type[ConvergenceWarning]] = ContextVar("convergence_warning", default=ConvergenceWarning)


@contextlib.contextmanager
def warn_as(cls: type[ConvergenceWarning]) -> Iterator[None]:
    """Runs inside this context raise their :class:`ConvergenceWarning` as ``cls`` (a subclass), in this
    thread and context only."""
    token = _WARNING_CLASS.set(cls)
    try:
        yield
    finally:
        _WARNING_CLASS.reset(token)


class TrainingDivergedError(FloatingPointError):
    """Training diverged: a NaN or infinite cost, one above :data:`DIVERGED_FACTOR` times its start
    (the cost before the first update; recorded, or the run's last), or NaN or inf weights at the end;
    ``iteration`` says where it was first seen.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> bnn.nn_model(X, Y, 4, learning_rate=1000.0)
    Traceback (most recent call last):
        ...
    backend_nn.recording.TrainingDivergedError: training diverged: the cost rose from 0.693048 at iteration 0 to ...
    """

    def __init__(self, message: str, iteration: int) -> None:
        super().__init__(message)
        self.iteration = iteration


def _progress_bar(total: int, enabled: bool | None, desc: str):
    """tqdm's bar on stderr: by default when stderr is a terminal and the run is long."""
    asked = enabled is True
    if enabled is None:
        enabled = sys.stderr.isatty() and total >= 2000
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is a dependency; an install without it runs without the bar
        if asked:
            warnings.warn("progress=True needs tqdm, which is not installed (pip install tqdm); the run goes on "
                          "without the bar.", UserWarning, stacklevel=user_stacklevel())
        return None
    return tqdm(total=total, desc=desc, unit="it", dynamic_ncols=True, leave=True,
                file=sys.stderr)


class Recorder:
    """The costs a loop records, brought home in one transfer per sync: the divergence check, the
    print_cost lines and the progress bar, for any loop (``unit``: "iteration" or "epoch").

    The k-th recorded cost is that of this run's unit ``k * every``; ``first`` is the number of units
    done before this run (a resumed one), which every printed or reported unit counts from, so that a
    resumed run goes on with the numbers where the first one stopped."""

    def __init__(self, *, total: int, every: int, unit: str, print_cost: bool, print_every: int,
                 print_format: str, progress: bool | None, desc: str, first: int = 0, lambd: float = 0.0,
                 masks_move: bool = False, scatters: bool = False, dropout: bool = False,
                 data: RunData | None = None) -> None:
        self.every, self.unit, self.first = every, unit, first
        # the data, read at the end of a run (or where it fails) for X's scale, and where the cost is the
        # cross-entropy alone (``pure``: no L2 term, no dropout) for the check that it learned more than the
        # class frequencies
        self.data = data
        self.pure = not lambd and not dropout
        # the recorded costs scatter where nothing is learned (means over shuffled mini-batches, or over moving
        # masks): a cost that ends a little above its start may not have begun to fall. Where they do not (full
        # batch, fixed or no masks), any rise is a step that overshot: gradient descent's cost falls at every
        # step once the learning rate is small enough. Unscaled iris at week 3's 1.2 fell from 1.0985 to 0.80
        # in 8 iterations, leapt to 1.58, saturated its tanh units and ended 0.02% above its start, 33% right.
        self.scatters = scatters or masks_move
        # dropout on shuffled batches: the same masks fall on other examples each epoch, so the epochs' costs
        # scatter where nothing is learned: at learning_rate=1e-12, 20 epochs of a He-initialized [2, 20, 3, 1]
        # relu network with keep_prob 0.5 ranged 1.73 to 2.46 on the flower. The end is then compared with the
        # first epoch by NOT_LEARNED_FACTOR, as with the start before any update, not by round-off.
        self.masks_move = masks_move
        # what a diverged or rising run is told to try: the step, and the L2 term where it has one
        # (learning_rate * lambd / m above 2 makes the weight decay itself overshoot)
        self.smaller = "a smaller learning_rate" + (" or lambd" if lambd else "")
        self.advice = f"Try {self.smaller}."
        # a large first cost names the scale of weights or inputs only where the cost is the cross-entropy alone:
        # the L2 term is a start of its own (lambd=1000 on the flower's regularization model: 32.5 at unit scale)
        self.names_scale = not lambd
        self.print_cost, self.print_every, self.print_format = print_cost, print_every, print_format
        self.bar = _progress_bar(total, progress, desc)
        self.say = print if self.bar is None else (lambda text: self.bar.write(text, file=sys.stdout))
        self.costs: list[float] = []
        # the cost before the run's first update where the first recorded one comes after some (an epoch's
        # mean over mini-batches): what the divergence limit is taken from (a 0-d device array until the first sync)
        self.before: Any = None
        self.before_on = ""
        self.finished = False  # set by finish(): the run ended with finite parameters
        self.parameters: dict = {}  # set by finish(): the ones the run returns
        self.end: tuple[float, str] | None = None  # set by finish(): (the run's last cost, where it was taken)
        # NumPy's floating-point warnings (overflow in matmul, ...) are held for the run: they come
        # before a TrainingDivergedError that says more, and point into the library; a run that
        # ends well reports them once, at the user's line. The user's "raise" or "ignore" stays.
        self.float_errors: dict[str, int] = {}
        modes: dict[str, Any] = {k: ("call" if v == "warn" else v) for k, v in np.geterr().items()}
        self._errstate = np.errstate(**modes, call=self._float_error)
        self._errstate.__enter__()

    def _float_error(self, kind: str, flag: int) -> None:
        self.float_errors[kind] = self.float_errors.get(kind, 0) + 1

    def _at(self, k: int) -> int:
        """The unit of the k-th recorded cost, counted from the start of the first run."""
        return self.first + k * self.every

    def start_before(self, cost: Any, on: str) -> None:
        """The run's cost before its first update (a 0-d device array, brought home with the first sync; ``on``:
        which examples, as a phrase), where the first recorded cost is taken after updates: the mean of an
        epoch of mini-batches, which an epoch that diverged from its first steps already holds (Adam at
        learning_rate=1e4 recorded 1.2e8 at epoch 0, and a limit of 10 times that let the run return). The
        divergence limit is then 10 times this cost."""
        self.before, self.before_on = cost, on

    def _before(self) -> float | None:
        """The cost before the first update, brought home, where one was taken and is finite (else the data or
        parameters hold NaN, and the epoch's costs will say so); None otherwise."""
        if self.before is None:
            return None
        if not isinstance(self.before, float):
            self.before = float(to_numpy(self.before))
        return self.before if math.isfinite(self.before) else None

    def _advice(self, start: float | None = None) -> str:
        """What a run that diverged or rose is told to try: smaller steps; and where its first cost (``start``, or
        the first one known) was already far above a network's start near log K, weights or inputs nearer unit
        scale, which smaller steps alone do not give (X * 1e200 was told only to try a smaller learning_rate). Not
        with L2, whose term alone can start that high. Else X's scale where it is far from unit (read from the data
        then, on this path only): unscaled wine was told only to take smaller steps, which learned its class shares."""
        if start is None:
            start = self._start(np.empty(0))[0]  # 0.0 where none is known yet
        if self.names_scale and start is not None and start > LARGE_START:
            return (f"Its first cost, {start:.6g}, was already far above the log K (0.69 for two classes) a network "
                    "starts near: weights or inputs far from unit scale (a large init_scale, unscaled features) give "
                    "outputs that sure and that wrong. Rescale X or start from smaller weights. " + self.advice)
        return f"{self.advice} {self._scale_hint()}".rstrip()

    def _start(self, new: np.ndarray) -> tuple[float, str]:
        """(the cost the divergence limit is taken from, where it was taken, as a phrase)."""
        before = self._before()
        if before is not None:
            return before, f"before the first update ({self.before_on})"
        start = self.costs[0] if self.costs else (float(new[0]) if new.size else 0.0)
        return start, f"at {self.unit} {self._at(0)}"

    def sync(self, chunk: Any, done: int) -> None:
        """Record a 1-d device array of costs (the loop's only host sync); ``done`` units so far."""
        new = to_numpy(chunk).astype(np.float64).reshape(-1)
        recorded, every, unit = self.costs, self.every, self.unit
        start, start_at = self._start(new)
        ceiling = _limit(start)
        bad = np.flatnonzero(~np.isfinite(new) | (new > ceiling))
        if bad.size:
            k = len(recorded) + int(bad[0])
            it = self._at(k)
            finite = bool(np.isfinite(new[bad[0]]))
            what = f"rose from {start:.6g} {start_at} to" if finite else "is"
            limit = f" (the limit is {ceiling:g})" if finite else ""
            window = ""
            if k and every > 1:
                window = (f"; it was {([*recorded, *new.tolist()])[k - 1]:.6g} at {unit} {it - every}, so the run "
                          f"diverged between {unit}s {it - every + 1} and {it} (costs are recorded every {every} "
                          f"{unit}s)")
            seen = [*recorded, *new[: bad[0]].tolist()]
            advice = self._advice(start)
            if seen and min(seen) < 0:  # a cross-entropy of targets in [0, 1] is never negative
                advice = (f"The cost fell below 0 first (to {min(seen):.6g}): Y's targets outside [0, 1] give the "
                          "cross-entropy no lower bound; for classification, give 0/1 labels.")
            raise TrainingDivergedError(
                f"training diverged: the cost {what} {new[bad[0]]:.6g} at {unit} {it}{limit}{window}. {advice}",
                iteration=it,
            )
        for k, c in enumerate(new, start=len(recorded)):
            if self.print_cost and self._at(k) % self.print_every < every:
                self.say(self.print_format.format(unit=self.unit, i=self._at(k), cost=c))
        recorded.extend(new.tolist())
        if self.bar is not None:
            self.bar.set_postfix_str(f"cost {recorded[-1]:.6f} ({unit} {self._at(len(recorded) - 1)})", refresh=False)
            self.bar.update(done - self.bar.n)

    def last(self, chunk: Any, done: int) -> None:
        """The cost of the last of ``done`` steps, printed but not recorded (the course's week-4 models
        print it after the every-100 lines; their costs list keeps the every-100 ones)."""
        cost = float(to_numpy(chunk).astype(np.float64).reshape(-1)[0])
        if not math.isfinite(cost):
            raise TrainingDivergedError(f"training diverged: the cost is {cost} at {self.unit} "
                                        f"{self.first + done - 1}. {self._advice()}",
                                        iteration=self.first + done - 1)
        if self.print_cost:
            self.say(self.print_format.format(unit=self.unit, i=self.first + done - 1, cost=cost))
        self.advance(done)

    def finish(self, parameters: dict, done: int, last_cost: Any = None, last_is: str = "", *,
               compile: bool | str = "auto") -> None:
        """The end of a run, checked once (one more host sync or two): the steps after the last recorded
        cost can diverge too, and their parameters are what the run returns. They must hold no NaN or
        inf (:func:`~backend_nn.step.nonfinite_counts`, as the run's ``compile`` has it: a kept program on JAX);
        ``last_cost`` (a 0-d device array: the returned parameters' cost, or the last epoch's,
        ``last_is`` says which, as a phrase after the number) must stay finite and under the divergence
        limit, and is the run's end in the check that the cost fell (:meth:`close`)."""
        counts = kept_program(nonfinite_counts, xp=array_namespace(*parameters.values()), compile=compile)
        bad = to_numpy(counts(dict(parameters)))
        if bad.any():
            where = ", ".join(f"{k}: {int(n)} of {math.prod(P.shape)}" for (k, P), n in zip(parameters.items(), bad)
                              if n)
            last = (f"; the last recorded cost, {self.costs[-1]:.6g} at {self.unit} "
                    f"{self._at(len(self.costs) - 1)}, was finite, so it diverged after that") if self.costs else ""
            raise TrainingDivergedError(
                f"training diverged: after {self.unit} {self.first + done} the parameters hold NaN or inf values "
                f"({where}){last}. {self._advice()}",
                iteration=self.first + done,
            )
        if last_cost is not None and self.costs:
            cost = float(to_numpy(last_cost))
            start, start_at = self._start(np.asarray(self.costs))
            ceiling = _limit(start)
            if not math.isfinite(cost) or cost > ceiling:
                k = len(self.costs) - 1
                last = (f"; the last recorded cost, {self.costs[k]:.6g} at {self.unit} {self._at(k)}, was under "
                        "it, so it diverged after that") if k else ""
                raise TrainingDivergedError(
                    f"training diverged: the cost rose from {start:.6g} {start_at} to {cost:.6g}"
                    f"{last_is} (the limit is {ceiling:g}){last}. {self._advice(start)}",
                    iteration=self.first + done,
                )
            self.end = (cost, last_is)
        self.finished = True
        self.parameters = parameters

    def advance(self, done: int) -> None:
        """Move the bar to ``done`` units without bringing a cost home (long epochs show progress)."""
        if self.bar is not None and done > self.bar.n:
            self.bar.update(done - self.bar.n)

    def close(self) -> np.ndarray:
        """The recorded costs. The bar is closed first, so that a warning about a finished run is a
        line of its own: NumPy's floating-point errors met on the way, a cost that ended above its
        start (the run did not learn), or one that ended at the cost of predicting Y's mean for every
        example (it learned nothing from X)."""
        self._errstate.__exit__(None, None, None)
        if self.bar is not None:
            self.bar.close()
        costs = self.costs
        if self.finished and self.float_errors:
            seen = ", ".join(f"{kind} ({n}x)" for kind, n in self.float_errors.items())
            warnings.warn(f"NumPy met floating-point errors in the training's arithmetic: {seen}; the costs and "
                          f"parameters the run returns are finite, but {self.smaller} may be safer.",
                          RuntimeWarning, stacklevel=user_stacklevel())
        ends = []  # the run's last cost (where finish() had one), then its last recorded one
        if self.finished and self.end is not None:
            ends.append(self.end)
        if self.finished and len(costs) > 1:
            ends.append((costs[-1], f" at {self.unit} {self._at(len(costs) - 1)}"))
        starts = []  # (a start, the factor above which an end rose from it, where it was taken)
        if costs:
            # not a rounding of a flat run; with moving masks, not their scatter
            factor = NOT_LEARNED_FACTOR if self.masks_move else 1 + 1e-6
            starts.append((costs[0], factor, f"at {self.unit} {self._at(0)}"))
            if self._before() is not None:  # a mini-batch run: its cost before any update, too
                before, before_at = self._start(np.asarray(costs))
                starts.append((before, NOT_LEARNED_FACTOR, before_at))
        rose = [(start, at, c, where) for start, factor, at in starts for c, where in ends if c > start * factor]
        if rose:
            start, start_at, c, where = rose[0]
            if self.scatters and c <= start * (1 + FLAT_RISE):  # the epochs' noise around a cost not yet falling
                advice = (f"The cost stayed flat (it rose by {100 * (c / start - 1):.2g}%): the run has not started to "
                          f"learn. More {self.unit}s, a larger learning_rate or another init may move it.")
            else:
                advice = self._advice(start)  # (which may read X for its scale)
            warnings.warn(f"the cost rose over the run, from {start:.6g} {start_at} to {c:.6g}{where}: the run did "
                          f"not learn, and its parameters are those of the last {self.unit}. {advice}",
                          _WARNING_CLASS.get(), stacklevel=user_stacklevel())
        elif self.finished and self.pure and self.end is not None and self.end[0] > LARGE_START:
            self._warn_still_far()
        elif self.finished and self.end is not None and len(costs) > 1:
            if not (self.pure and self.data is not None and self._check_constant()):
                self._check_moved()
        return np.asarray(costs, dtype=np.float64)

    def _check_moved(self) -> None:
        """Warn where the run's end is its first recorded cost to :data:`UNMOVED_TOLERANCE`: no step changed the
        parameters enough to change the cost (learning_rate=1e-20, Adam's epsilon=1e30, a decay that stopped it).
        Not where the costs scatter around a cost that does not move (dropout masks that move over shuffled
        batches)."""
        start, (end, where) = self.costs[0], self.end  # type: ignore[misc]
        if self.masks_move or abs(end - start) > UNMOVED_TOLERANCE * abs(start):
            return
        warnings.warn(f"the cost did not move, from {start:.10g} at {self.unit} {self._at(0)} to {end:.10g}{where}: "
                      f"the run's steps were too small to change the parameters, and it learned nothing. A larger "
                      f"learning_rate (or, where they apply, a smaller epsilon or a slower decay) moves them.",
                      _WARNING_CLASS.get(), stacklevel=user_stacklevel())

    def _warn_still_far(self) -> None:
        """Warn where a run that did not rise ended with its cross-entropy above :data:`LARGE_START`: where it
        started that far from log K (weights or inputs far from unit scale) and has not come down. init_scale=1e300
        on the flower stayed at 1.2e300 for 300 iterations, 57% right, without a word: no rise, no divergence from
        its start, and nowhere near the cost of ignoring X."""
        end, where = self.end  # type: ignore[misc]
        start, start_at = self._start(np.asarray(self.costs))
        warnings.warn(f"the cost ended at {end:.6g}{where}, far above the log K (0.69 for two classes) a network "
                      f"starts near, and it was {start:.6g} {start_at}: outputs that sure and that wrong come from "
                      f"weights or inputs far from unit scale (a large init_scale, unscaled features), and the run has "
                      f"not come down from them. Rescale X or start from smaller weights, or train for more "
                      f"{self.unit}s. {self._scale_hint()}".rstrip(), _WARNING_CLASS.get(),
                      stacklevel=user_stacklevel())

    def _scale_hint(self) -> str:
        """Inputs far from unit scale named, where they were measured; else ''."""
        if self.data is None or not FAR_FROM_UNIT < self.data.largest < math.inf:  # (NaN: not a scale to name)
            return ""
        return (f"X's features reach {self.data.largest:.6g} in size, far from unit scale: hidden units saturate, and "
                "one learning_rate cannot suit every feature. Standardize each feature, (X - mean) / std, e.g. with "
                "sklearn.preprocessing.StandardScaler.")

    def _check_constant(self) -> bool:
        """Warn where the run's last recorded cost and its end are both the cost of predicting Y's mean for
        every example: the network learned nothing from X but how often each class occurs; or where its end is
        above :data:`NOT_LEARNED_FACTOR` times both that cost and its own lowest: it bounced, and does worse than
        ignoring X. Whether it warned."""
        costs, unit = self.costs, self.unit
        end, where = self.end  # type: ignore[misc]
        floor, shares = self.data.constant  # type: ignore[union-attr]
        if not floor:
            return False
        k = int(np.argmin(costs))
        if end > NOT_LEARNED_FACTOR * max(floor, costs[k]):
            warnings.warn(f"the cost ended at {end:.6g}{where}, {end / costs[k]:.3g} times its lowest ({costs[k]:.6g} "
                          f"at {unit} {self._at(k)}) and {end / floor:.3g} times the cost of predicting {shares} for "
                          f"every example ({floor:.6g}): the run bounced instead of settling, and its parameters do "
                          f"worse than ignoring X. {self._advice(costs[0])}", _WARNING_CLASS.get(),
                          stacklevel=user_stacklevel())
            return True
        if any(abs(c - floor) > CONSTANT_TOLERANCE * floor for c in (costs[-1], end)):
            return False
        advice = self._scale_hint()
        same = [] if advice else _symmetric_layers(self.parameters)
        if same:
            advice = (f"Every unit of hidden layer{'s' * (len(same) > 1)} {' and '.join(map(str, same))} computes the "
                      "same function (the rows of each W_l and b_l are equal, as init='zeros' leaves them: the "
                      "symmetry lesson); a random start (init='random' or init='he') breaks the symmetry.")
        elif not advice:
            advice = (f"Another learning_rate, more {unit}s or another init may move it, unless X carries "
                      "nothing about Y.")
        warnings.warn(f"the cost ended at {end:.6g}{where}, the cost of predicting {shares} for every example "
                      f"({floor:.6g}): the network learned nothing from X but how often each class occurs. {advice}",
                      _WARNING_CLASS.get(), stacklevel=user_stacklevel())
        return True


def _symmetric_layers(parameters: dict) -> list[int]:
    """The hidden layers l of more than one unit whose units are all the same (every row of W_l and of b_l equal):
    each computes the same function, and gets the same gradient (a few small reductions, at the end of a run)."""
    L = len(parameters) // 2
    if not L:
        return []
    xp = array_namespace(*parameters.values())
    same = []
    for l in range(1, L):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        if W.shape[0] > 1 and bool(xp.all(W == W[:1, :])) and bool(xp.all(b == b[:1, :])):
            same.append(l)
    return same


class RunData:
    """The training data as a finished run's checks read them (each at most once, after the run): the cost of
    predicting Y's mean for every example, and X's largest |value|."""

    def __init__(self, X: Any, Y: Any, *, net: Network) -> None:
        self.X, self.Y, self.net = X, Y, net

    @functools.cached_property
    def constant(self) -> tuple[float, str]:
        """(J of A_L = Y's mean for every example, that mean as a phrase)."""
        Y = self.Y  # on the backend, in dask chunks (to_numpy computes them) or on the host for streamed data
        p = np.asarray(to_numpy(array_namespace(Y).mean(Y, axis=1)), dtype=np.float64)
        low, high = f"{p.min():.3g}", f"{p.max():.3g}"
        what = "class shares" if self.net.output.name == "softmax" else "row means of Y"  # (sigmoid: Y's mean)
        shares = (f"Y's mean, {high}," if p.size == 1 else f"the {p.size} {what}, {low} each," if low == high else
                  f"the {p.size} {what}, {low} to {high},")
        return float(self.net.output.constant_cost(p, xp=np)), shares

    @functools.cached_property
    def largest(self) -> float:
        """X's largest |value|: two reductions, no temporary the size of X (streamed host data are read twice more,
        less than an epoch reads them)."""
        X = self.X.host if streaming.is_host_data(self.X) else self.X
        xp = array_namespace(X)  # the data's own: a dask X's is computed once, by to_numpy
        return float(np.max(np.abs(to_numpy(xp.stack([xp.max(X), xp.min(X)])).astype(np.float64))))
