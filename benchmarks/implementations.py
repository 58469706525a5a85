"""The implementations the benchmark times side by side.

Each ``make_*`` takes a :class:`Problem` (host NumPy data and initial
parameters) and returns an :class:`Impl` whose ``run(k)`` does k full-batch
gradient-descent steps (forward, cost, backward, update) and whose
``params()`` returns the current parameters as NumPy arrays, or raises
:class:`Unavailable` with the reason. ``sync()`` waits for queued device work.
"""

from __future__ import annotations

import argparse
import math
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

import backend_nn as bnn
from backend_nn.network import Network
from backend_nn.step import train_step


class Unavailable(Exception):
    """This implementation cannot run here (library missing, no GPU, ...)."""


#: Seconds of quiet before each timed run. A BLAS thread pool keeps its threads spinning for a
#: while after a call (OpenBLAS about 0.1 s, its THREAD_TIMEOUT), so on a small machine the row
#: timed next shares the cores with them. Measured on 2 cores, mini-batch Adam at (784, 128, 10),
#: batch 1024: backend_nn on PyTorch timed right after a NumPy row took 113 ms an epoch, and 65 ms
#: after a 0.2 s pause; PyTorch by hand, timed after it, 57 and 61 ms.
SETTLE_S = 0.25


# --- the scripts' command lines: a bad value is refused before minutes of timing, not after ---------
def positive_int(text: str) -> int:
    """argparse type: an integer >= 1 (rounds, repeats, batch sizes)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {n}")
    return n


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0 (seconds)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number; got {text!r}") from None
    if not (math.isfinite(x) and x > 0):
        raise argparse.ArgumentTypeError(f"expected a positive, finite number; got {text}")
    return x


def results_file(text: str) -> Path:
    """argparse type for --out: a file whose folder is made now, so that a path that cannot be written
    fails at once rather than after the run (whose results would be lost)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} is a folder; give a file name in it (results.json)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot make the folder {path.parent}: {exc.strerror or exc}") from None
    if not os.access(path.parent, os.W_OK):
        raise argparse.ArgumentTypeError(f"the folder {path.parent} is not writable")
    return path


def settle(seconds: float = SETTLE_S) -> None:
    """Wait ``seconds`` (untimed) so that the previous row's idle threads stop spinning."""
    if seconds:
        time.sleep(seconds)


@dataclass
class Problem:
    n_x: int
    n_h: int
    m: int
    dtype: str
    learning_rate: float = 1.2
    X: np.ndarray = field(init=False, repr=False)
    Y: np.ndarray = field(init=False, repr=False)
    params0: dict = field(init=False, repr=False)

    def __post_init__(self):
        rng = np.random.RandomState(0)
        if (self.n_x, self.n_h, self.m) == (2, 4, 400):
            X, Y = bnn.load_planar_dataset()
        else:
            X = rng.randn(self.n_x, self.m)
            w = rng.randn(1, self.n_x)
            Y = ((w @ X + 0.5 * rng.randn(1, self.m)) > 0).astype(np.float64)
        self.X = X.astype(self.dtype)
        self.Y = Y.astype(self.dtype)
        p = bnn.initialize_parameters(self.n_x, self.n_h, 1, init="he" if self.n_x > 2 else "random")
        self.params0 = {k: v.astype(self.dtype) for k, v in p.items()}
        if self.n_x > 2:  # keep the large problems in the well-conditioned regime
            self.learning_rate = 0.1

    @property
    def layer_dims(self) -> list[int]:
        return [self.n_x, self.n_h, 1]

    @property
    def flops_per_step(self) -> float:
        """Multiply-adds of the GEMMs, times 2: W1 X, W2 A1, dZ2 A1^T, W2^T dZ2, dZ1 X^T."""
        n_x, n_h, m = self.n_x, self.n_h, self.m
        return 2.0 * m * (2 * n_h * n_x + 3 * n_h)

    @property
    def bytes_needed(self) -> int:
        """Parameters, data and cache (Z1, A1, Z2, A2) and gradients, once each."""
        n_x, n_h, m = self.n_x, self.n_h, self.m
        item = np.dtype(self.dtype).itemsize
        params = n_h * n_x + n_h + n_h + 1
        return item * (2 * params + n_x * m + m + 2 * (n_h + 1) * m)


