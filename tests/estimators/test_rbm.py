"""skdeep.BernoulliRBM: scikit-learn drop-in behaviour, likelihood oracles, sampling."""
import itertools
import pickle
import re

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from skdeep.rbm import BernoulliRBM


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0), y


def _states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def _brute_log_p(rbm, V):
    """log p(v) of the fitted model from its public attributes, by full enumeration."""
    W = rbm.components_.astype(np.float64)
    b = rbm.intercept_visible_.astype(np.float64)
    c = rbm.intercept_hidden_.astype(np.float64)
    Vall, Hall = _states(W.shape[1]), _states(W.shape[0])
    neg_e = Vall @ b[:, None] + (Hall @ c)[None, :] + Vall @ W.T @ Hall.T
    log_z = logsumexp(neg_e)
    neg_e_v = V @ b[:, None] + (Hall @ c)[None, :] + V @ W.T @ Hall.T
    return logsumexp(neg_e_v, axis=1) - log_z, log_z


def _toy_binary(n=400, n_vis=6, seed=0):
    rng = np.random.RandomState(seed)
    protos = rng.rand(3, n_vis) > 0.5
    X = protos[rng.randint(0, 3, n)] ^ (rng.rand(n, n_vis) < 0.05)
    return X.astype(np.float64)


def test_sklearn_attributes_and_dtypes(digits):
    X, _ = digits
    X = X[:200]
    for dtype in (np.float64, np.float32):
        rbm = BernoulliRBM(n_components=16, n_iter=2, batch_size=10, random_state=0)
        Xd = X.astype(dtype)
        assert rbm.fit(Xd) is rbm
        assert rbm.components_.shape == (16, 64) and rbm.components_.dtype == dtype
        assert rbm.intercept_hidden_.shape == (16,) and rbm.intercept_visible_.shape == (64,)
        assert rbm.h_samples_.shape == (10, 16)
        assert rbm.transform(Xd).dtype == dtype
        assert rbm.score_samples(Xd).dtype == dtype
        assert rbm.gibbs(Xd[:3]).shape == (3, 64)
    a = BernoulliRBM(n_components=16, n_iter=2, random_state=0).fit(X)
    b = BernoulliRBM(n_components=16, n_iter=2, random_state=0).fit(X.astype(np.float32))
    np.testing.assert_allclose(a.components_, b.components_, atol=1e-5)
    np.testing.assert_allclose(a.transform(X), b.transform(X.astype(np.float32)), atol=1e-4)
    names = a.get_feature_names_out()
    assert list(names[:3]) == ["bernoullirbm0", "bernoullirbm1", "bernoullirbm2"]


def test_same_seed_same_model_and_partial_fit(digits):
    X, _ = digits
    a = BernoulliRBM(n_components=8, n_iter=1, random_state=3).fit(X[:100])
    b = BernoulliRBM(n_components=8, n_iter=1, random_state=3).fit(X[:100])
    np.testing.assert_array_equal(a.components_, b.components_)
    rbm = BernoulliRBM(n_components=8, batch_size=20, random_state=0)
    W0 = None
    for start in range(0, 100, 20):
        assert rbm.partial_fit(X[start:start + 20]) is rbm
        if W0 is None:
            W0 = rbm.components_
    assert rbm.n_iter_ == 5
    assert not np.allclose(W0, rbm.components_)
    with pytest.raises(ValueError, match="features"):
        rbm.partial_fit(X[:5, :10])


@pytest.mark.parametrize("fmt", ["csr", "csc", "lil"])
def test_sparse_input_matches_dense(digits, fmt):
    X, _ = digits
    X = X[:120]
    Xs = sp.csr_matrix(X).asformat(fmt)
    dense = BernoulliRBM(n_components=8, n_iter=2, random_state=0).fit(X)
    sparse = BernoulliRBM(n_components=8, n_iter=2, random_state=0).fit(Xs)
    np.testing.assert_allclose(dense.components_, sparse.components_, atol=1e-6)
    np.testing.assert_allclose(dense.transform(X), sparse.transform(Xs), atol=1e-10)
    np.testing.assert_allclose(dense.score_samples(X), sparse.score_samples(Xs), atol=1e-8)
    pf = BernoulliRBM(n_components=8, random_state=0).partial_fit(Xs)
    pd_ = BernoulliRBM(n_components=8, random_state=0).partial_fit(X)
    np.testing.assert_allclose(pf.components_, pd_.components_, atol=1e-6)


def test_verbose_prints_sklearn_style_lines(digits, capsys):
    X, _ = digits
    BernoulliRBM(n_components=8, n_iter=2, verbose=1, random_state=0).fit(X[:50])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    pattern = r"\[BernoulliRBM\] Iteration \d+, pseudo-likelihood = -?\d+\.\d\d, time = \d+\.\d\ds"
    assert all(re.fullmatch(pattern, line) for line in lines), lines


def test_pseudo_likelihood_finite_for_extreme_inputs():
    X = _toy_binary()
    rbm = BernoulliRBM(n_components=4, n_iter=2, random_state=0).fit(X)
    extreme = np.array([[1e8, -1e8, 0, 1, 1e30, 0], [0, 0, 0, 0, 0, 0]])
    pl = rbm.score_samples(extreme)
    assert np.isfinite(pl).all() and (pl <= 0).all()
    # the same sample scores the same wherever it sits in X
    np.testing.assert_allclose(rbm.score_samples(X[:10])[3], rbm.score_samples(X[3:4])[0])


