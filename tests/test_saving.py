"""Saved models: round trip on every backend, refused when malformed, written atomically."""


import importlib.util

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.backend import to_numpy
from conftest import assert_on_backend

X, Y = bnn.load_planar_dataset()


def test_round_trip_on_every_backend(backend, tmp_path):
    params, _ = bnn.nn_model(backend.asarray(X), backend.asarray(Y), 4, 300, activation="leaky_relu", negative_slope=0.05)
    path = bnn.save_model(tmp_path / "model.npz", params)
    before = to_numpy(bnn.predict(params, backend.asarray(X)))
    # back on the same backend ...
    again = bnn.load_model(path, backend=backend.xp, device=backend.device)
    assert again.activation == params.activation
    for k, v in params.items():
        assert_on_backend(again[k], backend, backend.xp.float64)
        np.testing.assert_array_equal(to_numpy(again[k]), to_numpy(v))
    # ... and on a CPU-only machine: a GPU-trained model predicts the same labels with NumPy
    on_cpu = bnn.load_model(path)
    assert isinstance(on_cpu["W1"], np.ndarray)
    np.testing.assert_array_equal(bnn.predict(on_cpu, X), before)


def test_file_holds_what_is_needed_and_no_pickle(tmp_path):
    params, _ = bnn.nn_model(X, Y, 3, 50, dtype="float32")
    path = bnn.save_model(tmp_path / "m", params)  # the suffix is added
    assert path.name == "m.npz"
    with np.load(path, allow_pickle=False) as f:
        assert set(f.files) == {"W1", "b1", "W2", "b2", "format", "activations", "negative_slopes", "output",
                                "layer_dims", "dtype", "backend_nn_version"}
        assert f["activations"].tolist() == ["tanh"] and str(f["output"]) == "sigmoid"
        assert f["layer_dims"].tolist() == [2, 3, 1] and str(f["dtype"]) == "float32"
    assert bnn.load_model(path)["W1"].dtype == np.float32


def test_a_deep_softmax_network_keeps_every_layer_and_activation(tmp_path):
    rng = np.random.RandomState(0)
    Xm, labels = rng.randn(3, 60), rng.randint(0, 3, size=(1, 60))
    params, _ = bnn.L_layer_model(Xm, labels, [3, 6, 5, 3], num_iterations=20,
                                  activation=["tanh", "leaky_relu"], negative_slope=0.2)
    path = bnn.save_model(tmp_path / "deep.npz", params)
    again = bnn.load_model(path)
    assert again.network == params.network
    assert [a.label for a in again.network.hidden] == ["tanh", "leaky_relu(0.2)"]
    assert again.network.output.name == "softmax"
    np.testing.assert_array_equal(bnn.predict(again, Xm), bnn.predict(params, Xm))


def test_copies_keep_the_description_and_plain_dicts_are_refused(tmp_path):
    """The bug a new user found: predict(p.copy(), X) on a ReLU model took tanh. A copy keeps the
    network; a plain dict is refused where its activations cannot be known."""
    import copy
    import pickle

    params, _ = bnn.nn_model(X, Y, 4, 200, activation="relu", learning_rate=0.5)
    labels = bnn.predict(params, X)
    for same in (params.copy(), copy.copy(params), copy.deepcopy(params), pickle.loads(pickle.dumps(params)),
                 params | {}, {} | params, params | {"b2": params["b2"]}):  # dict's | made a plain dict
        assert same.network == params.network
        np.testing.assert_array_equal(bnn.predict(same, X), labels)
    assert bnn.load_model(bnn.save_model(tmp_path / "c.npz", params.copy())).network == params.network
    twice = params | {"W2": params["W2"] * 2}
    assert twice.network == params.network and twice["W2"][0, 0] == 2 * params["W2"][0, 0]
    assert params["W2"][0, 0] == twice["W2"][0, 0] / 2  # the original is not changed
    assert type(bnn.Parameters.fromkeys(["W1"])) is dict  # keys alone describe no network (was a TypeError)
    assert repr(params) == "Parameters({W1: (4, 2), b1: (4, 1), W2: (1, 4), b2: (1, 1)}, network=[2, 4, 1], hidden relu, output sigmoid)"
    assert repr(params | {"b2": 0.0}).startswith("Parameters({W1: (4, 2), b1: (4, 1), W2: (1, 4), b2: float}")  # was .shape's AttributeError
    plain = dict(params)
    with pytest.raises(ValueError, match=r"does not say its activations: pass activation="):
        bnn.save_model(tmp_path / "plain.npz", plain)
    with pytest.warns(UserWarning, match=r"taken as the course's week-3 network \(tanh"):
        bnn.predict(plain, X)  # the week-3 function: its own network, said out loud
    np.testing.assert_array_equal(bnn.predict(plain, X, activation="relu"), labels)
    deep, _ = bnn.L_layer_model(X, Y, [2, 5, 3, 1], num_iterations=10)
    with pytest.raises(ValueError, match=r"layer sizes \[2, 5, 3, 1\]\) does not say its activations"):
        bnn.predict(dict(deep), X)


