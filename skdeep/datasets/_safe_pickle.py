"""A restricted unpickler for the tutorial's data pickles.

``pickle.load`` calls whatever callable a file names, so a crafted ``mnist.pkl.gz`` runs
code on load. The tutorial's files hold only plain data: tuples, lists and dicts of
numbers and strings, and numpy arrays. :class:`RestrictedUnpickler` resolves exactly the
globals such files need -- numpy's array and scalar reconstructors, ``numpy.dtype``, a few
builtin containers, and the latin-1 ``_codecs.encode`` that Python 2 byte strings are
stored with -- and refuses every other global with :class:`UnsafePickleError`. The objects
are looked up here, never imported by the name the file gives.
"""
from __future__ import annotations

import codecs
import collections
import gzip
import io
import pathlib
import pickle
import zlib

import numpy as np

__all__ = ["RestrictedUnpickler", "UnsafePickleError", "loads", "read_pickles"]


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle names a global that is not plain data."""


def _latin1_encode(obj, encoding="latin1", errors="strict"):
    # Python 3 writes the bytes of protocol-2 pickles as _codecs.encode(text, "latin1"):
    # admit only that, not an arbitrary codec chosen by the file.
    if not isinstance(obj, str) or codecs.lookup(encoding).name != "iso8859-1":
        raise UnsafePickleError(f"_codecs.encode with {type(obj).__name__} and "
                                f"{encoding!r} is not how pickle stores bytes")
    return codecs.encode(obj, encoding, errors)


def _numpy_globals():
    reconstruct = np.zeros(1).__reduce__()[0]
    scalar = np.float64(0).__reduce__()[0]
    frombuffer = np.zeros(1).__reduce_ex__(5)[0]
    found = {}
    for package in ("numpy.core", "numpy._core"):   # numpy 1 and numpy 2 pickles
        found[(f"{package}.multiarray", "_reconstruct")] = reconstruct
        found[(f"{package}.multiarray", "scalar")] = scalar
        found[(f"{package}.numeric", "_frombuffer")] = frombuffer
    found[("numpy", "ndarray")] = np.ndarray
    found[("numpy", "dtype")] = np.dtype
    return found


_ALLOWED = {
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "bytearray"): bytearray,
    ("builtins", "complex"): complex,
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("_codecs", "encode"): _latin1_encode,
    **_numpy_globals(),
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that builds containers, numbers, strings and numpy arrays only.

    Python 2 names (``__builtin__``, ``copy_reg``) are mapped by ``fix_imports`` before
    the lookup, as :class:`pickle.Unpickler` does.
    """

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module == "__builtin__" and ("builtins", name) in _ALLOWED:
            return _ALLOWED[("builtins", name)]
        raise UnsafePickleError(
            f"the pickle refers to {module}.{name}, which is not plain data (containers, "
            "numbers, strings, numpy arrays and dtypes); refusing to load it")

    def persistent_load(self, pid):
        raise UnsafePickleError("the pickle uses persistent ids, which plain data never has")


def loads(data: bytes, *, encoding="latin1"):
    """Unpickle ``data`` with :class:`RestrictedUnpickler`.

    Parameters
    ----------
    data : bytes
    encoding : str, default="latin1"
        How Python 2 ``str`` objects are decoded; latin-1 keeps numpy's array bytes.

    Returns
    -------
    object
    """
    return RestrictedUnpickler(io.BytesIO(data), encoding=encoding).load()


def read_pickles(filename, n=1, *, what="a data pickle", encoding="latin1"):
    """Read ``n`` consecutive pickles from ``filename`` (gzipped when it ends in ``.gz``).

    Every failure -- a corrupt or truncated gzip stream, a damaged pickle, a global that
    is not plain data -- is one ``ValueError`` naming the file.

    Parameters
    ----------
    filename : path-like
    n : int, default=1
        How many pickles the file holds back to back.
    what : str
        What the file should be, for the message.
    encoding : str, default="latin1"

    Returns
    -------
    object, or a list of ``n`` objects when ``n > 1``
    """
    filename = pathlib.Path(filename)
    opener = gzip.open if filename.name.endswith(".gz") else open
    objects = []
    # Unpickle from the stream rather than from decompressed bytes: no second copy of a
    # large file in memory.
    with opener(filename, "rb") as stream:
        try:
            for _ in range(n):
                objects.append(RestrictedUnpickler(stream, encoding=encoding).load())
            # gzip checks its CRC only at the end of the stream, which the unpickler
            # never reaches: read to the end so that a damaged file is caught.
            while stream.read(1 << 20):
                pass
        except UnsafePickleError as exc:
            raise ValueError(f"{filename}: {exc}.") from exc
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise ValueError(f"{filename} is not a readable gzip file (corrupt?): "
                             f"{exc}") from exc
        except Exception as exc:  # damaged pickles raise nearly anything
            if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
                raise
            raise ValueError(f"{filename} is not {what} (truncated or corrupt?): "
                             f"{type(exc).__name__}: {exc}") from exc
    return objects[0] if n == 1 else objects
