"""Output layers: the activation of layer L, its cost, dZ_L and its prediction rule, in one place.

Two output layers, each pairing an activation with the cross-entropy it makes simple:

- ``sigmoid`` (binary, n_y = 1; the course's weeks 3 and 4):
      A_L = sigmoid(Z_L),  J = -1/m sum( Y log A_L + (1 - Y) log(1 - A_L) ),
      dZ_L = A_L - Y,      prediction: A_L > 0.5.
- ``softmax`` (K classes, n_y = K; course 2, week 3):
      A_L = softmax(Z_L) per column,  J = -1/m sum_k sum_i Y log A_L  (Y one-hot (K, m)),
      dZ_L = A_L - Y,                 prediction: the argmax over the K rows.

The training loop takes the cost from the logits Z_L, where it is exact and never
takes log(0): with softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^-|z|),

      sigmoid:  J = 1/m sum( softplus(Z_L) - Y Z_L ),
      softmax:  J = 1/m sum_i ( logsumexp(Z_L[:, i]) - sum_k Y Z_L ),  logsumexp with the max out.

``compute_cost(AL, Y)``, the course's function, takes the probabilities and returns a
Python float, as the course's does. Integer labels (1, m) in 0..K-1 become one-hot Y
(K, m) at the edge (:func:`encode_labels`); the equations only ever see float Y. A sigmoid
output takes fractional targets too (soft labels), as its equations do (:func:`check_sigmoid_targets`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .activations import Activation, get_activation
from .backend import count_true, default_int, device_of, first_values, has_no_value_yet, namespace_of, to_numpy
from .validation import check_labels_dtype, check_labels_shape, did_you_mean, found, holds, is_one_of, shown

if TYPE_CHECKING:  # network imports this module
    from .network import ParametersLike

__all__ = ["OutputLayer", "SIGMOID", "SOFTMAX", "OUTPUTS", "get_output", "output_for", "compute_cost",
           "encode_labels", "check_label_values", "check_probabilities_dtype"]


def _softplus(Z, *, xp):
    """log(1 + e^Z) without overflow."""
    return xp.maximum(Z, 0.0) + xp.log1p(xp.exp(-xp.abs(Z)))


def _logsumexp(Z, *, xp):
    """log(sum_k exp(Z[k, i])) per column, (1, m), with the column max taken out first."""
    top = xp.max(Z, axis=0, keepdims=True)
    return top + xp.log(xp.sum(xp.exp(Z - top), axis=0, keepdims=True))


def _xlogx(p, *, xp):
    """p log p, with 0 log 0 = 0."""
    return xp.where(p > 0, p * xp.log(xp.where(p > 0, p, 1.0)), 0.0)


def _clipped(A, *, xp):
    """A kept inside [tiny, 1 - eps / 2], the smallest normal number and the largest one below 1:
    probabilities that rounded to exactly 0 or 1 lost what the exact cost needs; clipped, each such
    example adds at most -log(tiny) (about 708 in float64, 87 in float32) instead of inf. Every A
    strictly between them is left as it is, so the cost is the course's there. Pass the logits for
    the exact cost."""
    info = xp.finfo(A.dtype)
    return xp.clip(A, float(info.smallest_normal), 1.0 - float(info.eps) / 2)


@dataclass(frozen=True)
class OutputLayer:
    """What the output layer L is: its activation, cost, dZ_L and prediction rule.

    One subclass per output layer holds its equations; adding an output layer is one more
    subclass here, and one entry in :data:`OUTPUTS`.
    """

    name: str
    #: g_L, looked up once (it is on the hot path of every step): a plain attribute, not a
    #: functools.cached_property, whose lock (Python 3.11) torch.compile cannot trace.
    activation: Activation = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "activation", get_activation(self.name))

    def __call__(self, Z, *, xp):
        """A_L = g_L(Z_L)."""
        return self.activation(Z, xp=xp)

    def cost_from_logits(self, ZL, Y, *, xp):
        """J from the logits Z_L (n_y, m) and float Y (n_y, m): exact, stable; a 0-d array."""
        raise NotImplementedError

    def cost_from_probabilities(self, AL, Y, *, xp):
        """J from A_L (n_y, m): the course's formula, with A_L clipped away from 0 and 1."""
        raise NotImplementedError

    def constant_cost(self, p, *, xp):
        """J of A_L = p for every example, p (n_y,) being Y's mean over the examples (the class frequencies):
        the least cost a network that ignores X reaches; a 0-d array."""
        raise NotImplementedError

    def dZ(self, AL, Y, *, xp):
        """dZ_L = A_L - Y: the activation's derivative and its cross-entropy's cancel."""
        return AL - Y

    def dA(self, AL, Y, *, xp):
        """dA_L = m dJ/dA_L, the course's general route into the last layer."""
        raise NotImplementedError

    def predict(self, AL, *, xp):
        """The predicted labels."""
        raise NotImplementedError

    def __reduce__(self):  # one instance per kind, in every process that unpickles a network
        return (get_output, (self.name,))


