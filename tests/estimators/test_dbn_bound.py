"""The DBN's variational lower bound on log p(x), against brute-force enumeration.

The oracle here is written in numpy, independently of ``skdeep.nn``: the DBN's joint
``p(x, h^1, ..., h^{L-1}) = p(x | h^1) ... p(h^{L-2} | h^{L-1}) p_top(h^{L-1})`` summed
over every state of tiny models, with ``p_top`` normalised over both layers of the top RBM.
"""
import itertools

import numpy as np
import pytest
import torch

from skdeep import DBNTransformer


def _states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def _softplus(a):
    return np.logaddexp(0.0, a)


def _logsumexp(a, axis=None):
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.exp(a - m).sum(axis=axis))


def _layers(dbn):
    return [(r.W.detach().double().numpy(), r.b_vis.detach().double().numpy(),
             r.b_hid.detach().double().numpy(), r.visible) for r in dbn.module_.rbms]


def _log_cond(x, h, W, b, visible):
    """log p(x | h) for every pair: (n, K)."""
    pre = h @ W + b                                              # (K, n_vis)
    if visible == "bernoulli":
        return x @ pre.T - _softplus(pre).sum(1)
    sq = ((x[:, None, :] - pre[None]) ** 2).sum(-1)
    return -0.5 * sq - 0.5 * x.shape[1] * np.log(2 * np.pi)


def _log_top_marginal(v, W, b, c):
    """The top RBM's normalised log p(v), Z summed over both of its layers."""
    V, H = _states(W.shape[1]), _states(W.shape[0])
    log_z = _logsumexp((V @ b)[:, None] + H @ c + V @ W.T @ H.T)
    return v @ b + _softplus(v @ W.T + c).sum(1) - log_z


def _oracle_log_p(x, layers):
    """Brute-force log p(x) of the DBN."""
    if len(layers) == 1:
        W, b, c, visible = layers[0]
        if visible == "gaussian":  # Z of a Gaussian RBM: sum over h of a Gaussian integral
            H = _states(W.shape[0])
            pre = H @ W + b
            log_z = (_logsumexp(H @ c + 0.5 * (pre ** 2).sum(1) - 0.5 * (b ** 2).sum())
                     + 0.5 * W.shape[1] * np.log(2 * np.pi))
            return (-0.5 * ((x - b) ** 2).sum(1) + _softplus(x @ W.T + c).sum(1) - log_z)
        return _log_top_marginal(x, W, b, c)
    W, b, c, visible = layers[0]
    H = _states(W.shape[0])
    return _logsumexp(_log_cond(x, H, W, b, visible) + _oracle_log_p(H, layers[1:]), axis=1)


def _oracle_bound(x, layers):
    """The recursive bound by enumeration, written from its definition."""
    if len(layers) == 1:
        return _oracle_log_p(x, layers)
    W, b, c, visible = layers[0]
    H = _states(W.shape[0])
    p = 1 / (1 + np.exp(-(x @ W.T + c)))
    q = np.prod(np.where(H[None] == 1, p[:, None], 1 - p[:, None]), axis=2)   # (n, K)
    entropy = -(q * np.log(q)).sum(1)
    return (q * (_log_cond(x, H, W, b, visible) + _oracle_bound(H, layers[1:]))).sum(1) \
        + entropy


@pytest.fixture(scope="module")
def binary_data():
    rs = np.random.RandomState(0)
    proto = rs.rand(3, 7) > 0.5
    X = proto[rs.randint(3, size=80)] ^ (rs.rand(80, 7) < 0.1)
    return X.astype(np.float64)


def _fit(X, sizes, **kw):
    return DBNTransformer(sizes, pretrain_n_iter=30, pretrain_learning_rate=0.1,
                          pretrain_batch_size=10, random_state=0, **kw).fit(X)


def test_one_layer_score_is_the_exact_log_likelihood(binary_data):
    dbn = _fit(binary_data, (5,))
    got = dbn.score_samples(binary_data, method="exact")
    np.testing.assert_allclose(got, _oracle_log_p(binary_data, _layers(dbn)), atol=1e-9)
    # the oracle is a distribution: it sums to one over all 2**7 inputs
    np.testing.assert_allclose(np.exp(_oracle_log_p(_states(7), _layers(dbn))).sum(), 1.0)


@pytest.mark.parametrize("sizes", [(5, 4), (4, 3, 3)])
def test_bound_is_below_the_exact_log_likelihood(binary_data, sizes):
    dbn = _fit(binary_data, sizes)
    layers = _layers(dbn)
    exact = _oracle_log_p(binary_data, layers)
    np.testing.assert_allclose(np.exp(_oracle_log_p(_states(7), layers)).sum(), 1.0)
    bound = dbn.score_samples(binary_data, method="exact")
    np.testing.assert_allclose(bound, _oracle_bound(binary_data, layers), atol=1e-9)
    assert np.all(bound <= exact + 1e-10)
    assert np.all(exact - bound > 1e-6)        # a trained model has a real gap


