"""Learning on real data, with accuracy bars (deterministic seeds)."""

import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdeep import LogisticClassifier, MLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


def test_logistic_on_digits_with_defaults(digits):
    X_train, X_test, y_train, y_test = digits
    clf = LogisticClassifier(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.95


def test_mlp_on_digits_with_defaults(digits):
    X_train, X_test, y_train, y_test = digits
    clf = MLPClassifier(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.97


def test_logistic_on_fashion_mnist(fashion_mnist):
    (X_train, y_train), (X_test, y_test) = fashion_mnist
    clf = LogisticClassifier(max_iter=20, random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.84


def test_mlp_on_fashion_mnist(fashion_mnist):
    (X_train, y_train), (X_test, y_test) = fashion_mnist
    clf = MLPClassifier(max_iter=12, random_state=0).fit(X_train, y_train)
    # scikit-learn's MLPClassifier with the same settings: 0.8805 and 0.8797 for seeds
    # 0 and 1; ours 0.8797 and 0.8769 (seed-to-seed spread about 0.004)
    assert clf.score(X_test, y_test) >= 0.875
