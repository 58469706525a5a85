"""A network's description, and the parameters that carry it.

:class:`Network` says what a set of parameters *is*: the layer sizes
``layer_dims = [n_x, n_1, ..., n_L]``, the activation of each hidden layer and
the output layer (sigmoid or softmax). :class:`Parameters` is the dict of
arrays ``{"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL", "bL"}`` that the training
functions return, with its Network attached; ``copy()``, ``copy.copy``,
``copy.deepcopy``, pickling and :func:`backend_nn.save_model` keep it.

Where a description is needed and a plain dict arrives (``dict(params)`` drops
it), :func:`network_of` never guesses silently: an explicit ``activation=``
describes it; the week-3 functions take a plain two-layer dict with one sigmoid
unit as the course's week-3 network (tanh, sigmoid) and say so in a warning;
anything else is refused.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Generic, Sequence, TypeVar, cast, overload

from .backend import register_pytree
from .activations import HIDDEN_ACTIVATIONS, Activation, check_not_a_function, get_activation
from .outputs import OutputLayer, output_for
from .validation import (at_default, check_layer_dims, check_parameters, in_course_order, is_one_of, ordered_list,
                         shown, user_stacklevel)

__all__ = ["Network", "Parameters", "ParametersLike", "TrainingResult", "network_of", "parameters_of",
           "hidden_activations"]

#: leaky_relu's slope where none is given (the course's 0.01).
DEFAULT_SLOPE = 0.01


def hidden_activations(
    activation: Any, n_hidden: int, *, negative_slope: float = DEFAULT_SLOPE
) -> tuple[Activation, ...]:
    """One Activation per hidden layer, from one name (for all of them) or a list of names."""
    check_not_a_function(activation, HIDDEN_ACTIVATIONS)
    if isinstance(activation, (str, Activation)):
        acts = tuple(get_activation(activation, negative_slope=negative_slope, hidden=True) for _ in range(n_hidden))
    else:
        names = ordered_list(activation, "activation", "a name or a list of names, one per hidden layer, in order")
        if len(names) != n_hidden:
            raise ValueError(
                f"activation lists {len(names)} activation(s) but the network has {n_hidden} hidden layer(s); "
                "give one name for all of them or one per hidden layer."
            )
        acts = tuple(get_activation(a, negative_slope=negative_slope, hidden=True) for a in names)
    if not any(a.name == "leaky_relu" for a in acts):
        _refuse_unused_slope(negative_slope, acts)
    return acts


def _refuse_unused_slope(negative_slope: Any, hidden: tuple[Activation, ...]) -> None:
    """A negative_slope other than the default, where no hidden layer is leaky_relu: it would be dropped in
    silence."""
    if not at_default(negative_slope, DEFAULT_SLOPE):
        raise ValueError(f"negative_slope={shown(negative_slope)} is leaky_relu's slope, but the hidden layers are "
                         f"{[a.label for a in hidden]}: leave negative_slope unset, or use activation='leaky_relu'.")


@dataclass(frozen=True)
class Network:
    """layer_dims [n_x, n_1, ..., n_L], the hidden activations g_1 .. g_{L-1}, the output layer.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> net = bnn.Network.build([2, 4, 1], "tanh")     # week 3's network
    >>> print(net)
    [2, 4, 1], hidden tanh, output sigmoid
    >>> print(bnn.Network.build([64, 32, 16, 10], ["relu", "tanh"]))      # 10 outputs: softmax
    [64, 32, 16, 10], hidden relu, tanh, output softmax
    """

    layer_dims: tuple[int, ...]
    hidden: tuple[Activation, ...]
    output: OutputLayer

    def __post_init__(self) -> None:
        """A Network made directly, ``Network(layer_dims, hidden, output)``, holds what :meth:`build` makes:
        positive sizes, one Activation per hidden layer, an output layer that fits n_L (names are looked up as
        build looks them up). Unchecked, ``Network((2, 3, 1), (), SIGMOID)`` failed inside a step with
        "tuple index out of range"."""
        if self.output is None:
            raise TypeError("output must be an output layer, 'sigmoid' or 'softmax'; got None (Network.build "
                            "chooses one from n_L).")
        dims = tuple(check_layer_dims(self.layer_dims))
        hidden = hidden_activations(self.hidden, len(dims) - 2)
        output = output_for(dims[-1], self.output)
        for name, value in (("layer_dims", dims), ("hidden", hidden), ("output", output)):
            object.__setattr__(self, name, value)  # frozen: set once, here

    @classmethod
    def build(cls, layer_dims: Sequence[int], activation: Any = "relu", output: Any = None, *,
              negative_slope: float = DEFAULT_SLOPE) -> "Network":
        dims = tuple(check_layer_dims(layer_dims))
        hidden = hidden_activations(activation, len(dims) - 2, negative_slope=negative_slope)
        return cls(dims, hidden, output_for(dims[-1], output))

    @property
    def L(self) -> int:
        """The number of layers with parameters (the course's L = len(parameters) // 2)."""
        return len(self.layer_dims) - 1

    def __str__(self) -> str:
        names = [a.label for a in self.hidden]
        if names and len(set(names)) == 1:
            hidden = f"{names[0]} x{len(names)}" if len(names) > 1 else names[0]
        else:
            hidden = ", ".join(names) or "none"
        return f"{list(self.layer_dims)}, hidden {hidden}, output {self.output.name}"


class Parameters(dict):
    """``{"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL", "bL"}`` with its :class:`Network`.

    A dict in every other way, so the course's code that indexes
    ``parameters["W1"]`` works unchanged; ``.network`` says what the arrays are.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters, costs = bnn.nn_model(X, Y, 4, num_iterations=1000)
    >>> parameters
    Parameters({W1: (4, 2), b1: (4, 1), W2: (1, 4), b2: (1, 1)}, network=[2, 4, 1], hidden tanh, output sigmoid)
    >>> parameters["W1"].shape, list(parameters)
    ((4, 2), ['W1', 'b1', 'W2', 'b2'])
    >>> print(parameters.network)
    [2, 4, 1], hidden tanh, output sigmoid
    """

    def __init__(self, *args: Any, network: Network, training_state: dict | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ordered = in_course_order(self)  # whatever built them: printing or iterating differed by backend
        if ordered is not self:
            self.clear()
            self.update(ordered)
        if not isinstance(network, Network):
            raise TypeError(f"network must be a backend_nn.Network; got {type(network).__name__}.")
        self.network = network
        #: Where training can resume from, when the epoch loop trained them: {"optimizer": name,
        #: "epochs": epochs done, and the optimizer's state ("v", "s", "t")}; None otherwise.
        self.training_state = training_state
        register_pytree(Parameters)  # where JAX or PyTorch is imported: jax.jit, torch.func take them as a dict

    def copy(self) -> "Parameters":
        """A shallow copy that keeps the description (``dict.copy`` would drop it)."""
        return Parameters(self, network=self.network, training_state=self.training_state)

    def __or__(self, other: Any) -> Any:
        """``parameters | {"W1": W1}``: a copy with those entries replaced, keeping the description
        (``dict.__or__`` would drop it)."""
        if not isinstance(other, dict):
            return NotImplemented
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other: Any) -> Any:
        """``{...} | parameters``: the parameters' entries win, and their description stays."""
        if not isinstance(other, dict):
            return NotImplemented
        return Parameters({**other, **self}, network=self.network, training_state=self.training_state)

    @classmethod
    def fromkeys(cls, iterable: Any, value: Any = None) -> dict:
        """A plain dict: keys alone describe no network."""
        return dict.fromkeys(iterable, value)

    def __reduce__(self):
        return (_rebuild, (dict(self), self.network, self.training_state))

    @property
    def activation(self) -> Activation:
        """The hidden activation, where every hidden layer has the same one."""
        acts = set(self.network.hidden)
        if len(acts) != 1:
            raise AttributeError("the hidden layers have different activations: see parameters.network.hidden.")
        return next(iter(acts))

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}: {tuple(v.shape) if hasattr(v, 'shape') else type(v).__name__}"  # an edit's int too
                           for k, v in self.items())
        return f"Parameters({{{shapes}}}, network={self.network})"