def test_two_layer_bound_is_log_p_minus_the_posterior_kl(binary_data):
    dbn = _fit(binary_data, (5, 4))
    layers = _layers(dbn)
    W, b, c, visible = layers[0]
    H = _states(5)
    log_joint = _log_cond(binary_data, H, W, b, visible) + _oracle_log_p(H, layers[1:])
    log_post = log_joint - _logsumexp(log_joint, axis=1)[:, None]
    p = 1 / (1 + np.exp(-(binary_data @ W.T + c)))
    log_q = np.log(np.where(H[None] == 1, p[:, None], 1 - p[:, None])).sum(2)
    kl = (np.exp(log_q) * (log_q - log_post)).sum(1)
    expected = _oracle_log_p(binary_data, layers) - kl
    np.testing.assert_allclose(dbn.score_samples(binary_data, method="exact"), expected,
                               atol=1e-9)


def test_transposed_top_layer_makes_the_bound_tight(binary_data):
    # Hinton et al. (2006): a second RBM initialised as the first one's transpose
    # leaves the model unchanged and makes q the exact posterior, so the bound equals
    # the one-layer log-likelihood.
    one = _fit(binary_data, (5,))
    two = _fit(binary_data, (5, 7))
    bottom, top = two.module_.rbms
    with torch.no_grad():
        for name in ("W", "b_vis", "b_hid"):
            getattr(bottom, name).copy_(getattr(one.module_.rbms[0], name))
        top.W.copy_(bottom.W.t())
        top.b_vis.copy_(bottom.b_hid)
        top.b_hid.copy_(bottom.b_vis)
    np.testing.assert_allclose(two.score_samples(binary_data, method="exact"),
                               one.score_samples(binary_data, method="exact"), atol=1e-6)


def test_gaussian_visible_bound(binary_data):
    rs = np.random.RandomState(1)
    X = binary_data + 0.3 * rs.randn(*binary_data.shape)
    X = (X - X.mean(0)) / X.std(0)
    dbn = DBNTransformer((4, 3), pretrain_n_iter=10, pretrain_learning_rate=0.01,
                         visible_units="gaussian", random_state=0).fit(X)
    layers = _layers(dbn)
    bound = dbn.score_samples(X, method="exact")
    np.testing.assert_allclose(bound, _oracle_bound(X, layers), atol=1e-8)
    assert np.all(bound <= _oracle_log_p(X, layers) + 1e-10)


@pytest.mark.parametrize("sizes", [(5, 4), (4, 3, 3)])
def test_monte_carlo_estimates_the_exact_bound(binary_data, sizes):
    dbn = _fit(binary_data, sizes)
    log_z, _ = dbn.log_partition(method="exact")
    exact = dbn.score_samples(binary_data, method="exact")
    draws = [dbn.score_samples(binary_data, method="ais", n_samples=200, log_z=log_z,
                               random_state=s) for s in range(5)]
    mc = np.mean(draws, axis=0)
    # five independent 200-draw estimates: their spread bounds the error of the mean
    se = np.std(draws, axis=0, ddof=1) / np.sqrt(5) + 1e-3
    assert np.all(np.abs(mc - exact) < 5 * se)
    # identical rows share their draws (seeded by content), so the mean is checked loosely
    assert np.abs(mc.mean() - exact.mean()) < 0.05


def test_monte_carlo_is_seeded_and_row_invariant(binary_data):
    dbn = _fit(binary_data, (5, 4))
    kw = {"method": "ais", "n_samples": 3, "log_z": 0.0}
    full = dbn.score_samples(binary_data, **kw)
    np.testing.assert_array_equal(full, dbn.score_samples(binary_data, **kw))
    perm = np.random.RandomState(0).permutation(len(binary_data))
    np.testing.assert_allclose(dbn.score_samples(binary_data[perm], **kw), full[perm],
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(dbn.score_samples(binary_data[:7], **kw), full[:7],
                               rtol=0, atol=1e-12)
    other = dbn.score_samples(binary_data, random_state=123, **kw)
    assert not np.allclose(other, full)


def test_ais_log_partition_and_score(binary_data):
    dbn = _fit(binary_data, (5, 4))
    exact, _ = dbn.log_partition(method="exact")
    ais, (low, high) = dbn.log_partition(method="ais", n_chains=50, betas=2000)
    assert abs(ais - exact) < 0.05 and low <= ais <= high
    bound = dbn.score_samples(binary_data, method="exact")
    assert dbn.score(binary_data, method="exact") == pytest.approx(bound.mean())
    # "auto" on a tiny model is the exact computation
    np.testing.assert_allclose(dbn.score_samples(binary_data), bound)
    approx = dbn.score(binary_data, method="ais", n_samples=50, n_chains=50, betas=2000)
    assert abs(approx - bound.mean()) < 0.1


def test_bad_arguments(binary_data):
    dbn = _fit(binary_data, (5, 4))
    with pytest.raises(ValueError, match="method"):
        dbn.score_samples(binary_data, method="bogus")
    with pytest.raises(ValueError, match="n_samples"):
        dbn.score_samples(binary_data, method="ais", n_samples=0)
    with pytest.raises(ValueError, match="method"):
        dbn.log_partition(method="auto")
    with pytest.raises(ValueError, match="n_chains"):
        dbn.log_partition(method="ais", n_chains=1)
    wide = DBNTransformer((20, 3), pretrain_n_iter=1, random_state=0).fit(binary_data)
    with pytest.raises(ValueError, match="too costly"):
        wide.score_samples(binary_data, method="exact")
    with pytest.raises(ValueError, match="features"):
        dbn.score_samples(binary_data[:, :3])