def test_parameters_in_either_byte_order_save_and_load(tmp_path):
    """Big-endian parameters (">f8") wrote a file whose dtype field read ">f8", which load_model then
    refused ("must be 'float64' or 'float32'"); a model of mixed byte orders was "two dtypes"."""
    params, _ = bnn.nn_model(X, Y, 4, 100)
    for keys in (params.keys(), ["W1"]):
        big = bnn.Parameters({k: v.astype(">f8") if k in keys else v for k, v in params.items()}, network=params.network)
        again = bnn.load_model(bnn.save_model(tmp_path / "big.npz", big))
        for k in params:
            assert again[k].dtype == np.float64
            np.testing.assert_array_equal(again[k], params[k])


def test_swapped_arguments_are_named(tmp_path):
    result = bnn.nn_model(X, Y, 4, 10)
    # the model's result kept whole (was "parameters must be a dict with keys W1, b1, W2, b2, ...; got str.")
    for swapped, path, name in [(result.parameters, tmp_path / "m.npz", r"Parameters, PosixPath"),
                                (result, str(tmp_path / "m.npz"), r"TrainingResult, str")]:
        with pytest.raises(TypeError, match=rf"save_model takes \(path, parameters\); got \({name}\): "
                                            r"did you swap them\?"):
            bnn.save_model(swapped, path)
    # two paths, or parameters twice: nothing was swapped, and each argument is told what it should be
    with pytest.raises(TypeError, match=r"^parameters must be a dict with keys W1, b1, W2, b2, \.\.\.; got str\.$"):
        bnn.save_model(tmp_path / "m.npz", str(tmp_path / "n.npz"))
    with pytest.raises(TypeError, match=r"^path must be a file path \(str or os.PathLike\); got Parameters\.$"):
        bnn.save_model(result.parameters, result.parameters)
    assert not list(tmp_path.iterdir())


def test_files_of_the_first_format_still_load(tmp_path):
    path = _write(tmp_path / "old.npz", **_good_arrays())
    old = bnn.load_model(path)
    assert old.network == bnn.Network.build([2, 4, 1], "tanh")


def _write(path, **arrays):
    np.savez(path, **arrays)
    return path


def _good_arrays():
    p = bnn.initialize_parameters(2, 4, 1)
    meta = dict(format=np.array("backend_nn.model/1"), activation=np.array("tanh"), negative_slope=np.array(np.nan),
                layer_dims=np.array([2, 4, 1]), dtype=np.array("float64"), backend_nn_version=np.array("0.1.0"))
    return {**p, **meta}