@dataclass
class Impl:
    name: str
    device: str
    run: Callable[[int], None]
    params: Callable[[], dict]
    sync: Callable[[], None] = lambda: None
    memory: Callable[[], int | None] = lambda: None
    note: str = ""


def _need(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise Unavailable(f"{module} is not installed") from None


def _need_gpu():
    if bnn.cuda_device_count() == 0:
        raise Unavailable("no CUDA GPU (CuPy counts 0 devices)")


def need_backend(backend: str) -> None:
    """Unavailable for a CuPy row where CuPy counts no CUDA device (backend_nn's own error is for users)."""
    if backend == "cupy":
        _need_gpu()


def no_gpu() -> str | None:
    """Why --gpu has nothing to run here (neither CuPy nor PyTorch counts a CUDA device), or None."""
    if bnn.cuda_device_count() > 0:
        return None
    try:
        import torch

        if torch.cuda.is_available():
            return None
    except ImportError:
        pass
    return "no CUDA device is counted (CuPy counts 0; PyTorch sees none or is not installed)"


def torch_device(device: str) -> Any:
    """``torch.device(device)``; Unavailable for "cuda" where PyTorch counts no CUDA device."""
    torch = _need("torch")
    if device == "cuda" and not torch.cuda.is_available():
        raise Unavailable("PyTorch counts no CUDA device")
    return torch.device(device)


def torch_sync(dev: Any) -> Callable[[], None]:
    """What waits for a PyTorch device's queued work: CUDA's synchronize, nothing on the CPU."""
    import torch

    return torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)


# --- the zero-abstraction baseline: the course's code, as a learner writes it ------------------
def make_plain_numpy(pb: Problem) -> Impl:
    X, Y = pb.X, pb.Y
    p = {k: v.copy() for k, v in pb.params0.items()}
    lr, m = pb.learning_rate, pb.m

    def run(k):
        for _ in range(k):
            W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
            Z1 = np.dot(W1, X) + b1
            A1 = np.tanh(Z1)
            Z2 = np.dot(W2, A1) + b2
            A2 = 1 / (1 + np.exp(-Z2))
            logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
            cost = float(np.squeeze(-np.sum(logprobs) / m))  # noqa: F841  (the course computes it every step)
            dZ2 = A2 - Y
            dW2 = np.dot(dZ2, A1.T) / m
            db2 = np.sum(dZ2, axis=1, keepdims=True) / m
            dZ1 = np.multiply(np.dot(W2.T, dZ2), 1 - np.power(A1, 2))
            dW1 = np.dot(dZ1, X.T) / m
            db1 = np.sum(dZ1, axis=1, keepdims=True) / m
            p["W1"], p["b1"] = W1 - lr * dW1, b1 - lr * db1
            p["W2"], p["b2"] = W2 - lr * dW2, b2 - lr * db2

    return Impl("plain NumPy (course code)", "cpu", run, lambda: dict(p))


# --- backend_nn --------------------------------------------------------------------------------
#: The default row records the cost as nn_model does by default: once every 100 steps.
DEFAULT_COST_EVERY = 100


