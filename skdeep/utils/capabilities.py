"""Which public estimator has which capability, read from the code itself.

``docs/capabilities.rst`` shows this table, and ``tests/api/test_capabilities.py``
checks that the page and :func:`capabilities` agree, so neither can drift.
"""
from __future__ import annotations

import inspect

from .discovery import all_estimators

__all__ = ["CAPABILITIES", "capabilities", "public_estimators"]

#: the columns of the table, in order. Constructor parameters, ``fit`` arguments and
#: public methods; see :func:`capabilities` for how each is read.
CAPABILITIES = (
    "partial_fit", "warm_start", "early_stopping", "validation_fraction", "X_val",
    "verbose", "device", "precision", "compile", "max_device_memory", "sample_weight",
    "sample", "score_samples",
)

_INIT_PARAMS = ("warm_start", "early_stopping", "validation_fraction", "verbose", "device",
                "precision", "compile", "max_device_memory")
_FIT_PARAMS = ("X_val", "sample_weight")


def public_estimators():
    """Return ``[(name, class), ...]``: every estimator class :mod:`skdeep` exports.

    The estimators of :func:`~skdeep.utils.all_estimators`, plus any other public class
    in ``skdeep.__all__`` with a ``fit`` or ``sample`` method.

    Examples
    --------
    >>> from skdeep.utils.capabilities import public_estimators
    >>> "HMCSampler" in dict(public_estimators())
    True
    """
    import skdeep

    found = dict(all_estimators())
    for name in getattr(skdeep, "__all__", []):
        obj = getattr(skdeep, name, None)
        if (inspect.isclass(obj) and not name.startswith("_")
                and (callable(getattr(obj, "fit", None))
                     or callable(getattr(obj, "sample", None)))):
            found.setdefault(name, obj)
    return sorted(found.items())


def _parameters(function):
    if function is None:
        return set()
    return set(inspect.signature(function).parameters)


def capabilities():
    """Return ``{estimator name: {capability: bool}}`` for every public estimator.

    A capability named in :data:`CAPABILITIES` is a constructor parameter
    (``warm_start``, ``early_stopping``, ``validation_fraction``, ``verbose``,
    ``device``, ``precision``, ``compile``, ``max_device_memory``), an argument of
    ``fit`` (``X_val``, ``sample_weight``) or a public method (``partial_fit``,
    ``sample``, ``score_samples``). Only signatures and attributes of the classes are
    read: nothing is instantiated or fitted.

    Examples
    --------
    >>> from skdeep.utils.capabilities import capabilities
    >>> table = capabilities()
    >>> table["MLPClassifier"]["sample_weight"], table["BernoulliRBM"]["early_stopping"]
    (True, False)
    """
    table = {}
    for name, cls in public_estimators():
        init = _parameters(cls.__init__)
        fit = _parameters(getattr(cls, "fit", None))
        row = {}
        for capability in CAPABILITIES:
            if capability in _INIT_PARAMS:
                row[capability] = capability in init
            elif capability in _FIT_PARAMS:
                row[capability] = capability in fit
            else:  # a public method
                row[capability] = callable(getattr(cls, capability, None))
        table[name] = row
    return table
