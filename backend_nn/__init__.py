"""backend_nn: the deeplearning.ai course's neural networks, written once on the
Python Array API standard, running on NumPy, CuPy or any Array API library.

Layout (each course equation has one home):

- ``activations``    g(Z) beside g'(Z): sigmoid, tanh, ReLU, leaky ReLU, linear
- ``initialization`` layer sizes; W = randn * 0.01, b = 0, drawn on the host
- ``propagation``    forward propagation beside backward propagation (L layers; shallow = L = 2)
- ``cost``           cross-entropy, stable from the logits
- ``update``         gradient descent
- ``training``       nn_model (the loop), predict, accuracy
- ``validation``     checks of user input, with helpful errors
- ``backend``        the edge: choosing a backend, moving data, detecting a GPU
- ``datasets``       the planar "flower", the course's extra data sets, your CSV/NPZ files
- ``accelerate``     optional fast paths beside the generic one (JAX jit, torch.compile, CUDA graph, fused CuPy kernels)
- ``saving``         saved models (.npz, no pickle, atomic writes)
- ``classifier``     ShallowNNClassifier: a scikit-learn-style front door (rows as samples)
- ``plotting``       decision boundaries and cost curves (matplotlib)
- ``cli``            the ``backend-nn`` command
"""

from .activations import Activation, get_activation
from .backend import cuda_device_count, get_namespace, to_backend, to_numpy
from .cost import compute_cost
from .datasets import DATASETS, load_data_file, load_dataset, load_planar_dataset
from .initialization import initialize_parameters, initialize_parameters_deep, layer_sizes
from .parameters import Parameters
from .propagation import backward_propagation, forward_propagation
from .training import TrainingDivergedError, accuracy, nn_model, predict, predict_output, train_step
from .saving import load_model, save_model
from .update import update_parameters


def __getattr__(name: str):
    # imported on first use: it imports scikit-learn when that is installed
    if name == "ShallowNNClassifier":
        from .classifier import ShallowNNClassifier

        return ShallowNNClassifier
    raise AttributeError(f"module 'backend_nn' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "Activation",
    "DATASETS",
    "Parameters",
    "ShallowNNClassifier",
    "TrainingDivergedError",
    "accuracy",
    "backward_propagation",
    "compute_cost",
    "cuda_device_count",
    "forward_propagation",
    "get_activation",
    "get_namespace",
    "initialize_parameters",
    "initialize_parameters_deep",
    "layer_sizes",
    "load_data_file",
    "load_dataset",
    "load_model",
    "load_planar_dataset",
    "nn_model",
    "predict",
    "predict_output",
    "save_model",
    "to_backend",
    "to_numpy",
    "train_step",
    "update_parameters",
]