@pytest.mark.parametrize("mutate, match", [
    (lambda a: a.pop("format"), r"not a backend_nn model: its format tag"),
    (lambda a: a.update(W2=np.zeros((1, 5))), r"do not chain"),
    (lambda a: a.update(layer_dims=np.array([2, 5, 1])), r"layer sizes \[2, 4, 1\] but the file says \[2, 5, 1\]"),
    (lambda a: a.pop("activation"), r"missing model fields \['activation'\]"),
    (lambda a: a.update(activation=np.array("swish")), r"unknown activation 'swish'"),
    (lambda a: a.update(activation=np.array("leaky_relu")), r"'leaky_relu' needs its negative slope, .* gives nan"),
    (lambda a: a.update(negative_slope=np.array(0.2)), r"'tanh' has no negative slope, and the file gives 0.2"),
    (lambda a: a.update(W1=np.zeros((4, 2), dtype=np.int64)), r"W1 must have a real floating dtype .* got int64"),
])
def test_malformed_models_are_refused(tmp_path, mutate, match):
    arrays = _good_arrays()
    mutate(arrays)
    path = _write(tmp_path / "bad.npz", **arrays)
    with pytest.raises((ValueError, TypeError), match=match):
        bnn.load_model(path)


def test_arrays_saved_without_their_description_are_told_how_to_give_it(tmp_path):
    """np.savez(path, **parameters) writes the arrays alone: 'its format tag is None' did not say what to do."""
    p = bnn.initialize_parameters_deep([2, 4, 1])
    path = _write(tmp_path / "arrays.npz", **p)
    with pytest.raises(ValueError, match=r"arrays.npz is not a backend_nn model: it holds arrays \['W1', 'b1', 'W2', "
                       r"'b2'\] without the description save_model writes beside them \(np.savez writes such files\)\. "
                       r"Read them with dict\(np.load\('.*arrays.npz'\)\), then give their activation: "
                       r"save_model\(path, parameters, activation=\.\.\.\) writes a model"):
        bnn.load_model(path)
    arrays = dict(np.load(path))  # the way the message gives works
    again = bnn.load_model(bnn.save_model(tmp_path / "model.npz", arrays, activation="relu"))
    assert again.network == bnn.Network.build([2, 4, 1], "relu")


def _good_deep_arrays():
    p = bnn.initialize_parameters_deep([3, 5, 4, 3])
    meta = dict(format=np.array("backend_nn.model/2"), activations=np.array(["relu", "tanh"]),
                negative_slopes=np.array([np.nan, np.nan]), output=np.array("softmax"),
                layer_dims=np.array([3, 5, 4, 3]), dtype=np.array("float64"), backend_nn_version=np.array("0.2.0"))
    return {**p, **meta}


