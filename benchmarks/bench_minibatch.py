"""Time mini-batch Adam epochs side by side, in one run (course 2: softmax networks, batches 64 / 256 / 1024).

    python benchmarks/bench_minibatch.py             # mid size (784, 128, 10) softmax, m = 10,000, float32
    python benchmarks/bench_minibatch.py --deep      # also the deep size (784, 512, 256, 10), m = 60,000
    python benchmarks/bench_minibatch.py --quick     # a tiny size: proves the script works
    python benchmarks/bench_minibatch.py --gpu --deep  # the CUDA rows: CuPy, PyTorch CUDA, torch.compile

Every row runs the same epoch: the same shuffled columns cut into the same batches in order,
ReLU hidden layers, a softmax output, Adam (lr 0.001, the course's betas and epsilon), from the
same He parameters, and computes each batch's cost (the course's model sums them over the epoch; the
autograd rows need it for their backward pass, and the rows by hand compute it from the logits too,
since session 43). Before a row is timed, it runs 3 batches (fewer where m holds fewer) in float64
and its parameters are compared with a NumPy float64 run of the course's equations written out here
(relative difference of all parameters together <= 1e-7); a row that disagrees is WRONG and not timed. The
check is in float64 because Adam's first steps are about lr * sign(dW): in float32, an entry
whose gradient is round-off moves by up to 2 lr between two correct implementations (measured:
1.4e-4 between JAX and NumPy at the deep size). scikit-learn's Adam is another variant (its
epsilon sits beside sqrt(v), not sqrt(v_corrected)) and is held to 1e-2. Timing is in float32. Rows are
timed in interleaved rounds of one epoch each (median shown), each after a 0.25 s pause (the
previous row's idle BLAS threads stop spinning), after one warm-up epoch (which includes any
compilation: its time is shown). Ratios are time(row) / time(fastest peer).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import backend_nn as bnn  # noqa: E402
from implementations import (SETTLE_S, Unavailable, backend_nn_inputs, no_gpu, positive_int,  # noqa: E402
                             results_file, settle, sync_for, torch_device, torch_manual_gradients, torch_sync)
from backend_nn.network import Network  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = {"mid": ([784, 128, 10], 10_000), "deep": ([784, 512, 256, 10], 60_000)}
QUICK = {"quick": ([20, 16, 4], 512)}
LR, B1, B2, EPS = 0.001, 0.9, 0.999, 1e-8


def problem(dims, m):
    rng = np.random.RandomState(0)
    X = rng.rand(dims[0], m).astype(np.float32)
    labels = np.argmax(rng.randn(dims[-1], dims[0]) @ (X - 0.5), axis=0)
    Y = (np.arange(dims[-1])[:, None] == labels[None, :]).astype(np.float32)
    perm = np.random.RandomState(11).permutation(m)  # the epoch's shuffle, the same for every row
    p0 = {k: v.astype(np.float32) for k, v in bnn.initialize_parameters_deep(dims, seed=3, init="he").items()}
    return np.ascontiguousarray(X[:, perm]), np.ascontiguousarray(Y[:, perm]), labels[perm], p0


def reference(dims, X, Y, p0, bs, n_batches):
    """NumPy float64, the course's equations and Adam by hand, on the first n_batches batches."""
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    p = {k: v.astype(np.float64) for k, v in p0.items()}
    v = {k: np.zeros_like(a) for k, a in p.items()}
    s = {k: np.zeros_like(a) for k, a in p.items()}
    L = len(dims) - 1
    for t in range(1, n_batches + 1):
        x, y = X[:, (t - 1) * bs: t * bs], Y[:, (t - 1) * bs: t * bs]
        mb = x.shape[1]
        A, cache = x, []
        for l in range(1, L + 1):
            Z = p[f"W{l}"] @ A + p[f"b{l}"]
            cache.append((A, Z))
            A = np.maximum(Z, 0) if l < L else np.exp(Z - Z.max(0)) / np.exp(Z - Z.max(0)).sum(0)
        dZ, g = A - y, {}
        for l in range(L, 0, -1):
            A_prev = cache[l - 1][0]
            g[f"W{l}"], g[f"b{l}"] = dZ @ A_prev.T / mb, dZ.sum(1, keepdims=True) / mb
            if l > 1:
                dZ = (p[f"W{l}"].T @ dZ) * (cache[l - 2][1] > 0)
        for k in p:
            v[k] = B1 * v[k] + (1 - B1) * g[k]
            s[k] = B2 * s[k] + (1 - B2) * g[k] ** 2
            p[k] = p[k] - LR * (v[k] / (1 - B1**t)) / (np.sqrt(s[k] / (1 - B2**t)) + EPS)
    return p


