"""The parameters container: W1, b1, ..., WL, bL, and the activation they belong to."""

from __future__ import annotations

from typing import Any

from .activations import Activation, get_activation

__all__ = ["Parameters", "resolve_activation"]


class Parameters(dict):
    """A dict ``{"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL", "bL"}`` that remembers
    the hidden activation it was trained with, so that ``predict`` cannot pair
    ReLU-trained weights with tanh by accident.

    It is a plain dict in every other way: the course's code that indexes
    ``parameters["W1"]`` works unchanged.
    """

    def __init__(self, *args: Any, activation: Activation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.activation = activation

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}: {tuple(v.shape)}" for k, v in self.items())
        act = self.activation.name if self.activation is not None else None
        return f"Parameters({{{shapes}}}, activation={act!r})"


def resolve_activation(parameters: Any, activation: Any, negative_slope: float) -> Activation:
    """The hidden activation: the one asked for, else the one the parameters remember, else tanh."""
    remembered = getattr(parameters, "activation", None)
    if activation is None:
        return remembered if remembered is not None else get_activation("tanh")
    act = get_activation(activation, negative_slope=negative_slope)
    if remembered is not None and act != remembered:
        raise ValueError(
            f"activation={act.name!r} (slope {act.negative_slope}) was asked for, but these parameters were "
            f"trained with {remembered.name!r} (slope {remembered.negative_slope}); leave activation unset to use it."
        )
    return act