@pytest.mark.parametrize("mutate, match", [
    (lambda a: a.update(W3=np.zeros((3, 5))), r"do not chain: W3 has shape \(3, 5\)"),
    (lambda a: a.update(activations=np.array(["relu"]), negative_slopes=np.array([np.nan])),
     r"names 1 hidden activation\(s\) for 2 hidden layer\(s\)"),
    # the count of slopes was reported as a count of activations: "names 2 hidden activation(s) for 2 hidden layer(s)"
    (lambda a: a.update(negative_slopes=np.array([np.nan])),
     r"gives 1 negative slope\(s\) for its 2 hidden activation\(s\) \['relu', 'tanh'\]: it was not written by "
     r"save_model, or was changed since\.$"),
    (lambda a: a.update(output=np.array("softplus")), r"unknown output 'softplus'"),
    (lambda a: a.update(activations=np.array(["relu", "softmax"])), r"softmax is an output activation"),
    (lambda a: a.pop("output"), r"missing model fields \['output'\]"),
    # fields that NumPy could not read: "could not convert string to float: np.str_('x')",
    # "invalid literal for int()", "iteration over a 0-d array", without the file's name
    (lambda a: a.update(negative_slopes=np.array(["x", "y"])), r"field 'negative_slopes' must hold numbers"),
    (lambda a: a.update(layer_dims=np.array(["x"])), r"field 'layer_dims' must hold the layer sizes"),
    # NaN is the file's "no slope": a leaky_relu given NaN loaded with the default 0.01, whatever it was trained
    # with, and a slope beside relu was dropped without a word
    (lambda a: a.update(activations=np.array(["leaky_relu", "tanh"])),
     r"activation 'leaky_relu' needs its negative slope, and the file gives nan for it"),
    (lambda a: a.update(negative_slopes=np.array([0.2, np.nan])),
     r"activation 'relu' has no negative slope, and the file gives 0.2 for it"),
    (lambda a: a.update(layer_dims=np.array(7)), r"layer sizes \[3, 5, 4, 3\] but the file says \[7\]"),
    (lambda a: a.update(train_optimizer=np.array("sgd"), train_epochs=np.array(3)),
     r"field 'train_optimizer' must name one of \['gd', 'momentum', 'adam'\]; it holds 'sgd'"),
    (lambda a: a.update(train_optimizer=np.array("adam"), train_epochs=np.array(["x"])),
     r"field 'train_epochs' must hold a count"),
    # was "parameters must all be garbage floats; got ['float64']"
    (lambda a: a.update(dtype=np.array("garbage")), r"field 'dtype' must be 'float64' or 'float32'; it holds"),
    (lambda a: a.update(dtype=np.array("float32")),
     r"parameters must all be float32 floats, as its field 'dtype' says; got \['float64'\]"),
])
def test_malformed_deep_models_are_refused(tmp_path, mutate, match):
    assert bnn.load_model(_write(tmp_path / "good.npz", **_good_deep_arrays())).network.output.name == "softmax"
    arrays = _good_deep_arrays()
    mutate(arrays)
    path = _write(tmp_path / "bad.npz", **arrays)
    with pytest.raises((ValueError, TypeError), match=match) as info:
        bnn.load_model(path)
    assert str(info.value).startswith(str(path))  # every reason names the file


def test_a_name_save_model_added_npz_to_is_suggested_at_load(tmp_path):
    written = bnn.save_model(tmp_path / "m.bin", bnn.nn_model(X, Y, 4, 5)[0])
    assert written == tmp_path / "m.bin.npz"
    with pytest.raises(FileNotFoundError, match=r"no such model file: .*m.bin \(save_model adds .npz to a name "
                                                r"without it: did you mean .*m.bin.npz\?\)"):
        bnn.load_model(tmp_path / "m.bin")
    with pytest.raises(FileNotFoundError, match=r"no such model file: .*other.npz$"):
        bnn.load_model(tmp_path / "other.npz")


def test_not_a_model_truncated_or_pickled(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match=r"not a backend_nn model: not an .npz \(zip\) archive") as info:
        bnn.load_model(text)
    assert "pickle" not in str(info.value)  # never steer a user towards the unsafe path
    good = _write(tmp_path / "good.npz", **_good_arrays())
    data = good.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut.npz is a damaged .npz \(zip\) archive: it starts as one, but its end "
                                         r"\(the zip's directory\) is missing, .*Copy or save it again\.$"):
        bnn.load_model(cut)  # was "not an .npz (zip) archive", of a file that is one, cut short
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(data[:100] + bytes(200) + data[300:])  # the directory whole, a member's bytes not
    with pytest.raises(ValueError, match=r"not a (readable )?backend_nn model"):
        bnn.load_model(damaged)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, **_good_arrays(), extra=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match=r"unexpected members \['extra.npy'\]"):
        bnn.load_model(pickled)
    objects = tmp_path / "objects.npz"
    np.savez(objects, **{**_good_arrays(), "W1": np.array([{"a": 1}], dtype=object)})
    with pytest.raises(ValueError, match=r"W1.npy holds Python objects"):
        bnn.load_model(objects)
    with pytest.raises(FileNotFoundError, match=r"no such model file"):
        bnn.load_model(tmp_path / "absent.npz")


def test_an_interrupted_save_leaves_the_old_file(tmp_path, monkeypatch):
    params, _ = bnn.nn_model(X, Y, 4, 20)
    path = bnn.save_model(tmp_path / "model.npz", params)
    original = path.read_bytes()

    def crash(*args, **kwargs):
        f = args[0]
        f.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        bnn.save_model(path, params)
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]  # no temporary left behind


