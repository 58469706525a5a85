"""The command line: ``backend-nn`` / ``python -m backend_nn``.

``backend-nn train`` with no options is the course's flower demo on NumPy:
n_h = 4, tanh, learning rate 1.2, 10,000 iterations; it prints the cost
trajectory and the training accuracy.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Sequence

from .backend import backend_name, namespace_of, to_numpy
from .datasets import DATASETS, load_dataset
from .activations import ACTIVATIONS
from .training import accuracy, nn_model, predict

__all__ = ["main", "build_parser"]


class CLIError(Exception):
    """A user-facing failure: one line on stderr, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backend-nn",
        description="The course's shallow neural network, on NumPy, CuPy or any Array API library.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = sub.add_parser("train", help="train on a data set and report cost and accuracy",
                           description="Train the shallow network by gradient descent (defaults: the course's flower run).")
    train.add_argument("--dataset", default="flower", choices=list(DATASETS), help="data set (default: flower)")
    train.add_argument("--n-h", type=int, default=4, help="hidden units (default: 4)")
    train.add_argument("--activation", default="tanh", choices=list(ACTIVATIONS), help="hidden activation (default: tanh)")
    train.add_argument("--learning-rate", type=float, default=1.2, help="gradient-descent step (default: 1.2)")
    train.add_argument("--iterations", type=int, default=10000, help="gradient-descent steps (default: 10000)")
    train.add_argument("--backend", default="numpy", help="numpy, cupy, auto, array_api_strict, torch, jax (default: numpy)")
    train.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    train.add_argument("--seed", type=int, default=2, help="initialization seed (default: 2, the course's)")
    train.add_argument("--compile", action="store_true", help="use the backend's compiler (jax.jit, torch.compile, CUDA graph)")
    train.add_argument("--no-progress", action="store_true", help="never show the progress bar")
    train.set_defaults(func=_train)
    return parser


def _train(args: argparse.Namespace) -> int:
    X, Y = load_dataset(args.dataset)
    start = time.perf_counter()
    params, costs = nn_model(
        X, Y, args.n_h, args.iterations, print_cost=True, learning_rate=args.learning_rate,
        activation=args.activation, backend=args.backend, dtype=args.dtype, seed=args.seed,
        compile=args.compile, progress=False if args.no_progress else None,
    )
    elapsed = time.perf_counter() - start
    acc = accuracy(to_numpy(predict(params, X)), Y)
    xp_name = backend_name(namespace_of(W1=params["W1"]))
    print(f"Accuracy: {100 * acc:.2f}% on {X.shape[1]} training examples "
          f"({args.dataset}, n_h={args.n_h}, {args.activation}, {xp_name}, {args.dtype}, "
          f"{args.iterations} iterations in {elapsed:.2f} s)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except (ValueError, TypeError, ImportError, RuntimeError, OSError, CLIError) as exc:
        print(f"backend-nn {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
