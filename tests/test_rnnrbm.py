"""RNN-RBM module: per-frame RBMs agree with the plain RBM; ragged batches."""
import torch

from skdeep.nn import rbm as F_rbm
from skdeep.nn.rnnrbm import RNNRBMModule


def _module(seed=0):
    g = torch.Generator().manual_seed(seed)
    m = RNNRBMModule(n_visible=6, n_hidden=5, n_hidden_recurrent=4, generator=g,
                     init_std=0.5).double()
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return m


def test_one_frame_sequence_is_the_plain_rbm():
    m = _module()
    v = (torch.rand(3, 1, 6, generator=torch.Generator().manual_seed(1)) < 0.5).double()
    bv, bh = m.frame_biases(v)
    # u_0 = 0, so the first frame's biases are bv + 0 Wuv + ... -> exactly the RBM's
    torch.testing.assert_close(bv[:, 0], m.bv.expand(3, -1))
    torch.testing.assert_close(bh[:, 0], m.bh.expand(3, -1))
    fe = m.free_energy(v, bv, bh)[:, 0]
    torch.testing.assert_close(fe, F_rbm.free_energy(v[:, 0], m.W, m.bv, m.bh))
    torch.testing.assert_close(F_rbm.prob_h_given_v(v[:, 0], m.W, bh[:, 0]),
                               F_rbm.prob_h_given_v(v[:, 0], m.W, m.bh))


def test_second_frame_biases_follow_the_recurrence():
    m = _module()
    v = (torch.rand(2, 3, 6, generator=torch.Generator().manual_seed(2)) < 0.5).double()
    bv, bh = m.frame_biases(v)
    u1 = torch.tanh(m.bu + v[:, 0] @ m.Wvu)
    torch.testing.assert_close(bv[:, 1], m.bv + u1 @ m.Wuv)
    torch.testing.assert_close(bh[:, 1], m.bh + u1 @ m.Wuh)


def test_ragged_batch_equals_one_at_a_time():
    m = _module()
    g = torch.Generator().manual_seed(3)
    a = (torch.rand(5, 6, generator=g) < 0.5).double()
    b = (torch.rand(3, 6, generator=g) < 0.5).double()
    v = torch.zeros(2, 5, 6, dtype=torch.float64)
    v[0], v[1, :3] = a, b
    fe = m.free_energy(v, *m.frame_biases(v))
    for i, s in enumerate((a, b)):
        one = s[None]
        torch.testing.assert_close(fe[i, :len(s)], m.free_energy(one, *m.frame_biases(one))[0])


def test_cd_cost_gradients_reach_the_rnn():
    m = _module()
    v = (torch.rand(2, 4, 6, generator=torch.Generator().manual_seed(4)) < 0.5).double()
    mask = torch.ones(2, 4, dtype=torch.float64)
    mask[1, 2:] = 0
    cost = m.cd_cost(v, mask, k=2, generator=torch.Generator().manual_seed(0))
    cost.backward()
    for name in ("W", "bv", "bh", "Wuv", "Wuh", "Wvu", "Wuu", "bu"):
        assert getattr(m, name).grad is not None and getattr(m, name).grad.abs().sum() > 0


# ---------------------------------------------------------------------------- estimator
import pickle  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.base import clone  # noqa: E402

from skdeep.metrics import frame_accuracy  # noqa: E402
from skdeep.music import RNNRBM  # noqa: E402


def _rolls(n=6, T=15, V=10, seed=0):
    rs = np.random.RandomState(seed)
    return [(rs.rand(T + i, V) < 0.2).astype(np.float32) for i in range(n)]


def test_estimator_fit_sample_predict_pickle():
    rolls = _rolls()
    before = [r.copy() for r in rolls]
    m = RNNRBM(n_hidden=8, n_hidden_recurrent=6, k=2, max_iter=2, batch_size=4,
               device="cpu", random_state=0).fit(rolls)
    assert all(np.array_equal(a, b) for a, b in zip(rolls, before))
    s = m.sample(7, n_samples=3, random_state=1)
    assert s.shape == (3, 7, 10) and set(np.unique(s)) <= {0.0, 1.0}
    np.testing.assert_array_equal(s, m.sample(7, n_samples=3, random_state=1))
    p = m.predict_next(rolls[0])
    assert p.shape == rolls[0].shape and (p >= 0).all() and (p <= 1).all()
    assert 0 <= frame_accuracy(rolls[0], p) <= 1
    m2 = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(m2.sample(7, n_samples=3, random_state=1), s)
    c = clone(m)
    assert c.get_params() == m.get_params() and not hasattr(c, "module_")
    m3 = RNNRBM(n_hidden=8, n_hidden_recurrent=6, k=2, max_iter=2, batch_size=4,
                device="cpu", random_state=0).fit(rolls)
    for a, b in zip(m.module_.parameters(), m3.module_.parameters()):
        assert torch.equal(a, b)


def test_estimator_errors():
    with pytest.raises(ValueError, match="non-empty list"):
        RNNRBM().fit([])
    with pytest.raises(ValueError, match="notes"):
        RNNRBM(max_iter=1).fit([np.zeros((3, 4)), np.zeros((3, 5))])
    with pytest.raises(ValueError):
        RNNRBM(solver="lbfgs").fit(_rolls())