# --- rows: make(dims, X, Y, labels, p0, bs) -> (epoch(n_batches or None), params(), sync()) -------------
def make_backend_nn(dims, X, Y, labels, p0, bs, *, backend, compile, device=None):
    from backend_nn.accelerate import choose_epochs
    from backend_nn.batches import batch_slices
    from backend_nn.optimizers import Adam

    xp, Xb, Yb, p = backend_nn_inputs(backend, X, Y, p0, device=device)
    net = Network.build(dims, "relu", "softmax")
    opt = Adam(B1, B2, EPS)
    box = {"p": p}
    box["s"] = opt.init(box["p"])
    m = X.shape[1]
    runners = {}  # one runner per epoch length, built once (a compiled one compiles once)

    def epoch(n_batches=None):
        cols = m if n_batches is None else n_batches * bs
        if cols not in runners:
            runners[cols], choice = choose_epochs(net=net, optimizer=opt, xp=xp, slices=batch_slices(cols, bs),
                                                  compile=compile)
            epoch.paths.add(choice.path)
            if compile is True and choice.path == "eager":
                raise Unavailable(str(choice))
        run = runners[cols]
        Xe, Ye = (Xb, Yb) if n_batches is None else (Xb[:, :cols], Yb[:, :cols])
        box["p"], box["s"], _ = run(box["p"], box["s"], Xe, Ye, LR)

    epoch.paths = set()  # the paths choose_epochs took (shown beside the row)
    sync = sync_for(backend, box, device)
    return epoch, lambda: {k: bnn.to_numpy(v) for k, v in box["p"].items()}, sync


def make_torch(dims, X, Y, labels, p0, bs, *, autograd, device="cpu"):
    import torch

    dev = torch_device(device)
    Xt, Yt = torch.as_tensor(X, device=dev), torch.as_tensor(Y, device=dev)
    p = {k: torch.as_tensor(v, device=dev).clone() for k, v in p0.items()}
    L, m = len(dims) - 1, X.shape[1]
    if autograd:
        for v in p.values():
            v.requires_grad_(True)
        opt = torch.optim.Adam(list(p.values()), lr=LR, betas=(B1, B2), eps=EPS, fused=dev.type == "cuda" or None)

        def epoch(n_batches=None):
            for k in range(0, m if n_batches is None else n_batches * bs, bs):
                x, y = Xt[:, k:k + bs], Yt[:, k:k + bs]
                opt.zero_grad(set_to_none=True)
                A = x
                for l in range(1, L):
                    A = torch.relu(p[f"W{l}"] @ A + p[f"b{l}"])
                torch.nn.functional.cross_entropy((p[f"W{L}"] @ A + p[f"b{L}"]).T, y.T).backward()
                opt.step()
    else:
        v = {k: torch.zeros_like(a) for k, a in p.items()}
        s = {k: torch.zeros_like(a) for k, a in p.items()}
        box = {"t": 0, "total": None}

        def epoch(n_batches=None):
            box["total"] = None
            with torch.no_grad():
                for k0 in range(0, m if n_batches is None else n_batches * bs, bs):
                    x, y = Xt[:, k0:k0 + bs], Yt[:, k0:k0 + bs]
                    cost, g = torch_manual_gradients(p, x, y, hidden="relu", output="softmax")
                    # the cost of each batch, summed over the epoch on the device, as the course's model and
                    # backend_nn's epochs compute it
                    part = cost * x.shape[1]
                    box["total"] = part if box["total"] is None else box["total"] + part
                    box["t"] += 1
                    t = box["t"]
                    for k in p:
                        v[k].mul_(B1).add_(g[k], alpha=1 - B1)
                        s[k].mul_(B2).addcmul_(g[k], g[k], value=1 - B2)
                        p[k] -= LR * (v[k] / (1 - B1**t)) / (torch.sqrt(s[k] / (1 - B2**t)) + EPS)
    return epoch, lambda: {k: v.detach().cpu().numpy() for k, v in p.items()}, torch_sync(dev)