@dataclass(frozen=True)
class _SigmoidOutput(OutputLayer):
    """Binary: A_L = sigmoid(Z_L); J = -1/m sum(Y log A_L + (1 - Y) log(1 - A_L))."""

    name: str = "sigmoid"

    def cost_from_logits(self, ZL, Y, *, xp):
        """J = 1/m sum(softplus(Z_L) - Y Z_L)."""
        return xp.sum(_softplus(ZL, xp=xp) - Y * ZL) / ZL.shape[1]

    def cost_from_probabilities(self, AL, Y, *, xp):
        """The course's expression, ``-1 / m * sum(Y log A + (1 - Y) log(1 - A))``, in its order of
        operations: its published costs to the last bit (0.2797765635793422 for week 4's case)."""
        A = _clipped(AL, xp=xp)
        return (-1.0 / AL.shape[1]) * xp.sum(Y * xp.log(A) + (1.0 - Y) * xp.log(1.0 - A))

    def constant_cost(self, p, *, xp):
        """J = -sum(p log p + (1 - p) log(1 - p)), the entropy of Y's mean (soft targets too)."""
        return -xp.sum(_xlogx(p, xp=xp) + _xlogx(1.0 - p, xp=xp))

    def dA(self, AL, Y, *, xp):
        """dA_L = -(Y / A_L - (1 - Y) / (1 - A_L))."""
        return -(Y / AL - (1.0 - Y) / (1.0 - AL))

    def predict(self, AL, *, xp):
        """A_L > 0.5: bool (n_y, m)."""
        return AL > 0.5


@dataclass(frozen=True)
class _SoftmaxOutput(OutputLayer):
    """K classes: A_L = softmax(Z_L) per column; J = -1/m sum_k sum_i Y log A_L, Y one-hot (K, m)."""

    name: str = "softmax"

    def cost_from_logits(self, ZL, Y, *, xp):
        """J = 1/m sum_i (logsumexp(Z_L[:, i]) - sum_k Y Z_L)."""
        return (xp.sum(_logsumexp(ZL, xp=xp)) - xp.sum(Y * ZL)) / ZL.shape[1]

    def cost_from_probabilities(self, AL, Y, *, xp):
        return (-1.0 / AL.shape[1]) * xp.sum(Y * xp.log(_clipped(AL, xp=xp)))

    def constant_cost(self, p, *, xp):
        """J = -sum_k p_k log p_k, the entropy of the class frequencies."""
        return -xp.sum(_xlogx(p, xp=xp))

    def dA(self, AL, Y, *, xp):
        """dA_L = -Y / A_L."""
        return -(Y / AL)

    def predict(self, AL, *, xp):
        """The argmax over the K rows: labels (1, m) of the default integer (int64; int32 on JAX without x64)."""
        return xp.astype(xp.argmax(AL, axis=0, keepdims=True), default_int(xp))


SIGMOID = _SigmoidOutput()
SOFTMAX = _SoftmaxOutput()
OUTPUTS = {"sigmoid": SIGMOID, "softmax": SOFTMAX}


def get_output(output: str | OutputLayer) -> OutputLayer:
    """An output layer by name: "sigmoid" or "softmax"."""
    if isinstance(output, OutputLayer):
        return output
    if not is_one_of(output, OUTPUTS):
        raise ValueError(f"unknown output {shown(output)}; expected 'sigmoid' (binary) or 'softmax' (K classes)"
                         f"{did_you_mean(output, OUTPUTS) or '.'}")
    return OUTPUTS[output]


