"""PyTorch: the backward line into a relu or leaky-relu hidden layer as one ATen operation.

The generic line dZ_l = dA_l * g'(Z_l) is three passes on PyTorch: Z_l > 0 (a bool tensor), its
cast to the float dtype, and the product. PyTorch's CPU kernels for the first two are slow: on the
2-core development VM, float32, 380 µs at (512, 1024) and 94 ms at (512, 60,000), where ATen's own
backward operation takes 112 µs and 33 ms. ATen has one for each kinked activation, and they give
the generic line's values:

- relu: ``threshold_backward(dA, Z, 0)``, dA where Z > 0, else 0; the generic line has dA * 1 and
  dA * 0 there.
- leaky relu: ``leaky_relu_backward(dA, Z, slope, False)``, dA where Z > 0, else dA * slope; the
  generic line has dA * 1 and dA * (0 + slope * 1), the same product.

So the same bits everywhere but in the zeros a relu unit gets where Z <= 0: ATen writes +0, as the
course's relu_backward does (``dZ[Z <= 0] = 0``), where the generic product is -0 for a negative
dA and NaN for an infinite or NaN one. A zero's sign never reaches a weight (W - lr * (-0) is W), and
a non-finite dA_l = W_{l+1}^T dZ_{l+1} comes of a diverging run, which the training loop reports from
its weights. db_l is the generic line's own sum. Tested against the generic lines.

:class:`TorchLines` takes the generic line wherever this one does not apply (tanh and the other
activations, whose ATen backward ops round differently from the course's formulas).
"""

from __future__ import annotations

from typing import Any

from ..network import Network
from ..propagation import Lines, _db
from ..step import Runner, eager_runner
from . import ATEN_LINE_ACTS

__all__ = ["TorchLines", "lines_runner"]


def _aten_dZ(dA: Any, Z: Any, g: Any) -> Any:
    """dZ = dA * g'(Z) for relu or leaky relu, by ATen's backward operation (one pass)."""
    import torch

    if g.name == "relu":
        return torch.ops.aten.threshold_backward(dA, Z, 0)
    return torch.ops.aten.leaky_relu_backward(dA, Z, g.negative_slope, False)


class TorchLines(Lines):
    """The generic lines, with dZ_l of a relu or leaky-relu hidden layer made by ATen in one pass."""

    name = "torch lines"

    def through(self, dA, Z, A, g, *, xp, inv_m, dropout=None, l=0):
        """dZ_l = dA_l * g'(Z_l) in one ATen operation (with dropout, dA_l * D_l / keep_prob first, as the
        generic line takes it; g' reads Z_l, which dropout leaves alone), db_l = sum(dZ_l) / m (the generic
        sum); for another activation, the generic line."""
        if g.name not in ATEN_LINE_ACTS or Z is None:
            return super().through(dA, Z, A, g, xp=xp, inv_m=inv_m, dropout=dropout, l=l)
        if dropout is not None:
            dA = dropout.backward(dA, l)
        dZ = _aten_dZ(dA, Z, g)
        return dZ, _db(dZ, inv_m, xp=xp)


def lines_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
                 mean_in_dZ: bool = False) -> Runner:
    """The generic eager step with :class:`TorchLines`."""
    return eager_runner(parameters, X, Y, net=net, learning_rate=learning_rate, xp=xp, lines=TorchLines(),
                        mean_in_dZ=mean_in_dZ)
