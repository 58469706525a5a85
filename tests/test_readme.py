"""The README's Python blocks that run on NumPy alone print what the README says they print.

The README quotes numbers beside its code: the train_step loop's printed costs, and accuracies in
the comment of the line that computes them (``bnn.accuracy(...)   # 0.9994 (train)``). Those
blocks are run here as a reader would paste them (after ``import numpy as np`` and
``import backend_nn as bnn``), and each quoted number is compared with what its line gives. The other
blocks that run without a GPU, a cluster or files of the reader's own are run too, to show they
still run as written. The recorded runs and pictures the READMEs point to are in the repository.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

import backend_nn as bnn

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```\n", README, flags=re.S | re.M)


def _block(marker: str) -> str:
    found = [block for block in BLOCKS if marker in block]
    assert len(found) == 1, f"expected one README block with {marker!r}; found {len(found)}"
    return found[0]


def _output_after(block: str) -> str:
    """The plain ``` block that follows ``block`` in the README: its printed output."""
    tail = README[README.index(block) + len(block):]
    match = re.match(r"```\n```\n(.*?)```\n", tail, flags=re.S)
    assert match, "the README shows no output after this block"
    return match.group(1)


def _run_with_quoted_numbers(block: str) -> list[tuple[int, float, float]]:
    """Run ``block`` statement by statement; for each expression line whose comment starts with a
    number, (line, the number quoted, the expression's value)."""
    namespace: dict = {"np": np, "bnn": bnn}
    lines = block.splitlines()
    quoted = []
    for statement in ast.parse(block).body:
        code = compile(ast.Module(body=[statement], type_ignores=[]), "README.md", "exec")
        comment = re.search(r"#\s*([0-9]+\.[0-9]+)", lines[statement.end_lineno - 1])
        if isinstance(statement, ast.Expr) and comment:
            value = eval(compile(ast.Expression(statement.value), "README.md", "eval"), namespace)
            quoted.append((statement.lineno, float(comment.group(1)), float(value)))
        else:
            exec(code, namespace)
    return quoted


def test_the_train_step_loop_prints_what_the_readme_shows():
    block = _block("bnn.train_step(")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(block, {"np": np, "bnn": bnn})
    assert printed.getvalue() == _output_after(block)


@pytest.mark.parametrize("marker", ["bnn.L_layer_model(X, Y, [64, 32, 16, 10]", 'optimizer="adam", learning_rate=0.0007'])
def test_the_quoted_accuracies_on_digits(marker):
    pytest.importorskip("sklearn", reason="the digits data set is scikit-learn's")
    quoted = _run_with_quoted_numbers(_block(marker))
    assert quoted, "no line of this block quotes its value"
    for line, number, value in quoted:
        # to the digits quoted (a training accuracy over 1797 examples: 1/1797 = 0.00056 an example)
        assert round(value, 4) == number, f"README line {line} of the block quotes {number}; it gives {value}"


# The other blocks that run here, by a line of each, and the library each needs beyond the test extra.
# Not run: the streamed-files block (features.npy), the dask and dask-cuda blocks (from_zarr, a cluster).
RUNNABLE = {
    'params_t = bnn.to_backend(params, "torch")': "torch",  # choosing a backend
    'bnn.save_model("flower.npz", params)': None,
    "cross_val_score(make_pipeline(": "sklearn",
}


def test_the_blocks_not_run_are_the_ones_that_need_what_ci_lacks():
    markers = [*RUNNABLE, "bnn.train_step(", "bnn.L_layer_model(X, Y, [64, 32, 16, 10]",
               'optimizer="adam", learning_rate=0.0007']
    not_run = [block for block in BLOCKS if not any(marker in block for marker in markers)]
    assert len(not_run) == 3 and all("features." in block for block in not_run), not_run


@pytest.mark.parametrize("marker", list(RUNNABLE))
def test_the_other_blocks_run_as_written(marker, tmp_path, monkeypatch):
    if RUNNABLE[marker]:
        pytest.importorskip(RUNNABLE[marker])
    monkeypatch.chdir(tmp_path)  # the save_model block writes flower.npz where it runs
    X, Y = bnn.load_planar_dataset()
    # what the README's earlier blocks leave defined: the flower, and a model trained on it
    namespace = {"np": np, "bnn": bnn, "X": X, "Y": Y, "params": bnn.nn_model(X, Y, 4, num_iterations=1000)[0]}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(_block(marker), namespace)


def _cited_files(document: str) -> list[tuple[str, list[Path]]]:
    """Each path the document cites (``results/x.log``, ``benchmarks/results/x.*``, ``docs/images/x.png``,
    or a recorded run's bare name, ``gpu-h100-s42-mid.log``; a brace list ``x.{json,log}`` spelled out)
    with the files it names: relative to the document's folder, to the repository root or (bare names)
    to benchmarks/, a glob's matches."""
    root = Path(__file__).resolve().parents[1]
    here = (root / document).parent
    cited = []
    text = (root / document).read_text(encoding="utf-8")
    paths = r"(?:benchmarks/)?(?:results|docs/images)/[\w.*-]+(?:\{[\w,.-]+\})?[\w.*-]*"
    bare = r"(?<![\w/.-])(?:cpu|gpu|deep|minibatch|stream|dask)-[\w.-]+\.(?:log|json|png|txt)\b"  # results' names
    for ref in re.findall(paths, text) + ["results/" + name for name in re.findall(bare, text)]:
        ref = ref.rstrip(".")
        brace = re.search(r"\{([^}]*)\}", ref)
        spelled = [ref[:brace.start()] + part + ref[brace.end():] for part in brace.group(1).split(",")] if brace else [ref]
        for path in spelled:
            found = sorted(here.glob(path)) or sorted(root.glob(path)) or sorted((root / "benchmarks").glob(path))
            cited.append((path, [f for f in found if f.is_file()]))
    return cited


@pytest.mark.parametrize("document", ["README.md", "benchmarks/README.md"])
def test_the_results_and_pictures_cited_exist(document):
    """A recorded run or picture the text points the reader to is in the repository (a glob names one
    file at least)."""
    cited = _cited_files(document)
    assert len(cited) >= 5, f"{document}: expected it to cite recorded results or pictures; found {len(cited)}"
    missing = [path for path, found in cited if not found]
    assert not missing, f"{document} cites files that are not in the repository: {missing}"
