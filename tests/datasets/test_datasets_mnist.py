"""MNIST-format loaders on files the tests write, and on the real data when present."""
import gzip
import pickle
import struct

import numpy as np
import pytest

from skdeep.datasets import load_fashion_mnist, load_mnist, read_idx


def write_idx(path, array, compress):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(
        ">" + "I" * array.ndim, *array.shape)
    opener = gzip.open if compress else open
    with opener(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.mark.parametrize("compress", [True, False])
def test_idx_folder(tmp_path, compress):
    rng = np.random.default_rng(0)
    suffix = ".gz" if compress else ""
    images = rng.integers(0, 256, size=(5, 28, 28))
    labels = rng.integers(0, 10, size=5)
    for prefix in ("train", "t10k"):
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte{suffix}", images, compress)
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte{suffix}", labels, compress)
    (X_train, y_train), (X_test, y_test) = load_mnist(tmp_path)
    assert X_train.shape == (5, 784) and X_train.dtype == np.float32
    np.testing.assert_allclose(X_test * 255, images.reshape(5, -1), atol=1e-4)
    np.testing.assert_array_equal(y_test, labels)
    assert y_train.dtype == np.int64 and 0 <= X_train.min() and X_train.max() <= 1
    (F_train, _), _ = load_fashion_mnist(tmp_path)
    np.testing.assert_array_equal(F_train, X_train)


def test_tutorial_pickle(tmp_path):
    rng = np.random.default_rng(0)
    split = lambda n: (rng.random((n, 784)).astype(np.float32), rng.integers(0, 10, n))
    train, valid, test = split(6), split(3), split(4)
    with gzip.open(tmp_path / "mnist.pkl.gz", "wb") as f:
        pickle.dump((train, valid, test), f)
    (X_train, y_train), (X_test, y_test) = load_mnist(tmp_path / "mnist.pkl.gz")
    assert X_train.shape == (9, 784) and X_test.shape == (4, 784)
    np.testing.assert_array_equal(X_train[:6], train[0])
    np.testing.assert_array_equal(y_test, test[1])


def test_missing_data_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SKDEEP_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match="IDX files"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist(tmp_path)


def test_truncated_and_foreign_files(tmp_path):
    (tmp_path / "bad-idx1-ubyte").write_bytes(b"\x00\x00\x0d\x01\x00\x00\x00\x05")
    with pytest.raises(ValueError, match="not an unsigned-byte IDX file"):
        read_idx(tmp_path / "bad-idx1-ubyte")
    (tmp_path / "short-idx1-ubyte").write_bytes(struct.pack(">HBBI", 0, 8, 1, 9) + b"\x01")
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "short-idx1-ubyte")


def test_real_mnist_test_set(data_dir):
    if not (data_dir / "mnist").is_dir():
        pytest.skip("no mnist/ in SKDEEP_DATA")
    train, (X_test, y_test) = load_mnist()
    assert train is None  # only the test images are shipped with the data folder
    assert X_test.shape == (10000, 784)
    np.testing.assert_array_equal(np.bincount(y_test)[:3], [980, 1135, 1032])
    assert X_test.mean() * 255 == pytest.approx(33.79, abs=0.01)


def test_real_fashion_mnist(fashion_mnist):
    (X_train, y_train), (X_test, y_test) = fashion_mnist
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
