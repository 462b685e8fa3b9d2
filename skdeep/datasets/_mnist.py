"""MNIST-format loaders: IDX files (raw or gzipped) and the tutorial's ``mnist.pkl.gz``."""
from __future__ import annotations

import gzip
import pathlib
import struct
import zlib

import numpy as np

from ._paths import data_home
from ._safe_pickle import read_pickles

__all__ = ["load_mnist", "load_fashion_mnist", "read_idx"]

_FASHION_SYSTEM_DIRS = ("/usr/share/datasets/fashion-mnist",)


def read_idx(filename) -> np.ndarray:
    """Read one IDX file (``.gz`` or raw) into a numpy array of its stored shape.

    Examples
    --------
    >>> import gzip, struct, tempfile, os, numpy as np
    >>> from skdeep.datasets import read_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte.gz")
    >>> with gzip.open(path, "wb") as f:
    ...     _ = f.write(struct.pack(">II", 2049, 3) + bytes([7, 2, 1]))
    >>> read_idx(path)
    array([7, 2, 1], dtype=uint8)
    """
    filename = pathlib.Path(filename)
    opener = gzip.open if filename.suffix == ".gz" else open
    try:
        with opener(filename, "rb") as f:
            data = f.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise ValueError(f"{filename} is not a readable gzip file (truncated or "
                         f"corrupt?): {exc}") from exc
    if len(data) < 4:
        raise ValueError(f"{filename} is not an IDX file (too short).")
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08 or ndim == 0:
        raise ValueError(f"{filename} is not an unsigned-byte IDX file "
                         f"(magic {data[:4].hex()}).")
    if len(data) < 4 + 4 * ndim:
        raise ValueError(f"{filename} is truncated: its header promises {ndim} "
                         "dimensions.")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{filename} is truncated: header says {shape}, "
                         f"found {array.size} values.")
    return array.reshape(shape)


def _find(folder: pathlib.Path, stem: str):
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx") + ".gz",
                 stem.replace("-idx", ".idx")):
        if (folder / name).exists():
            return folder / name
    return None


def _load_idx_pair(folder: pathlib.Path, prefix: str):
    images = _find(folder, f"{prefix}-images-idx3-ubyte")
    labels = _find(folder, f"{prefix}-labels-idx1-ubyte")
    if images is None or labels is None:
        return None
    X = read_idx(images)
    if X.ndim != 3 or X.shape[1:] != (28, 28):
        raise ValueError(f"{images} holds images of shape {X.shape[1:]}, not 28x28.")
    X = X.reshape(-1, 28 * 28).astype(np.float32) / np.float32(255.0)
    y = read_idx(labels)
    if y.ndim != 1:
        raise ValueError(f"{labels} holds an array of shape {y.shape}, not one label per "
                         "image.")
    y = y.astype(np.int64)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"{images} and {labels} hold different numbers of samples.")
    return X, y


def _load_folder(folder: pathlib.Path, what: str):
    pkl = folder / "mnist.pkl.gz" if folder.is_dir() else folder
    if pkl.name.endswith(".pkl.gz") and pkl.exists():
        what = "the tutorial's mnist.pkl.gz (three (images, labels) pairs)"
        data = read_pickles(pkl, what=what)
        try:
            train, valid, test = data
            X_train = np.concatenate([train[0], valid[0]]).astype(np.float32)
            y_train = np.concatenate([train[1], valid[1]]).astype(np.int64)
            X_test, y_test = test[0].astype(np.float32), test[1].astype(np.int64)
        except (TypeError, ValueError, IndexError, AttributeError) as exc:
            raise ValueError(f"{pkl} is not {what}: {exc}") from exc
        if X_train.ndim != 2 or len(X_train) != len(y_train) or len(X_test) != len(y_test):
            raise ValueError(f"{pkl} is not {what}: the images and labels do not match.")
        return (X_train, y_train), (X_test, y_test)
    test = _load_idx_pair(folder, "t10k")
    if test is None:
        raise FileNotFoundError(
            f"No {what} test files (t10k-images-idx3-ubyte[.gz], "
            f"t10k-labels-idx1-ubyte[.gz]) or mnist.pkl.gz in {folder}.")
    train = _load_idx_pair(folder, "train")
    return train, test


def load_mnist(path=None):
    """Load MNIST as ``((X_train, y_train), (X_test, y_test))``.

    Reads the four IDX files (gzipped or raw) or the tutorial's ``mnist.pkl.gz`` (whose
    50k training and 10k validation sets are joined into 60k training rows: the first
    50,000 are the tutorial's training set). Images are float32 in [0, 1] of shape
    (n, 784); labels are int64. When only the test files are present, the training part
    is ``None``.

    Parameters
    ----------
    path : str or path-like, optional
        A folder with the files, or the ``mnist.pkl.gz`` file itself. Defaults to
        ``$SKDEEP_DATA/mnist``.

    Returns
    -------
    (X_train, y_train) or None, (X_test, y_test)

    Examples
    --------
    >>> from skdeep.datasets import load_mnist
    >>> (train, (X_test, y_test)) = load_mnist()  # doctest: +SKIP
    >>> X_test.shape                              # doctest: +SKIP
    (10000, 784)
    """
    folder = data_home("mnist", path, contains=_has_mnist_files, hint=(
        "Download the four MNIST IDX files (train/t10k images and labels) into a folder "
        "and pass it as path=..., or set SKDEEP_DATA to a folder holding mnist/."))
    return _load_folder(folder, "MNIST")


def load_fashion_mnist(path=None):
    """Load Fashion-MNIST as ``((X_train, y_train), (X_test, y_test))``.

    Looks in ``path``, then ``$SKDEEP_DATA/fashion-mnist``, then
    ``/usr/share/datasets/fashion-mnist`` (Debian/Ubuntu package
    ``dataset-fashion-mnist``). Images are float32 in [0, 1], shape (n, 784); labels
    int64 in 0..9. Nothing is downloaded.

    Parameters
    ----------
    path : str or path-like, optional

    Returns
    -------
    (X_train, y_train), (X_test, y_test)

    Examples
    --------
    >>> from skdeep.datasets import load_fashion_mnist
    >>> (X_train, y_train), (X_test, y_test) = load_fashion_mnist()  # doctest: +SKIP
    >>> X_train.shape                                                # doctest: +SKIP
    (60000, 784)
    """
    hint = ("Install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or "
            "put the four Fashion-MNIST IDX files in a folder and pass path=... or set "
            "SKDEEP_DATA to a folder holding fashion-mnist/.")
    folder = data_home("fashion-mnist", path, extra=_FASHION_SYSTEM_DIRS, hint=hint,
                       contains=_has_mnist_files)
    train, test = _load_folder(folder, "Fashion-MNIST")
    if train is None:
        raise FileNotFoundError(f"Fashion-MNIST training files are missing in {folder}. "
                                + hint)
    return train, test



def _has_mnist_files(folder: pathlib.Path) -> bool:
    if folder.is_file():
        return folder.name.endswith(".pkl.gz")
    return (_find(folder, "t10k-images-idx3-ubyte") is not None
            or (folder / "mnist.pkl.gz").exists())