def test_a_failed_write_names_the_file_asked_for_not_the_temporary_one(tmp_path, monkeypatch):
    """A full disk said "[Errno 28] No space left on device: '.model.npz.1234.backend_nn-partial'"."""
    import errno
    import os

    params, _ = bnn.nn_model(X, Y, 4, 20)

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match=r"cannot write .*model\.npz: No space left on device$") as info:
        bnn.save_model(tmp_path / "model.npz", params)
    assert info.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []


def test_a_custom_activation_is_refused_at_save_time_not_at_load_time(tmp_path):
    """A network with a custom Activation trained, saved its name, and the file then failed to load
    ("unknown activation 'swish'"); one named "relu" would have loaded as the library's relu."""
    sigmoid = lambda Z, xp: 1 / (1 + xp.exp(-Z))  # noqa: E731
    swish = bnn.Activation("swish", forward=lambda Z, xp: Z * sigmoid(Z, xp),
                           derivative=lambda Z, A, xp: sigmoid(Z, xp) * (1 + Z * (1 - sigmoid(Z, xp))))
    doubled = bnn.Activation("relu", forward=lambda Z, xp: 2 * Z, derivative=lambda Z, A, xp: 2 + 0 * Z)
    leaky = bnn.Activation("leaky_relu", forward=lambda Z, xp: xp.maximum(0.02 * Z, Z),  # a slope of its own, unset
                           derivative=lambda Z, A, xp: xp.where(Z > 0, 1.0, 0.02))
    for act, what in [(swish, "a custom activation:"), (doubled, "a custom activation that shares a library name"),
                      (leaky, "a custom activation that shares a library name")]:
        params, _ = bnn.nn_model(X, Y, 3, 5, activation=act)
        with pytest.raises(ValueError, match=rf"stores hidden activations by name, and this network's '{act.name}' is "
                                             rf"{what}.*the file would load as another network, or not at all"):
            bnn.save_model(tmp_path / "model.npz", params)
    assert list(tmp_path.iterdir()) == []
    params, _ = bnn.nn_model(X, Y, 3, 5, activation=bnn.get_activation("leaky_relu", negative_slope=0.2))
    assert bnn.load_model(bnn.save_model(tmp_path / "model.npz", params)).network == params.network


# --- hostile files and careful writes (what a new user and a hostile file found) ----------------------
def test_names_sizes_and_headers_are_checked_before_any_data_is_read(tmp_path):
    import time
    import zipfile

    junk = tmp_path / "junk.npz"
    with zipfile.ZipFile(junk, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("junk.bin", b"\0" * (200 * 2**20))  # 200 MB that deflates to ~200 KB
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"unexpected members \['junk.bin'\]"):
        bnn.load_model(junk)
    assert time.perf_counter() - start < 1.0  # refused by its name, not after inflating it
    huge = tmp_path / "huge.npz"
    arrays = _good_arrays()
    with zipfile.ZipFile(huge, "w") as z:
        for k, v in arrays.items():
            with z.open(f"{k}.npy", "w") as f:
                if k == "W1":  # a header that claims (1e7, 1e7) float64: 800 TB
                    np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False,
                                                             "shape": (10**7, 10**7)})
                else:
                    np.lib.format.write_array(f, v)
    with pytest.raises(ValueError, match=r"claim more than 2.0 GiB \(W1.npy has shape \(10000000, 10000000\)\)"):
        bnn.load_model(huge)
    npy = tmp_path / "W1.npy"
    np.save(npy, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"a single .npy array, not a backend_nn model"):
        bnn.load_model(npy)
    with pytest.raises(TypeError, match=r"path must be a file path .* got NoneType"):
        bnn.load_model(None)


