"""Samples that look like the data: DBN samples after up-down and DBM samples, judged by
a classifier trained on real images (brightness, classes covered, confidence)."""
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skdeep import DBMTransformer, DBNTransformer


def _judged(judge, samples):
    proba = judge.predict_proba(samples)
    counts = np.bincount(proba.argmax(axis=1), minlength=proba.shape[1])
    return samples.mean(), int((counts >= 5).sum()), proba.max(axis=1).mean()


@pytest.fixture(scope="module")
def mnist_digits(data_dir):
    from skdeep.datasets import load_mnist

    try:
        _, (X, y) = load_mnist(data_dir / "mnist")
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    return X, y, LogisticRegression(max_iter=300).fit(X[:5000], y[:5000])


def test_dbn_samples_after_up_down_look_like_mnist(mnist_digits):
    X, _, judge = mnist_digits
    dbn = DBNTransformer((500, 500), fine_tune="up-down", random_state=0).fit(X)
    brightness, classes, confidence = _judged(judge, dbn.sample(200, random_state=1))
    # measured over seeds 0-2: 0.109-0.131 (data 0.133), 9-10 classes, confidence
    # 0.91-0.94; with fine_tune_k=1: 5-8 classes; greedy: 0.004-0.006, 3-4, 0.32-0.34
    assert brightness > 0.6 * X.mean()
    assert classes >= 8 and confidence >= 0.8


def test_dbm_samples_look_like_digits():
    X, y = load_digits(return_X_y=True)
    X = X / 16
    judge = LogisticRegression(max_iter=3000).fit(X, y)
    dbm = DBMTransformer((100, 200), n_iter=20, random_state=0).fit(X)
    brightness, classes, confidence = _judged(judge, dbm.sample(200, random_state=1))
    # measured: 0.306 (data 0.305), 9 classes, confidence 0.51 (the 8x8 digits' samples
    # are blurred; on MNIST the fantasy particles reach 0.93, docs/dbm.rst)
    assert 0.8 * X.mean() < brightness < 1.2 * X.mean()
    assert classes >= 8 and confidence >= 0.4