def make_backend_nn(pb: Problem, backend: str, *, compiled: bool | str, prefer: str | None = None) -> Impl:
    """backend_nn's step on ``backend``: eager (compiled=False, the cost every step as the course's code
    computes it), a fast path (True, with ``prefer``), or what nn_model runs without a flag ("auto": the
    path compile="auto" chooses, the cost recorded every DEFAULT_COST_EVERY steps)."""
    memory = lambda: None  # noqa: E731
    if backend == "cupy":
        cupy = _need("cupy")
        _need_gpu()
        pool = cupy.get_default_memory_pool()
        pool.free_all_blocks()  # cached blocks of earlier runs do not count
        baseline = pool.total_bytes()
        memory = lambda: pool.total_bytes() - baseline  # noqa: E731  (what this run made the pool hold)
    elif backend in ("torch", "jax"):
        mod = _need(backend)
        if backend == "jax":
            mod.config.update("jax_enable_x64", True)
        elif compiled is True:
            mod._dynamo.reset()  # each problem compiles afresh (shapes differ)
    xp = bnn.get_namespace(backend)
    dt = getattr(xp, pb.dtype)
    X = bnn.to_backend(pb.X, xp, dtype=dt)
    Y = bnn.to_backend(pb.Y, xp, dtype=dt)
    state = {"p": {k: bnn.to_backend(v.copy(), xp, dtype=dt) for k, v in pb.params0.items()}}
    net = Network.build(pb.layer_dims, "tanh")
    device = runs_on(backend)
    name = f"backend_nn [{backend}{', ' + (prefer or 'compiled') if compiled else ''}]"
    sync = sync_for(backend, state)
    note = ""

    if compiled == "auto":
        from backend_nn.accelerate import choose_runner

        name = f"backend_nn [{backend}, default]"
        runner, choice = choose_runner(state["p"], X, Y, net=net, learning_rate=pb.learning_rate, xp=xp,
                                       compile="auto")
        note = choice.path

        def run(k):
            full, rest = divmod(k, DEFAULT_COST_EVERY)
            if full:
                state["p"], _ = runner(state["p"], full, DEFAULT_COST_EVERY)
            if rest:
                state["p"], _ = runner(state["p"], 1, rest)
    elif compiled:
        from backend_nn.accelerate import compiled_runner

        runner = compiled_runner(state["p"], X, Y, net=net, learning_rate=pb.learning_rate, xp=xp, prefer=prefer)
        if runner is None:
            raise Unavailable(f"no {prefer or 'compiled'} path for {backend} at this size")
        private_pool = getattr(runner, "pool", None)  # the CUDA graph's temporaries live in a pool of its own
        if private_pool is not None:
            default_pool_bytes = memory
            memory = lambda: default_pool_bytes() + private_pool.total_bytes()  # noqa: E731

        def run(k):
            state["p"], _ = runner(state["p"], k, 1)
    else:
        from array_api_compat import is_writeable_array

        inplace = is_writeable_array(state["p"]["W1"])

        def run(k):
            p = state["p"]
            for _ in range(k):
                p, _ = train_step(p, X, Y, net=net, learning_rate=pb.learning_rate, xp=xp, inplace=inplace)
            state["p"] = p

    return Impl(name, device, run, lambda: {k: bnn.to_numpy(v) for k, v in state["p"].items()}, sync, memory,
                note=note)


def jax_on_gpu() -> bool:
    import jax

    return jax.default_backend() == "gpu"


def runs_on(backend: str, device: str | None = None) -> str:
    """"gpu" or "cpu": where a backend_nn row on ``backend`` runs (``device="cuda"``: PyTorch's CUDA; JAX where
    JAX runs)."""
    gpu = backend == "cupy" or device == "cuda" or (backend == "jax" and jax_on_gpu())
    return "gpu" if gpu else "cpu"


def sync_for(backend: str, state: dict, device: str | None = None) -> Callable[[], None]:
    """What waits for a row's queued work: CuPy's stream, JAX's parameters ``state["p"]`` (JAX dispatches
    asynchronously even on the CPU), PyTorch's CUDA (``device="cuda"``); nothing on a CPU library."""
    if backend == "cupy":
        import cupy

        return lambda: cupy.cuda.get_current_stream().synchronize()
    if backend == "jax":
        import jax

        return lambda: jax.block_until_ready(state["p"])
    if device == "cuda":
        return torch_sync(torch_device(device))
    return lambda: None


