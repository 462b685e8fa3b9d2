"""Up-down fine-tuning of a DBN (Hinton, Osindero & Teh 2006): untied recognition and
generative weights, the variational bound under the fine-tuned generative model."""
import itertools
import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from skdeep import DBNTransformer
from skdeep._engine.greedy import pretrain_rbm_stack
from skdeep.nn import dbn as F_dbn
from skdeep.nn import dbn_bound as F_dbn_bound
from skdeep.nn.rbm import RBMModule, cd_update_


@pytest.fixture(scope="module")
def digits():
    X = load_digits().data
    Xb = (X > 8).astype(np.float64)
    return Xb[:1300], Xb[1300:]


def _same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_no_fine_tune_is_greedy_training(digits):
    X = digits[0][:400]
    dbn = DBNTransformer((16, 8), pretrain_n_iter=2, random_state=0).fit(X)
    assert dbn.fine_tune_loss_curve_ is None
    # the greedy fit itself, called with the generators the estimator seeds
    seed = dbn._seed()
    rbms, _ = pretrain_rbm_stack(
        torch.as_tensor(X, dtype=torch.float32), [16, 8], ks=[1, 1], epochs=2,
        learning_rate=0.05, batch_size=20, persistent=False,
        generator=dbn._generator(seed, "cpu"), init_generator=dbn._generator(seed + 1, "cpu"))
    assert _same(dbn.coefs_, [r.W.numpy().T.astype(np.float64) for r in rbms])
    # tied: the generative weights are the RBMs'
    assert _same(dbn.generative_coefs_, dbn.coefs_)
    assert _same(dbn.generative_intercepts_, dbn.intercepts_visible_)
    # zero up-down epochs leave the greedy weights as they are
    ft0 = DBNTransformer((16, 8), pretrain_n_iter=2, random_state=0, fine_tune="up-down",
                         fine_tune_n_iter=0).fit(X)
    assert _same(ft0.coefs_, dbn.coefs_) and _same(ft0.generative_coefs_, dbn.coefs_)


def test_fine_tune_k_none_is_the_top_layers_k(digits):
    X = digits[0][:300]
    kw = dict(k=(1, 3), pretrain_n_iter=2, random_state=0, fine_tune="up-down",
              fine_tune_n_iter=2)
    top_k = DBNTransformer((16, 8), fine_tune_k=None, **kw).fit(X)
    three = DBNTransformer((16, 8), fine_tune_k=3, **kw).fit(X)
    ten = DBNTransformer((16, 8), fine_tune_k=10, **kw).fit(X)
    assert _same(top_k.generative_coefs_, three.generative_coefs_)
    assert _same(top_k.coefs_, three.coefs_)
    # the steps are the top RBM's during up-down: ten of them fine-tune it differently
    assert not np.allclose(ten.coefs_[1], three.coefs_[1])
    with pytest.raises(ValueError, match="fine_tune_k"):
        DBNTransformer((16, 8), fine_tune="up-down", fine_tune_k=0).fit(X)


def test_up_down_unties_weights(digits):
    X = digits[0][:500]
    base = DBNTransformer((32, 10, 6), pretrain_n_iter=3, random_state=0).fit(X)
    dbn = DBNTransformer((32, 10, 6), pretrain_n_iter=3, random_state=0,
                         fine_tune="up-down", fine_tune_n_iter=3).fit(X)
    rec, gen = dbn.coefs_, dbn.generative_coefs_
    assert [g.shape for g in gen] == [(64, 32), (32, 10), (10, 6)] == [r.shape for r in rec]
    assert [b.shape for b in dbn.generative_intercepts_] == [(64,), (32,), (10,)]
    assert all(g.dtype == np.float64 for g in gen)
    for g, r in zip(gen[:-1], rec[:-1]):
        assert not np.allclose(g, r)
    np.testing.assert_array_equal(gen[-1], rec[-1])          # the top RBM stays tied
    assert not np.allclose(rec[0], base.coefs_[0])            # recognition moved too
    assert len(dbn.fine_tune_loss_curve_) == 3
    assert dbn.n_iter_ == 3 * 3 + 3 and len(dbn.loss_curve_) == 12
    Z = dbn.transform(X[:7])
    assert Z.shape == (7, 6) and np.all((Z >= 0) & (Z <= 1))
    # inverse_transform and sample go through the generative weights
    h = Z
    for W, b in zip(reversed(gen), reversed(dbn.generative_intercepts_)):
        h = 1.0 / (1.0 + np.exp(-(h @ W.T + b)))
    np.testing.assert_allclose(dbn.inverse_transform(Z), h, rtol=1e-5, atol=1e-6)
    assert dbn.sample(4, n_gibbs=5, random_state=0).shape == (4, 64)

    restored = pickle.loads(pickle.dumps(dbn))
    assert _same(restored.generative_coefs_, gen) and _same(restored.coefs_, rec)
    np.testing.assert_array_equal(restored.transform(X[:7]), Z)
    np.testing.assert_array_equal(restored.inverse_transform(Z), dbn.inverse_transform(Z))
    np.testing.assert_array_equal(restored.sample(3, 5, random_state=1),
                                  dbn.sample(3, 5, random_state=1))


