"""Safe persistence of every tabular estimator: pickle, skops, save/load."""
import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skdeep.utils import all_estimators
from skdeep.utils.estimator_checks import NON_TABULAR, small_instance

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X, y = load_digits(return_X_y=True)
X = (X[:300] / 16.0).astype(np.float32)
y = y[:300]
TABULAR = [cls for name, cls in all_estimators() if name not in NON_TABULAR]


def fitted(cls):
    est = small_instance(cls)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    if "max_iter" in est.get_params():
        est.set_params(max_iter=2)
    return est.fit(X, y)


def outputs(est):
    for method in ("predict_proba", "transform", "predict", "score_samples"):
        if hasattr(est, method):
            return getattr(est, method)(X)
    raise AssertionError(f"{type(est).__name__} has no output method")


@pytest.mark.parametrize("cls", TABULAR, ids=lambda c: c.__name__)
def test_pickle_round_trip(cls):
    est = fitted(cls)
    np.testing.assert_array_equal(outputs(pickle.loads(pickle.dumps(est))), outputs(est))


@pytest.mark.parametrize("cls", TABULAR, ids=lambda c: c.__name__)
def test_skops_round_trip_trusts_only_skdeep_types(cls, tmp_path):
    sio = pytest.importorskip("skops.io")
    est = fitted(cls)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert all(t.startswith("skdeep.") for t in untrusted), untrusted
    loaded = sio.load(path, trusted=untrusted)
    np.testing.assert_array_equal(outputs(loaded), outputs(est))


@pytest.mark.parametrize("cls", TABULAR, ids=lambda c: c.__name__)
def test_save_load_without_unpickling_code(cls, tmp_path):
    import torch

    est = fitted(cls)
    path = tmp_path / "model.pt"
    est.save(path)
    torch.load(path, weights_only=True)  # plain tensors and containers only
    loaded = cls.load(path, device="cpu")
    assert loaded.get_params() == est.get_params() | {"device": "cpu"}
    np.testing.assert_array_equal(outputs(loaded), outputs(est))


def test_load_refuses_other_files_and_classes(tmp_path):
    import torch

    from skdeep import LogisticClassifier, MLPClassifier

    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a file written by skdeep"):
        MLPClassifier.load(tmp_path / "other.pt")
    fitted(LogisticClassifier).save(tmp_path / "lr.pt")
    with pytest.raises(TypeError, match="holds a LogisticClassifier, not a MLPClassifier"):
        MLPClassifier.load(tmp_path / "lr.pt")


def test_save_load_keeps_warm_start_state(tmp_path):
    from skdeep import MLPClassifier

    est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0,
                        warm_start=True).fit(X, y)
    est.save(tmp_path / "m.pt")
    loaded = MLPClassifier.load(tmp_path / "m.pt")
    loaded.fit(X, y)
    est.fit(X, y)
    assert loaded.n_iter_ == est.n_iter_ == 2 and len(loaded.loss_curve_) == 4
    np.testing.assert_allclose(loaded.predict_proba(X), est.predict_proba(X), atol=1e-6)
    # partial_fit continues the optimizer (Adam's moments), which the file holds too
    est.save(tmp_path / "m2.pt")
    loaded = MLPClassifier.load(tmp_path / "m2.pt")
    loaded.partial_fit(X, y)
    est.partial_fit(X, y)
    np.testing.assert_allclose(loaded.predict_proba(X), est.predict_proba(X), atol=1e-6)
