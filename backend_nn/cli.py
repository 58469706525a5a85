"""The command line: ``backend-nn`` / ``python -m backend_nn``.

- ``backend-nn train``: with no options, the course's flower demo on NumPy (n_h = 4,
  tanh, learning rate 1.2, 10,000 iterations): prints the cost trajectory and the
  training accuracy; ``--layers 32 16`` trains a deeper network, a multi-class data set
  (``--dataset spiral``, ``digits``, or a CSV whose labels are 0..K-1) a softmax output;
  ``--save`` writes the model, ``--plot-boundary``/``--plot-cost`` the pictures;
  ``--optimizer``, ``--batch-size``, ``--lambd``, ``--keep-prob`` are course 2's.
- ``backend-nn predict``: a saved model on new data, predictions to a file or stdout.
- ``backend-nn sweep``: the course's accuracy against hidden-layer size, as a table
  and a grid of decision boundaries.

Errors a shell user can cause (a missing file, a malformed CSV, an unknown backend)
are one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np

from .activations import ACTIVATIONS
from .backend import backend_name, float64_in_own_process, namespace_of, to_numpy
from .datasets import DATASETS, load_data_file, load_dataset
from .initialization import INITIALIZATIONS
from .inputs import n_outputs
from .prediction import accuracy, predict, predict_output
from .outputs import compute_cost
from .saving import check_writable, load_model, save_model
from .models import nn_model
from .optimizers import OPTIMIZERS, learning_rate_for
from .validation import check_output_path, did_you_mean

__all__ = ["main", "build_parser"]

SWEEP_SIZES = [1, 2, 3, 4, 5, 20, 50]
COMPILE: dict[str, bool | str] = {"auto": "auto", "on": True, "off": False}  # --compile's words: compile=


def _device(text: str | None):
    return int(text) if text is not None and text.isdigit() else text


def _one_of(names, notes: dict[str, str] | None = None) -> dict:
    """argparse's ``choices`` and ``type`` for a name among ``names``: the choices for the help and usage,
    and a type that refuses a name that is not one with the library's hint ("logistic" — did you mean
    'sigmoid'?), or its note in ``notes``, in argparse's error."""
    names = list(names)

    def name(text: str) -> str:
        if text in names:
            return text
        hint = (notes or {}).get(text.lower()) or did_you_mean(text, names)
        raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (choose from {', '.join(map(repr, names))})"
                                         f"{hint}")
    return {"choices": names, "type": name}