def make_torch_compiled(dims, X, Y, labels, p0, bs, *, device="cuda"):
    """The compiled peer: the forward pass and the cost as one ``torch.compile(mode="reduce-overhead")``
    function (CUDA graphs on a GPU; its backward compiled with it), the parameters nn.Parameters
    (static addresses for the graphs), torch.optim.Adam (fused on CUDA) for the update. Each peer compiles
    from a code object of its own (``compile_own``): made by one ``def``, every size and batch size of the
    run would share one cache, and past Dynamo's recompile limit the later rows would time eager PyTorch
    under this row's name. ``fullgraph=True`` makes a graph break or a limit hit an error, not an eager row."""
    import torch

    from backend_nn.accelerate.torch_compile import compile_own

    dev = torch_device(device)
    Xt, Yt = torch.as_tensor(X, device=dev), torch.as_tensor(Y, device=dev)
    p = {k: torch.nn.Parameter(torch.as_tensor(v, device=dev).clone()) for k, v in p0.items()}
    L, m = len(dims) - 1, X.shape[1]
    opt = torch.optim.Adam(list(p.values()), lr=LR, betas=(B1, B2), eps=EPS, fused=dev.type == "cuda" or None)

    def cost(x, y):
        A = x
        for l in range(1, L):
            A = torch.relu(p[f"W{l}"] @ A + p[f"b{l}"])
        return torch.nn.functional.cross_entropy((p[f"W{L}"] @ A + p[f"b{L}"]).T, y.T)

    compiled = compile_own(cost, mode="reduce-overhead", dynamic=False, fullgraph=True)

    def epoch(n_batches=None):
        for k in range(0, m if n_batches is None else n_batches * bs, bs):
            opt.zero_grad(set_to_none=True)
            compiled(Xt[:, k:k + bs], Yt[:, k:k + bs]).backward()
            opt.step()

    return epoch, lambda: {k: v.detach().cpu().numpy() for k, v in p.items()}, torch_sync(dev)


