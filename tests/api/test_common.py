"""scikit-learn's estimator checks over every public skdeep estimator.

Estimators are found by discovery, so a new model is covered without editing this file.
Expected failures live, each with its reason, in
:func:`skdeep.utils.estimator_checks.expected_failed_checks`.
"""
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdeep.utils import all_estimators
from skdeep.utils.estimator_checks import NON_TABULAR, expected_failed_checks, small_instance

ESTIMATORS = [small_instance(cls) for name, cls in all_estimators() if name not in NON_TABULAR]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_discovery_finds_the_estimators():
    names = dict(all_estimators())
    assert {"LogisticClassifier", "MLPClassifier"} <= set(names)


@pytest.mark.parametrize("name", sorted(NON_TABULAR))
def test_non_tabular_entries_have_reasons(name):
    assert len(NON_TABULAR[name]) > 20