def test_nan_weights_are_neither_saved_nor_loaded(tmp_path):
    params, _ = bnn.nn_model(X, Y, 4, 20)
    bad = params.copy()
    bad["W2"] = bad["W2"] * np.nan
    with pytest.raises(ValueError, match=r"W2 holds 4 NaN or inf value\(s\)"):
        bnn.save_model(tmp_path / "nan.npz", bad)
    assert not (tmp_path / "nan.npz").exists()
    with pytest.raises(ValueError, match=r"W2 must be finite"):
        bnn.predict(bad, X)
    arrays = _good_arrays()
    arrays["b1"] = arrays["b1"] + np.inf
    with pytest.raises(ValueError, match=r"b1 holds NaN or inf values"):
        bnn.load_model(_write(tmp_path / "inf.npz", **arrays))


def test_saved_files_behave_as_cp_would(tmp_path):
    import os
    import stat

    params, _ = bnn.nn_model(X, Y, 4, 20)
    old = os.umask(0o022)
    try:
        fresh = bnn.save_model(tmp_path / "fresh.npz", params)
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # the umask's mode, not mkstemp's 0600
        (tmp_path / "shared.npz").write_bytes(b"")
        os.chmod(tmp_path / "shared.npz", 0o664)
        bnn.save_model(tmp_path / "shared.npz", params)
        assert stat.S_IMODE((tmp_path / "shared.npz").stat().st_mode) == 0o664  # an overwrite keeps the mode
    finally:
        os.umask(old)
    target = tmp_path / "real.npz"
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    bnn.save_model(link, params)
    assert link.is_symlink() and target.is_file()  # the link's target is written, the link stays
    assert bnn.save_model(tmp_path / "m.NPZ", params).name == "m.NPZ"  # no m.NPZ.npz
    (tmp_path / "somedir").mkdir()
    with pytest.raises(IsADirectoryError, match=r"somedir is a directory"):
        bnn.save_model(tmp_path / "somedir", params)
    with pytest.raises(FileNotFoundError, match=r"the folder .*nowhere does not exist\.$"):
        bnn.save_model(tmp_path / "nowhere" / "m.npz", params)
    # "" was Path("."): "cannot save to .: . is a directory"; "~" is no home folder to Python's files
    with pytest.raises(FileNotFoundError, match=r"^cannot save to '': the path is empty; give a file name, e\.g\. "
                                                 r"model\.npz\.$"):
        bnn.save_model("", params)
    with pytest.raises(FileNotFoundError, match=r"^cannot save to ~/no-such-folder-\w+/m\.npz: the folder ~/no-such-folder-"
                                                 r"\w+ does not exist \(~ is taken literally here: spell the home folder out, or use "
                                                 r"os\.path\.expanduser\(path\)\)\.$"):
        bnn.save_model(f"~/no-such-folder-{tmp_path.name}/m.npz", params)


@pytest.mark.parametrize("name", ["m.npz", "run[1]*?.npz"])  # glob's own characters are the name's here
def test_leftovers_of_killed_saves_are_recognisable_and_cleared(tmp_path, name):
    import os
    import subprocess
    import sys

    from backend_nn.saving import PARTIAL

    params, _ = bnn.nn_model(X, Y, 4, 20)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)  # a process that has exited: its partial file is a leftover
    stale = tmp_path / f".{name}.{dead_pid}.{PARTIAL}"
    stale.write_bytes(b"half a model")
    live = tmp_path / f".{name}.{os.getppid()}.{PARTIAL}"  # a live process's: another writer's file
    live.write_bytes(b"being written")
    bnn.save_model(tmp_path / name, params)
    assert not stale.exists() and live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, live.name])


