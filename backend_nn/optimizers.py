"""Optimizers (course 2, week 2): gradient descent, momentum and Adam, one interface, on the Array API.

An optimizer is a pair of pure functions (optax's shape): ``init(parameters) -> state`` and
``update(parameters, grads, state, *, learning_rate) -> (parameters, state)``. The state is a
plain dict of arrays shaped like the parameters (keys "dW1", "db1", ..., as the course keys
them), so a loop, a compiled loop or a saved model carries it without knowing which
optimizer runs. t counts updates from 1, as the course counts them.

    gradient descent:  W := W - alpha dW
    momentum:          v := beta v + (1 - beta) dW;                 W := W - alpha v
    Adam:              v := beta1 v + (1 - beta1) dW;   v^ = v / (1 - beta1^t)
                       s := beta2 s + (1 - beta2) dW^2; s^ = s / (1 - beta2^t)
                       W := W - alpha v^ / (sqrt(s^) + epsilon)

The course's functions (``update_parameters_with_gd``, ``initialize_velocity``,
``update_parameters_with_momentum``, ``initialize_adam``, ``update_parameters_with_adam``)
are these equations with the course's arguments and return values; ``update_lr`` and
``schedule_lr_decay`` are its learning-rate decays.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from .accelerate import kept_program
from .backend import namespace_of, to_numpy
from .network import Parameters, ParametersLike, parameters_of
from .update import descend
from .validation import (as_index, at_default, check_number, check_parameter_entries, check_positive, did_you_mean,
                         is_one_of, shown)

__all__ = ["Optimizer", "GradientDescent", "Momentum", "Adam", "get_optimizer", "OPTIMIZERS",
           "update_parameters_with_gd", "initialize_velocity", "update_parameters_with_momentum",
           "initialize_adam", "update_parameters_with_adam", "update_lr", "schedule_lr_decay"]


def _keys(parameters: dict) -> list[str]:
    return list(parameters)


def _like(parameters: dict, new: dict) -> dict:
    """``new`` as the same kind of dict as ``parameters`` (Parameters keep their network)."""
    return Parameters(new, network=parameters.network) if isinstance(parameters, Parameters) else new


def _zeros_like(parameters: dict, *, xp) -> dict:
    """Zeros shaped like each parameter, in its dtype where that is floating (float32 state for float32
    parameters); float64 otherwise, as the course's ``np.zeros(shape)`` is for integer weights."""
    return {"d" + k: xp.zeros_like(P) if xp.isdtype(P.dtype, "real floating") else xp.zeros_like(P, dtype=xp.float64)
            for k, P in parameters.items()}


def _zero_state(parameters: dict) -> dict:
    """:func:`_zeros_like` of the parameters, on JAX as one program kept per network (each zeros eagerly was a
    compilation of its own per shape, ~40 ms each on a 2-core CPU, 5 of a first digits Adam run's 18)."""
    return kept_program(_zeros_like, xp=namespace_of(**parameters))(dict(parameters))


def update_count(t: Any) -> int:
    """Adam's t, the count of updates, as the course keeps it: a Python int, whether it was carried as one
    or as a 0-d array (a float inside the compiled loops, on any backend and device)."""
    return int(float(to_numpy(t))) if hasattr(t, "shape") else int(t)


def _check_beta(name: str, beta: Any) -> float:
    return check_number(name, beta, "a number in [0, 1)", lambda v: 0.0 <= v < 1.0, "in [0, 1)")


def _decay_add(a: float, x: Any, b: float, y: Any, *, inplace: bool) -> Any:
    """a x + b y: a moving average. In place (x *= a; x += b y) it is the same operations on the same
    values, so the same bits."""
    if inplace:
        x *= a
        x += b * y
        return x
    return a * x + b * y


@dataclass(frozen=True)
class Optimizer:
    """The interface: ``init(parameters) -> state``; ``update(parameters, grads, state, learning_rate=)
    -> (parameters, state)``. Pure by default: nothing is written in place. ``inplace=True`` writes
    the new values into the parameter and state arrays and returns them: only for arrays the caller
    owns (the training loop's buffers) on a namespace whose arrays are writeable. It allocates fewer
    temporaries and computes the same bits (tested against the pure update). The training step
    passes ``xp=``, the namespace it already has: finding it again from every gradient took about
    a fifth of a NumPy Adam update at (784, 128, 10)."""

    name = "optimizer"
    #: The step size where the caller gives none (nn_model, NNClassifier, the CLI): None asks for one.
    default_learning_rate: ClassVar[float | None] = None

    def init(self, parameters: dict) -> dict:
        raise NotImplementedError

    def update(self, parameters: dict, grads: dict, state: dict, *, learning_rate: float,
               inplace: bool = False, xp: Any = None) -> tuple[dict, dict]:
        """``xp``: the arrays' namespace where the caller has it (the training step does); else it is
        found from the gradients, which then must share one library and device."""
        raise NotImplementedError


