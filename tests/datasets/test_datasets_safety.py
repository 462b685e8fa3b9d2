"""The loaders treat files as data, never code, and name the file in every error.

Every file here is crafted in tmp_path; the real datasets are read only by the last tests,
which skip without $SKDEEP_DATA.
"""
import builtins
import gzip
import os
import pickle
import struct

import numpy as np
import pytest

from skdeep.datasets import (
    load_atis,
    load_imdb,
    load_mnist,
    load_piano_rolls,
    load_rt_polarity,
    read_idx,
)
from skdeep.datasets._safe_pickle import UnsafePickleError, loads, read_pickles


class _Payload:
    """Unpickling this calls ``func(*args)``: the classic crafted-pickle attack."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _payloads(marker):
    return {
        "open": _Payload(builtins.open, str(marker), "w"),
        "exec": _Payload(builtins.exec, f"open({str(marker)!r}, 'w').close()"),
        "os.system": _Payload(os.system, f"touch '{marker}'"),
    }


def _write_pickles(path, *objects, protocol=2):
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wb") as f:
        for obj in objects:
            pickle.dump(obj, f, protocol=protocol)
    return path


def _mnist_data(n=3):
    part = (np.zeros((n, 784), np.float32), np.arange(n, dtype=np.int64))
    return (part, part, part)


def _atis_data():
    col = [np.array([0, 1], dtype=np.int32)]
    dicts = {"words2idx": {"fly": 0, "boston": 1}, "tables2idx": {"O": 0},
             "labels2idx": {"O": 0, "B-city": 1}}
    return ((col, col, col),) * 3 + (dicts,)


def _rolls_data():
    return {"train": [[(60, 64), (62,)]], "valid": [[(67,)]], "test": [[()]]}


def _imdb_data():
    return [([[1, 2, 3], [4, 5]], [1, 0]), ([[6]], [0])]


# loader name -> (file name, function reading that file from a folder, legit pickles)
_LOADERS = {
    "load_mnist": ("mnist.pkl.gz", lambda d: load_mnist(d / "mnist.pkl.gz"),
                   lambda: [_mnist_data()]),
    "load_atis": ("atis.fold3.pkl.gz", lambda d: load_atis(3, path=d), lambda: [_atis_data()]),
    "load_piano_rolls": ("JSB Chorales.pickle.gz", lambda d: load_piano_rolls("jsb", path=d),
                         lambda: [_rolls_data()]),
    "load_imdb": ("imdb.pkl", lambda d: load_imdb(d / "imdb.pkl"), _imdb_data),
}


@pytest.mark.skipif(os.name != "posix", reason="the os.system payload uses touch")
def test_the_payloads_are_live(tmp_path):
    """Control: plain pickle.loads of these payloads does run code."""
    for name in _payloads(tmp_path):
        marker = tmp_path / f"marker-{name.replace('.', '-')}"
        pickle.loads(pickle.dumps(_payloads(marker)[name]))
        assert marker.exists(), name


@pytest.mark.parametrize("payload_name", ["open", "exec", "os.system"])
@pytest.mark.parametrize("loader", sorted(_LOADERS))
def test_crafted_pickles_run_no_code(tmp_path, loader, payload_name):
    filename, load, legit = _LOADERS[loader]
    marker = tmp_path / "marker"
    payload = _payloads(marker)[payload_name]
    objects = legit()
    # the payload hidden inside otherwise plausible content
    objects[0] = (payload, objects[0])
    path = _write_pickles(tmp_path / filename, *objects)
    with pytest.raises(ValueError, match="not plain data") as info:
        load(tmp_path)
    assert str(path) in str(info.value)
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
@pytest.mark.parametrize("loader", sorted(_LOADERS))
def test_plain_data_pickles_still_load(tmp_path, loader, protocol):
    filename, load, legit = _LOADERS[loader]
    _write_pickles(tmp_path / filename, *legit(), protocol=protocol)
    load(tmp_path)


def test_mnist_pickle_contents(tmp_path):
    _write_pickles(tmp_path / "mnist.pkl.gz", _mnist_data(4))
    (X_train, y_train), (X_test, y_test) = load_mnist(tmp_path / "mnist.pkl.gz")
    assert X_train.shape == (8, 784) and X_train.dtype == np.float32
    assert y_test.tolist() == [0, 1, 2, 3] and y_test.dtype == np.int64


def test_restricted_unpickler_admits_containers_arrays_and_dtypes():
    value = {"a": (1, 2.5, "s", b"b", None, True), "set": {1, 2}, "fs": frozenset([3]),
             "arr": np.arange(6, dtype=np.float32).reshape(2, 3), "obj": np.array([1, "x"],
                                                                                  dtype=object),
             "dt": np.dtype("<i4"), "scalar": np.float64(1.5), "c": 1 + 2j,
             "ba": bytearray(b"xy")}
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        got = loads(pickle.dumps(value, protocol=protocol))
        assert got.keys() == value.keys()
        np.testing.assert_array_equal(got["arr"], value["arr"])
        assert got["dt"] == value["dt"] and got["scalar"] == 1.5 and got["set"] == {1, 2}


@pytest.mark.parametrize("obj", [pickle.Pickler, np.load, os.getcwd, object()])
def test_restricted_unpickler_refuses_other_globals(obj):
    with pytest.raises(UnsafePickleError, match="not plain data"):
        loads(pickle.dumps(obj))


def test_codecs_encode_is_admitted_for_latin1_only():
    import codecs

    evil = _Payload(codecs.encode, "text", "rot13")
    with pytest.raises(UnsafePickleError, match="rot13"):
        loads(pickle.dumps(evil))


# ---------------------------------------------------------------- corrupted files
def _corruptions(data):
    middle = bytearray(data)
    middle[len(data) // 2] ^= 0xFF
    return {"empty": b"", "truncated": data[: len(data) // 2], "tail cut": data[:-4],
            "flipped": bytes(middle), "not gzip": b"this is not a gzip file at all"}


@pytest.mark.parametrize("loader", sorted(_LOADERS))
def test_corrupted_pickle_files_name_the_file(tmp_path, loader):
    filename, load, legit = _LOADERS[loader]
    path = _write_pickles(tmp_path / filename, *legit())
    data = path.read_bytes()
    for what, bad in _corruptions(data).items():
        path.write_bytes(bad)
        with pytest.raises(ValueError) as info:
            load(tmp_path)
        assert str(path) in str(info.value), what


@pytest.mark.parametrize("loader", sorted(_LOADERS))
def test_wrongly_shaped_pickles_name_the_file(tmp_path, loader):
    filename, load, _ = _LOADERS[loader]
    path = _write_pickles(tmp_path / filename, *[[1, 2]] * 2)
    with pytest.raises(ValueError) as info:
        load(tmp_path)
    assert str(path) in str(info.value)


def _idx(array):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(
        ">" + "I" * array.ndim, *array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_corrupted_idx_files_name_the_file(tmp_path):
    images = tmp_path / "t10k-images-idx3-ubyte.gz"
    labels = tmp_path / "t10k-labels-idx1-ubyte.gz"
    images.write_bytes(gzip.compress(_idx(np.zeros((3, 28, 28)))))
    labels.write_bytes(gzip.compress(_idx(np.arange(3))))
    train, (X_test, y_test) = load_mnist(tmp_path)
    assert train is None and X_test.shape == (3, 784)
    good = images.read_bytes()
    for what, bad in _corruptions(good).items():
        images.write_bytes(bad)
        with pytest.raises(ValueError) as info:
            load_mnist(tmp_path)
        assert str(images) in str(info.value), what
    cases = {"magic": b"\x00\x00\x0d\x03" + bytes(16),
             "header": struct.pack(">HBB", 0, 0x08, 3) + b"\x00\x00",
             "short": _idx(np.zeros((3, 28, 28)))[:-5],
             "shape": _idx(np.zeros((3, 10, 10)))}
    for what, raw in cases.items():
        images.write_bytes(gzip.compress(raw))
        with pytest.raises(ValueError) as info:
            load_mnist(tmp_path)
        assert str(images) in str(info.value), what
    raw_file = tmp_path / "raw-idx1-ubyte"
    raw_file.write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="raw-idx1-ubyte"):
        read_idx(raw_file)


def test_corrupted_mat_piano_rolls_name_the_file(tmp_path):
    path = tmp_path / "Nottingham.mat"
    path.write_bytes(b"MATLAB 5.0 MAT-file" + bytes(200))
    with pytest.raises(ValueError) as info:
        load_piano_rolls("nottingham", path=tmp_path)
    assert str(path) in str(info.value)


def test_empty_rt_polarity_file(tmp_path):
    (tmp_path / "rt-polarity.pos").write_text("a gem .\n")
    (tmp_path / "rt-polarity.neg").write_text("")
    with pytest.raises(ValueError, match="rt-polarity.neg is empty"):
        load_rt_polarity(tmp_path)
    (tmp_path / "rt-polarity.neg").write_text("\n\n")
    with pytest.raises(ValueError, match="rt-polarity.neg is empty"):
        load_rt_polarity(tmp_path)


def test_undecodable_text_names_the_file(tmp_path):
    (tmp_path / "rt-polarity.pos").write_bytes(b"ok .\n")
    (tmp_path / "rt-polarity.neg").write_bytes(b"\x81\x8d bad bytes for cp1252\n")
    with pytest.raises(UnicodeDecodeError, match="rt-polarity.neg"):
        load_rt_polarity(tmp_path)
    (tmp_path / "rt-polarity.neg").write_bytes(b"caf\xe9 .\n")
    with pytest.raises(ValueError, match="rt-polarity.neg.*encoding"):
        load_rt_polarity(tmp_path, encoding="ascii")


def test_read_pickles_leaves_missing_files_to_the_os(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_pickles(tmp_path / "absent.pkl.gz")


# ---------------------------------------------------------------- the real files
def test_real_pickles_load_through_the_restricted_unpickler(data_dir):
    if not list((data_dir / "atis").glob("atis.fold*.pkl.gz")):
        pytest.skip("no ATIS fold pickles in $SKDEEP_DATA/atis")
    fold = int(sorted((data_dir / "atis").glob("atis.fold*.pkl.gz"))[0].name[9])
    atis = load_atis(fold)
    assert len(atis.test[0]) == 893 and len(atis.words2idx) == 572


def test_real_piano_roll_pickles_match_the_mat_files(data_dir):
    folder = data_dir / "polyphonic_music"
    if not (folder / "derived" / "Nottingham.pickle.gz").exists() or not (
            folder / "Nottingham.mat").exists():
        pytest.skip("the Nottingham .mat and derived pickle are not both in $SKDEEP_DATA")
    from_pickle = load_piano_rolls("nottingham", path=folder / "derived")
    from_mat = load_piano_rolls("nottingham", path=folder)
    assert [len(p) for p in from_pickle] == [len(p) for p in from_mat]
    np.testing.assert_array_equal(from_pickle[0][0], from_mat[0][0])
