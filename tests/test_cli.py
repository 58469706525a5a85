"""The command line, run for real in a subprocess on small problems."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import backend_nn as bnn

# without matplotlib, a picture asked for is refused first, for that reason
NEEDS_MATPLOTLIB = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="matplotlib is not installed")


PACKAGE_ROOT = str(Path(bnn.__file__).resolve().parent.parent)  # the backend_nn under test, installed or not


def cli(*args, cwd):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([PACKAGE_ROOT, os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "backend_nn", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, env=env)


def _is_png(path):
    return path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_train_prints_the_course_trajectory_and_saves(tmp_path):
    r = cli("train", "--iterations", "3000", "--save", "model.npz", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:3] == ["Cost after iteration 0: 0.693048", "Cost after iteration 1000: 0.288083",
                         "Cost after iteration 2000: 0.254385"]
    assert lines[3].startswith("Accuracy: ")
    assert "(flower; layers [2, 4, 1], hidden tanh, output sigmoid; numpy, float64, learning rate 1.2, 3000 iterations" \
        in lines[3]
    seconds = float(re.search(r"3000 iterations in (\d+\.\d\d) s\)$", lines[3]).group(1))
    assert 0 < seconds < 60  # the run's wall time
    assert r.stderr == ""  # no progress bar when stderr is not a terminal
    params = bnn.load_model(tmp_path / "model.npz")
    assert params["W1"].shape == (4, 2)


def test_train_with_course_2_options_is_nn_model_with_them(tmp_path):
    r = cli("train", "--optimizer", "adam", "--batch-size", "64", "--learning-rate", "0.01", "--iterations", "1001",
            "--layers", "8", "4", "--activation", "relu", "--lambd", "0.1", "--keep-prob", "0.9", "--init", "he",
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    X, Y = bnn.load_planar_dataset()
    params, costs = bnn.nn_model(X, Y, [8, 4], 1001, learning_rate=0.01, activation="relu", optimizer="adam",
                                 batch_size=64, lambd=0.1, keep_prob=0.9, init="he")
    lines = r.stdout.splitlines()
    assert lines[:2] == [f"Cost after epoch 0: {costs[0]:f}", f"Cost after epoch 1000: {costs[10]:f}"]
    acc = bnn.accuracy(bnn.predict(params, X), Y)
    assert lines[2].startswith(f"Accuracy: {100 * acc:.2f}% ")
    assert "he init, adam, learning rate 0.01, L2 lambd 0.1, dropout keep_prob 0.9, 1001 epochs, batches of 64 in " \
        in lines[2]


def test_train_without_a_learning_rate_takes_the_optimizers_own(tmp_path):
    """--optimizer adam alone trains at Adam's 0.001 (nn_model's default for it), not gradient descent's 1.2."""
    r = cli("train", "--optimizer", "adam", "--iterations", "1001", "--no-progress", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    X, Y = bnn.load_planar_dataset()
    params, costs = bnn.nn_model(X, Y, 4, 1001, optimizer="adam", learning_rate=0.001)
    acc = bnn.accuracy(bnn.predict(params, X), Y)
    lines = r.stdout.splitlines()
    assert lines[:2] == [f"Cost after iteration 0: {costs[0]:f}", f"Cost after iteration 1000: {costs[10]:f}"]
    assert lines[2].startswith(f"Accuracy: {100 * acc:.2f}% ")


def test_train_leaky_relu_with_its_slope_saves_it_for_predict(tmp_path):
    """--negative-slope sets leaky_relu's slope (there was no option for it: every leaky_relu run had 0.01); the
    saved model keeps it, and predict computes with it."""
    r = cli("train", "--layers", "6", "--activation", "leaky_relu", "--negative-slope", "0.2", "--iterations", "1001",
            "--learning-rate", "0.5", "--save", "leaky.npz", "--no-progress", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    X, Y = bnn.load_planar_dataset()
    params, costs = bnn.nn_model(X, Y, [6], 1001, learning_rate=0.5, activation="leaky_relu", negative_slope=0.2)
    lines = r.stdout.splitlines()
    assert lines[:2] == [f"Cost after iteration 0: {costs[0]:f}", f"Cost after iteration 1000: {costs[10]:f}"]
    assert "layers [2, 6, 1], hidden leaky_relu(0.2), output sigmoid" in lines[2]
    saved = bnn.load_model(tmp_path / "leaky.npz")
    assert saved.network == params.network
    np.savetxt(tmp_path / "rows.csv", X.T, delimiter=",")
    r = cli("predict", "leaky.npz", "rows.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [str(int(v)) for v in bnn.predict(params, X).ravel()]


def test_train_draws_pictures(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    r = cli("train", "--dataset", "noisy_moons", "--iterations", "300", "--plot-boundary", "b.png",
            "--plot-cost", "c.png", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert _is_png(tmp_path / "b.png") and _is_png(tmp_path / "c.png")


def test_a_cost_picture_of_a_short_run_has_enough_points_and_the_printed_lines_stay(tmp_path):
    """A 300-epoch run recorded every 100 epochs drew a cost curve of 3 points; with --plot-cost the run
    records every 5 (a divisor of 100, so the printed lines stay the course's multiples of 1000)."""
    from backend_nn.cli import _cost_every

    assert [_cost_every(n) for n in (1, 300, 2500, 10000)] == [1, 5, 50, 100]
    pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    args = ("train", "--dataset", "spiral", "--layers", "8", "--activation", "relu", "--optimizer", "adam",
            "--batch-size", "64", "--learning-rate", "0.01", "--iterations", "1001", "--no-progress")
    plain, drawn = cli(*args, cwd=tmp_path), cli(*args, "--plot-cost", "c.png", cwd=tmp_path)
    assert plain.returncode == drawn.returncode == 0, drawn.stderr
    lines = [l for l in plain.stdout.splitlines() if l.startswith("Cost after")]
    assert lines == [l for l in drawn.stdout.splitlines() if l.startswith("Cost after")]
    assert [l.split(":")[0] for l in lines] == ["Cost after epoch 0", "Cost after epoch 1000"]


def test_train_a_deep_multiclass_network_and_draw_its_regions(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    r = cli("train", "--dataset", "spiral", "--layers", "16", "8", "--activation", "relu", "tanh",
            "--learning-rate", "0.5", "--iterations", "1500", "--save", "s.npz", "--plot-boundary", "s.png",
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "layers [2, 16, 8, 3], hidden relu, tanh, output softmax" in r.stdout
    acc = float(r.stdout.split("Accuracy: ")[1].split("%")[0])
    assert acc > 80, r.stdout
    assert _is_png(tmp_path / "s.png")
    model = bnn.load_model(tmp_path / "s.npz")
    assert model.network.layer_dims == (2, 16, 8, 3)
    X, labels = bnn.load_dataset("spiral")
    np.savetxt(tmp_path / "spiral.csv", np.c_[X.T, labels.T], delimiter=",")
    r = cli("predict", "s.npz", "spiral.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert set(r.stdout.split()) <= {"0", "1", "2"} and len(r.stdout.split()) == 300
    assert f"accuracy against the file's labels: {acc:.2f}%" in r.stderr


def test_predict_with_a_saved_model_on_a_csv(tmp_path):
    X, Y = bnn.load_planar_dataset()
    np.savetxt(tmp_path / "train.csv", np.c_[X.T, Y.T], delimiter=",", header="x1,x2,label", comments="")
    np.savetxt(tmp_path / "new.csv", X.T[:7], delimiter=",")
    assert cli("train", "--data", "train.csv", "--iterations", "500", "--save", "m.npz", cwd=tmp_path).returncode == 0
    r = cli("predict", "m.npz", "new.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    got = [int(v) for v in r.stdout.split()]
    expected = bnn.predict(bnn.load_model(tmp_path / "m.npz"), X[:, :7]).ravel().astype(int).tolist()
    assert got == expected
    r = cli("predict", "m.npz", "train.csv", "--out", "pred.txt", cwd=tmp_path)
    assert r.returncode == 0 and "accuracy against the file's labels" in r.stderr
    assert len((tmp_path / "pred.txt").read_text().split()) == 400
    np.savez(tmp_path / "rows.npz", X=X.T[:7])  # examples as rows: it said only "... rows.npz has 7."
    rows = cli("predict", "m.npz", "rows.npz", cwd=tmp_path)
    assert rows.returncode == 2 and rows.stderr.strip().endswith(
        "error: the model expects 2 features per example; rows.npz has 7: its X (7, 2) looks stored with examples "
        "as rows; save X.T, (n_x, m).")
    np.savetxt(tmp_path / "wide.csv", np.ones((2, 4)), delimiter=",")  # a CSV's rows are examples: no such hint
    wide = cli("predict", "m.npz", "wide.csv", cwd=tmp_path)
    assert wide.returncode == 2 and wide.stderr.strip().endswith(
        "error: the model expects 2 features per example; wide.csv has 4.")
    swapped = cli("predict", "new.csv", "m.npz", cwd=tmp_path)  # was "new.csv is not a backend_nn model: not an .npz"
    assert swapped.returncode == 2 and swapped.stderr.strip().endswith(
        "error: new.csv is data and m.npz may be the model: did you swap them? The model comes first: "
        "backend-nn predict m.npz new.csv")


def test_sweep_table_and_grid(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    r = cli("sweep", "--sizes", "1", "3", "--iterations", "300", "--plot", "grid.png", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = [l.split() for l in r.stdout.splitlines()[1:3]]
    assert [row[0] for row in rows] == ["1", "3"] and all(row[1].endswith("%") for row in rows)
    assert _is_png(tmp_path / "grid.png")


def test_sweep_picture_names_the_run(tmp_path, monkeypatch):
    """The grid's title named only the data set: a shared picture did not say the optimizer, rate or steps.
    It says what the accuracy line says, wrapped to the grid's width."""
    pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    from backend_nn import plotting
    from backend_nn.cli import main

    drawn = []
    sweep = plotting.plot_sweep
    monkeypatch.setattr(plotting, "plot_sweep", lambda *a, **k: drawn.append(sweep(*a, **k)) or drawn[-1])
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "--sizes", "2", "--iterations", "3", "--batch-size", "64", "--optimizer", "adam",
                 "--lambd", "0.1", "--plot", "grid.png"]) == 0
    title = drawn[0]._suptitle.get_text()
    assert title.replace("\n", " ") == ("Accuracy against hidden-layer size (flower; adam, learning rate 0.001, L2 "
                                        "lambd 0.1, 3 epochs, batches of 64)")
    assert max(map(len, title.splitlines())) <= 36  # one panel of 4 inches


def test_train_on_dask_says_dask(tmp_path):
    pytest.importorskip("dask", reason="dask is not installed")
    r = cli("train", "--backend", "dask", "--iterations", "20", "--no-progress", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "; dask (numpy chunks), float64, learning rate 1.2, 20 iterations in " in r.stdout  # it said "numpy"


def test_sweep_reports_the_trained_parameters_cost(tmp_path):
    """The "final cost" column was the last recorded cost: at 50 iterations (costs every 100), iteration 0's,
    0.693 for every size. It is the trained parameters' cost."""
    r = cli("sweep", "--sizes", "3", "--iterations", "50", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    final = float(r.stdout.splitlines()[1].split()[2])
    X, Y = bnn.load_dataset("flower")
    params, costs = bnn.nn_model(X, Y, 3, 50)
    expected = bnn.compute_cost(bnn.predict_output(params, X), Y)
    assert final == pytest.approx(expected, abs=1e-6) and abs(final - costs[-1]) > 0.01


@pytest.mark.parametrize("args, message", [
    (("predict", "missing.npz", "x.csv"), "no such model file: missing.npz"),
    (("train", "--data", "missing.csv"), "no such data file: missing.csv"),
    (("train", "--data", "blobs"), "no such data file: blobs ('blobs' is a course data set: load_dataset('blobs'), "
                                   "or --dataset blobs on the command line)"),
    (("train", "--data", "bad.csv"), "bad.csv, line 3, column 2: not a number: 'x'."),
    (("train", "--data", "words.csv"), "words.csv, line 2, column 3: not a number: 'yes' (the last column holds the "
                                       "labels, which are numbers: 0/1, or 0..K-1 for K classes)."),
    (("train", "--data", "ragged.csv"), "ragged.csv, line 2: expected 3 comma-separated values, found 2"),
    (("train", "--data", "gap.csv"), "gap.csv, line 1, column 2: an empty cell"),  # data, not a header
    (("train", "--data", "nan.csv"), "nan.csv, line 2, column 1: 'NaN' is not a finite number"),  # was 'X must be finite'
    # its first line was taken for a header and dropped: the error named line 2
    (("train", "--data", "semi.csv"), "semi.csv, line 1, column 1: not a number: '1;2;0' (the file is read as "
                                      "comma-separated; this line looks separated by ';')"),
    (("train", "--data", "latin1.csv"), "latin1.csv is not a UTF-8 text file"),
    (("train", "--data", "x.npy"), "x.npy is a NumPy .npy array; data files are CSV (one example per row) or .npz"),
    # labels the network cannot take: the advice was Python's (np.unique(...), L_layer_model(...), output='sigmoid')
    (("train", "--data", "labels12.csv"), "it holds [1.0, 2.0]. Number the labels (the last column of labels12.csv) "
                                          "0..K-1 for K classes, 0/1 for two, every class with at least one example.\n"),
    (("sweep", "--data", "soft.csv"), "it holds [0.0, 0.3, 1.0]. Number the labels (the last column of soft.csv)"),
    (("train", "--data", "labels.npz"), "it holds [1.0, 3.0]. Number the labels (Y of labels.npz) 0..K-1"),
    # every output is checked before training: nothing is lost at the end of a run
    (("train", "--save", "nowhere/m.npz"), "cannot save to nowhere/m.npz: the folder nowhere does not exist"),
    (("train", "--save", "adir"), "adir is a directory"),
    (("predict", "missing.npz", "x.csv", "--out", "nowhere/p.txt"), "--out: the folder nowhere does not exist"),
    (("train", "--plot-boundary", "b.txt"), "--plot-boundary writes a PNG picture: give a file name ending in .png"),
    (("train", "--plot-cost", "nowhere/c.png"), "--plot-cost: the folder nowhere does not exist"),
    pytest.param(("train", "--data", "wide.csv", "--plot-boundary", "b.png"),
                 "these data have 3. Leave out --plot-boundary.\n", marks=NEEDS_MATPLOTLIB),  # named --plot too
    pytest.param(("sweep", "--data", "wide.csv", "--plot", "s.png"),
                 "these data have 3. Leave out --plot.\n", marks=NEEDS_MATPLOTLIB),
    (("train", "--backend", "tensorflow"), "unknown backend 'tensorflow'"),
    (("train", "--iterations", "0"), "--iterations takes positive integers; got 0"),
    (("train", "--layers", "4", "-2"), "--layers takes positive integers; got -2"),  # it named n_h[1]
    (("train", "--n-h", "0"), "--n-h takes positive integers; got 0"),
    (("train", "--batch-size", "0"), "--batch-size takes positive integers; got 0"),
    # the library's checks, in the options' names (they said learning_rate, keep_prob, lambd)
    (("train", "--learning-rate", "-1"), "error: --learning-rate must be a positive, finite number; got -1.0"),
    (("train", "--keep-prob", "2"), "error: --keep-prob must be in (0, 1]"),
    (("train", "--lambd", "nan"), "error: --lambd must be a finite number >= 0; got nan"),
    (("train", "--negative-slope", "0.3"), "error: --negative-slope 0.3 is leaky_relu's slope, but the hidden layers "
                                           "are ['tanh']: leave --negative-slope unset, or use --activation leaky_relu."),
    (("train", "--activation", "leaky_relu", "--negative-slope", "1"), "error: --negative-slope must be in [0, 1)"),
    (("sweep", "--sizes", "3", "0"), "--sizes takes positive integers; got 0"),
    # the library's refusal came after the table's header line on stdout
    (("sweep", "--sizes", "3", "--learning-rate", "-1"), "error: --learning-rate must be a positive, finite number"),
    (("predict", "notes.npz", "bad.csv"), "not a backend_nn model: not an .npz (zip) archive"),
    # an empty name was taken as no option at all: --data '' trained the flower, --save '' saved nothing
    (("train", "--data", ""), "no such data file: the path is empty; give the file's name, e.g. data.csv.\n"),
    (("train", "--save", ""), "cannot save to '': the path is empty; give a file name, e.g. model.npz.\n"),
    (("predict", "missing.npz", "x.csv", "--out", ""), "--out: the path is empty; give a file name"),
    (("predict", "", "x.csv"), "no such model file: the path is empty"),
    (("predict", "adir", "x.csv"), "adir is a folder; give a model file in it (.npz, as save_model writes).\n"),
    # a quoted ~ reaches the library as it is
    (("train", "--data", "~/no-such-file-here.csv"), "no such data file: ~/no-such-file-here.csv (~ is taken "
                                                     "literally here: spell the home folder out, or use "
                                                     "os.path.expanduser(path))\n"),
])
def test_errors_are_one_line_and_a_nonzero_exit(tmp_path, args, message):
    (tmp_path / "bad.csv").write_text("a,b,c\n1,2,0\n1,x,1\n")
    (tmp_path / "ragged.csv").write_text("1,2,0\n1,2\n")
    (tmp_path / "words.csv").write_text("x1,x2,label\n1,2,yes\n3,4,no\n")
    (tmp_path / "notes.npz").write_text("not a zip")
    (tmp_path / "gap.csv").write_text("1,,0\n1,2,0\n3,4,1\n2,2,1\n")
    (tmp_path / "nan.csv").write_text("1,2,0\nNaN,2,0\n3,4,1\n2,2,1\n")
    (tmp_path / "semi.csv").write_text("1;2;0\n3;4;1\n")
    (tmp_path / "latin1.csv").write_bytes("1,2,0\n1,\u00e9,1\n".encode("latin-1"))
    (tmp_path / "wide.csv").write_text("1,2,3,0\n2,3,4,1\n")
    (tmp_path / "labels12.csv").write_text("1,2,1\n3,4,2\n2,2,1\n")
    (tmp_path / "soft.csv").write_text("1,2,0.3\n3,4,1\n2,2,0\n")
    np.savez(tmp_path / "labels.npz", X=np.ones((2, 3)), Y=np.array([[1.0, 3.0, 1.0]]))
    (tmp_path / "adir").mkdir()
    np.save(tmp_path / "x.npy", np.zeros((2, 5)))
    r = cli(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and r.stdout == ""  # refused before any training
    assert r.stderr.count("\n") == 1 and message in r.stderr, r.stderr
    assert not any(p.name.endswith("partial") for p in tmp_path.iterdir())


def test_a_diverged_run_is_one_line_and_a_nonzero_exit(tmp_path):
    """A learning rate that blows the weights up: the error says so, without NumPy's overflow warnings
    from inside the library; stdout keeps the costs printed before it."""
    r = cli("train", "--layers", "50", "--activation", "relu", "--learning-rate", "1e8", "--iterations", "50",
            "--no-progress", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "RuntimeWarning" not in r.stderr, r.stderr
    assert "training diverged: after iteration 50 the parameters hold NaN or inf values" in r.stderr
    assert r.stderr.endswith("Try a smaller --learning-rate.\n")  # the option, not nn_model's learning_rate
    assert r.stdout.startswith("Cost after iteration 0: ")


def test_a_reader_that_leaves_early_stops_the_run_quietly(tmp_path):
    """`backend-nn train | head -1`: the closed pipe ends the run with exit status 1 and nothing on stderr
    (it said 'backend-nn train: error: [Errno 32] Broken pipe', and exited 2 as for a bad option)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([PACKAGE_ROOT, os.environ.get("PYTHONPATH", "")])}
    with subprocess.Popen([sys.executable, "-m", "backend_nn", "train", "--iterations", "5000", "--no-progress"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env) as proc:
        assert proc.stdout.readline() == "Cost after iteration 0: 0.693048\n"
        proc.stdout.close()  # the next cost line meets a closed pipe
        stderr = proc.stderr.read()
        assert proc.wait(timeout=300) == 1
    assert stderr == ""


def test_cupy_without_a_gpu_is_one_line_in_the_options_terms(tmp_path):
    if bnn.cuda_device_count():
        pytest.skip("a CUDA GPU is counted here: --backend cupy trains")
    r = cli("train", "--backend", "cupy", "--iterations", "10", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "error: --backend cupy needs " in r.stderr and "backend='" not in r.stderr  # it said backend='numpy'


def test_library_messages_name_the_options_that_set_what_they_name():
    from backend_nn.cli import in_cli_terms

    assert in_cli_terms("Try a smaller learning_rate or lambd.") == "Try a smaller --learning-rate or --lambd."
    assert in_cli_terms("keep_prob, batch_size") == "--keep-prob, --batch-size"
    assert in_cli_terms("seed must be an integer") == "--seed must be an integer"
    assert in_cli_terms("a larger learning_rate or another init") == "a larger --learning-rate or another --init"
    assert in_cli_terms("backend='cupy' needs a CUDA GPU; use backend='numpy', or dtype='float64'") == \
        "--backend cupy needs a CUDA GPU; use --backend numpy, or --dtype float64"
    assert in_cli_terms("update_lr(learning_rate0, ...) and learning_rates") == \
        "update_lr(learning_rate0, ...) and learning_rates"  # whole names only
    # an option's value too (was "as --init='zeros' leaves them ... (--init='random' or 'he')")
    assert in_cli_terms("as init='zeros' leaves them; a random start (init='random' or init='he')") == \
        "as --init zeros leaves them; a random start (--init random or --init he)"
    assert in_cli_terms("resume with optimizer='adam', not the optimizer's own") == \
        "resume with --optimizer adam, not the optimizer's own"  # the bare word stays prose
    assert in_cli_terms("--init he, --learning-rate 0.1") == "--init he, --learning-rate 0.1"  # options as they are
    # a device by number or name (was "numpy cannot place data on device=3")
    assert in_cli_terms("backend='numpy' cannot place data on device=3: ...") == \
        "--backend numpy cannot place data on --device 3: ..."
    assert in_cli_terms("on device='cuda:1' (2 CUDA devices)") == "on --device cuda:1 (2 CUDA devices)"
    assert in_cli_terms("keep_prob=0.5 drops hidden units") == "--keep-prob 0.5 drops hidden units"
    assert in_cli_terms("leave negative_slope unset, or use activation='leaky_relu'") == \
        "leave --negative-slope unset, or use --activation leaky_relu"
    assert in_cli_terms("a hidden activation, activation= (one name)") == "a hidden activation, activation= (one name)"


def test_the_symmetry_lesson_names_the_option(tmp_path):
    r = cli("train", "--init", "zeros", "--iterations", "300", "--no-progress", cwd=tmp_path)
    assert r.returncode == 0 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.endswith("as --init zeros leaves them: the symmetry lesson); a random start (--init random or "
                             "--init he) breaks the symmetry.\n")


def test_a_warning_is_one_line_too(tmp_path):
    r = cli("train", "--layers", "8", "8", "--activation", "relu", "--learning-rate", "50", "--iterations", "3000",
            "--no-progress", cwd=tmp_path)
    assert r.returncode == 0 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("backend-nn train: warning: the cost rose over the run, from 0.693147 at iteration 0")
    assert r.stderr.endswith("Try a smaller --learning-rate.\n")
    assert "Accuracy: " in r.stdout


def test_layers_given_as_the_courses_layers_dims_trains_them_as_hidden_and_says_so(tmp_path):
    """--layers 2 5 2 1 on the flower (n_x = 2, n_y = 1) is read as the course's layers_dims: the run is the one
    asked for, hidden layers [2, 5, 2, 1], with a one-line warning naming the command for [2, 5, 2, 1] itself;
    hidden sizes that only start at n_x, or a softmax's K that is not the last, pass without one."""
    r = cli("train", "--layers", "2", "5", "2", "1", "--iterations", "20", "--no-progress", cwd=tmp_path)
    assert r.returncode == 0 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr == ("backend-nn train: warning: --layers takes the hidden-layer sizes alone (n_x and n_y come "
                        "from the data), so these layers are [2, 2, 5, 2, 1, 1]. If [2, 5, 2, 1] is the course's "
                        "layers_dims [n_x, ..., n_y], give --layers 5 2.\n")
    assert "layers [2, 2, 5, 2, 1, 1]" in r.stdout
    r = cli("train", "--dataset", "spiral", "--layers", "2", "8", "3", "--iterations", "5", "--no-progress",
            cwd=tmp_path)  # n_y is the softmax's K = 3
    assert r.returncode == 0 and r.stderr.endswith("so these layers are [2, 2, 8, 3, 3]. If [2, 8, 3] is the "
                                                   "course's layers_dims [n_x, ..., n_y], give --layers 8.\n")
    for args in (["--layers", "2", "5", "2"], ["--dataset", "spiral", "--layers", "2", "8", "1"]):
        r = cli("train", *args, "--iterations", "5", "--no-progress", cwd=tmp_path)
        assert r.returncode == 0 and r.stderr == "", (args, r.stderr)


def test_a_one_example_file_trains_and_the_line_says_one_example(tmp_path):
    (tmp_path / "one.csv").write_text("1.5,-2,1\n")
    r = cli("train", "--data", "one.csv", "--iterations", "5", "--no-progress", cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "Accuracy: 100.00% on 1 training example (one.csv; layers [2, 4, 1]" in r.stdout


def test_no_command_is_an_error_and_version_is_there(tmp_path):
    r = cli(cwd=tmp_path)
    assert r.returncode == 2 and "give a command: train, predict or sweep" in r.stderr
    r = cli("--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == f"backend-nn {bnn.__version__}"


def test_predict_reports_no_accuracy_against_labels_that_are_not_the_models(tmp_path):
    assert cli("train", "--iterations", "50", "--save", "m.npz", cwd=tmp_path).returncode == 0
    (tmp_path / "twos.csv").write_text("1,1,2\n2,2,2\n")
    r = cli("predict", "m.npz", "twos.csv", cwd=tmp_path)
    assert r.returncode == 0 and "accuracy against" not in r.stderr
    assert "not this model's classes 0..1: no accuracy is reported" in r.stderr


def test_unknown_option_is_a_usage_error(tmp_path):
    r = cli("train", "--bogus", cwd=tmp_path)
    assert r.returncode == 2 and "unrecognized arguments: --bogus" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("n_h", ["4", "5"])
def test_n_h_and_layers_together_are_a_usage_error(capsys, n_h):
    """argparse lets an option through a mutually exclusive group when its value is the default object
    itself (int("4") is 4): "--n-h 4 --layers 3" trained [2, 3, 1] without a word, "--n-h 5" was refused."""
    from backend_nn.cli import main

    with pytest.raises(SystemExit) as info:
        main(["train", "--n-h", n_h, "--layers", "3"])
    assert info.value.code == 2 and "argument --layers: not allowed with argument --n-h" in capsys.readouterr().err


@pytest.mark.parametrize("args, hint", [
    (["--activation", "logistic"], "argument --activation: invalid choice: 'logistic' (choose from 'relu', 'tanh', "
                                   "'sigmoid', 'leaky_relu', 'linear') — did you mean 'sigmoid'?"),
    (["--activation", "relu", "ReLU"],
     "argument --activation: invalid choice: 'ReLU' (choose from 'relu', .*) — did you mean 'relu'?"),
    (["--init", "kaiming"], "argument --init: invalid choice: 'kaiming' .* — did you mean 'he'?"),
    (["--optimizer", "SGD"], "argument --optimizer: invalid choice: 'SGD' .* — did you mean 'gd'?"),
    (["--dataset", "moons"], "argument --dataset: invalid choice: 'moons' .* — did you mean 'noisy_moons'?"),
    (["--init", "glorot"], "argument --init: invalid choice: 'glorot' (choose from 'random', 'zeros', 'xavier', 'he')"),
    (["--activation", "softmax"], "argument --activation: invalid choice: 'softmax' (choose from .*): softmax is the "
                                  "output layer's, and the labels choose it (0..K-1 for K classes)"),
])
def test_a_name_that_is_not_a_choice_gets_the_librarys_hint(capsys, args, hint):
    """argparse's own choices said "invalid choice" and listed them; the library's hint (another library's
    name, the case, a part of a name) was the Python API's alone."""
    import re

    from backend_nn.cli import main

    with pytest.raises(SystemExit) as info:
        main(["train", *args])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert info.value.code == 2 and re.fullmatch(r"backend-nn train: error: " + re.escape(hint).replace(r"\.\*", ".*"),
                                                 err), err


def test_help_for_each_command(tmp_path):
    from backend_nn.cli import EXAMPLES

    for cmd in ("train", "predict", "sweep"):
        r = cli(cmd, "--help", cwd=tmp_path)
        assert r.returncode == 0 and f"usage: backend-nn {cmd}" in r.stdout
        for what, line in EXAMPLES[cmd]:  # the examples end the help, each command on a line of its own
            assert f"\n  # {what}\n  {line}\n" in r.stdout


def test_the_helps_examples_and_the_readmes_command_lines_parse():
    """Every command line shown to a user (the --help examples, the README's command-line block) is one
    the parser takes: an option renamed or dropped fails here, not in a reader's terminal."""
    import shlex

    from backend_nn.cli import EXAMPLES, build_parser

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("## The command line", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    shown = [line for examples in EXAMPLES.values() for _, line in examples]
    shown += [line for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    assert len(shown) > 12
    parser = build_parser()
    for line in shown:
        words = shlex.split(line, comments=True)
        assert words[0] == "backend-nn", line
        try:
            args = parser.parse_args(words[1:])
        except SystemExit:
            pytest.fail(f"the parser refuses a command line shown to users: {line}")
        assert args.command == words[1]


def test_verbose_says_which_path_trains(tmp_path):
    r = cli("train", "--iterations", "50", "--verbose", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "backend-nn: training" in r.stderr and "on numpy: numpy replay" in r.stderr
    quiet = cli("train", "--iterations", "50", cwd=tmp_path)
    assert "backend-nn: training" not in quiet.stderr


def test_compile_flag_auto_on_off(tmp_path):
    """--compile is auto by default (the NumPy tiles at this size), --compile alone is on, --compile off is eager;
    the three train the same network to the same accuracy."""
    base = ("train", "--dataset", "noisy_circles", "--n-h", "400", "--iterations", "30", "--verbose")  # m = 200
    runs = {flag: cli(*base, *flag, cwd=tmp_path) for flag in ((), ("--compile",), ("--compile", "off"))}
    for flag, r in runs.items():
        assert r.returncode == 0, (flag, r.stderr)
    assert "on numpy: numpy tiles" in runs[()].stderr and "on numpy: numpy tiles" in runs[("--compile",)].stderr
    assert "on numpy: eager" in runs[("--compile", "off")].stderr
    accuracy = {flag: [line.split(" in ")[0] for line in r.stdout.splitlines() if line.startswith("Accuracy")]
                for flag, r in runs.items()}  # without the time taken
    assert accuracy[()] == accuracy[("--compile", "off")] and accuracy[()]
    bad = cli("train", "--compile", "maybe", cwd=tmp_path)
    assert bad.returncode == 2 and "invalid choice: 'maybe'" in bad.stderr


def test_train_on_jax_is_float64_by_default_and_an_environment_setting_is_kept(tmp_path):
    """The command line owns its process: --backend jax turns on JAX's 64-bit mode there, so the
    default --dtype float64 trains in float64 (it was an error that spoke of jax.config.update).
    JAX_ENABLE_X64 set in the environment is the user's choice and stays."""
    pytest.importorskip("jax", reason="JAX is not installed")
    env = {k: v for k, v in os.environ.items() if k != "JAX_ENABLE_X64"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "environ", env)
        r = cli("train", "--backend", "jax", "--iterations", "1001", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines()[:2] == ["Cost after iteration 0: 0.693048", "Cost after iteration 1000: 0.288083"]
        assert "jax, float64, learning rate 1.2, 1001 iterations" in r.stdout
        env["JAX_ENABLE_X64"] = "0"
        r = cli("train", "--backend", "jax", "--iterations", "10", cwd=tmp_path)
        assert r.returncode == 2 and "error: --dtype float64 on JAX needs JAX's 64-bit mode" in r.stderr
        assert r.stderr.endswith("or choose --dtype float32.\n")  # the options' terms (it said dtype='float32')
        r = cli("train", "--backend", "jax", "--dtype", "float32", "--iterations", "10", cwd=tmp_path)
        assert r.returncode == 0 and "jax, float32, learning rate 1.2, 10 iterations" in r.stdout, r.stderr
