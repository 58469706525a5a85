"""PyTorch's optional fast path (accelerate/torch_lines.py): dZ_l of a relu or leaky-relu hidden layer
by ATen's one-pass backward operation.

Its values must be the generic line's exactly (rtol 0): dA or dA * slope where the generic line
multiplies by 1 or by the slope, and 0 where it multiplies by 0 (the zeros' signs are the course's
relu_backward's). A training run on the path must equal the generic run to the bit, full batch and
mini-batch, since a zero's sign never reaches a weight.
"""

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.accelerate import choose_epochs, choose_runner
from backend_nn.backend import get_namespace
from backend_nn.network import Network
from backend_nn.optimizers import get_optimizer
from backend_nn.propagation import GENERIC_LINES
from backend_nn.regularization import Dropout
from conftest import assert_lines_match, torch_device_params

torch = pytest.importorskip("torch", reason="PyTorch is not installed")
from backend_nn.accelerate.torch_lines import TorchLines  # noqa: E402

xp = get_namespace("torch")


def _softmax_problem(dims, m, dtype, seed=3, device="cpu"):
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m)
    labels = rng.randint(0, dims[-1], size=m)
    Y = (np.arange(dims[-1])[:, None] == labels[None, :]) * 1.0 if dims[-1] > 1 else (X[:1] * X[-1:] > 0) * 1.0
    p = bnn.initialize_parameters_deep(dims, seed=seed, init="he", dtype=dtype)
    return (torch.asarray(X.astype(dtype), device=device), torch.asarray(Y.astype(dtype), device=device),
            {k: torch.asarray(v, device=device) for k, v in p.items()})


@pytest.mark.parametrize("device", torch_device_params())
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "leaky_relu(0.2)", ["relu", "tanh"], ["tanh", "relu"]])
@pytest.mark.parametrize("dims", [[5, 40, 30, 4], [6, 17, 9, 1]])
def test_torch_lines_match_the_generic_lines(dims, activation, dtype, device):
    """Every gradient and cache the generic lines' values exactly, softmax and sigmoid outputs, also with the
    1/m taken in dZ_L (course 2's order); a tanh layer takes the generic line. On the CPU and on CUDA."""
    X, Y, p = _softmax_problem(dims, 301, dtype, device=device)
    if activation == "leaky_relu(0.2)":
        activation = bnn.get_activation("leaky_relu", negative_slope=0.2)
    net = Network.build(dims, activation)
    for mean_in_dZ in (False, True):
        assert_lines_match(p, X, Y, net, TorchLines(), xp=xp, rtol=0, atol=0, mean_in_dZ=mean_in_dZ)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_relu_zeros_are_the_course_relu_backward_bit_for_bit(activation):
    """Where Z <= 0 (exactly 0 and -0 included), relu's dZ is +0 as the course's relu_backward writes it
    (``dZ = np.array(dA, copy=True); dZ[Z <= 0] = 0``), bit for bit; leaky relu's is dA * slope; elsewhere dA."""
    rng = np.random.RandomState(0)
    Z = rng.randn(7, 50)
    Z[0, :4], Z[1, :4] = 0.0, -0.0
    dA = rng.randn(7, 50)
    g = bnn.get_activation(activation)
    dZ, db = TorchLines().through(torch.asarray(dA), torch.asarray(Z), None, g, xp=xp, inv_m=1 / 50)
    course = np.array(dA, copy=True)
    course[Z <= 0] = 0 if activation == "relu" else dA[Z <= 0] * 0.01
    np.testing.assert_array_equal(dZ.numpy().view(np.int64), course.view(np.int64))
    _, db_generic = GENERIC_LINES.through(torch.asarray(dA), torch.asarray(Z), None, g, xp=xp, inv_m=1 / 50)
    assert torch.equal(db, db_generic)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh"])
