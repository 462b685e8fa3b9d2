"""Oracles for skdeep.nn.rbm: brute-force enumeration of every joint state of tiny RBMs."""
import itertools
import math

import numpy as np
import pytest
import torch
from scipy import stats
from scipy.special import logsumexp

from skdeep.nn import ais, rbm


def _tiny(n_vis=6, n_hid=4, scale=1.0, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(n_hid, n_vis, generator=g, dtype=dtype) * scale
    b = torch.randn(n_vis, generator=g, dtype=dtype) * 0.5
    c = torch.randn(n_hid, generator=g, dtype=dtype) * 0.5
    return W, b, c


def _states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def _joint_log_weights(W, b, c):
    """-E(v, h) for every (v, h), independently of the module: shape (2**n_vis, 2**n_hid)."""
    W, b, c = W.numpy(), b.numpy(), c.numpy()
    V, H = _states(W.shape[1]), _states(W.shape[0])
    return V @ b[:, None] + (H @ c)[None, :] + V @ W.T @ H.T


@pytest.mark.parametrize("shape", [(6, 4), (3, 7)])
def test_free_energy_and_log_z_match_brute_force(shape):
    W, b, c = _tiny(*shape)
    neg_e = _joint_log_weights(W, b, c)
    V = torch.from_numpy(_states(shape[0]))
    fe = rbm.free_energy(V, W, b, c).numpy()
    np.testing.assert_allclose(fe, -logsumexp(neg_e, axis=1), rtol=1e-10, atol=1e-10)
    log_z = logsumexp(neg_e)
    assert rbm.log_partition_exact(W, b, c) == pytest.approx(log_z, abs=1e-9)
    ll = rbm.log_likelihood_exact(V, W, b, c).numpy()
    np.testing.assert_allclose(ll, logsumexp(neg_e, axis=1) - log_z, atol=1e-9)
    assert np.exp(ll).sum() == pytest.approx(1.0, abs=1e-10)


def test_energy_matches_formula_and_batched_biases():
    W, b, c = _tiny()
    V = torch.from_numpy(_states(6))[:10]
    H = torch.from_numpy(_states(4))[:10]
    e = rbm.energy(V, H, W, b, c)
    expected = -(V @ b) - (H @ c) - ((H @ W) * V).sum(1)
    torch.testing.assert_close(e, expected)
    # batched (per-sample) biases give each row its own model
    g = torch.Generator().manual_seed(1)
    B = torch.randn(10, 6, generator=g, dtype=torch.float64)
    C = torch.randn(10, 4, generator=g, dtype=torch.float64)
    fe = rbm.free_energy(V, W, B, C)
    for i in range(10):
        torch.testing.assert_close(fe[i], rbm.free_energy(V[i:i + 1], W, B[i], C[i])[0])
    ph = rbm.prob_h_given_v(V, W, C)
    torch.testing.assert_close(ph[3], rbm.prob_h_given_v(V[3:4], W, C[3])[0])
    mv = rbm.mean_v_given_h(H, W, B)
    torch.testing.assert_close(mv[5], rbm.mean_v_given_h(H[5:6], W, B[5])[0])


def test_bernoulli_conditionals_match_enumeration():
    W, b, c = _tiny()
    neg_e = _joint_log_weights(W, b, c)
    V, H = _states(6), _states(4)
    # p(h_j = 1 | v) from the joint table
    p_h = np.exp(neg_e - logsumexp(neg_e, axis=1, keepdims=True)) @ H
    got = rbm.prob_h_given_v(torch.from_numpy(V), W, c).numpy()
    np.testing.assert_allclose(got, p_h, atol=1e-10)
    p_v = (np.exp(neg_e - logsumexp(neg_e, axis=0, keepdims=True)).T @ V)
    got = rbm.mean_v_given_h(torch.from_numpy(H), W, b).numpy()
    np.testing.assert_allclose(got, p_v, atol=1e-10)


def test_gaussian_conditionals_and_log_z_by_quadrature():
    W, b, c = _tiny(2, 3, scale=0.7)
    H = _states(3)
    grid = np.linspace(-12, 12, 801)
    dv = grid[1] - grid[0]
    v1, v2 = np.meshgrid(grid, grid, indexing="ij")
    Vg = np.stack([v1.ravel(), v2.ravel()], 1)
    Wn, bn, cn = W.numpy(), b.numpy(), c.numpy()
    # -E(v, h) = -||v - b||^2 / 2 + h.c + h W v on the grid, for each h
    neg_e = (-0.5 * ((Vg - bn) ** 2).sum(1)[:, None] + (H @ cn)[None, :]
             + Vg @ Wn.T @ H.T)
    log_z = logsumexp(neg_e) + 2 * math.log(dv)
    assert rbm.log_partition_exact(W, b, c, "gaussian") == pytest.approx(log_z, abs=1e-6)
    # E[v | h]
    w = np.exp(neg_e - logsumexp(neg_e, axis=0, keepdims=True))
    mean_v = w.T @ Vg
    got = rbm.mean_v_given_h(torch.from_numpy(H), W, b, "gaussian").numpy()
    np.testing.assert_allclose(got, mean_v, atol=1e-6)
    np.testing.assert_allclose(got, bn + H @ Wn, atol=1e-12)
    # p(h | v) for a few v: closed form sigmoid(c + W v) against the joint
    Vs = torch.tensor([[0.3, -1.2], [2.0, 0.5]], dtype=torch.float64)
    ne = (-0.5 * ((Vs.numpy() - bn) ** 2).sum(1)[:, None] + (H @ cn)[None, :]
          + Vs.numpy() @ Wn.T @ H.T)
    p_h = np.exp(ne - logsumexp(ne, axis=1, keepdims=True)) @ H
    np.testing.assert_allclose(rbm.prob_h_given_v(Vs, W, c).numpy(), p_h, atol=1e-12)
    # free energy = -log sum_h exp(-E)
    np.testing.assert_allclose(rbm.free_energy(Vs, W, b, c, "gaussian").numpy(),
                               -logsumexp(ne, axis=1), atol=1e-12)


def test_exact_refuses_large_layers():
    W = torch.zeros(30, 40)
    with pytest.raises(ValueError, match="at most 25 units"):
        rbm.log_partition_exact(W, torch.zeros(40), torch.zeros(30))
    with pytest.raises(ValueError, match="hidden"):
        rbm.log_partition_exact(torch.zeros(26, 3), torch.zeros(3), torch.zeros(26),
                                "gaussian")


def _train_tiny(n_vis=10, n_hid=8, seed=0):
    """A small RBM trained by PCD on a structured binary data set (strong weights)."""
    g = torch.Generator().manual_seed(seed)
    protos = torch.bernoulli(torch.full((4, n_vis), 0.5), generator=g)
    idx = torch.randint(0, 4, (600,), generator=g)
    flips = torch.bernoulli(torch.full((600, n_vis), 0.05), generator=g)
    X = (protos[idx] + flips) % 2
    W = torch.randn(n_hid, n_vis, generator=g) * 0.01
    b, c = torch.zeros(n_vis), torch.zeros(n_hid)
    chain = torch.zeros(20, n_hid)
    for _ in range(30):
        for s in range(0, 600, 20):
            chain, _ = rbm.cd_update_(W, b, c, X[s:s + 20], learning_rate=0.1, chain=chain,
                                      generator=g)
    return X, W, b, c


def test_ais_within_a_tenth_of_a_nat_of_exact():
    X, W, b, c = _train_tiny()
    exact = rbm.log_partition_exact(W, b, c)
    g = torch.Generator().manual_seed(0)
    est, (lo, hi) = ais.ais_log_partition(
        W, b, c, base_vis=ais.base_rate_bias(X.mean(0)), n_chains=200, betas=2000,
        generator=g)
    assert abs(est - exact) < 0.1
    assert lo <= est <= hi
    assert W.abs().max() > 1.0  # the model is not trivially close to the base rate


def test_ais_gaussian_visible():
    W, b, c = _tiny(5, 4, scale=0.4)
    exact = rbm.log_partition_exact(W, b, c, "gaussian")
    g = torch.Generator().manual_seed(0)
    est, _ = ais.ais_log_partition(W, b, c, visible="gaussian", n_chains=200, betas=1000,
                                   generator=g)
    assert abs(est - exact) < 0.1


def test_ais_rejects_bad_schedule():
    W, b, c = _tiny()
    with pytest.raises(ValueError, match="from 0 to 1"):
        ais.ais_log_partition(W, b, c, betas=torch.linspace(0.1, 1, 10))
    betas = ais.default_betas(100)
    assert betas[0] == 0 and betas[-1] == 1 and (betas.diff() >= 0).all()


def test_cd1_update_equals_analytic_expectation():
    """With n identical rows, the CD-1 update is an average of n independent draws;
    its expectation is computed exactly by enumerating h and v'."""
    W, b, c = _tiny(6, 4, scale=0.8)
    v0 = torch.tensor([[1.0, 0, 1, 1, 0, 0]], dtype=torch.float64)
    V, H = torch.from_numpy(_states(6)), torch.from_numpy(_states(4))
    ph0 = rbm.prob_h_given_v(v0, W, c)[0]
    p_h = torch.prod(H * ph0 + (1 - H) * (1 - ph0), 1)            # p(h | v0)
    mv = rbm.mean_v_given_h(H, W, b)                                # (16, 6)
    p_v_h = torch.prod(V[None] * mv[:, None] + (1 - V[None]) * (1 - mv[:, None]), 2)
    p_v = p_h @ p_v_h                                               # p(v' | CD-1 from v0)
    ph_v = rbm.prob_h_given_v(V, W, c)
    exp_dW = ph0[:, None] * v0 - (p_v[:, None] * ph_v).T @ V
    exp_db = v0[0] - p_v @ V
    exp_dc = ph0 - p_v @ ph_v
    n = 40000
    W1, b1, c1 = W.clone(), b.clone(), c.clone()
    rbm.cd_update_(W1, b1, c1, v0.expand(n, 6).contiguous(), learning_rate=1.0, k=1,
                   generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(W1 - W, exp_dW, atol=0.015, rtol=0)
    torch.testing.assert_close(b1 - b, exp_db, atol=0.015, rtol=0)
    torch.testing.assert_close(c1 - c, exp_dc, atol=0.015, rtol=0)


def test_cdk_update_replays_its_random_draws():
    """The update is exactly the statistic difference of the chain it sampled."""
    W, b, c = _tiny()
    g = torch.Generator().manual_seed(3)
    v = torch.bernoulli(torch.full((7, 6), 0.5, dtype=torch.float64), generator=g)
    for persistent in (False, True):
        for k in (1, 3):
            chain0 = (torch.bernoulli(torch.full((5, 4), 0.5, dtype=torch.float64),
                                      generator=g) if persistent else None)
            state = g.get_state()
            W1, b1, c1 = W.clone(), b.clone(), c.clone()
            new_chain, cost = rbm.cd_update_(W1, b1, c1, v, learning_rate=0.1, k=k,
                                             chain=chain0, generator=g, weight_decay=0.01)
            g.set_state(state)
            hp = rbm.prob_h_given_v(v, W, c)
            h = rbm.bernoulli(hp, g) if chain0 is None else chain0
            vneg, hneg, h = rbm.gibbs_hvh(h, W, b, c, generator=g, k=k)
            dW = hp.T @ v / 7 - hneg.T @ vneg / vneg.shape[0]
            torch.testing.assert_close(W1, W + 0.1 * dW - 0.1 * 0.01 * W)
            torch.testing.assert_close(b1, b + 0.1 * (v.mean(0) - vneg.mean(0)))
            torch.testing.assert_close(c1, c + 0.1 * (hp.mean(0) - hneg.mean(0)))
            torch.testing.assert_close(new_chain, h)
            assert new_chain.shape[0] == (5 if persistent else 7)
            fe_gap = (rbm.free_energy(v, W, b, c).mean()
                      - rbm.free_energy(vneg, W, b, c).mean())
            torch.testing.assert_close(cost, fe_gap)


def test_momentum_update_uses_velocity():
    W, b, c = _tiny()
    v = torch.bernoulli(torch.full((8, 6), 0.5, dtype=torch.float64),
                        generator=torch.Generator().manual_seed(0))
    vel = (torch.zeros_like(W), torch.zeros_like(b), torch.zeros_like(c))
    W1, b1, c1 = W.clone(), b.clone(), c.clone()
    W2, b2, c2 = W.clone(), b.clone(), c.clone()
    rbm.cd_update_(W1, b1, c1, v, learning_rate=0.1, momentum=0.5, velocity=vel,
                   generator=torch.Generator().manual_seed(1))
    rbm.cd_update_(W2, b2, c2, v, learning_rate=0.1,
                   generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(W1, W2)          # first step: velocity was zero
    torch.testing.assert_close(vel[0], W2 - W)


def test_gibbs_sampling_matches_exact_marginal():
    W, b, c = _tiny(4, 3, scale=1.5, seed=2)
    log_p = rbm.log_likelihood_exact(torch.from_numpy(_states(4)), W, b, c).numpy()
    g = torch.Generator().manual_seed(0)
    v = torch.bernoulli(torch.full((20000, 4), 0.5, dtype=torch.float64), generator=g)
    _, v, _ = rbm.gibbs_vhv(v, W, b, c, generator=g, k=100)
    codes = (v.numpy() @ (2 ** np.arange(3, -1, -1))).astype(int)
    observed = np.bincount(codes, minlength=16)
    expected = np.exp(log_p) * len(codes)
    _, p = stats.chisquare(observed, expected)
    assert p > 1e-3


def test_pseudo_likelihood_matches_flipped_free_energies_and_is_finite():
    W, b, c = _tiny()
    g = torch.Generator().manual_seed(0)
    v = torch.bernoulli(torch.full((9, 6), 0.5, dtype=torch.float64), generator=g)
    idx = torch.randint(0, 6, (9,), generator=g)
    flipped = v.clone()
    flipped[torch.arange(9), idx] = 1 - flipped[torch.arange(9), idx]
    diff = rbm.free_energy(flipped, W, b, c) - rbm.free_energy(v, W, b, c)
    expected = 6 * torch.nn.functional.logsigmoid(diff)
    torch.testing.assert_close(rbm.pseudo_log_likelihood(v, W, b, c, idx), expected)
    # extreme weights and inputs: finite, no clipping
    pl = rbm.pseudo_log_likelihood(v * 1e6, W * 1e6, b, c, idx)
    assert torch.isfinite(pl).all() and (pl <= 0).all()


def test_all_binary_states_and_refusal():
    s = rbm.all_binary_states(3)
    assert s.shape == (8, 3) and s[5].tolist() == [1, 0, 1]
    with pytest.raises(ValueError):
        rbm.all_binary_states(26)
    with pytest.raises(ValueError, match="visible"):
        rbm.free_energy(torch.zeros(1, 2), torch.zeros(1, 2), torch.zeros(2),
                        torch.zeros(1), "binary")


@pytest.mark.parametrize("n", [3, 4, 19, 20, 100, 14500])
def test_default_betas_run_from_zero_to_one(n):
    from skdeep.nn.ais import default_betas
    b = default_betas(n)
    assert len(b) == n and b[0] == 0.0 and b[-1] == 1.0
    assert (torch.diff(b) > 0).all()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_bernoulli_draws_have_the_asked_probabilities(dtype):
    """The CPU draws (two 32-bit uniforms per 64-bit integer) are on with probability p:
    0 and 1 exactly, every other p within 5 standard errors over 400,000 draws, the two
    halves of one 64-bit draw uncorrelated; dtype and shape follow p (also a transposed
    or an expanded p)."""
    g = torch.Generator().manual_seed(0)
    probs = torch.tensor([0.0, 1.0, 1e-3, 0.3, 0.5, 0.999], dtype=dtype)
    n = 400_000
    s = rbm.bernoulli(probs.repeat(n, 1), g)
    assert s.dtype == dtype and s.shape == (n, 6)
    assert s[:, 0].sum() == 0 and s[:, 1].sum() == n
    mean = s.mean(0)
    se = (probs * (1 - probs) / n).sqrt()
    assert ((mean - probs).abs() <= 5 * se + 1e-12).all(), (mean, probs)
    pairs = rbm.bernoulli(torch.full((2 * n,), 0.5, dtype=dtype), g).view(n, 2)
    assert abs(torch.corrcoef(pairs.t())[0, 1]) < 5 / n ** 0.5
    assert rbm.bernoulli(torch.rand(3, 5, dtype=dtype).t(), g).shape == (5, 3)
    assert rbm.bernoulli(probs[None].expand(4, 6), g).shape == (4, 6)