@dataclass(frozen=True)
class GradientDescent(Optimizer):
    name = "gd"
    default_learning_rate = 1.2  # the course's week 3

    def init(self, parameters: dict) -> dict:
        return {}

    def update(self, parameters, grads, state, *, learning_rate, inplace=False, xp=None):
        """W := W - alpha dW, for every entry (:mod:`backend_nn.update`'s step)."""
        return descend(parameters, grads, learning_rate=learning_rate, inplace=inplace), state


@dataclass(frozen=True)
class Momentum(Optimizer):
    beta: float = 0.9
    name = "momentum"
    default_learning_rate = 1.2  # gradient descent's: its steps are the gradients' size too (v averages them)

    def init(self, parameters: dict) -> dict:
        """{"v": {"dW1": zeros, "db1": zeros, ...}}."""
        return {"v": _zero_state(parameters)}

    def update(self, parameters, grads, state, *, learning_rate, inplace=False, xp=None):
        """v := beta v + (1 - beta) dW; W := W - alpha v."""
        beta = self.beta
        v = {d: _decay_add(beta, state["v"][d], 1.0 - beta, grads[d], inplace=inplace) for d in state["v"]}
        new = descend(parameters, v, learning_rate=learning_rate, inplace=inplace)  # the gradient-descent step with v
        return (new, state) if inplace else (new, {"v": v})


@dataclass(frozen=True)
class Adam(Optimizer):
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    name = "adam"
    #: Kingma and Ba's (and PyTorch's, Keras's, scikit-learn's): Adam moves each weight by about the learning rate
    #: whatever its gradient's scale, so gradient descent's 1.2 would move every weight by about 1.2 a step.
    default_learning_rate = 0.001

    def init(self, parameters: dict) -> dict:
        """{"v": zeros like each parameter, "s": zeros, "t": 0}: t counts updates."""
        return {"v": _zero_state(parameters), "s": _zero_state(parameters), "t": 0}

    def corrected(self, parameters, grads, state, *, inplace=False, xp=None):
        """(v, s, v_corrected, s_corrected, t) of the next update (v and s written into state's arrays
        with ``inplace``)."""
        xp = namespace_of(**grads) if xp is None else xp
        b1, b2 = self.beta1, self.beta2
        t = state["t"] + 1  # a Python int, or a 0-d array inside a compiled loop
        v = {d: _decay_add(b1, state["v"][d], 1.0 - b1, grads[d], inplace=inplace) for d in state["v"]}
        s = {d: _decay_add(b2, state["s"][d], 1.0 - b2, xp.square(grads[d]), inplace=inplace) for d in state["s"]}
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        if hasattr(t, "dtype"):  # an array t: the corrections rounded to the gradients' dtype, as a Python number is
            dtype = next(iter(grads.values())).dtype
            c1, c2 = xp.astype(c1, dtype), xp.astype(c2, dtype)
        v_hat = {d: v[d] / c1 for d in v}
        s_hat = {d: s[d] / c2 for d in s}
        return v, s, v_hat, s_hat, t

    def update(self, parameters, grads, state, *, learning_rate, inplace=False, xp=None):
        """v, s and their bias corrections, then W := W - alpha v^ / (sqrt(s^) + epsilon)."""
        xp = namespace_of(**grads) if xp is None else xp
        corrected = self.corrected(parameters, grads, state, inplace=inplace, xp=xp)
        return self.apply(parameters, corrected, state, learning_rate=learning_rate, inplace=inplace, xp=xp)

    def apply(self, parameters, corrected, state, *, learning_rate, inplace, xp):
        """W := W - alpha v^ / (sqrt(s^) + epsilon) from :meth:`corrected`'s (v, s, v^, s^, t)."""
        v, s, v_hat, s_hat, t = corrected
        if inplace:  # the pure expression's operations in its order, on this update's own temporaries
            for k, P in parameters.items():
                step = v_hat["d" + k]
                step *= learning_rate
                denominator = xp.sqrt(s_hat["d" + k])
                denominator += self.epsilon
                step /= denominator
                P -= step
            state["t"] = t
            return parameters, state
        new = {k: P - learning_rate * v_hat["d" + k] / (xp.sqrt(s_hat["d" + k]) + self.epsilon)
               for k, P in parameters.items()}
        return _like(parameters, new), {"v": v, "s": s, "t": t}