def jax_full_precision() -> Any:
    """JAX with float64 on and float32 matmuls in full precision (no TF32 on GPUs: like is compared with like)."""
    jax = _need("jax")
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_default_matmul_precision", "highest")
    return jax


def backend_nn_inputs(backend: str, X: Any, Y: Any, p0: dict, *, device: str | None = None) -> tuple:
    """(xp, X, Y, parameters) on ``backend`` for a backend_nn row, the parameters a copy of ``p0``; ``device="cuda"``
    is PyTorch's CUDA. Unavailable where the row's GPU is not counted."""
    need_backend(backend)
    if backend == "jax":
        jax_full_precision()
    if device == "cuda":
        torch_device(device)
    xp = bnn.get_namespace(backend)
    Xb, Yb = bnn.to_backend(X, xp, device=device), bnn.to_backend(Y, xp, device=device)
    return xp, Xb, Yb, {k: bnn.to_backend(v.copy(), xp, device=device) for k, v in p0.items()}


# --- PyTorch: the same equations by hand, and autograd with torch.optim.SGD ----------------------
def _torch_setup(pb: Problem, cuda: bool):
    torch = _need("torch")
    dev = torch_device("cuda" if cuda else "cpu")
    dt = getattr(torch, pb.dtype)
    X = torch.as_tensor(pb.X, device=dev, dtype=dt)
    Y = torch.as_tensor(pb.Y, device=dev, dtype=dt)
    p = {k: torch.as_tensor(v, device=dev, dtype=dt).clone() for k, v in pb.params0.items()}
    sync = torch_sync(dev)
    memory = lambda: None  # noqa: E731
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        baseline = torch.cuda.memory_allocated()  # before this run's data: other live runs do not count
        memory = lambda: torch.cuda.max_memory_allocated() - baseline  # noqa: E731
    return torch, X, Y, p, sync, memory


def torch_manual_gradients(p: dict, X, Y, *, hidden: str, output: str) -> tuple[Any, dict]:
    """(cost, grads) of one batch written by hand in PyTorch, the course's equations at any depth: the cost
    from the logits, relu or tanh hidden, a sigmoid or softmax output; grads keyed like ``p`` ("W1", "b1", ...).
    Call it under ``torch.no_grad()``."""
    import torch

    L, m = len(p) // 2, X.shape[1]
    g = {"tanh": torch.tanh, "relu": torch.relu}[hidden]
    A, caches = X, []
    for l in range(1, L + 1):
        Z = p[f"W{l}"] @ A + p[f"b{l}"]
        caches.append((A, Z))
        A = g(Z) if l < L else (torch.softmax(Z, dim=0) if output == "softmax" else torch.sigmoid(Z))
    if output == "softmax":
        cost = torch.nn.functional.cross_entropy(Z.T, Y.T)
    else:
        cost = torch.nn.functional.binary_cross_entropy_with_logits(Z, Y)
    dZ, grads = A - Y, {}
    for l in range(L, 0, -1):
        A_prev = caches[l - 1][0]
        grads[f"W{l}"], grads[f"b{l}"] = dZ @ A_prev.T / m, dZ.sum(1, keepdim=True) / m
        if l > 1:
            dA = p[f"W{l}"].T @ dZ
            dZ = dA * (caches[l - 2][1] > 0) if hidden == "relu" else dA * (1 - A_prev * A_prev)
    return cost, grads


def torch_manual_steps(p: dict, X, Y, *, hidden: str, output: str, learning_rate: float) -> Callable[[int], None]:
    """``run(k)``: k full-batch gradient-descent steps of :func:`torch_manual_gradients` (the cost every
    step), updating ``p`` in place."""
    import torch

    def run(k):
        with torch.no_grad():
            for _ in range(k):
                _, grads = torch_manual_gradients(p, X, Y, hidden=hidden, output=output)
                for key, d in grads.items():
                    p[key] -= learning_rate * d

    return run