def _add_training_options(p: argparse.ArgumentParser, iterations: int) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--dataset", default="flower", **_one_of(DATASETS),
                     help="a course data set (default: flower)")
    src.add_argument("--data", metavar="FILE", help="your own data: CSV (rows = examples, last column = the label: "
                                                    "0/1, or 0..K-1 for K classes) or NPZ with X (n_x, m) and Y (1, m)")
    p.add_argument("--activation", default=["tanh"], nargs="+", metavar="ACTIVATION",
                   **_one_of(ACTIVATIONS, {"softmax": ": softmax is the output layer's, and the labels choose it "
                                                      "(0..K-1 for K classes)"}),
                   help=f"hidden activation, or one per hidden layer: {', '.join(ACTIVATIONS)} (default: tanh)")
    p.add_argument("--negative-slope", type=float, default=0.01, metavar="SLOPE",
                   help="leaky_relu's slope for Z < 0, in [0, 1) (default: 0.01); with --activation leaky_relu")
    p.add_argument("--learning-rate", type=float, default=None,
                   help="step size (default: the optimizer's: 1.2 for gd and momentum, the course's week-3 rate; "
                        "0.001 for adam)")
    p.add_argument("--iterations", type=int, default=iterations, help=f"gradient-descent steps (default: {iterations})")
    p.add_argument("--backend", default="numpy",
                   help="numpy, cupy, auto, array_api_strict, torch, jax (default: numpy)")
    p.add_argument("--device", default=None,
                   help="backend device: a CUDA device number (cupy), 'cuda:1' (torch), 'gpu:0' or 'cpu' (jax)")
    p.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    p.add_argument("--seed", type=int, default=2, help="initialization seed (default: 2, the course's)")
    p.add_argument("--init", default="random", **_one_of(INITIALIZATIONS),
                   help="W = randn * 0.01 (random, week 3's; the default), zeros (the symmetry lesson), "
                        "randn / sqrt(n_(l-1)) (xavier, week 4's), randn * sqrt(2 / n_(l-1)) (he, for relu layers)")
    p.add_argument("--compile", nargs="?", const="on", default="auto", choices=["auto", "on", "off"],
                   help="the backend's fast path: auto (default: where it is known to win: jax.jit, the CUDA graph "
                        "and kernels, NumPy's tiles), on (torch.compile too; --compile alone), off (eager)")
    c2 = p.add_argument_group("course 2", "optimizers, mini-batches and regularization (default: the course 1 run)")
    c2.add_argument("--optimizer", default="gd", **_one_of(OPTIMIZERS),
                    help="gradient descent (default), momentum or Adam, with the course's betas and epsilon")
    c2.add_argument("--batch-size", type=int, default=None, metavar="N",
                    help="mini-batches of N examples, shuffled each epoch; --iterations then counts epochs "
                         "(default: full batch)")
    c2.add_argument("--lambd", type=float, default=0.0, help="L2 regularization strength (default: 0)")
    c2.add_argument("--keep-prob", type=float, default=1.0,
                    help="inverted dropout on the hidden layers: the probability of keeping a unit (default: 1)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="say on stderr which path trains (eager, a fast path, dask chunks) and why others were "
                        "passed over")


# Each command's --help ends with commands to copy; tests/test_cli.py parses every one of them.
EXAMPLES = {
    "train": [
        ("the course's flower on NumPy: 90.75%", "backend-nn train"),
        ("on the GPU where CuPy counts one; -v says which path trains", "backend-nn train --backend auto -v"),
        ("deep, 3 classes (a softmax output), with its decision boundary",
         "backend-nn train --dataset spiral --layers 32 16 --activation relu --learning-rate 0.5 "
         "--plot-boundary spiral.png"),
        ("your data: CSV rows are examples, the last column the label", "backend-nn train --data mine.csv"),
        ("course 2: Adam on mini-batches of 64, 100 epochs",
         "backend-nn train --dataset digits --layers 32 16 --activation relu --optimizer adam --batch-size 64 "
         "--iterations 100"),
        ("a model saved for 'backend-nn predict'", "backend-nn train --dataset noisy_moons --n-h 5 --save moons.npz"),
    ],
    "predict": [
        ("labels for new rows (CSV: rows are examples), one per line",
         "backend-nn predict moons.npz new.csv --out labels.txt"),
    ],
    "sweep": [
        ("the course's experiment: n_h = 1 2 3 4 5 20 50 on the flower, and the grid of boundaries",
         "backend-nn sweep --plot sweep.png"),
        ("other sizes, on another data set", "backend-nn sweep --dataset noisy_moons --sizes 1 2 8 32"),
    ],
}