OPTIMIZERS = {"gd": GradientDescent, "momentum": Momentum, "adam": Adam}


def get_optimizer(optimizer: Any, *, beta: float = 0.9, beta1: float = 0.9, beta2: float = 0.999,
                  epsilon: float = 1e-8) -> Optimizer:
    """An Optimizer from its course name ("gd", "momentum", "adam") and hyperparameters, or as is."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if not is_one_of(optimizer, OPTIMIZERS):  # before any ==, which an array would answer elementwise
        raise ValueError(f"unknown optimizer {shown(optimizer)}; expected 'gd', 'momentum' or 'adam'"
                         f"{did_you_mean(optimizer, OPTIMIZERS) or '.'}")
    _refuse_others_hyperparameters(optimizer, beta=beta, beta1=beta1, beta2=beta2, epsilon=epsilon)
    if optimizer == "gd":
        return GradientDescent()
    if optimizer == "momentum":
        return Momentum(_check_beta("beta", beta))
    eps = check_positive("epsilon", epsilon, integer=False)
    return Adam(_check_beta("beta1", beta1), _check_beta("beta2", beta2), eps)


def learning_rate_for(optimizer: Any, learning_rate: Any) -> Any:
    """``learning_rate``, or where it is None the optimizer's :attr:`~Optimizer.default_learning_rate`
    (1.2 for "gd" and "momentum", 0.001 for "adam"). ``optimizer``: a name or an :class:`Optimizer`."""
    if learning_rate is not None:
        return learning_rate
    opt = get_optimizer(optimizer)  # an unknown name is refused here, as the run would refuse it
    if opt.default_learning_rate is None:
        raise TypeError(f"learning_rate is None and the optimizer {type(opt).__name__} has no "
                        "default_learning_rate: give learning_rate=, a number > 0.")
    return opt.default_learning_rate


#: Each optimizer's own hyperparameters (the others' must keep their defaults: a value set for them
#: would be dropped in silence).
_HYPERPARAMETERS = {"gd": (), "momentum": ("beta",), "adam": ("beta1", "beta2", "epsilon")}


def _refuse_others_hyperparameters(optimizer: Any, **given: Any) -> None:
    own = _HYPERPARAMETERS[optimizer]
    defaults = inspect.signature(get_optimizer).parameters
    unused = [f"{name}={shown(value)}" for name, value in given.items()
              if name not in own and not at_default(value, defaults[name].default)]
    if unused:
        raise ValueError(f"{', '.join(unused)} would not be used by optimizer {shown(optimizer)}: beta is momentum's; "
                         "beta1, beta2 and epsilon are Adam's.")


def check_state(state: Any, parameters: dict, optimizer: Optimizer) -> None:
    """Optimizer state whose keys and shapes match the parameters, or a clear error."""
    if isinstance(optimizer, GradientDescent):
        return
    expected = {"d" + k: tuple(P.shape) for k, P in parameters.items()}
    for part in ("v", "s") if isinstance(optimizer, Adam) else ("v",):
        got = state.get(part) if isinstance(state, dict) else None
        if not isinstance(got, dict):
            raise ValueError(f"{optimizer.name} state needs {part!r}: a dict of {sorted(expected)}; "
                             f"got {type(got).__name__}.")
        if set(got) != set(expected):
            raise ValueError(f"{optimizer.name} state {part!r} must have the keys {sorted(expected)} of the "
                             f"parameters' gradients; got {sorted(got)}.")
        for d, shape in expected.items():
            if not hasattr(got[d], "shape"):
                raise TypeError(f"{optimizer.name} state {part}[{d!r}] must be an array of the shape of {d[1:]}, "
                                f"{shape}; got {type(got[d]).__name__}.")
            if tuple(got[d].shape) != shape:
                raise ValueError(f"{optimizer.name} state {part}[{d!r}] must have the shape of {d[1:]}, {shape}; "
                                 f"got {tuple(got[d].shape)}.")


def _check_state_beside(parameters: dict, state: dict) -> None:
    """The course's update functions take v (and s) as given: on the parameters' backend and device (a
    training run's saved state is moved there instead, by :func:`backend_nn.training`)."""
    namespace_of(**parameters, **{f"{part}[{d!r}]": a for part, entries in state.items() for d, a in entries.items()})


# --- the course's functions ---------------------------------------------------------------------
def _check_update_args(parameters: dict, grads: dict, learning_rate: Any) -> float:
    from .update import check_update_args

    return check_update_args(parameters, grads, learning_rate)


def update_parameters_with_gd(parameters: ParametersLike, grads: dict, learning_rate: float) -> dict:
    """One step of gradient descent: W_l := W_l - learning_rate dW_l, b_l likewise, for every layer.

    parameters : W1 (n_1, n_0), b1 (n_1, 1), ...; grads : dW1, db1, ... of the same shapes. Returns new
    arrays; nothing given is written to.

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> parameters = {"W1": np.array([[1.0]]), "b1": np.array([[0.0]])}
    >>> grads = {"dW1": np.array([[0.5]]), "db1": np.array([[1.0]])}
    >>> bnn.update_parameters_with_gd(parameters, grads, learning_rate=0.1)
    {'W1': array([[0.95]]), 'b1': array([[-0.1]])}
    """
    parameters = parameters_of(parameters)
    lr = _check_update_args(parameters, grads, learning_rate)
    return GradientDescent().update(parameters, grads, {}, learning_rate=lr)[0]


def initialize_velocity(parameters: ParametersLike) -> dict:
    """v: zeros shaped like each parameter, keys "dW1", "db1", ..., "dWL", "dbL".

    Examples
    --------
    >>> import backend_nn as bnn
    >>> v = bnn.initialize_velocity(bnn.initialize_parameters_deep([2, 3, 1]))
    >>> sorted(v), v["db1"]
    (['dW1', 'dW2', 'db1', 'db2'], array([[0.],
           [0.],
           [0.]]))
    """
    parameters = parameters_of(parameters)
    return Momentum().init(_checked(parameters))["v"]


def update_parameters_with_momentum(parameters: ParametersLike, grads: dict, v: dict, beta: float,
                                    learning_rate: float) -> tuple[dict, dict]:
    """Momentum: v["dW_l"] := beta v["dW_l"] + (1 - beta) dW_l; W_l := W_l - learning_rate v["dW_l"] (b_l likewise).

    parameters : W1 (n_1, n_0), b1 (n_1, 1), ...; grads : dW1, db1, ... of the same shapes; v : the
    velocity (keys "dW1", "db1", ..., each shaped like its parameter), from :func:`initialize_velocity`
    or the previous update. Returns (parameters, v), new dicts; nothing given is written to.

    Examples
    --------
    The first step from v = 0 moves each weight by learning_rate (1 - beta) dW:

    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> parameters = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[0.5]])}
    >>> grads = {"dW1": np.array([[1.0, -1.0]]), "db1": np.array([[2.0]])}
    >>> v = bnn.initialize_velocity(parameters)
    >>> parameters, v = bnn.update_parameters_with_momentum(parameters, grads, v, beta=0.9, learning_rate=0.1)
    >>> v["dW1"].round(12), parameters["W1"].round(12)
    (array([[ 0.1, -0.1]]), array([[0.99, 2.01]]))
    """
    parameters = parameters_of(parameters)
    lr = _check_update_args(parameters, grads, learning_rate)
    opt = Momentum(_check_beta("beta", beta))
    check_state({"v": v}, parameters, opt)
    _check_state_beside(parameters, {"v": v})
    new, state = opt.update(parameters, grads, {"v": v}, learning_rate=lr)
    return new, state["v"]


def initialize_adam(parameters: ParametersLike) -> tuple[dict, dict]:
    """(v, s): zeros shaped like each parameter, keys "dW1", "db1", ...

    Examples
    --------
    >>> import backend_nn as bnn
    >>> v, s = bnn.initialize_adam(bnn.initialize_parameters_deep([2, 3, 1]))
    >>> sorted(v), v["dW1"]
    (['dW1', 'dW2', 'db1', 'db2'], array([[0., 0.],
           [0., 0.],
           [0., 0.]]))
    """
    parameters = parameters_of(parameters)
    state = Adam().init(_checked(parameters))
    return state["v"], state["s"]


def update_parameters_with_adam(parameters: ParametersLike, grads: dict, v: dict, s: dict, t: int,
                                learning_rate: float = 0.01, beta1: float = 0.9, beta2: float = 0.999,
                                epsilon: float = 1e-8) -> tuple[dict, dict, dict, dict, dict]:
    """One Adam update, the t-th (t counts from 1), for every layer l (and likewise for b_l)::

        v["dW_l"] = beta1 v["dW_l"] + (1 - beta1) dW_l        v_corrected = v / (1 - beta1^t)
        s["dW_l"] = beta2 s["dW_l"] + (1 - beta2) dW_l^2      s_corrected = s / (1 - beta2^t)
        W_l = W_l - learning_rate v_corrected / (sqrt(s_corrected) + epsilon)

    parameters : W1 (n_1, n_0), b1 (n_1, 1), ...; grads : dW1, db1, ... of the same shapes; v, s : the
    moments (keys "dW1", "db1", ..., each shaped like its parameter), from :func:`initialize_adam` or
    the previous update. Nothing given is written to.

    Returns (parameters, v, s, v_corrected, s_corrected), new dicts, as the course's function does.

    Examples
    --------
    The first step moves each weight by about the learning rate, whatever its gradient's scale:

    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> parameters = bnn.initialize_parameters_deep([2, 3, 1])
    >>> grads = {"d" + k: np.full(p.shape, 1e-3) for k, p in parameters.items()}
    >>> v, s = bnn.initialize_adam(parameters)
    >>> new, v, s, v_corrected, s_corrected = bnn.update_parameters_with_adam(
    ...     parameters, grads, v, s, t=1, learning_rate=0.01)
    >>> (parameters["W1"] - new["W1"]).round(6)
    array([[0.01, 0.01],
           [0.01, 0.01],
           [0.01, 0.01]])
    """
    parameters = parameters_of(parameters)
    lr = _check_update_args(parameters, grads, learning_rate)
    t = check_positive("t", t, integer=True)
    opt = cast(Adam, get_optimizer("adam", beta1=beta1, beta2=beta2, epsilon=epsilon))
    check_state({"v": v, "s": s}, parameters, opt)
    _check_state_beside(parameters, {"v": v, "s": s})
    state = {"v": v, "s": s, "t": t - 1}
    xp = namespace_of(**grads)
    corrected = opt.corrected(parameters, grads, state, xp=xp)
    new, _ = opt.apply(parameters, corrected, state, learning_rate=lr, inplace=False, xp=xp)
    v_new, s_new, v_hat, s_hat, _ = corrected
    return new, v_new, s_new, v_hat, s_hat


def _checked(parameters: dict) -> dict:
    check_parameter_entries(parameters)
    return parameters


def _check_decay_args(learning_rate0: Any, epoch_num: Any, decay_rate: Any) -> tuple[float, int, float]:
    lr0 = check_positive("learning_rate0", learning_rate0, integer=False)
    epoch = as_index(epoch_num)
    if epoch is None:
        raise TypeError(f"epoch_num must be an integer >= 0 (the epoch, counted from 0); "
                        f"got {type(epoch_num).__name__} {shown(epoch_num)}.")
    if epoch < 0:
        raise ValueError(f"epoch_num must be an integer >= 0 (the epoch, counted from 0); got {epoch}.")
    return lr0, epoch, check_decay_rate(decay_rate)


def check_decay_rate(decay_rate: Any) -> float:
    """decay_rate as a float: a finite number >= 0 (0: no decay)."""
    return check_number("decay_rate", decay_rate, "a number >= 0", lambda v: v >= 0 and math.isfinite(v),
                        "a finite number >= 0")


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
    """learning_rate0 / (1 + decay_rate * epoch_num).

    learning_rate0 > 0, epoch_num an integer >= 0, decay_rate >= 0 (0: no decay); anything
    else is refused, since it would make the learning rate negative, infinite or NaN.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> bnn.update_lr(0.5, 2, 1)                      # 0.5 / (1 + 1 * 2)
    0.16666666666666666
    """
    lr0, epoch, rate = _check_decay_args(learning_rate0, epoch_num, decay_rate)
    return lr0 / (1.0 + rate * epoch)


def schedule_lr_decay(learning_rate0: float, epoch_num: int, decay_rate: float, time_interval: int = 1000) -> float:
    """learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval)): decay in steps.

    The arguments as :func:`update_lr`'s; time_interval a positive integer (epochs per step).

    Examples
    --------
    >>> import backend_nn as bnn
    >>> bnn.schedule_lr_decay(0.5, 100, 1), bnn.schedule_lr_decay(0.5, 1000, 1)
    (0.5, 0.25)
    """
    lr0, epoch, rate = _check_decay_args(learning_rate0, epoch_num, decay_rate)
    interval = check_positive("time_interval", time_interval, integer=True)
    return lr0 / (1.0 + rate * (epoch // interval))