def test_with_dropout_the_values_are_the_generic_line_s(activation):
    """dA * D / keep_prob first (layer 2's masks, so the right layer's are read), then g' from Z."""
    rng = np.random.RandomState(1)
    Z, dA = torch.asarray(rng.randn(6, 40)), torch.asarray(rng.randn(6, 40))
    g = bnn.get_activation(activation)
    masks = [torch.asarray((rng.rand(6, 40) < 0.8) * 1.0) for _ in range(2)]
    A = g(Z, xp=xp) * masks[1] / 0.8  # the dropped-out activation, as the forward pass caches it
    dropout = Dropout(0.8, masks)
    fast = TorchLines().through(dA.clone(), Z, A, g, xp=xp, inv_m=1 / 40, dropout=dropout, l=2)
    generic = GENERIC_LINES.through(dA.clone(), Z, A, g, xp=xp, inv_m=1 / 40, dropout=dropout, l=2)
    for a, b in zip(fast, generic, strict=True):
        assert torch.equal(a, b)
    assert torch.all(fast[0][masks[1] == 0] == 0)


def test_the_default_takes_the_torch_lines_for_relu_networks_and_says_why_not_otherwise():
    X, Y, p = _softmax_problem([5, 12, 3], 64, "float64")
    relu, tanh = Network.build([5, 12, 3], "relu"), Network.build([5, 12, 3], "tanh")
    kw = dict(learning_rate=0.1, xp=xp)
    assert choose_runner(p, X, Y, net=relu, compile="auto", **kw)[1].path == "torch lines"
    assert choose_runner(p, X, Y, net=relu, compile=False, **kw)[1].path == "eager"
    choice = choose_runner(p, X, Y, net=tanh, compile="auto", **kw)[1]
    assert choice.path == "eager" and ("torch lines", "takes hidden activations ['leaky_relu', 'relu']") in \
        choice.passed_over, choice
    momentum = get_optimizer("momentum")
    epochs = choose_epochs(net=relu, optimizer=momentum, xp=xp, slices=[slice(0, 32), slice(32, 64)],
                           compile="auto")[1]
    assert epochs.path == "torch lines epochs" and epochs.passed_over[0][0] == "torch.compile steps", epochs
    epochs = choose_epochs(net=tanh, optimizer=momentum, xp=xp, slices=[slice(0, 64)], compile="auto")[1]
    assert epochs.path == "eager" and epochs.passed_over[-1][0] == "torch lines epochs", epochs
    assert choose_epochs(net=relu, optimizer=momentum, xp=xp, slices=[slice(0, 64)], compile=False)[1].path == "eager"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_training_on_the_torch_lines_equals_the_generic_run_bit_for_bit(dtype):
    """L_layer_model (full batch) and model (mini-batch momentum; with L2, and with dropout), default against
    compile=False: the same costs and parameters to the last bit. (With Adam the default's update is PyTorch's
    fused kernel, which rounds otherwise: test_torch_adam.py.)"""
    X, Y = bnn.load_dataset("digits")
    X, Y = X[:, :400], Y[:, :400]
    kw = dict(learning_rate=0.05, num_iterations=60, backend="torch", dtype=dtype)
    p_fast, c_fast = bnn.L_layer_model(X, Y, [64, 24, 12, 10], **kw)
    p_eager, c_eager = bnn.L_layer_model(X, Y, [64, 24, 12, 10], compile=False, **kw)
    np.testing.assert_array_equal(bnn.to_numpy(c_fast), bnn.to_numpy(c_eager))
    for k in p_eager:
        np.testing.assert_array_equal(bnn.to_numpy(p_fast[k]), bnn.to_numpy(p_eager[k]), err_msg=k)
    for extra in (dict(lambd=0.1, activation="leaky_relu"), dict(keep_prob=0.8)):
        kw = dict(optimizer="momentum", mini_batch_size=64, num_epochs=3, backend="torch", dtype=dtype,
                  print_cost=False, cost_every=1, **extra)
        (p_fast, c_fast), (p_eager, c_eager) = (bnn.model(X, Y, [64, 20, 16, 10], compile=c, **kw)
                                                for c in ("auto", False))
        np.testing.assert_array_equal(c_fast, c_eager)
        for k in p_eager:
            np.testing.assert_array_equal(bnn.to_numpy(p_fast[k]), bnn.to_numpy(p_eager[k]), err_msg=f"{extra} {k}")
