"""DBMClassifier: the DBM's fine-tuned discriminative network."""
import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split

from skdeep import DBMClassifier
from skdeep.nn import dbm as F_dbm


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def fitted(digits):
    Xtr, _, ytr, _ = digits
    clf = DBMClassifier((64, 64), pretrain_n_iter=10, dbm_n_iter=5, max_iter=30,
                        learning_rate_init=0.01, random_state=0)
    with pytest.warns(UserWarning, match="max_iter"):
        return clf.fit(Xtr, ytr)


def test_digits_accuracy_and_pickle(digits, fitted):
    _, Xte, _, yte = digits
    # measured 0.967 on this split
    assert fitted.score(Xte, yte) >= 0.95
    loaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(loaded.predict_proba(Xte), fitted.predict_proba(Xte),
                               atol=1e-6)
    assert len(fitted.loss_curve_) == fitted.n_iter_ == 30
    assert fitted.validation_scores_ is None and fitted.stop_reason_ == "max_iter"


def test_input_is_data_and_mean_field_posteriors(digits, fitted):
    Xtr = digits[0][:50]
    # the trained DBM is a fitted transformer: its top-layer posteriors are the
    # network's extra input
    q = fitted.dbm_.transform(Xtr)
    got = fitted.module_.posteriors(torch.as_tensor(Xtr, dtype=torch.float32))
    np.testing.assert_allclose(got.numpy(), q, atol=1e-5)
    assert fitted.coefs_[0].shape == (64 + 64, 64)
    assert [c.shape for c in fitted.coefs_[1:]] == [(64, 64), (64, 10)]


def test_initialisation_is_the_dbm_mean_field_update():
    # before fine-tuning, the first layer computes h^1's mean-field update given x and
    # q(h^2), and the second h^2's bottom-up input from h^1
    gen = torch.Generator().manual_seed(0)
    sizes = [6, 5, 4]
    Ws = [torch.randn(a, b, generator=gen) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [torch.randn(s, generator=gen) for s in sizes]
    net = F_dbm.DBMDiscriminativeNet(sizes, 3, n_mean_field=7).init_from_dbm(Ws, bs)
    v = torch.rand(10, 6, generator=gen)
    mus = F_dbm.mean_field(v, Ws, bs, n_iter=7)
    h1 = torch.sigmoid(net.hidden[0](torch.cat([v, mus[2]], 1)))
    torch.testing.assert_close(h1, torch.sigmoid(bs[1] + v @ Ws[0] + mus[2] @ Ws[1].t()))
    torch.testing.assert_close(net.hidden[1](h1), bs[2] + h1 @ Ws[1])
    assert torch.all(net(v) == 0)            # the softmax layer starts at zero
    assert not any(n.startswith("dbm_") for n, _ in net.named_parameters())


def test_validation_set_and_grid_search(digits):
    Xtr, Xte, ytr, yte = digits
    clf = DBMClassifier((16, 16), pretrain_n_iter=2, dbm_n_iter=1, max_iter=50,
                        learning_rate_init=0.01, n_iter_no_change=3, random_state=0)
    clf.fit(Xtr[:600], ytr[:600], X_val=Xte, y_val=yte)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    grid = GridSearchCV(DBMClassifier((16, 16), pretrain_n_iter=1, dbm_n_iter=1,
                                      max_iter=5, learning_rate_init=0.01, random_state=0),
                        {"dbm_learning_rate": [0.005, 0.02]}, cv=2)
    with pytest.warns(UserWarning):
        grid.fit(Xtr[:300], ytr[:300])
    assert grid.best_params_["dbm_learning_rate"] in (0.005, 0.02)


def test_bad_sizes():
    X = np.random.RandomState(0).rand(20, 4)
    with pytest.raises(ValueError, match="at least two"):
        DBMClassifier((8,), max_iter=1).fit(X, np.arange(20) % 2)