def make_sklearn(dims, X, Y, labels, p0, bs):
    from sklearn.exceptions import ConvergenceWarning  # noqa: F401
    from sklearn.neural_network import MLPClassifier

    Xr = X.T
    clf = MLPClassifier(hidden_layer_sizes=tuple(dims[1:-1]), activation="relu", solver="adam", alpha=0.0,
                        batch_size=bs, learning_rate_init=LR, beta_1=B1, beta_2=B2, epsilon=EPS, max_iter=1,
                        shuffle=False, tol=0.0, n_iter_no_change=10**9, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.partial_fit(Xr[:bs], labels[:bs], classes=np.arange(dims[-1]))  # shapes; replaced next
    L = len(dims) - 1
    clf.coefs_ = [p0[f"W{l}"].T.copy() for l in range(1, L + 1)]
    clf.intercepts_ = [p0[f"b{l}"].ravel().copy() for l in range(1, L + 1)]
    del clf._optimizer  # the next partial_fit builds a fresh Adam (t = 0) over the parameters set here

    def epoch(n_batches=None):
        cols = Xr.shape[0] if n_batches is None else n_batches * bs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for k in range(0, cols, bs):
                clf.partial_fit(Xr[k:k + bs], labels[k:k + bs])

    def params():
        out = {}
        for l in range(1, L + 1):
            out[f"W{l}"], out[f"b{l}"] = clf.coefs_[l - 1].T, clf.intercepts_[l - 1][:, None]
        return out

    return epoch, params, lambda: None


ROWS = [
    ("backend_nn [numpy, default]", lambda *a: make_backend_nn(*a, backend="numpy", compile="auto"), 1e-7),
    ("backend_nn [numpy, eager]", lambda *a: make_backend_nn(*a, backend="numpy", compile=False), 1e-7),
    ("backend_nn [torch, default]", lambda *a: make_backend_nn(*a, backend="torch", compile="auto"), 1e-7),
    ("backend_nn [torch, eager]", lambda *a: make_backend_nn(*a, backend="torch", compile=False), 1e-7),
    ("backend_nn [jax, default: jit epochs]", lambda *a: make_backend_nn(*a, backend="jax", compile="auto"), 1e-7),
    ("PyTorch manual + Adam by hand [cpu]", lambda *a: make_torch(*a, autograd=False), 1e-7),
    ("PyTorch autograd + torch.optim.Adam [cpu]", lambda *a: make_torch(*a, autograd=True), 1e-7),
    ("scikit-learn MLPClassifier adam", make_sklearn, 1e-2),
]
#: With --gpu: backend_nn on CuPy (the default, which takes the CUDA graph epochs; eager epochs, compile=False;
#: the graph epochs asked for, compile=True) and on PyTorch's CUDA (its default: eager epochs, torch lines, the
#: fused Adam), PyTorch on CUDA by hand and with autograd, and the compiled peer, torch.compile(mode="reduce-overhead").
GPU_ROWS = [
    ("backend_nn [cupy, default]", lambda *a: make_backend_nn(*a, backend="cupy", compile="auto"), 1e-7),
    ("backend_nn [cupy, eager]", lambda *a: make_backend_nn(*a, backend="cupy", compile=False), 1e-7),
    ("backend_nn [cupy, cuda graph epochs]", lambda *a: make_backend_nn(*a, backend="cupy", compile=True), 1e-7),
    ("backend_nn [torch cuda, default]",
     lambda *a: make_backend_nn(*a, backend="torch", compile="auto", device="cuda"), 1e-7),
    ("PyTorch manual + Adam by hand [cuda]", lambda *a: make_torch(*a, autograd=False, device="cuda"), 1e-7),
    ("PyTorch autograd + torch.optim.Adam [cuda]", lambda *a: make_torch(*a, autograd=True, device="cuda"), 1e-7),
    ("torch.compile reduce-overhead + Adam [cuda]", lambda *a: make_torch_compiled(*a, device="cuda"), 1e-7),
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deep", action="store_true", help="add the deep size")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--gpu", action="store_true", help="the CUDA rows instead (CuPy, PyTorch CUDA, torch.compile): "
                    "the GPU targets compare with the GPU peers")
    ap.add_argument("--rounds", type=positive_int, default=None)
    ap.add_argument("--batches", type=positive_int, nargs="+", default=None, help="batch sizes (default 64 256 1024)")
    ap.add_argument("--out", type=results_file, default=None)
    args = ap.parse_args(argv)
    if args.gpu and (why := no_gpu()):
        print(f"--gpu: {why}: no GPU rows to run, nothing written.")
        return 0
    sizes = QUICK if args.quick else ({**SIZES} if args.deep else {"mid": SIZES["mid"]})
    batches = args.batches or ([32, 128] if args.quick else [64, 256, 1024])
    rounds = args.rounds or (2 if args.quick else 3)
    out_rows = []
    for size, (dims, m) in sizes.items():
        X, Y, labels, p0 = problem(dims, m)
        X64, Y64, p64 = X.astype(np.float64), Y.astype(np.float64), {k: v.astype(np.float64) for k, v in p0.items()}
        for bs in batches:
            n_check = min(3, m // bs)  # the parity check's whole batches (an empty one was NaN, or each row's error)
            if not n_check:
                print(f"\n{size}: batch {bs} is more than its m = {m} examples: skipped")
                continue
            ref = reference(dims, X, Y, p0, bs, n_check)
            keys = sorted(ref)
            r_vec = np.concatenate([ref[k].ravel() for k in keys])
            live, rows = [], []
            for label, make, tol in (GPU_ROWS if args.gpu else ROWS):
                row = {"size": size, "dims": dims, "m": m, "batch": bs, "impl": label}
                try:
                    check_epoch, params, _ = make(dims, X64, Y64, labels, p64, bs)
                    check_epoch(n_check)
                    got = params()
                    g_vec = np.concatenate([np.asarray(got[k], dtype=np.float64).ravel() for k in keys])
                    row["rel_diff"] = float(np.linalg.norm(g_vec - r_vec) / np.linalg.norm(r_vec))
                    if not row["rel_diff"] <= tol:
                        row.update(status="WRONG", why=f"after {n_check} batches {row['rel_diff']:.2e} > {tol:g}")
                    else:
                        epoch, _, sync = make(dims, X, Y, labels, p0, bs)  # a fresh start for the timing
                        t0 = time.perf_counter()
                        epoch()
                        sync()
                        row.update(status="ok", first_epoch_s=time.perf_counter() - t0, times=[])
                        if getattr(epoch, "paths", None):
                            row["path"] = ", ".join(sorted(epoch.paths))
                        live.append((row, epoch, sync))
                except Unavailable as exc:
                    row.update(status="skipped", why=str(exc))
                except ImportError as exc:
                    row.update(status="skipped", why=f"not installed: {exc.name or exc}")
                except Exception as exc:
                    row.update(status="error", why=f"{type(exc).__name__}: {exc}")
                rows.append(row)
            for _ in range(rounds):
                for row, epoch, sync in live:
                    settle(0 if args.quick else SETTLE_S)
                    t = time.perf_counter()
                    epoch()
                    sync()
                    row["times"].append(time.perf_counter() - t)
            ok = [r for r in rows if r["status"] == "ok"]
            for r in ok:
                r["ms_per_epoch"] = 1e3 * statistics.median(r["times"])
            best_peer = min((r["ms_per_epoch"] for r in ok if not r["impl"].startswith("backend_nn")), default=None)
            print(f"\n{size}: layers {dims}, m = {m}, batch {bs}, float32, Adam ({-(-m // bs)} batches an epoch)")
            print(f"{'implementation':<44} {'ms/epoch':>10} {'vs fastest peer':>16} {'first epoch s':>14} "
                  f"{'rel diff':>9}  path")
            for r in rows:
                if r["status"] != "ok":
                    print(f"{r['impl']:<44} {r['status']:>10}  {r['why']}")
                    continue
                r["ratio_to_fastest_peer"] = r["ms_per_epoch"] / best_peer if best_peer else None
                ratio = f"{r['ratio_to_fastest_peer']:.2f}x" if best_peer else "-"
                print(f"{r['impl']:<44} {r['ms_per_epoch']:>10.1f} {ratio:>16} {r['first_epoch_s']:>14.2f} "
                      f"{r['rel_diff']:>9.1e}  {r.get('path', '')}")
            out_rows += [{k: v for k, v in r.items() if k != "times"} | {"times_s": r.get("times", [])} for r in rows]
    out = args.out or RESULTS / f"minibatch-{platform.node() or 'host'}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rounds": rounds, "numpy": np.__version__, "machine": platform.platform(),
                               "rows": out_rows}, indent=1))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