def make_torch_manual(pb: Problem, *, cuda: bool) -> Impl:
    torch, X, Y, p, sync, memory = _torch_setup(pb, cuda)
    lr, m = pb.learning_rate, pb.m

    def run(k):
        with torch.no_grad():
            for _ in range(k):
                Z1 = p["W1"] @ X + p["b1"]
                A1 = torch.tanh(Z1)
                Z2 = p["W2"] @ A1 + p["b2"]
                A2 = torch.sigmoid(Z2)
                cost = torch.nn.functional.binary_cross_entropy_with_logits(Z2, Y)  # noqa: F841
                dZ2 = A2 - Y
                dW2 = dZ2 @ A1.T / m
                db2 = dZ2.sum(dim=1, keepdim=True) / m
                dZ1 = (p["W2"].T @ dZ2) * (1 - A1 * A1)
                dW1 = dZ1 @ X.T / m
                db1 = dZ1.sum(dim=1, keepdim=True) / m
                p["W1"] -= lr * dW1
                p["b1"] -= lr * db1
                p["W2"] -= lr * dW2
                p["b2"] -= lr * db2

    return Impl(f"PyTorch manual [{'cuda' if cuda else 'cpu'}]", "gpu" if cuda else "cpu", run,
                lambda: {k: v.cpu().numpy() for k, v in p.items()}, sync, memory)


def make_torch_autograd(pb: Problem, *, cuda: bool) -> Impl:
    torch, X, Y, p, sync, memory = _torch_setup(pb, cuda)
    for v in p.values():
        v.requires_grad_(True)
    opt = torch.optim.SGD(list(p.values()), lr=pb.learning_rate, momentum=0.0)
    loss_fn = torch.nn.functional.binary_cross_entropy_with_logits

    def run(k):
        for _ in range(k):
            opt.zero_grad(set_to_none=True)
            Z2 = p["W2"] @ torch.tanh(p["W1"] @ X + p["b1"]) + p["b2"]
            loss_fn(Z2, Y).backward()
            opt.step()

    return Impl(f"PyTorch autograd + SGD [{'cuda' if cuda else 'cpu'}]", "gpu" if cuda else "cpu", run,
                lambda: {k: v.detach().cpu().numpy() for k, v in p.items()}, sync, memory)


# --- JAX: a jitted step, and the whole loop compiled ---------------------------------------------
def make_jax(pb: Problem, *, loop: bool) -> Impl:
    jax = jax_full_precision()
    import jax.numpy as jnp

    dt = getattr(jnp, pb.dtype)
    X, Y = jnp.asarray(pb.X, dtype=dt), jnp.asarray(pb.Y, dtype=dt)
    state = {"p": {k: jnp.asarray(v, dtype=dt) for k, v in pb.params0.items()}}
    lr, m = pb.learning_rate, pb.m

    def step(p):
        Z1 = p["W1"] @ X + p["b1"]
        A1 = jnp.tanh(Z1)
        Z2 = p["W2"] @ A1 + p["b2"]
        A2 = jax.nn.sigmoid(Z2)
        cost = jnp.sum(jax.nn.softplus(Z2) - Y * Z2) / m
        dZ2 = A2 - Y
        dW2 = dZ2 @ A1.T / m
        db2 = jnp.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = (p["W2"].T @ dZ2) * (1 - A1 * A1)
        dW1 = dZ1 @ X.T / m
        db1 = jnp.sum(dZ1, axis=1, keepdims=True) / m
        g = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
        return {k: p[k] - lr * g[k] for k in p}, cost

    jstep = jax.jit(step)

    @jax.jit
    def many(p, k):
        return jax.lax.fori_loop(0, k, lambda i, c: step(c[0]), (p, jnp.zeros((), dt)))

    def run(k):
        if loop:
            state["p"], _ = many(state["p"], k)
        else:
            p = state["p"]
            for _ in range(k):
                p, _ = jstep(p)
            state["p"] = p

    where = runs_on("jax")
    return Impl(f"JAX {'compiled loop' if loop else 'jit step'} [{where}]", where, run,
                lambda: {k: np.asarray(v) for k, v in state["p"].items()}, sync_for("jax", state))