def _examples(command: str) -> str:
    return "examples:\n" + "\n".join(f"  # {what}\n  {line}" for what, line in EXAMPLES[command])


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, but the examples keep their lines (one command to copy per line)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("examples:\n"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="backend-nn",
        description="The course's neural networks (shallow, deep, softmax), on NumPy, CuPy or any Array API library.",
        epilog="examples:\n" + "\n".join(f"  {EXAMPLES[c][0][1]}" for c in EXAMPLES)
               + "\n\n'backend-nn COMMAND --help' shows each command's options and more examples.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"backend-nn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = sub.add_parser("train", help="train on a data set; report cost and accuracy",
                           description="Train a network by gradient descent (defaults: the course's flower run). "
                                       "Labels 0/1 give a sigmoid output, labels 0..K-1 a softmax over K classes.",
                           epilog=_examples("train"), formatter_class=_HelpFormatter)
    _add_training_options(train, 10000)
    size = train.add_mutually_exclusive_group()
    # default None, 4 set after parsing: argparse lets an option through a mutually exclusive group when
    # its value is the default object itself, and int("4") is 4, so "--n-h 4 --layers 3" passed unremarked
    size.add_argument("--n-h", type=int, default=None, help="hidden units of the one hidden layer (default: 4)")
    size.add_argument("--layers", type=int, nargs="+", metavar="N",
                      help="hidden-layer sizes, e.g. --layers 32 16 (n_x and n_y come from the data)")
    train.add_argument("--save", metavar="MODEL.npz", help="save the trained model here")
    train.add_argument("--plot-boundary", metavar="PNG", help="draw the decision boundary (needs matplotlib)")
    train.add_argument("--plot-cost", metavar="PNG", help="draw the cost curve (needs matplotlib)")
    train.add_argument("--no-progress", action="store_true", help="never show the progress bar")
    train.set_defaults(func=_train)

    pred = sub.add_parser("predict", help="predict with a saved model",
                          description="Predict labels (0/1, or 0..K-1) with a model saved by 'train --save'.",
                          epilog=_examples("predict"), formatter_class=_HelpFormatter)
    pred.add_argument("model", help="the saved model (.npz)")
    pred.add_argument("data", help="CSV (rows = examples; all columns features, or features + a last label column) "
                                   "or NPZ with X (n_x, m)")
    pred.add_argument("--out", metavar="FILE", help="write predictions here, one per line (default: stdout)")
    pred.add_argument("--backend", default="numpy", help="backend to predict on (default: numpy)")
    pred.set_defaults(func=_predict)

    sweep = sub.add_parser("sweep", help="accuracy against hidden-layer size (the course's experiment)",
                           description="Train one network per hidden-layer size; print a table, draw a grid.",
                           epilog=_examples("sweep"), formatter_class=_HelpFormatter)
    _add_training_options(sweep, 5000)
    sweep.add_argument("--sizes", type=int, nargs="+", default=SWEEP_SIZES,
                       help="hidden-layer sizes (default: 1 2 3 4 5 20 50)")
    sweep.add_argument("--plot", metavar="PNG", help="draw the grid of decision boundaries (needs matplotlib)")
    sweep.set_defaults(func=_sweep)
    return parser


def _data(args) -> tuple[np.ndarray, np.ndarray, str]:
    if args.data is not None:
        X, Y = load_data_file(args.data, labels=True)
        where = "Y" if Path(args.data).suffix == ".npz" else "the last column"
        n_outputs(Y, None, xp=np, fix=f"Number the labels ({where} of {args.data}) 0..K-1 for K classes, 0/1 for two, "
                  "every class with at least one example.")  # before training, in the file's terms
        return X, Y, Path(args.data).name
    X, Y = load_dataset(args.dataset)
    return X, Y, args.dataset


def _activation(args):
    return args.activation[0] if len(args.activation) == 1 else args.activation


def _fit(args, X, Y, n_h, *, print_cost: bool, progress, cost_every: int = 100):
    return nn_model(
        X, Y, n_h, args.iterations, print_cost=print_cost, learning_rate=args.learning_rate, cost_every=cost_every,
        activation=_activation(args), backend=args.backend, device=_device(args.device), dtype=args.dtype,
        seed=args.seed, init=args.init, compile=COMPILE[args.compile],
        progress=progress, optimizer=args.optimizer, batch_size=args.batch_size, lambd=args.lambd,
        keep_prob=args.keep_prob, negative_slope=args.negative_slope,
    )


def _cost_every(iterations: int, points: int = 50) -> int:
    """How often a run with a cost picture records its cost: every 100 steps (the course's), or the
    largest divisor of 100 that still gives ``points`` points (a 300-epoch run: every 5), so the
    printed lines stay at the course's multiples of 1000."""
    return next(d for d in (100, 50, 25, 20, 10, 5, 4, 2, 1) if d == 1 or iterations // d >= points)


def _run_text(args) -> str:
    """What ran, its steps last (the accuracy line adds "in 0.46 s"): "learning rate 1.2, 10000 iterations",
    "adam, learning rate 0.001, L2 lambd 0.1, 300 epochs, batches of 64", ... The rate is the one the run
    used: the optimizer's own where --learning-rate is not given."""
    rate = learning_rate_for(args.optimizer, args.learning_rate)
    steps = f"{args.iterations} iterations" if args.batch_size is None else \
        f"{args.iterations} epochs, batches of {args.batch_size}"
    parts = [name for name, on in [(f"{args.init} init", args.init != "random"),
                                    (args.optimizer, args.optimizer != "gd"), (f"learning rate {rate:g}", True),
                                    (f"L2 lambd {args.lambd:g}", args.lambd),
                                    (f"dropout keep_prob {args.keep_prob:g}", args.keep_prob != 1.0)] if on]
    return ", ".join([*parts, steps])


def _png(path: str | None, what: str) -> None:
    """A picture's path: a .png whose folder exists and is writable, and matplotlib to draw it."""
    if path is None:
        return
    target = Path(path)
    if target.suffix.lower() != ".png":
        raise ValueError(f"{what} writes a PNG picture: give a file name ending in .png; got {path!r}.")
    check_output_path(target, what, example="picture.png")
    from .plotting import pyplot

    pyplot()  # matplotlib missing is an error now, not after the run
    import matplotlib

    matplotlib.use("Agg")  # the command only writes files: no window, whatever the machine has


def _check_outputs(args: argparse.Namespace, X) -> None:
    """Every output a run will write, checked before it trains: no work is lost at the end."""
    if getattr(args, "save", None) is not None:  # "" too: an empty name is an error, not "no --save"
        check_writable(args.save)
    _png(getattr(args, "plot_boundary", None), "--plot-boundary")
    _png(getattr(args, "plot_cost", None), "--plot-cost")
    _png(getattr(args, "plot", None), "--plot")
    flag = next((f for f, given in (("--plot-boundary", getattr(args, "plot_boundary", None)),
                                    ("--plot", getattr(args, "plot", None))) if given is not None), None)
    if flag and X.shape[0] != 2:
        raise ValueError(f"a decision boundary is drawn in the plane of 2 features; these data have {X.shape[0]}. "
                         f"Leave out {flag}.")


def _check_counts(args: argparse.Namespace) -> None:
    """The counting options, checked under their own flags (the library's errors name its arguments:
    ``--layers 4 -2`` would say ``n_h[1]``)."""
    counts = {"--iterations": [args.iterations], "--n-h": [getattr(args, "n_h", 1)],
              "--layers": getattr(args, "layers", None) or [], "--sizes": getattr(args, "sizes", None) or [],
              "--batch-size": [] if args.batch_size is None else [args.batch_size]}
    for flag, values in counts.items():
        bad = [v for v in values if v < 1]
        if bad:
            raise ValueError(f"{flag} takes positive integers; got {bad[0]}.")


def _check_layers(args: argparse.Namespace, X: np.ndarray, Y: np.ndarray) -> None:
    """--layers takes the hidden layers alone; sizes that start at n_x and end at n_y read as the course's
    layers_dims [n_x, n_1, ..., n_y], and a learner who typed those most likely meant that network: trained
    as given (it is a network too), with a warning that names the command for the other."""
    layers = args.layers or []
    if len(layers) < 3 or layers[0] != X.shape[0]:  # the labels are read only where the sizes might be layers_dims
        return
    n_x, n_y = int(X.shape[0]), n_outputs(Y, None, xp=np)
    if layers[-1] == n_y:
        warnings.warn(f"--layers takes the hidden-layer sizes alone (n_x and n_y come from the data), so these "
                      f"layers are {[n_x, *layers, n_y]}. If {layers} is the course's layers_dims "
                      f"[n_x, ..., n_y], give --layers {' '.join(map(str, layers[1:-1]))}.")


def _train(args: argparse.Namespace) -> int:
    _check_counts(args)
    X, Y, name = _data(args)
    _check_outputs(args, X)
    _check_layers(args, X, Y)
    hidden = args.layers if args.layers else args.n_h
    start = time.perf_counter()
    every = _cost_every(args.iterations) if args.plot_cost is not None else 100
    params, costs = _fit(args, X, Y, hidden, print_cost=True, progress=False if args.no_progress else None,
                         cost_every=every)
    elapsed = time.perf_counter() - start
    acc = accuracy(to_numpy(predict(params, X)), Y)
    xp_name = backend_name(namespace_of(W1=params["W1"]))
    if args.backend == "dask":  # the parameters are in the chunks' library
        xp_name = f"dask ({xp_name} chunks)"
    net = params.network
    m = int(X.shape[1])
    print(f"Accuracy: {100 * acc:.2f}% on {m} training example{'' if m == 1 else 's'} "
          f"({name}; layers {net}; {xp_name}, {args.dtype}, {_run_text(args)} in {elapsed:.2f} s)")
    if args.save is not None:
        print(f"saved model to {save_model(args.save, params)}")
    if args.plot_boundary is not None or args.plot_cost is not None:
        from . import plotting

        if args.plot_boundary is not None:
            sizes = f"layers {list(net.layer_dims)}" if args.layers else f"n_h = {args.n_h}"
            fig = plotting.plot_decision_boundary(params, X, Y, title=f"Decision boundary, {sizes} ({name})")
            print(f"wrote {plotting.save(fig, args.plot_boundary)}")
        if args.plot_cost is not None:
            optimizer = "" if args.optimizer == "gd" else f"{args.optimizer}, "
            rate = learning_rate_for(args.optimizer, args.learning_rate)
            fig = plotting.plot_costs(costs, cost_every=every, title=f"Cost, {optimizer}learning rate {rate:g} "
                                      f"({name})", unit="iteration" if args.batch_size is None else "epoch")
            print(f"wrote {plotting.save(fig, args.plot_cost)}")
    return 0


def _predict(args: argparse.Namespace) -> int:
    if args.out is not None:
        check_output_path(args.out, "--out", example="predictions.txt")  # before any work, as train's outputs
    if Path(args.model).suffix.lower() == ".csv" and Path(args.data).suffix.lower() == ".npz":
        raise ValueError(f"{args.model} is data and {args.data} may be the model: did you swap them? The model comes "
                         f"first: backend-nn predict {args.data} {args.model}")
    params = load_model(args.model, backend=args.backend)
    n_x = int(params["W1"].shape[1])
    X, Y = load_data_file(args.data, labels=None)
    if Path(args.data).suffix != ".npz" and X.shape[0] == n_x + 1:  # a CSV with a label column
        X, Y = X[:-1], X[-1:]
    if X.shape[0] != n_x:
        as_rows = Path(args.data).suffix == ".npz" and X.shape[1] == n_x  # as load_data_file says it of a Y
        raise ValueError(f"the model expects {n_x} features per example; {args.data} has {X.shape[0]}" + (
            f": its X {X.shape} looks stored with examples as rows; save X.T, (n_x, m)." if as_rows else "."))
    labels = to_numpy(predict(params, X)).astype(int).ravel()
    text = "\n".join(map(str, labels)) + "\n"
    if args.out is not None:
        Path(args.out).write_text(text)
        print(f"wrote {len(labels)} predictions to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if Y is not None:
        n_out = int(params[f"W{len(params) // 2}"].shape[0])
        classes = max(n_out, 2)
        if not np.all(np.isin(Y, np.arange(classes))):
            print(f"the file's last column holds {np.unique(Y)[:10].tolist()}, not this model's classes "
                  f"0..{classes - 1}: no accuracy is reported against it", file=sys.stderr)
        else:
            print(f"accuracy against the file's labels: {100 * accuracy(labels[None, :], Y):.2f}%", file=sys.stderr)
    return 0


def _sweep(args: argparse.Namespace) -> int:
    _check_counts(args)
    X, Y, name = _data(args)
    _check_outputs(args, X)
    results: list[tuple[int, dict, float]] = []  # (n_h, parameters, accuracy), as plot_sweep takes them
    for n_h in args.sizes:
        start = time.perf_counter()
        params, _ = _fit(args, X, Y, n_h, print_cost=False, progress=False)
        if not results:  # after the first run: an option the library refuses is its error alone, without a header
            print(f"{'n_h':>5} {'accuracy':>9} {'final cost':>11} {'seconds':>8}")
        acc = accuracy(to_numpy(predict(params, X)), Y)
        # the trained parameters' cost: the last recorded one is iteration 4900's of 5000, or 0's of 10
        final = compute_cost(to_numpy(predict_output(params, X)), Y, output=params.network.output.name)
        results.append((n_h, params, acc))
        print(f"{n_h:>5} {100 * acc:>8.2f}% {final:>11.6f} {time.perf_counter() - start:>8.2f}", flush=True)
    if args.plot is not None:
        from . import plotting

        fig = plotting.plot_sweep(results, X, Y,
                                  title=f"Accuracy against hidden-layer size ({name}; {_run_text(args)})")
        print(f"wrote {plotting.save(fig, args.plot)}")
    return 0


#: The library's argument names, as its messages give them ("Try a smaller learning_rate."), and the
#: options that set them here.
CLI_OPTIONS = {"learning_rate": "--learning-rate", "lambd": "--lambd", "keep_prob": "--keep-prob",
               "batch_size": "--batch-size", "seed": "--seed", "init": "--init", "negative_slope": "--negative-slope"}


#: Arguments whose values a library message may show as ``name='value'``: on the command line, ``--name value``
#: (as may those of :data:`CLI_OPTIONS`: ``init='he'`` is ``--init he``).
CLI_VALUES = ("backend", "device", "dtype", "optimizer", "activation")


def in_cli_terms(message: str) -> str:
    """A library message for the command line: each argument name it gives as the option that sets it
    (``backend='numpy'`` as ``--backend numpy``, ``learning_rate`` as ``--learning-rate``)."""
    options = {**CLI_OPTIONS, **{name: f"--{name}" for name in CLI_VALUES}}
    message = re.sub(r"(?<![-\w])(" + "|".join(options) + r")=(?:'([\w.:-]+)'|(\d+)\b)",
                     lambda match: f"{options[match.group(1)]} {match.group(2) or match.group(3)}", message)
    return re.sub(r"(?<![-\w])(" + "|".join(CLI_OPTIONS) + r")\b", lambda match: CLI_OPTIONS[match.group(1)], message)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "n_h", 0) is None:
        args.n_h = 4
    if args.command is None:
        parser.print_help(sys.stderr)
        print("\nbackend-nn: error: give a command: train, predict or sweep (backend-nn train runs the course's demo)",
              file=sys.stderr)
        return 2
    if getattr(args, "verbose", False):
        import logging

        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("backend-nn: %(message)s"))
        logger = logging.getLogger("backend_nn")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        # NumPy's floating-point warnings are the library's to hold during a run (a diverged run is its
        # TrainingDivergedError alone; one that ends well says what NumPy met, once). Every warning is one
        # line here, as an error is: not the library's file and source line.
        with warnings.catch_warnings():
            warnings.showwarning = lambda message, *_, **__: print(
                f"backend-nn {args.command}: warning: {in_cli_terms(str(message))}", file=sys.stderr)
            float64_in_own_process(getattr(args, "backend", None))  # --backend jax: float64 is float64
            return args.func(args)
    except BrokenPipeError:
        # the reader left (`backend-nn train | head -1`): stop as a shell tool does, without a message, and
        # point stdout at nothing so that Python's own flush at exit does not meet the closed pipe again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (ValueError, TypeError, ImportError, RuntimeError, OSError, FloatingPointError, MemoryError) as exc:
        print(f"backend-nn {args.command}: error: {in_cli_terms(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