def _rebuild(items: dict, network: Network, training_state: dict | None = None) -> Parameters:
    return Parameters(items, network=network, training_state=training_state)


Costs = TypeVar("Costs")  # what a model records: nn_model an ndarray, L_layer_model 0-d arrays, model floats


class TrainingResult(tuple[Parameters, Costs], Generic[Costs]):
    """``(parameters, costs)``, as nn_model, L_layer_model and model return them: a plain pair,
    ``parameters, costs = nn_model(...)``, whose two parts are also named, ``result.parameters`` and
    ``result.costs``.

    The course's nn_model and model return the parameters alone, so a notebook keeps the result whole:
    ``parameters = nn_model(...)``, then ``parameters["W1"]`` and ``predict(parameters, X)``. Kept whole, it
    serves as those parameters: a parameter's name indexes them (``"W1" in result``, ``keys()``,
    ``items()``, ``values()``, ``get()`` too), and every function that takes parameters takes it. Its
    ``len()``, iteration and integer indices stay the pair's.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> result = bnn.nn_model(X, Y, 4, num_iterations=1000)
    >>> parameters, costs = result                     # the pair
    >>> result.parameters is parameters, len(result.costs)
    (True, 10)
    >>> result["W1"].shape                             # kept whole, it serves as its parameters
    (4, 2)
    """

    def __new__(cls, parameters: Parameters, costs: Costs) -> TrainingResult[Costs]:
        return super().__new__(cls, (parameters, costs))

    def __getnewargs__(self) -> tuple:
        return tuple(self)

    @property
    def parameters(self) -> Parameters:
        """The trained parameters, ``result[0]``."""
        return cast(Parameters, tuple.__getitem__(self, 0))

    @property
    def costs(self) -> Costs:
        """The recorded costs, ``result[1]``."""
        return cast(Costs, tuple.__getitem__(self, 1))

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):  # the course's parameters = nn_model(...); parameters["W1"]
            return self.parameters[key]
        return super().__getitem__(key)

    def __contains__(self, key: Any) -> bool:
        return key in self.parameters if isinstance(key, str) else super().__contains__(key)

    def keys(self) -> Any:
        return self.parameters.keys()

    def values(self) -> Any:
        return self.parameters.values()

    def items(self) -> Any:
        return self.parameters.items()

    def get(self, key: str, default: Any = None) -> Any:
        return self.parameters.get(key, default)


