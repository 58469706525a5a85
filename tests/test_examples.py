"""The Examples sections of the public docstrings run, and print what they say they print.

Each example is a doctest of the public name it documents (``help(bnn.nn_model)`` shows it). The
numbers they show are the course's published ones (the flower's costs and 90.75%, the week-3 and
week-4 initializations, the assignments' test cases) or values that hold to the digits shown on
any CPU; where a run's later costs depend on the BLAS build, the example shows ``...``.
"""

from __future__ import annotations

import doctest
import inspect
import io

import pytest

import backend_nn

# The names a learner meets first: each must carry an Examples section (a name dropped from a
# docstring is caught here, not left as a silently shorter doctest run).
EXAMPLED = [
    "nn_model", "L_layer_model", "model", "predict", "accuracy", "NNClassifier",
    "initialize_parameters", "initialize_parameters_deep", "linear_forward",
    "linear_activation_forward", "L_model_forward", "compute_cost", "L_model_backward",
    "update_parameters", "forward_propagation", "backward_propagation", "random_mini_batches",
    "initialize_adam", "update_parameters_with_adam", "update_lr", "schedule_lr_decay",
    "gradient_check_n", "compute_cost_with_regularization", "forward_propagation_with_dropout",
    "to_backend", "to_numpy", "save_model", "load_dataset", "load_planar_dataset", "train_step",
    "linear_backward", "linear_activation_backward", "initialize_parameters_zeros",
    "initialize_parameters_random", "initialize_parameters_he", "initialize_velocity",
    "update_parameters_with_momentum", "TrainingDivergedError", "gradient_check", "get_namespace",
    "relu_backward", "sigmoid_backward", "get_activation", "Network", "Parameters", "TrainingResult",
    "layer_sizes", "predict_output", "predict_dec", "load_extra_datasets", "load_data_file", "load_model",
    "update_parameters_with_gd", "plot_costs", "plot_decision_boundary",
]

# As NumPy's and SciPy's doctest runners set them: "..." stands for output that varies
# (a run's later costs), and line breaks in an array's repr are not significant.
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# Optional libraries an example may use, and how its source names them (the test extra installs
# array-api-strict and matplotlib; the others may be absent).
OPTIONAL = {"array_api_strict": '"array_api_strict"', "matplotlib": "import matplotlib", "torch": '"torch"',
            "jax": '"jax"', "cupy": '"cupy"'}


def _doctests() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(recurse=False)
    found, seen = [], set()
    for name in backend_nn.__all__:
        obj = getattr(backend_nn, name)
        if id(obj) in seen:  # an alias (ShallowNNClassifier is NNClassifier): its examples run once
            continue
        seen.add(id(obj))
        for test in finder.find(obj, name=f"backend_nn.{name}", globs={}):
            if test.examples:
                found.append(test)
    return found


DOCTESTS = _doctests()


def test_every_listed_name_has_an_examples_section():
    missing = [name for name in EXAMPLED if "\nExamples\n--------\n" not in (inspect.getdoc(getattr(backend_nn, name)) or "")]
    assert not missing, f"no Examples section: {missing}"
    run = {test.name.removeprefix("backend_nn.") for test in DOCTESTS}
    assert set(EXAMPLED) <= run, f"an Examples section with no example: {sorted(set(EXAMPLED) - run)}"


@pytest.mark.parametrize("test", DOCTESTS, ids=lambda test: test.name.removeprefix("backend_nn."))
def test_docstring_example(test: doctest.DocTest):
    source = "".join(example.source for example in test.examples)
    for library, named in OPTIONAL.items():  # an example that uses an optional library needs it installed
        if named in source:
            pytest.importorskip(library)
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    result = runner.run(test, out=report.write, clear_globs=True)
    assert result.attempted == len(test.examples)
    assert result.failed == 0, report.getvalue()
