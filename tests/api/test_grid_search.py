"""Every tabular estimator in a parallel grid search: the workers pickle it, clone it
and fit it on one thread each, and the search scores and picks what a serial one does."""
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from skdeep.utils import all_estimators
from skdeep.utils.estimator_checks import NON_TABULAR, small_instance

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X, y = load_digits(return_X_y=True)
X = (X[:200] / 16.0).astype(np.float32)
y = y[:200]
TABULAR = [cls for name, cls in all_estimators() if name not in NON_TABULAR]


def _mean_output(est, X_, y_=None):
    """A scorer every estimator supports: classifier, regressor or transformer."""
    for method in ("predict_proba", "transform", "predict", "score_samples"):
        if hasattr(est, method):
            return float(np.mean(getattr(est, method)(X_)))
    raise AssertionError(f"{type(est).__name__} has no output method")


@pytest.mark.parametrize("cls", TABULAR, ids=lambda c: c.__name__)
def test_parallel_grid_search_matches_serial(cls, monkeypatch):
    est = small_instance(cls)
    if "max_iter" in est.get_params():
        est.set_params(max_iter=2)
    grid = {"random_state": [0, 1]}
    # the workers run one thread each (the thread policy); the serial search too, so
    # that both sum in the same order
    monkeypatch.setenv("SKDEEP_NUM_THREADS", "1")
    serial = GridSearchCV(est, grid, cv=2, scoring=_mean_output, n_jobs=1).fit(X, y)
    parallel = GridSearchCV(est, grid, cv=2, scoring=_mean_output, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(parallel.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"], rtol=1e-6)
    assert parallel.best_params_ == serial.best_params_