def test_exact_log_likelihood_matches_brute_force():
    X = _toy_binary()
    rbm = BernoulliRBM(n_components=4, n_iter=20, learning_rate=0.1, random_state=0).fit(X)
    log_p, log_z = _brute_log_p(rbm, X)
    est_z, (lo, hi) = rbm.log_partition(method="exact")
    assert est_z == pytest.approx(log_z, abs=1e-4) and lo == hi == est_z
    assert rbm.log_likelihood(X, method="exact") == pytest.approx(log_p.mean(), abs=1e-4)
    # free energy oracle
    W, b, c = rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_
    fe = -(X @ b) - np.logaddexp(0, X @ W.T + c).sum(1)
    np.testing.assert_allclose(rbm.free_energy(X), fe, atol=1e-8)


def test_ais_estimate_close_to_exact():
    X = _toy_binary(n_vis=10)
    rbm = BernoulliRBM(n_components=8, n_iter=30, batch_size=20, random_state=0).fit(X)
    exact, _ = rbm.log_partition(method="exact")
    est, (lo, hi) = rbm.log_partition(method="ais", n_chains=200, betas=2000)
    assert abs(est - exact) < 0.1
    assert lo <= est <= hi
    ll = rbm.log_likelihood(X, n_chains=100, betas=1000)
    assert abs(ll - rbm.log_likelihood(X, method="exact")) < 0.1


def test_sampling_matches_exact_marginal():
    X = _toy_binary(n_vis=4, seed=1)
    rbm = BernoulliRBM(n_components=3, n_iter=10, random_state=0).fit(X)
    log_p, _ = _brute_log_p(rbm, _states(4))
    samples = rbm.sample(20000, n_gibbs=100, random_state=0)
    codes = (samples @ (2 ** np.arange(3, -1, -1))).astype(int)
    observed = np.bincount(codes, minlength=16)
    _, p = stats.chisquare(observed, np.exp(log_p) * len(codes))
    assert p > 1e-3
    assert rbm.sample(5, n_gibbs=2, init="persistent").shape == (5, 4)
    mean = rbm.sample(5, n_gibbs=2, return_mean=True)
    assert ((mean > 0) & (mean < 1)).all()


def test_gaussian_visible_units():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 5) @ rng.randn(5, 5) * 0.5
    X = (X - X.mean(0)) / X.std(0)
    rbm = BernoulliRBM(n_components=4, visible_units="gaussian", learning_rate=0.01,
                       n_iter=5, random_state=0).fit(X)
    W, b, c = rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_
    fe = 0.5 * ((X - b) ** 2).sum(1) - np.logaddexp(0, X @ W.T + c).sum(1)
    np.testing.assert_allclose(rbm.free_energy(X), fe, atol=1e-8)
    np.testing.assert_allclose(rbm.score_samples(X), -fe, atol=1e-8)
    exact, _ = rbm.log_partition(method="exact")
    est, _ = rbm.log_partition(n_chains=100, betas=1000)
    assert abs(exact - est) < 0.1
    assert np.isfinite(rbm.log_likelihood(X, method="exact"))
    assert rbm.sample(3, n_gibbs=5).shape == (3, 5)


def test_cd_and_momentum_options_learn(digits):
    X, y = digits
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    for params in ({"persistent": False, "k": 2}, {"momentum": 0.5, "weight_decay": 1e-4}):
        rbm = BernoulliRBM(n_components=64, n_iter=5, learning_rate=0.05, random_state=0,
                           **params)
        base = rbm.set_params(n_iter=0).fit(Xtr).score_samples(Xte).mean()
        trained = rbm.set_params(n_iter=5).fit(Xtr).score_samples(Xte).mean()
        assert trained > base + 5


def test_pipeline_gridsearch_pickle_clone(digits):
    X, y = digits
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    pipe = make_pipeline(BernoulliRBM(n_components=100, learning_rate=0.06, n_iter=10,
                                      random_state=0),
                         LogisticRegression(C=6000, max_iter=2000))
    assert pipe.fit(Xtr, ytr).score(Xte, yte) > 0.9
    loaded = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_allclose(loaded.predict_proba(Xte), pipe.predict_proba(Xte))
    gs = GridSearchCV(make_pipeline(BernoulliRBM(n_components=16, n_iter=1, random_state=0),
                                    LogisticRegression(max_iter=200)),
                      {"bernoullirbm__learning_rate": [0.01, 0.1]}, cv=2, n_jobs=2)
    gs.fit(Xtr[:300], ytr[:300])
    assert gs.best_params_["bernoullirbm__learning_rate"] in (0.01, 0.1)
    assert clone(pipe).get_params()["bernoullirbm__n_components"] == 100


def test_errors():
    X = _toy_binary()
    rbm = BernoulliRBM(n_components=30, n_iter=1, random_state=0).fit(X)
    with pytest.raises(ValueError, match="at most 25 units"):
        BernoulliRBM(n_components=30, n_iter=1).fit(np.zeros((4, 30))).log_partition(
            method="exact")
    with pytest.raises(ValueError, match="method"):
        rbm.log_partition(method="bogus")
    with pytest.raises(ValueError, match="init"):
        rbm.sample(2, init="bogus")
    with pytest.raises(ValueError):
        BernoulliRBM(visible_units="poisson").fit(X)
    with pytest.raises(ValueError):
        BernoulliRBM(k=0).fit(X)


@pytest.mark.gpu
def test_fit_on_cuda_and_unpickle_on_cpu():
    X = _toy_binary(n_vis=10)
    rbm = BernoulliRBM(n_components=8, n_iter=5, device="cuda", random_state=0).fit(X)
    assert rbm.device_.startswith("cuda")
    exact, _ = rbm.log_partition(method="exact")
    est, _ = rbm.log_partition(n_chains=100, betas=1000)
    assert abs(est - exact) < 0.2
    state = pickle.dumps(rbm)
    loaded = pickle.loads(state)
    loaded.set_params(device="cpu")
    np.testing.assert_allclose(loaded.transform(X), rbm.transform(X), atol=1e-6)