def check_probabilities_dtype(AL: Any, *, xp: Any) -> None:
    """AL holds probabilities: a real floating dtype (what a cost or dA_L computes with)."""
    if not xp.isdtype(AL.dtype, "real floating"):
        raise TypeError(f"AL must hold probabilities as floats (float64 or float32); got dtype {AL.dtype}.")


def output_for(n_y: int, output: str | OutputLayer | None = None) -> OutputLayer:
    """The output layer asked for, else the library's rule: sigmoid for n_y = 1, softmax for n_y > 1."""
    if output is not None:
        out = get_output(output)
        if out is SOFTMAX and n_y < 2:
            raise ValueError(f"a softmax output needs K >= 2 units; the last layer has {n_y}.")
        return out
    return SIGMOID if n_y == 1 else SOFTMAX


# --- labels at the edge ---------------------------------------------------------------------------
def check_label_values(Y, output: OutputLayer, *, xp, name: str = "Y",
                       hint: str = "Pass integer labels (1, m) in 0..K-1 to have them encoded.") -> None:
    """Y (n_y, m) as the output needs it: 0/1 labels for sigmoid (or fractional targets, see
    :func:`check_sigmoid_targets`); one-hot columns for softmax (``name`` and ``hint`` for the
    error: what the caller calls the array, and what to do instead).
    Reads the data (a device sync): run once per call, not per step."""
    if Y.dtype == xp.bool:
        if output is SOFTMAX:
            Y = xp.astype(Y, xp.int8)
        else:
            return
    ok = (Y == 0) | (Y == 1)
    if not holds(xp.all(ok)):
        if output is SIGMOID:
            return check_sigmoid_targets(Y, ok, xp=xp, name=name)
        raise ValueError(f"{name} must hold only 0 and 1 (one-hot columns, (K, m)); found other values, e.g. "
                         f"{first_values(Y, ~ok)}. {hint}")
    if output is SOFTMAX:
        sums = xp.sum(Y, axis=0)
        bad = sums != 1
        if found(xp.any(bad)):
            cols = [int(i) for i in to_numpy(xp.nonzero(bad)[0])[:5]] if hasattr(xp, "nonzero") else []
            raise ValueError(
                f"{name} (K, m) must be one-hot, exactly one 1 in every column; columns {cols} sum to "
                f"{[float(v) for v in to_numpy(sums[bad])[:5]]}. {hint}"  # column by column, repeats kept
            )


def check_sigmoid_targets(Y, ok, *, xp, name: str = "Y") -> None:
    """Values other than 0 and 1 (``ok`` marks those that are) for a sigmoid output.

    Fractional ones are targets: J = -1/m sum(Y log A + (1 - Y) log(1 - A)) and dZ_L = A_L - Y hold
    for any Y, and the course's own check of week 4's two_layer_model trains on Y = randn(1, m).
    Between 0 and 1 they are soft labels; outside, J has no lower bound, which a warning says.
    Whole numbers other than 0 and 1 are class labels, which need a softmax output, and NaN or
    inf no target at all: both are errors."""
    floating = xp.isdtype(Y.dtype, "real floating")
    if floating:
        finite = xp.isfinite(Y)
        if not holds(xp.all(finite)):
            raise ValueError(f"{name} must hold 0/1 labels or finite targets; found {first_values(Y, ~finite)}.")
    whole = ~ok & (Y == xp.round(Y)) if floating else ~ok
    if found(xp.any(whole)):
        raise ValueError(f"{name} must hold 0/1 labels (binary), or fractional targets between them; found other "
                         f"whole numbers, e.g. {first_values(Y, whole)}: class labels 0..K-1 need a softmax "
                         "output of K units.")
    outside = (Y < 0) | (Y > 1)
    if found(xp.any(outside)):
        import warnings

        from .validation import user_stacklevel

        warnings.warn(f"{name} holds targets outside [0, 1], e.g. {first_values(Y, outside)[:3]}: a sigmoid "
                      "output trains on them as the course's equations do (dZ_L = A_L - Y), but the cross-entropy "
                      "then has no lower bound. For classification, give 0/1 labels.", UserWarning,
                      stacklevel=user_stacklevel())