#: What a function that takes parameters takes: a dict of W1, b1, ..., WL, bL (a model's Parameters among
#: them), or a model's result kept whole (``parameters = nn_model(...)``).
ParametersLike = dict | TrainingResult[Any]


@overload
def parameters_of(value: ParametersLike) -> dict: ...
@overload
def parameters_of(value: Any) -> Any: ...
def parameters_of(value: Any) -> Any:
    """The parameters of a model's result kept whole (``parameters = nn_model(...)``, as the course's
    models return the parameters alone); anything else as it is. Each function that takes parameters
    reads them through this."""
    return value.parameters if isinstance(value, TrainingResult) else value


def network_of(parameters: Any, activation: Any = None, output: Any = None, *, negative_slope: float = DEFAULT_SLOPE,
               week3: bool = False) -> Network:
    """The description of ``parameters``: theirs, or the one ``activation=`` (and ``output=``) give.

    A plain dict (no description) with no ``activation`` is taken as the course's week-3
    network (tanh hidden layer, sigmoid output) only by the week-3 functions (``week3=True``),
    only where it has that shape (two layers, one output unit), and with a warning; otherwise
    it is refused with an error that says what to pass.
    """
    dims = check_parameters(parameters)
    if isinstance(parameters, Parameters):
        net = parameters.network
        if tuple(dims) != net.layer_dims:
            raise ValueError(f"the parameters' layer sizes {dims} are not their network's {list(net.layer_dims)}.")
        if activation is None and not at_default(negative_slope, DEFAULT_SLOPE):
            names = [a if a.name != "leaky_relu" else "leaky_relu" for a in net.hidden]  # with the slope asked for
            if hidden_activations(names, len(dims) - 2, negative_slope=negative_slope) != net.hidden:
                raise ValueError(f"negative_slope={shown(negative_slope)} was asked for, but these parameters were "
                                 f"trained with {[a.label for a in net.hidden]}; leave negative_slope unset to use "
                                 "theirs.")
        if activation is not None:
            asked = hidden_activations(activation, len(dims) - 2, negative_slope=negative_slope)
            if asked != net.hidden:
                raise ValueError(
                    f"activation={[a.label for a in asked]} was asked for, but these parameters were trained with "
                    f"{[a.label for a in net.hidden]}; leave activation unset to use theirs."
                )
        if output is not None and output_for(dims[-1], output) != net.output:
            raise ValueError(f"output={shown(output)} was asked for, but these parameters have a {net.output.name} "
                             "output.")
        return net
    if activation is None:
        if week3 and len(dims) == 3 and dims[-1] == 1 and (output is None or is_one_of(output, ("sigmoid",))):
            warnings.warn(
                "a plain dict of parameters does not say its activations; it is taken as the course's week-3 "
                "network (tanh hidden layer, sigmoid output). Pass activation=... to say which, or keep the "
                "Parameters that training returned (their .copy() keeps the description; dict(...) drops it).",
                UserWarning, stacklevel=user_stacklevel(),
            )
            activation = "tanh"
        else:
            raise ValueError(
                f"a plain dict of parameters (layer sizes {dims}) does not say its activations: pass activation= "
                "(one name or one per hidden layer) and, where it matters, output=, or use the Parameters that "
                "training returned (their .copy() keeps the description; dict(...) drops it)."
            )
    return Network.build(dims, activation, output, negative_slope=negative_slope)
