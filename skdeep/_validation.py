"""Checks shared by several estimators' faces."""
from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import Interval, Options, StrOptions

from ._engine.optim import SCHEDULES
from .exceptions import DataRangeWarning

#: scikit-learn's MLP constraints on the optimizer parameters that every estimator
#: trained by gradient descent shares (the conventions page's MLP family)
GRADIENT_CONSTRAINTS: dict = {
    "solver": [StrOptions({"sgd", "adam"})],
    "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
    "learning_rate": [StrOptions(set(SCHEDULES))],
    "power_t": [Interval(numbers.Real, 0, None, closed="left")],
    "momentum": [Interval(numbers.Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "beta_1": [Interval(numbers.Real, 0, 1, closed="left")],
    "beta_2": [Interval(numbers.Real, 0, 1, closed="left")],
    "epsilon": [Interval(numbers.Real, 0, None, closed="neither")],
    "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left"),
                         Options(numbers.Real, {np.inf})],
    "tol": [Interval(numbers.Real, 0, None, closed="left")],
    "warm_start": ["boolean"],
    "device": [str],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}

# Rows per block when scanning for the range: bounds the temporary of a memmap or an
# integer array cast to float.
_BLOCK_ROWS = 65536


def _value_range(X):
    """(min, max) of X, ignoring NaN; implicit zeros of a sparse matrix count."""
    if sp.issparse(X):
        if X.format not in ("csr", "csc", "coo", "bsr"):
            X = X.tocsr()
        data = X.data
        lo = hi = 0.0
        if X.shape[0] * X.shape[1] == data.size and data.size:  # no implicit zero
            lo, hi = np.inf, -np.inf
        if data.size:
            lo, hi = min(lo, float(np.nanmin(data))), max(hi, float(np.nanmax(data)))
        return lo, hi
    if getattr(X, "ndim", 2) != 2:
        X = np.asarray(X)
    lo, hi = np.inf, -np.inf
    for start in range(0, X.shape[0], _BLOCK_ROWS):
        block = np.asarray(X[start:start + _BLOCK_ROWS])
        if block.size:
            lo, hi = min(lo, float(np.nanmin(block))), max(hi, float(np.nanmax(block)))
    return lo, hi


def warn_if_outside_unit_interval(X, estimator, what="X"):
    """Warn (:class:`~skdeep.exceptions.DataRangeWarning`) when Bernoulli visible units
    are trained on values outside [0, 1].

    Scikit-learn's ``BernoulliRBM`` accepts such data (its own tests and estimator checks
    feed it), so the drop-ins warn rather than refuse. Call it once per fit, on the
    training data only: scoring and transforming stay silent.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        The validated training data (a memmap is scanned in row blocks).
    estimator : estimator
        The estimator being fitted; with ``visible_units="gaussian"`` nothing is checked.
    what : str, default="X"
        The name of the data in the message.

    Returns
    -------
    bool
        True when it warned.
    """
    if getattr(estimator, "visible_units", "bernoulli") != "bernoulli":
        return False
    lo, hi = _value_range(X)
    if not (lo < 0 or hi > 1):
        return False
    name = type(estimator).__name__
    fix = "scale the data into [0, 1] (e.g. with sklearn.preprocessing.MinMaxScaler)"
    if "visible_units" in estimator.get_params(deep=False):
        fix += ' or use visible_units="gaussian" for real-valued data'
    warnings.warn(
        f"{name} has Bernoulli visible units, defined on [0, 1], but the training data "
        f"{what} ranges over [{lo:.6g}, {hi:.6g}]; {fix}.",
        DataRangeWarning, stacklevel=3)
    return True


def check_count(value, name, minimum=1):
    """``value`` as an int >= ``minimum``; TypeError for non-integers (2.5, "3", True).

    Parameters
    ----------
    value : object
    name : str
        The argument's name, for the message.
    minimum : int, default=1

    Returns
    -------
    int
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def _label_kind(value):
    if isinstance(value, (str, bytes, np.str_, np.bytes_)):
        return "str"
    if isinstance(value, (numbers.Number, np.bool_)):
        return "number"
    return type(value).__name__


def check_label_types(y, name="y"):
    """TypeError when the labels ``y`` mix strings and numbers (or other types).

    NumPy cannot order such labels (``np.unique`` fails with ``'<' not supported``), and a
    list of per-sequence label arrays of different kinds would be joined into strings
    silently.

    Parameters
    ----------
    y : ndarray or list of ndarray
        Labels, or one 1-D label array per sequence.
    name : str, default="y"
        The argument's name, for the message.
    """
    arrays = y if isinstance(y, list) else [y]
    kinds = set()
    for a in arrays:
        a = np.asarray(a)
        if a.dtype == object:
            kinds.update(_label_kind(v) for v in a.ravel().tolist())
        elif a.dtype.kind in "US":
            kinds.add("str")
        elif a.size:
            kinds.add("number")
        if len(kinds) > 1:
            raise TypeError(f"{name} mixes labels of types {sorted(kinds)}; use one type for "
                            "all labels (all strings, or all numbers).")


def check_discrete_labels(y, name="y"):
    """ValueError when ``y`` holds non-integral floats: a classifier needs classes.

    Parameters
    ----------
    y : ndarray
        Flat labels.
    name : str, default="y"
    """
    y = np.asarray(y)
    if y.dtype.kind == "f" and y.size:
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{name} contains NaN or infinity")
        fractional = y[y != np.round(y)]
        if fractional.size:
            raise ValueError(f"{name} holds continuous values (e.g. {float(fractional[0])!r}), not "
                             "class labels; pass integer or string labels.")
