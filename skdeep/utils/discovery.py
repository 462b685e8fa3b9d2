"""Find skdeep's public estimators (used by the common tests, so new models need no edits)."""
from __future__ import annotations

import inspect

from sklearn.base import BaseEstimator


def all_estimators():
    """Return ``[(name, class), ...]`` for every public estimator exported by :mod:`skdeep`.

    Examples
    --------
    >>> from skdeep.utils import all_estimators
    >>> "MLPClassifier" in dict(all_estimators())
    True
    """
    import skdeep

    found = []
    for name in getattr(skdeep, "__all__", []):
        obj = getattr(skdeep, name, None)
        if (inspect.isclass(obj) and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj) and not name.startswith("_")):
            found.append((name, obj))
    return sorted(found)
