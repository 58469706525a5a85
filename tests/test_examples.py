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

# Every public function and class carries an Examples section (one lost from a docstring, or a new
# public name without one, fails here rather than silently running fewer doctests). DATASETS is a
# dict; ShallowNNClassifier is NNClassifier under its older name.
EXAMPLED = [name for name in backend_nn.__all__
            if (inspect.isfunction(getattr(backend_nn, name)) or inspect.isclass(getattr(backend_nn, name)))
            and getattr(backend_nn, name).__name__ == name]

# As NumPy's and SciPy's doctest runners set them: "..." stands for output that varies
# (a run's later costs), and line breaks in an array's repr are not significant.
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# Optional libraries an example uses, and how its source names them (the test extra installs both; an
# example that used PyTorch, JAX or CuPy would join them here). cuda_device_count's example names "cupy"
# as a backend to choose and runs without it.
OPTIONAL = {"array_api_strict": '"array_api_strict"', "matplotlib": "import matplotlib"}


def _doctests() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(recurse=False)
    found, seen = finder.find(backend_nn, name="backend_nn", globs={}), set()  # the package's quick start
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


def test_every_public_function_and_class_has_an_examples_section():
    others = set(backend_nn.__all__) - set(EXAMPLED)
    assert others == {"DATASETS", "ShallowNNClassifier"}, f"public names outside the check: {sorted(others)}"
    missing = [name for name in EXAMPLED if "\nExamples\n--------\n" not in (inspect.getdoc(getattr(backend_nn, name)) or "")]
    assert not missing, f"no Examples section: {missing}"
    run = {test.name.removeprefix("backend_nn.") for test in DOCTESTS}
    assert "backend_nn" in run, "the package docstring's quick start"
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