def encode_labels(Y, n_y: int, output: OutputLayer, *, dtype, xp, m: int | None = None, name_out: str = "A_L"):
    """Y as the float (n_y, m) the equations use.

    - sigmoid: Y (n_y, m) of 0/1 (bool or numbers), or fractional targets, checked;
    - softmax: integer labels (1, m) in 0..K-1 are one-hot encoded to (K, m); a (K, m) Y must be
      one-hot already (checked).

    ``m``: the number of examples Y must label (default: Y's own); ``name_out`` names the
    output in the error messages (A2, AL, ...).
    """
    check_labels_dtype(Y, xp=xp)
    shape = tuple(int(s) for s in Y.shape)
    m = (shape[-1] if shape else 0) if m is None else m
    if output is SOFTMAX and n_y > 1 and len(shape) == 2 and shape[0] == 1:
        if xp.isdtype(Y.dtype, "bool"):
            Y = xp.astype(Y, default_int(xp))
        if xp.isdtype(Y.dtype, "real floating"):
            whole = Y == xp.round(Y)
            if not holds(xp.all(whole)):
                raise ValueError(f"labels must be whole numbers 0..{n_y - 1}; found {first_values(Y, ~whole)}.")
        inside = (Y >= 0) & (Y <= n_y - 1)
        if not holds(xp.all(inside)):
            raise ValueError(
                f"labels must be in 0..{n_y - 1} for the {n_y} output units; found {first_values(Y, ~inside)}."
            )
        check_labels_shape(Y, (1, m), name_out=f"{name_out} as labels")
        classes = xp.reshape(xp.arange(n_y, dtype=Y.dtype, device=device_of(Y)), (n_y, 1))
        return xp.astype(classes == Y, dtype)
    check_labels_shape(Y, (n_y, m), name_out=name_out)
    check_label_values(Y, output, xp=xp)
    return Y if Y.dtype == dtype else xp.astype(Y, dtype)


def compute_cost(AL: Any, Y: Any, parameters: ParametersLike | None = None, *, ZL: Any = None,
                 output: str | None = None, Z2: Any = None) -> float:
    """The cross-entropy cost J of the output A_L against the labels Y, as a Python float.

    Parameters
    ----------
    AL : array (n_y, m)
        Output of the network (A2 in week 3): sigmoid(Z_L), or softmax(Z_L) for n_y > 1.
    Y : array (n_y, m)
        True labels: 0/1 (float or bool) for a sigmoid output, or fractional targets (soft labels;
        see :func:`check_sigmoid_targets`); one-hot for softmax.
    parameters : dict, optional
        The earlier week-3 notebooks' third argument, ``compute_cost(A2, Y, parameters)``, which
        their cost never read; taken and not read here either.
    ZL : array (n_y, m), optional, keyword-only
        The logits A_L came from (``cache["Z2"]``; ``Z2=`` is the week-3 spelling). When
        given, the cost is computed from them, exactly and stably, even where A_L rounds
        to 0 or 1.
    output : "sigmoid" or "softmax", optional
        Default: sigmoid for n_y = 1, softmax for n_y > 1.

    Returns
    -------
    cost : float
        As the course's ``compute_cost`` returns it (one device sync on a GPU). The
        training loop keeps its own costs on the device. Inside jax.jit, jax.grad or
        torch.func.grad, where the cost has no value yet, the traced 0-d array (so it can be
        differentiated).

    Examples
    --------
    The course's test case, whose notebook prints ``cost = 0.2797765635793422`` (the last digit is the
    CPU's ``log``):

    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> cost = bnn.compute_cost(np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 0]]))
    >>> type(cost).__name__, round(cost, 12)
    ('float', 0.279776563579)
    """
    from .network import parameters_of  # (here: network imports this module)

    parameters = parameters_of(parameters)
    if parameters is not None and not isinstance(parameters, dict):
        raise TypeError(f"compute_cost(AL, Y, parameters): the third argument is the earlier notebooks' parameters "
                        f"dict, which the cost does not read; got {type(parameters).__name__}. Pass the logits "
                        "as ZL=.")
    if ZL is not None and Z2 is not None:
        raise TypeError("pass the logits once, as ZL= (or the week-3 name Z2=), not both.")
    return cross_entropy(AL, Y, ZL=Z2 if ZL is None else ZL, output=output, door="compute_cost takes (AL, Y)")


