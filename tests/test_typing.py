"""The type hints are part of the API (the package ships py.typed): mypy, with the settings in
pyproject.toml, finds no error in the package, nor in a learner's calls of it
(tests/typing_learner.py), where an annotation narrower than what the function takes would be
one in the user's own checked code."""

from __future__ import annotations

import ast
import importlib.resources
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_says_it_is_typed():
    assert importlib.resources.files("backend_nn").joinpath("py.typed").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"backend_nn" = ["py.typed"]' in pyproject  # installed with the package, not only in the checkout


def test_tab_completion_offers_the_public_names_and_not_typings_helpers():
    """dir(bnn), which IPython and editors complete from, lists every name in __all__ (NNClassifier too, before
    its first use imports scikit-learn) and the lazily imported modules, and not typing's Any or TYPE_CHECKING."""
    code = ("import sys, backend_nn as bnn; names = dir(bnn); "
            "assert 'backend_nn.classifier' not in sys.modules; print(repr(names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    names = ast.literal_eval(out)
    import backend_nn as bnn

    assert set(bnn.__all__) <= set(names), set(bnn.__all__) - set(names)
    assert {"classifier", "cli", "dnn_utils", "__version__", "training", "backend"} <= set(names)
    assert not {"Any", "TYPE_CHECKING"} & set(names) and names == sorted(names)


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory):
    api = pytest.importorskip("mypy.api", reason="mypy is in the test extra: pip install '.[test]'")
    cache = tmp_path_factory.mktemp("mypy-cache")
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache),
                                "--no-error-summary", "--hide-error-context", "--no-pretty",
                                str(ROOT / "backend_nn"), str(ROOT / "tests" / "typing_learner.py")])
    assert not err, err
    return status, [line for line in out.splitlines() if ": error:" in line]


def test_mypy_finds_no_error_in_the_package(mypy_report):
    _, errors = mypy_report
    package = [e for e in errors if "typing_learner.py" not in e]
    assert not package, "\n".join(package)


def test_mypy_takes_a_learners_calls_as_the_functions_take_them(mypy_report):
    status, errors = mypy_report
    assert not errors, "\n".join(errors)
    assert status == 0
