"""PyTorch's default Adam in the eager epochs (accelerate/torch_adam.py): the course's equations as PyTorch's
fused kernel, which rounds otherwise than the course's expression. Against the course's Adam: float64 to
rtol 1e-12 over 50 updates, float32 to rtol 1e-5 over 5 (each relative to the array's largest entry where an
entry is near 0; Adam's float32 runs part as two correct ones do after that); the state is the course's, updated
in place; compile=False keeps the course's expression."""

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.accelerate import choose_epochs
from backend_nn.backend import get_namespace
from backend_nn.network import Network
from backend_nn.optimizers import Adam, Momentum, get_optimizer
from conftest import torch_device_params

torch = pytest.importorskip("torch", reason="PyTorch is not installed")
from backend_nn.accelerate.torch_adam import FusedAdam  # noqa: E402

xp = get_namespace("torch")


def _parameters(dtype, seed=0, device="cpu"):
    rng = np.random.RandomState(seed)
    shapes = {"W1": (30, 12), "b1": (30, 1), "W2": (4, 30), "b2": (4, 1)}
    return {k: torch.asarray(rng.randn(*s).astype(dtype), device=device) for k, s in shapes.items()}, rng


@pytest.mark.parametrize("device", torch_device_params())
@pytest.mark.parametrize("dtype, updates, rtol", [("float64", 50, 1e-12), ("float32", 5, 1e-5)])
def test_fused_adam_follows_the_course_adam(dtype, updates, rtol, device):
    """On the CPU and on CUDA (each its own fused kernel)."""
    course, fused = Adam(0.8, 0.99, 1e-7), FusedAdam.of(Adam(0.8, 0.99, 1e-7))
    p_course, rng = _parameters(dtype, device=device)
    p_fused = {k: v.clone() for k, v in p_course.items()}
    s_course, s_fused = course.init(p_course), fused.init(p_fused)
    v_before = {k: v for k, v in s_fused["v"].items()}
    for _ in range(updates):
        grads = {"d" + k: torch.asarray(rng.randn(*v.shape).astype(dtype), device=device)
                 for k, v in p_course.items()}
        p_course, s_course = course.update(p_course, grads, s_course, learning_rate=0.01, inplace=True, xp=xp)
        out, s_fused = fused.update(p_fused, grads, s_fused, learning_rate=0.01, inplace=True, xp=xp)
        assert out is p_fused
    assert s_fused["t"] == s_course["t"] == updates and isinstance(s_fused["t"], int)
    for k in p_course:
        assert s_fused["v"]["d" + k] is v_before["d" + k], "v is written where the course's update keeps it"
        for got, want in ((p_fused[k], p_course[k]), (s_fused["v"]["d" + k], s_course["v"]["d" + k]),
                          (s_fused["s"]["d" + k], s_course["s"]["d" + k])):
            assert got.dtype == want.dtype
            got, want = got.cpu().numpy(), want.cpu().numpy()
            scale = float(np.abs(want).max())  # an entry near 0 holds the round-off of larger ones
            np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale, err_msg=k)


def test_the_pure_update_is_the_course_expression():
    p, rng = _parameters("float64")
    grads = {"d" + k: torch.asarray(rng.randn(*v.shape)) for k, v in p.items()}
    adam, fused = Adam(), FusedAdam.of(Adam())
    state = {"v": {k: torch.asarray(rng.rand(*v.shape)) for k, v in grads.items()},
             "s": {k: torch.asarray(rng.rand(*v.shape)) for k, v in grads.items()}, "t": 3}
    want, want_state = adam.update(p, grads, state, learning_rate=0.01, xp=xp)
    got, got_state = fused.update(p, grads, state, learning_rate=0.01, xp=xp)
    for k in want:
        assert torch.equal(got[k], want[k])
    assert got_state["t"] == want_state["t"] == 4 and state["t"] == 3


def _assert_three_updates_equal(p, q, grads):
    """3 in-place updates of p by the course's Adam and of q by FusedAdam: the same bits."""
    adam, fused = Adam(), FusedAdam.of(Adam())
    sp, sq = adam.init(p), fused.init(q)
    for _ in range(3):
        adam.update(p, grads, sp, learning_rate=0.01, inplace=True, xp=xp)
        fused.update(q, grads, sq, learning_rate=0.01, inplace=True, xp=xp)
    for k in p:
        assert torch.equal(p[k], q[k]), k


def test_another_device_takes_the_course_expression(monkeypatch):
    from backend_nn.accelerate import torch_adam

    monkeypatch.setattr(torch_adam, "FUSED_DEVICES", frozenset({"cuda"}))  # as if the CPU had no fused kernel
    p, rng = _parameters("float64")
    q = {k: v.clone() for k, v in p.items()}
    grads = {"d" + k: torch.asarray(rng.randn(*v.shape)) for k, v in p.items()}
    _assert_three_updates_equal(p, q, grads)


def test_a_transposed_parameter_takes_the_course_expression():
    """The fused kernel pairs elements in memory order: a W1 stored transposed (as a parameter read from a
    Fortran-ordered file can be), with its state made alike and a C-ordered gradient, got a wrong update
    from it (0.06 off after 3 updates). Such arrays take the course's expression, the same bits."""
    rng = np.random.RandomState(4)
    W = torch.asarray(rng.randn(12, 30)).T
    p, q = ({"W1": W.clone(), "b1": torch.zeros(30, 1, dtype=W.dtype)} for _ in range(2))
    assert not p["W1"].is_contiguous()
    grads = {"dW1": torch.asarray(rng.randn(30, 12)), "db1": torch.asarray(rng.randn(30, 1))}
    _assert_three_updates_equal(p, q, grads)


def test_the_default_epochs_take_it_for_the_course_adam_only():
    relu = Network.build([5, 12, 3], "relu")
    kw = dict(net=relu, xp=xp, slices=[slice(0, 64)])
    assert choose_epochs(optimizer=get_optimizer("adam"), compile="auto", **kw)[1].path == \
        "torch lines epochs, fused adam"
    assert choose_epochs(optimizer=get_optimizer("adam"), compile=False, **kw)[1].path == "eager"
    assert choose_epochs(optimizer=Momentum(), compile="auto", **kw)[1].path == "torch lines epochs"

    class MyAdam(Adam):  # a user's own: its update is left alone
        pass

    assert choose_epochs(optimizer=MyAdam(), compile="auto", **kw)[1].path == "torch lines epochs"


@pytest.mark.parametrize("device", torch_device_params())
@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-10), ("float32", 1e-3)])
def test_model_with_adam_by_default_follows_the_course_expression(dtype, rtol, device):
    """model(optimizer="adam") on PyTorch, default against compile=False, 3 epochs of the digits: the costs and
    parameters to round-off; L2 and a decaying learning rate go through as in the course's run."""
    X, Y = bnn.load_dataset("digits")
    kw = dict(optimizer="adam", mini_batch_size=128, num_epochs=3, lambd=0.05, decay=bnn.update_lr, decay_rate=0.5,
              learning_rate=0.005, backend="torch", device=device, dtype=dtype, print_cost=False, cost_every=1)
    (p_fast, c_fast), (p_eager, c_eager) = (bnn.model(X, Y, [64, 20, 10], compile=c, **kw) for c in ("auto", False))
    np.testing.assert_allclose(c_fast, c_eager, rtol=rtol)
    for k in p_eager:
        np.testing.assert_allclose(bnn.to_numpy(p_fast[k]), bnn.to_numpy(p_eager[k]), rtol=rtol,
                                   atol=rtol * float(np.abs(bnn.to_numpy(p_eager[k])).max()), err_msg=k)
