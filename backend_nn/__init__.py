"""backend_nn: the deeplearning.ai course's neural networks, written once on the
Python Array API standard, running on NumPy, CuPy or any Array API library.

The course's week-3 network on its planar "flower", on NumPy (``backend="cupy"``, ``"torch"``,
``"jax"``, ... for the others; ``help(bnn.nn_model)`` for every option):

>>> import backend_nn as bnn
>>> X, Y = bnn.load_planar_dataset()              # X (2, 400), Y (1, 400): examples as columns
>>> parameters, costs = bnn.nn_model(X, Y, n_h=4)
>>> bnn.accuracy(bnn.predict(parameters, X), Y)
0.9075

Layout (each course equation has one home):

- ``activations``    g(Z) beside g'(Z): relu, tanh, sigmoid, leaky relu, linear; softmax; the course's
                     sigmoid(x), relu(x), relu_backward, sigmoid_backward (``dnn_utils``: week 4's (A, cache) pair)
- ``outputs``        output layers (sigmoid, softmax): activation, cross-entropy from the logits, dZ_L, prediction
- ``network``        a network's description (layer sizes, activations, output), the Parameters that carry it,
                     and the (parameters, costs) pair the models return (TrainingResult; kept whole, as the
                     course's ``parameters = nn_model(...)`` keeps it, it serves as its parameters)
- ``initialization`` W = randn * scale (or xavier, he, zeros), b = 0, drawn on the host; course 2's three by name
- ``propagation``    forward beside backward, for L layers: the course's week-4 and week-3 functions,
                     and the hot path with its one seam for fast paths (``Lines``)
- ``update``         gradient descent
- ``optimizers``     gd, momentum, Adam (one init/update interface); learning-rate decay
- ``batches``        the course's shuffled mini-batches
- ``regularization`` L2 (lambd) and inverted dropout (keep_prob); the course's regularization functions
- ``gradient_check`` backpropagation against centred differences (gradient_check_n and the assignment's
                     forward_propagation_n / backward_propagation_n; the 1-D warm-up gradient_check)
- ``step``           one pure training step, and the eager runner
- ``models``         the course's models: nn_model, two_layer_model, L_layer_model, model
- ``training``       the loops under them (fit: full-batch runners, course 2's epochs), a checked train_step
- ``recording``      the costs a loop brings home, and what they say: divergence, a run that did not learn
- ``inputs``         the user's X and Y onto the backend: checked, moved and cast once; Y encoded
- ``prediction``     predict_output (A_L), predict (labels; the course's predict(X, y, parameters)), accuracy
- ``accelerate``     optional fast paths beside the eager runner, and the one place one is chosen
- ``chunked``        dask arrays (NumPy or CuPy chunks, a cluster's memory): each step a task graph over the chunks
- ``streaming``      data larger than the device: host arrays and memory maps streamed in, window by window
- ``validation``     checks of user input, with helpful errors
- ``backend``        the edge: choosing a backend, moving data, detecting a GPU
- ``datasets``       the planar "flower", the course's extra data sets, digits, your CSV/NPZ files
- ``saving``         saved models (.npz, no pickle, atomic writes)
- ``classifier``     NNClassifier: a scikit-learn-style front door (rows as samples)
- ``plotting``       decision boundaries and cost curves (matplotlib)
- ``cli``            the ``backend-nn`` command
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING, Any as _Any

from .activations import Activation, get_activation, relu, relu_backward, sigmoid, sigmoid_backward
from .backend import cuda_device_count, get_namespace, to_backend, to_numpy
from .datasets import DATASETS, load_data_file, load_dataset, load_extra_datasets, load_planar_dataset
from .initialization import (
    initialize_parameters,
    initialize_parameters_deep,
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_zeros,
    layer_sizes,
)
from .network import Network, Parameters, TrainingResult
from .batches import random_mini_batches
from .gradient_check import (
    backward_propagation_n,
    dictionary_to_vector,
    forward_propagation_n,
    gradient_check,
    gradient_check_n,
    gradients_to_vector,
    vector_to_dictionary,
)
from .optimizers import (
    initialize_adam,
    initialize_velocity,
    schedule_lr_decay,
    update_lr,
    update_parameters_with_adam,
    update_parameters_with_gd,
    update_parameters_with_momentum,
)
from .outputs import compute_cost
from .propagation import (
    L_model_backward,
    L_model_forward,
    backward_propagation,
    forward_propagation,
    linear_activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
)
from .regularization import (
    backward_propagation_with_dropout,
    backward_propagation_with_regularization,
    compute_cost_with_regularization,
    forward_propagation_with_dropout,
)
from .plotting import plot_costs, plot_decision_boundary
from .saving import load_model, save_model
from .prediction import accuracy, predict, predict_dec, predict_output
from .models import L_layer_model, model, nn_model, two_layer_model
from .training import ConvergenceWarning, TrainingDivergedError, train_step
from .update import update_parameters


if _TYPE_CHECKING:  # what __getattr__ below gives, as type checkers and editors (Pylance) are to see it
    from . import classifier as classifier, cli as cli, dnn_utils as dnn_utils  # re-exported, as "x as x" says
    from .classifier import NNClassifier, ShallowNNClassifier


_LAZY_CLASSES = ("NNClassifier", "ShallowNNClassifier")
_LAZY_MODULES = ("classifier", "dnn_utils", "cli")


def __getattr__(name: str) -> _Any:
    # imported on first use: classifier imports scikit-learn when that is installed
    if name in _LAZY_CLASSES:
        from . import classifier

        return getattr(classifier, name)
    if name in _LAZY_MODULES:  # bnn.classifier.NNClassifier, as the layout above names it
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'backend_nn' has no attribute {name!r}")


def __dir__() -> list[str]:
    # what tab completion offers: the names imported above, and those __getattr__ gives on first use
    public = {name for name in globals() if not name.startswith("_")}
    return sorted(public | {*_LAZY_CLASSES, *_LAZY_MODULES, "__version__"})


__version__ = "0.2.0"

__all__ = [
    "Activation",
    "ConvergenceWarning",
    "DATASETS",
    "L_layer_model",
    "L_model_backward",
    "L_model_forward",
    "NNClassifier",
    "Network",
    "Parameters",
    "ShallowNNClassifier",
    "TrainingDivergedError",
    "TrainingResult",
    "accuracy",
    "backward_propagation",
    "backward_propagation_with_dropout",
    "backward_propagation_with_regularization",
    "compute_cost_with_regularization",
    "forward_propagation_with_dropout",
    "compute_cost",
    "cuda_device_count",
    "dictionary_to_vector",
    "forward_propagation",
    "forward_propagation_n",
    "backward_propagation_n",
    "gradient_check",
    "gradient_check_n",
    "gradients_to_vector",
    "initialize_adam",
    "initialize_velocity",
    "model",
    "random_mini_batches",
    "schedule_lr_decay",
    "update_lr",
    "update_parameters_with_adam",
    "update_parameters_with_gd",
    "update_parameters_with_momentum",
    "vector_to_dictionary",
    "get_activation",
    "get_namespace",
    "initialize_parameters",
    "initialize_parameters_deep",
    "initialize_parameters_he",
    "initialize_parameters_random",
    "initialize_parameters_zeros",
    "layer_sizes",
    "linear_activation_backward",
    "linear_activation_forward",
    "linear_backward",
    "linear_forward",
    "load_data_file",
    "load_dataset",
    "load_extra_datasets",
    "load_model",
    "load_planar_dataset",
    "nn_model",
    "predict",
    "predict_dec",
    "predict_output",
    "plot_costs",
    "plot_decision_boundary",
    "relu",
    "relu_backward",
    "save_model",
    "sigmoid",
    "sigmoid_backward",
    "to_backend",
    "to_numpy",
    "train_step",
    "two_layer_model",
    "update_parameters",
]