@pytest.mark.parametrize("change, match", [
    # each of these loaded, and the resumed run trained on NaN ("the cost is nan at epoch 3. Try a smaller
    # learning_rate"), took square roots of negative numbers, froze W1 (s = inf), or counted from epoch -1
    ({"train_v_dW1": np.full((4, 2), np.nan)}, r"train_v_dW1\) holds NaN or inf values"),
    ({"train_s_dW1": np.full((4, 2), np.inf)}, r"train_s_dW1\) holds NaN or inf values"),
    ({"train_s_dW1": -np.ones((4, 2))}, r"train_s_dW1\) holds negative values; Adam's s is a mean of squared"),
    ({"train_v_dW1": np.zeros((4, 2), dtype=np.float32)}, r"must be float64, as the parameters are; it is float32"),
    ({"train_t": np.array(-5)}, r"field 'train_t' must hold a count \(an integer >= 0\); it holds array\(-5\)"),
    ({"train_t": np.array(2.5)}, r"field 'train_t' must hold a count"),
    ({"train_epochs": np.array(-1)}, r"field 'train_epochs' must hold a count"),
])
def test_a_malformed_training_state_is_refused(tmp_path, change, match):
    X, Y = bnn.load_planar_dataset()
    params, _ = bnn.model(X, Y, [2, 4, 1], "adam", num_epochs=3, print_cost=False)
    good = bnn.save_model(tmp_path / "good.npz", params, with_training_state=True)
    arrays = dict(np.load(good, allow_pickle=False))
    assert bnn.load_model(good).training_state["t"] == arrays["train_t"]
    path = _write(tmp_path / "bad.npz", **{**arrays, **change})
    with pytest.raises(ValueError, match=match) as info:
        bnn.load_model(path)
    assert str(info.value).startswith(str(path))


def test_a_load_reads_up_to_its_limit_in_bytes(tmp_path, monkeypatch):
    """MAX_LOAD_BYTES bounds the bytes the arrays' headers claim, every member counted (here set to a saved
    model's own total: it loads; a byte less: refused)."""
    from backend_nn import saving

    path = bnn.save_model(tmp_path / "m.npz", bnn.nn_model(X, Y, 4, 5)[0])
    total = sum(a.nbytes for a in np.load(path).values())
    monkeypatch.setattr(saving, "MAX_LOAD_BYTES", total)
    assert bnn.load_model(path).network.layer_dims == (2, 4, 1)
    monkeypatch.setattr(saving, "MAX_LOAD_BYTES", total - 1)
    with pytest.raises(ValueError, match=rf"its arrays claim more than {total - 1} bytes \(\w+.npy has shape"):
        bnn.load_model(path)


def test_counts_of_zero_load(tmp_path):
    """A count is an integer >= 0: Adam's state before its first update (t = 0, v and s zeros) and 0 epochs
    load as they are."""
    X, Y = bnn.load_planar_dataset()
    params, _ = bnn.model(X, Y, [2, 4, 1], "adam", num_epochs=3, print_cost=False)
    arrays = dict(np.load(bnn.save_model(tmp_path / "good.npz", params, with_training_state=True), allow_pickle=False))
    zero = {k: np.zeros_like(a) for k, a in arrays.items() if k.startswith(("train_v_", "train_s_"))}
    path = _write(tmp_path / "zero.npz", **{**arrays, **zero, "train_t": np.array(0), "train_epochs": np.array(0)})
    state = bnn.load_model(path).training_state
    assert (state["t"], state["epochs"]) == (0, 0) and not np.any(state["v"]["dW1"])


@pytest.mark.parametrize("path", [b"model.npz", 3, None])
def test_every_function_that_takes_a_path_says_what_a_path_is(tmp_path, monkeypatch, path):
    """bytes paths met pathlib's 'argument should be a str object or an os.PathLike object returning str'
    in load_data_file and plotting.save; save_model and load_model said this already."""
    monkeypatch.chdir(tmp_path)
    params, costs = bnn.nn_model(X, Y, 4, 20)
    calls = [lambda: bnn.save_model(path, params), lambda: bnn.load_model(path),
             lambda: bnn.load_data_file(path)]
    if importlib.util.find_spec("matplotlib") is not None:
        from backend_nn import plotting

        calls.append(lambda: plotting.save(bnn.plot_costs(costs), path))
    for call in calls:
        with pytest.raises(TypeError, match=rf"^path must be a file path \(str or os.PathLike\); got "
                                            rf"{type(path).__name__}\.$"):
            call()
    assert list(tmp_path.iterdir()) == []
