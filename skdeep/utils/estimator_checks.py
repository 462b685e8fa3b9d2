"""The one place where expected failures of scikit-learn's estimator checks are recorded.

Each entry names a check and says why skdeep's estimator cannot, or should not, pass it.
``tests/test_common.py`` passes this mapping to ``parametrize_with_checks``.
"""
from __future__ import annotations

#: estimators whose input is not a 2-D array (token sequences, piano-rolls, energy
#: functions); scikit-learn's common checks feed 2-D numeric arrays, so these are tested by
#: their own API tests (clone, get_params, pickle, GridSearchCV) instead.
NON_TABULAR = {}


def expected_failed_checks(estimator) -> dict:
    """Return ``{check_name: reason}`` for the checks ``estimator`` is expected to fail.

    Examples
    --------
    >>> from skdeep import MLPClassifier
    >>> from skdeep.utils.estimator_checks import expected_failed_checks
    >>> expected_failed_checks(MLPClassifier())
    {}
    """
    name = type(estimator).__name__
    return dict(_EXPECTED.get(name, {}))


_EXPECTED: dict[str, dict[str, str]] = {
}


#: parameters that keep the common checks fast (they fit dozens of tiny models); the
#: checks then test the same code paths as the defaults. Keyed by class name.
CHECK_PARAMS: dict[str, dict] = {
    "MLPClassifier": {"hidden_layer_sizes": (20,), "max_iter": 100},
}


def small_instance(cls):
    """An instance of ``cls`` configured for the fast common checks."""
    estimator = cls()
    params = CHECK_PARAMS.get(cls.__name__, {})
    return estimator.set_params(**params)