def test_up_down_save_load(digits, tmp_path):
    dbn = DBNTransformer((16, 6), pretrain_n_iter=2, random_state=0, fine_tune="up-down",
                         fine_tune_n_iter=2).fit(digits[0][:300])
    dbn.save(tmp_path / "dbn.pt")
    loaded = DBNTransformer.load(tmp_path / "dbn.pt")
    assert _same(loaded.generative_coefs_, dbn.generative_coefs_)
    assert _same(loaded.generative_intercepts_, dbn.generative_intercepts_)
    np.testing.assert_array_equal(loaded.score_samples(digits[1][:20]),
                                  dbn.score_samples(digits[1][:20]))


def test_one_layer_up_down_is_cd(digits):
    X = digits[0][:300]
    dbn = DBNTransformer((12,), pretrain_n_iter=1, random_state=0, fine_tune="up-down",
                         fine_tune_n_iter=2).fit(X)
    assert _same(dbn.generative_coefs_, dbn.coefs_)
    gen = torch.Generator().manual_seed(0)
    a = RBMModule(5, 3, generator=gen)
    b = RBMModule(5, 3)
    b.load_state_dict(a.state_dict())
    v = (torch.rand(8, 5, generator=gen) < 0.5).float()
    F_dbn.up_down_update_([], [], a, v, learning_rate=0.1, generator=torch.Generator()
                          .manual_seed(1))
    cd_update_(b.W, b.b_vis, b.b_hid, v, learning_rate=0.1,
               generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(a.W, b.W)


def test_gaussian_visible_up_down():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 6)
    dbn = DBNTransformer((5, 3), visible_units="gaussian", pretrain_n_iter=2,
                         pretrain_learning_rate=0.01, random_state=0, fine_tune="up-down",
                         fine_tune_n_iter=2).fit(X)
    assert np.isfinite(dbn.fine_tune_loss_curve_).all()
    assert np.isfinite(dbn.inverse_transform(dbn.transform(X[:3]))).all()


def _states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def _sp(a):
    return np.logaddexp(0.0, a)


def test_bound_uses_generative_weights():
    """Two layers, brute force in numpy: q from the recognition weights, p(x | h) from the
    generative ones; the bound is below the fine-tuned model's exact log-likelihood."""
    X = (np.random.RandomState(0).rand(60, 6) > 0.5).astype(np.float64)
    dbn = DBNTransformer((4, 3), pretrain_n_iter=3, random_state=0, fine_tune="up-down",
                         fine_tune_n_iter=5, fine_tune_learning_rate=0.1).fit(X)
    (Wr, Wt), (cr, ct) = dbn.coefs_, dbn.intercepts_hidden_
    Wg, bg = dbn.generative_coefs_[0], dbn.generative_intercepts_[0]
    bt = dbn.intercepts_visible_[1]
    assert not np.allclose(Wg, Wr)
    H = _states(4)
    log_top_star = H @ bt + _sp(H @ Wt + ct).sum(1)              # -F_top(h)
    log_z = np.logaddexp.reduce(log_top_star)
    log_top = log_top_star - log_z
    pre_x = H @ Wg.T + bg                                          # (16, 6)
    log_px = X @ pre_x.T - _sp(pre_x).sum(1)                       # (60, 16)
    pre_q = X @ Wr + cr
    log_q = pre_q @ H.T - _sp(pre_q).sum(1, keepdims=True)
    q = np.exp(log_q)
    bound = (q * (log_px + log_top - log_q)).sum(1)
    ll = np.logaddexp.reduce(log_px + log_top, axis=1)
    got = dbn.score_samples(X, method="exact")
    np.testing.assert_allclose(got, bound, rtol=1e-5, atol=1e-5)
    assert np.all(got <= ll + 1e-6)
    # the Monte-Carlo path reads the same generative weights
    mc = dbn.score_samples(X, method="ais", n_samples=2000, log_z=log_z)
    np.testing.assert_allclose(mc, bound, atol=0.05)
    rbms = list(dbn.module_.rbms)
    exact = F_dbn_bound.dbn_log_likelihood_exact(torch.as_tensor(X), rbms, log_z,
                                                 generative=dbn._generative_rbms())
    np.testing.assert_allclose(exact.numpy(), ll, rtol=1e-5, atol=1e-5)


def test_up_down_does_not_hurt_the_bound(digits):
    """Measured (binarised digits, 1300/497 split, (64, 12), 10 greedy epochs, 5 up-down
    epochs at 0.01, 20 draws per row, exact log Z): train -23.37 -> -22.81, test -23.26
    -> -22.64 nats."""
    Xtr, Xte = digits
    kw = dict(pretrain_n_iter=10, random_state=0)
    base = DBNTransformer((64, 12), **kw).fit(Xtr)
    ft = DBNTransformer((64, 12), fine_tune="up-down", fine_tune_n_iter=5,
                        fine_tune_learning_rate=0.01, **kw).fit(Xtr)
    score = dict(method="auto", n_samples=20)
    before = base.score(Xtr, **score), base.score(Xte, **score)
    after = ft.score(Xtr, **score), ft.score(Xte, **score)
    assert after[0] > before[0] - 0.1
    assert after[1] > before[1] - 0.2