def cross_entropy(AL: Any, Y: Any, *, ZL: Any, output: str | None, door: str) -> Any:
    """:func:`compute_cost` of AL, Y and the logits ZL (None: from AL alone) after its arguments' types; ``door``
    names the function a learner called and its argument order, for the error of swapped arguments."""
    arrays = {"AL": AL, "Y": Y} if ZL is None else {"AL": AL, "Y": Y, "ZL": ZL}
    xp = namespace_of(**arrays)
    if len(AL.shape) != 2:
        hint = " — did you mean AL.reshape(1, -1)?" if len(AL.shape) == 1 else ""
        raise ValueError(f"AL must be 2-D (n_y, m), examples as columns; got shape {tuple(AL.shape)}{hint or '.'}")
    check_probabilities_dtype(AL, xp=xp)
    if int(AL.shape[1]) == 0:
        raise ValueError(f"AL has shape {tuple(AL.shape)}: there are no examples (m = 0) to average the cost over.")
    if ZL is not None and tuple(ZL.shape) != tuple(AL.shape):
        raise ValueError(f"ZL must have the shape of AL, {tuple(AL.shape)}; got {tuple(ZL.shape)}.")
    out = output_for(int(AL.shape[0]), output)
    if ZL is None:
        inside = (AL >= 0) & (AL <= 1)
        if not holds(xp.all(inside)):
            n_nan = int(count_true(xp.isnan(AL), xp))
            where = (f" ({n_nan} NaN: the forward pass met a NaN or inf in X or the parameters)" if n_nan else "")
            raise ValueError(f"AL must hold probabilities in [0, 1]; found {first_values(AL, ~inside)}{where}.")
        if out is SOFTMAX:  # the categorical cost of columns that are no distribution is no cross-entropy
            tol = 1e-3 if xp.finfo(AL.dtype).bits < 64 else 1e-6
            sums = xp.sum(AL, axis=0)
            off = xp.abs(sums - 1) > tol
            if found(xp.any(off)):
                raise ValueError(
                    f"AL {tuple(AL.shape)} is a softmax output over {int(AL.shape[0])} classes: each column must sum "
                    f"to 1; {int(count_true(off, xp))} column(s) do not, e.g. sums {first_values(sums, off)}. "
                    "A sigmoid per unit is no softmax: compute AL with linear_activation_forward(..., 'softmax') "
                    "(or pass output='sigmoid' for independent 0/1 labels per row)."
                    + (" Or is AL one probability per example as a column? Examples are columns: pass AL.T (and Y.T)."
                       if int(AL.shape[1]) == 1 else ""))
    swapped = f"AL holds only 0s and 1s: did you swap them? {door}, the output first."
    try:
        Yf = encode_labels(Y, int(AL.shape[0]), out, dtype=AL.dtype, xp=xp, m=int(AL.shape[1]), name_out="AL")
    except ValueError as exc:
        if tuple(Y.shape) == tuple(AL.shape) and bool(xp.all((AL == 0) | (AL == 1))):
            raise ValueError(f"{exc} {swapped}") from None
        raise
    if out is SIGMOID and found(xp.all((AL == 0) | (AL == 1))) and not holds(xp.all((Yf == 0) | (Yf == 1))):
        # fractional targets are taken (soft labels); against outputs of exactly 0 and 1 they are the probabilities
        raise ValueError(f"Y holds values between 0 and 1 (targets) where {swapped}")
    cost = out.cost_from_probabilities(AL, Yf, xp=xp) if ZL is None else out.cost_from_logits(ZL, Yf, xp=xp)
    if has_no_value_yet(cost):  # inside jax.jit, jax.grad or torch.func.grad a cost has no value to be a float:
        return cost  # the traced 0-d array
    return float(to_numpy(cost))  # to_numpy: a PyTorch cost that tracks gradients is detached, as a float is