# --- scikit-learn's MLPClassifier: full batch, plain SGD ------------------------------------------
def make_sklearn(pb: Problem) -> Impl:
    _need("sklearn")
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    Xr, y = pb.X.T, pb.Y.ravel().astype(int)

    def new_clf(k):
        return MLPClassifier(hidden_layer_sizes=(pb.n_h,), activation="tanh", solver="sgd", alpha=0.0,
                             batch_size=pb.m, learning_rate_init=pb.learning_rate, momentum=0.0,
                             nesterovs_momentum=False, max_iter=k, shuffle=False, tol=0.0,
                             n_iter_no_change=10**9, warm_start=True, random_state=0)

    state = {"clf": None}

    def start():
        clf = new_clf(1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence, and batch_size > 2 samples: both expected here
            clf.fit(Xr[:2], [0, 1])  # initializes the shapes; the parameters are replaced next
        p = pb.params0
        clf.coefs_ = [p["W1"].T.copy(), p["W2"].T.copy()]
        clf.intercepts_ = [p["b1"].ravel().copy(), p["b2"].ravel().copy()]
        clf.n_iter_, clf.t_ = 0, 0
        clf._best_loss = np.inf
        state["clf"] = clf

    start()

    def run(k):
        clf = state["clf"]
        clf.set_params(max_iter=k)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(Xr, y)

    def params():
        c = state["clf"]
        return {"W1": c.coefs_[0].T, "b1": c.intercepts_[0][:, None],
                "W2": c.coefs_[1].T, "b2": c.intercepts_[1][:, None]}

    return Impl("scikit-learn MLPClassifier [cpu]", "cpu", run, params)


def all_makers(gpu: bool) -> list[tuple[str, Callable[[Problem], Impl]]]:
    """(label, maker) for every implementation; the GPU ones only when asked for."""
    from functools import partial

    makers = [
        ("plain NumPy (course code)", make_plain_numpy),
        ("backend_nn [numpy]", partial(make_backend_nn, backend="numpy", compiled=False)),
        ("backend_nn [numpy, default]", partial(make_backend_nn, backend="numpy", compiled="auto")),
        ("backend_nn [numpy, numpy tiles]",
         partial(make_backend_nn, backend="numpy", compiled=True, prefer="numpy tiles")),
        ("backend_nn [torch]", partial(make_backend_nn, backend="torch", compiled=False)),
        ("backend_nn [jax, compiled]", partial(make_backend_nn, backend="jax", compiled=True)),
        ("backend_nn [torch, compiled]", partial(make_backend_nn, backend="torch", compiled=True)),
        ("PyTorch manual [cpu]", partial(make_torch_manual, cuda=False)),
        ("PyTorch autograd + SGD [cpu]", partial(make_torch_autograd, cuda=False)),
        ("JAX jit step", partial(make_jax, loop=False)),
        ("JAX compiled loop", partial(make_jax, loop=True)),
        ("scikit-learn MLPClassifier [cpu]", make_sklearn),
    ]
    if gpu:
        makers += [
            ("backend_nn [cupy]", partial(make_backend_nn, backend="cupy", compiled=False)),
            ("backend_nn [cupy, default]", partial(make_backend_nn, backend="cupy", compiled="auto")),
            ("backend_nn [cupy, cuda graph]",
             partial(make_backend_nn, backend="cupy", compiled=True, prefer="cuda graph")),
            ("backend_nn [cupy, cupy fused kernel]",
             partial(make_backend_nn, backend="cupy", compiled=True, prefer="cupy fused kernel")),
            ("backend_nn [cupy, cupy lines]",
             partial(make_backend_nn, backend="cupy", compiled=True, prefer="cupy lines")),
            ("PyTorch manual [cuda]", partial(make_torch_manual, cuda=True)),
            ("PyTorch autograd + SGD [cuda]", partial(make_torch_autograd, cuda=True)),
        ]
    return makers
