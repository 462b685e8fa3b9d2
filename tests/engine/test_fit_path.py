"""What every estimator's fit leaves behind, and how a multi-stage fit stops."""
import warnings
from unittest import mock

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skdeep import DBNClassifier, DBNTransformer, DeepAutoencoder, LogisticClassifier
from skdeep.nn import rbm as F_rbm
from skdeep.utils import all_estimators
from skdeep.utils.estimator_checks import NON_TABULAR, small_instance

X, y = load_digits(return_X_y=True)
X, y = X[:200] / 16.0, y[:200]

TABULAR = [(name, cls) for name, cls in all_estimators() if name not in NON_TABULAR]


@pytest.mark.parametrize("name, cls", TABULAR, ids=[n for n, _ in TABULAR])
def test_fitted_history_attributes_are_uniform(name, cls):
    est = small_instance(cls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    assert isinstance(est.n_iter_, int) and est.n_iter_ >= 1
    assert isinstance(est.loss_curve_, list)
    assert all(isinstance(v, float) for v in est.loss_curve_)
    # a fresh fit: one loss per epoch run
    assert est.n_iter_ == len(est.loss_curve_), (est.n_iter_, len(est.loss_curve_))
    # no validation set: None, as in scikit-learn's MLP
    assert est.validation_scores_ is None and est.best_validation_score_ is None
    assert est.stop_reason_ in ("converged", "max_iter")
    assert est.device_ == "cpu" and est.n_features_in_ == X.shape[1]


def test_convergence_warning_points_at_the_callers_line():
    with pytest.warns(ConvergenceWarning) as record:
        LogisticClassifier(max_iter=1).fit(X, y)
    assert record[0].filename == __file__


def _interrupt_cd_after(n_calls):
    real = F_rbm.cd_update_
    calls = {"n": 0}

    def cd_update_(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n_calls:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    return mock.patch("skdeep._engine.greedy.cd_update_", cd_update_)


@pytest.mark.parametrize("make", [
    lambda: DBNTransformer((16, 8), pretrain_n_iter=5, random_state=0),
    lambda: DBNClassifier((16, 8), pretrain_n_iter=5, max_iter=5, random_state=0),
], ids=["DBNTransformer", "DBNClassifier"])
def test_one_interrupt_stops_every_stage(make):
    est = make()
    # 10 batches per epoch at batch 20: the interrupt lands in layer 1's second epoch
    with _interrupt_cd_after(15), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    interrupts = [w for w in caught if "interrupted" in str(w.message)]
    assert len(interrupts) == 1
    assert est.stop_reason_ == "interrupted"
    # layer 2 and the finetuning ran no epochs
    assert [len(c) for c in est.pretrain_loss_curves_] == [1, 0]
    if isinstance(est, DBNClassifier):
        assert est.n_iter_ == 0
        assert est.predict(X).shape == (len(X),)
    else:
        assert est.n_iter_ == 1 and est.transform(X).shape == (len(X), 8)


def test_deep_autoencoder_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    DeepAutoencoder((8, 4), pretrain_n_iter=1, max_iter=1, random_state=0).fit(X)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())
