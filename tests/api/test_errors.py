"""Bad input gives a clear error naming the problem, never a torch traceback."""
import numpy as np
import pytest
from sklearn.datasets import load_digits

from skdeep import LogisticClassifier, MLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X, y = load_digits(return_X_y=True)
X = X[:200] / 16.0
y = y[:200]


def clf(**kw):
    return MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0, **kw)


@pytest.mark.parametrize("value, message", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_nan_and_inf(value, message):
    bad = X.copy()
    bad[3, 4] = value
    with pytest.raises(ValueError, match=message):
        clf().fit(bad, y)
    fitted = clf().fit(X, y)
    with pytest.raises(ValueError, match=message):
        fitted.predict(bad)


def test_wrong_feature_count_at_predict():
    fitted = clf().fit(X, y)
    with pytest.raises(ValueError, match="X has 10 features, but MLPClassifier is expecting 64"):
        fitted.predict(X[:, :10])


def test_three_dimensional_input():
    with pytest.raises(ValueError, match="Found array with dim 3"):
        clf().fit(X.reshape(200, 8, 8), y)


def test_empty_input():
    with pytest.raises(ValueError, match="0 sample"):
        clf().fit(X[:0], y[:0])


def test_one_sample():
    with pytest.raises(ValueError, match="at least 2 classes"):
        LogisticClassifier(max_iter=2).fit(X[:1], y[:1])


def test_one_class():
    with pytest.raises(ValueError, match="at least 2 classes"):
        LogisticClassifier(max_iter=2).fit(X, np.zeros(len(X)))
    # scikit-learn's MLPClassifier accepts a single class; its mirror does too
    assert (clf().fit(X, np.zeros(len(X))).predict(X) == 0).all()


def test_new_class_in_partial_fit():
    model = clf().partial_fit(X, y % 2, classes=[0, 1])
    with pytest.raises(ValueError, match=r"`y` has classes not in `self.classes_`"):
        model.partial_fit(X, y % 3)
    logistic = LogisticClassifier(max_iter=2).partial_fit(X, y % 2, classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in classes"):
        logistic.partial_fit(X, y % 3)


def test_partial_fit_needs_classes_first():
    with pytest.raises(ValueError, match="classes must be passed"):
        clf().partial_fit(X, y)


def test_unknown_device():
    with pytest.raises(ValueError, match="device must be 'auto'"):
        clf(device="gpu0").fit(X, y)


def test_cuda_without_cuda():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError, match="CUDA is not available"):
        clf(device="cuda").fit(X, y)


@pytest.mark.parametrize("cls", [LogisticClassifier, MLPClassifier])
def test_negative_learning_rate(cls):
    with pytest.raises(ValueError, match="'learning_rate_init' parameter .* must be a float in the"
                                         " range \\(0.0, inf\\)"):
        cls(learning_rate_init=-0.1).fit(X, y)


def test_bad_hidden_layer_sizes():
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        MLPClassifier(hidden_layer_sizes=(10, 0)).fit(X, y)


def test_mismatched_validation_set():
    with pytest.raises(ValueError, match="Pass both X_val and y_val"):
        clf().fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="y_val has labels not seen in y"):
        clf().fit(X, y % 2, X_val=X, y_val=y % 3)


def test_predict_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        clf().predict(X)
