"""PyTorch: Adam's update as PyTorch's own fused kernel (``torch.optim``'s ``fused=True``), in the eager epochs.

The course's Adam (:class:`~backend_nn.optimizers.Adam`) is 14 elementwise operations a parameter:
on the deep network's six parameters one update took 1.0-1.3 ms on the 2-core VM (float32), where
PyTorch's fused kernel, one pass a parameter, took 0.27. It computes the same equations with the
course's hyperparameters and placement of epsilon,

    v := beta1 v + (1 - beta1) dW;   s := beta2 s + (1 - beta2) dW^2;   t := t + 1
    W := W - (alpha / (1 - beta1^t)) v / (sqrt(s) / sqrt(1 - beta2^t) + epsilon)

which is the course's W - alpha v^ / (sqrt(s^) + epsilon) rearranged, so it rounds differently:
float64 runs agree with the course's expression to about 1e-13 after 200 updates, float32 ones as
two correct float32 Adams do (an entry whose gradient is round-off moves by up to 2 alpha). So it
is a fast path beside the course's expression (``compile=False`` keeps that one), tested against it.

The state is the course's, ``{"v": {"dW1": ...}, "s": {...}, "t": int}``, updated in place: the
fused kernel writes v and s where the course's update keeps them, and t counts as before (PyTorch
counts in a float32 step tensor made from t for each update, exact to 2^24 updates).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..optimizers import Adam, update_count

__all__ = ["FusedAdam", "FUSED_DEVICES"]

#: The devices whose fused Adam kernel this path uses (CUDA's is ``torch.optim.Adam(fused=True)``'s own; its tests are
#: marked gpu and have not yet run on one); on any other the update is the course's expression.
FUSED_DEVICES = frozenset({"cpu", "cuda"})


@dataclass(frozen=True)
class FusedAdam(Adam):
    """:class:`~backend_nn.optimizers.Adam` whose in-place update is PyTorch's fused Adam kernel on the CPU and
    CUDA, where every parameter, gradient and state array is C-contiguous. Otherwise (the pure update,
    ``inplace=False``, another device, a transposed parameter) it is the course's expression: the fused kernel
    pairs the elements of its arrays in memory order, and gave a transposed W1 a wrong update (tested)."""

    @classmethod
    def of(cls, adam: Adam) -> FusedAdam:
        return cls(adam.beta1, adam.beta2, adam.epsilon)

    def update(self, parameters, grads, state, *, learning_rate, inplace=False, xp=None):
        keys = list(parameters)
        P, G = [parameters[k] for k in keys], [grads["d" + k] for k in keys]
        V, S = [state["v"]["d" + k] for k in keys], [state["s"]["d" + k] for k in keys]
        if not inplace or P[0].device.type not in FUSED_DEVICES or not all(
                a.is_contiguous() for a in (*P, *G, *V, *S)):  # the kernel pairs the arrays' elements in memory order
            return super().update(parameters, grads, state, learning_rate=learning_rate, inplace=inplace, xp=xp)
        import torch
        from torch.optim.adam import adam

        t = update_count(state["t"])
        steps = [torch.full((), t, dtype=torch.float32, device=p.device) for p in P]  # adam() counts them up first
        adam(P, G, V, S, [], steps, fused=True, amsgrad=False, beta1=self.beta1, beta2=self.beta2,
             lr=float(learning_rate), weight_decay=0.0, eps=self.epsilon, maximize=False)
        state["t"] = t + 1
        return parameters, state
