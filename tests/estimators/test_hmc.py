"""Hybrid Monte-Carlo: moments on the tutorial's Gaussian, leapfrog oracles, API."""
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from skdeep.nn import hmc as F
from skdeep.sampling import HMCSampler


def _tutorial_gaussian(seed=123, dim=5):
    # the tutorial's test: random mean in [0, 10), unit-diagonal symmetric covariance
    rng = np.random.RandomState(seed)
    mu = rng.rand(dim) * 10
    cov = rng.rand(dim, dim)
    cov = (cov + cov.T) / 2
    cov[np.arange(dim), np.arange(dim)] = 1.0
    return mu, cov


MU, COV = _tutorial_gaussian()
_M = torch.tensor(MU)
_CI = torch.tensor(np.linalg.inv(COV))


def gaussian_energy(x):
    d = x - _M.to(x.dtype)
    return 0.5 * ((d @ _CI.to(x.dtype)) * d).sum(dim=1)


def quadratic(x):
    return 0.5 * (x ** 2).sum(dim=1)


def test_gaussian_moments_and_acceptance():
    s = HMCSampler(gaussian_energy, initial_stepsize=1e-3, stepsize_max=0.5, random_state=0)
    x0 = np.random.RandomState(1).randn(20, 5)
    draws = s.sample(x0, n_samples=400, burn_in=300)
    assert draws.shape == (400, 20, 5)
    flat = draws.reshape(-1, 5)
    np.testing.assert_allclose(flat.mean(0), MU, atol=0.15)
    np.testing.assert_allclose(np.cov(flat.T), COV, atol=0.15)
    assert abs(s.avg_acceptance_rate_ - 0.9) < 0.03
    assert abs(s.acceptance_rate_ - 0.9) < 0.03
    assert 0.001 <= s.stepsize_ <= 0.5
    assert s.n_moves_ == 700


def test_leapfrog_reversible_and_conserves_energy():
    g = torch.Generator().manual_seed(0)
    pos = torch.randn(8, 5, generator=g, dtype=torch.float64) + _M
    vel = torch.randn(8, 5, generator=g, dtype=torch.float64)
    p1, v1 = F.leapfrog(pos, vel, 0.01, 50, gaussian_energy)
    p2, v2 = F.leapfrog(p1, -v1, 0.01, 50, gaussian_energy)
    torch.testing.assert_close(p2, pos, atol=1e-10, rtol=0)
    torch.testing.assert_close(-v2, vel, atol=1e-10, rtol=0)
    h0 = F.hamiltonian(pos, vel, gaussian_energy)
    h1 = F.hamiltonian(p1, v1, gaussian_energy)
    assert (h1 - h0).abs().max() < 5e-3  # vs |H| ~ 10
    # error shrinks ~ eps^2 (second-order integrator)
    p3, v3 = F.leapfrog(pos, vel, 0.005, 100, gaussian_energy)
    err_small = (F.hamiltonian(p3, v3, gaussian_energy) - h0).abs().max()
    assert err_small < 0.4 * (h1 - h0).abs().max()


def test_leapfrog_exact_harmonic_oscillator():
    # for E = x^2/2 the exact flow is a rotation; leapfrog with small eps tracks it
    pos = torch.tensor([[1.0]], dtype=torch.float64)
    vel = torch.tensor([[0.0]], dtype=torch.float64)
    p, v = F.leapfrog(pos, vel, 0.001, 1000, quadratic)  # t = 1
    assert abs(p.item() - np.cos(1.0)) < 1e-5
    assert abs(v.item() + np.sin(1.0)) < 1e-5


def test_adaptation_rule():
    s = torch.tensor(0.1, dtype=torch.float64)
    a = torch.tensor(0.95, dtype=torch.float64)
    s2, a2 = F.adapt_stepsize(s, a, torch.tensor(0.0, dtype=torch.float64))
    assert abs(float(s2) - 0.102) < 1e-12 and abs(float(a2) - 0.855) < 1e-12
    s3, _ = F.adapt_stepsize(s2, a2, torch.tensor(1.0, dtype=torch.float64))
    assert abs(float(s3) - 0.102 * 0.98) < 1e-12
    big, _ = F.adapt_stepsize(torch.tensor(0.25), torch.tensor(1.0), torch.tensor(1.0))
    assert float(big) == pytest.approx(0.25)


def test_same_seed_same_draws_and_warm_start():
    a = HMCSampler(quadratic, n_steps=5, random_state=3).sample(np.zeros((4, 2)), 30, 10)
    s = HMCSampler(quadratic, n_steps=5, random_state=3)
    b = s.sample(np.zeros((4, 2)), 30, 10)
    np.testing.assert_array_equal(a, b)
    step = s.stepsize_
    s.sample(s.position_, 5, 0, warm_start=True)
    assert s.n_moves_ == 45 and s.stepsize_ != step


def test_clone_get_params_pickle():
    s = HMCSampler(quadratic, n_steps=7, random_state=0)
    c = clone(s)
    assert c.get_params()["n_steps"] == 7 and c.energy is quadratic
    s.sample(np.zeros((3, 2)), 5, 5)
    s2 = pickle.loads(pickle.dumps(s))
    assert s2.stepsize_ == s.stepsize_ and s2.get_params()["n_steps"] == 7


def test_float32_and_tensor_input_unchanged():
    x0 = torch.zeros(3, 2)
    d = HMCSampler(quadratic, dtype="float32", n_steps=3, random_state=0).sample(x0, 4, 0)
    assert d.dtype == np.float32 and torch.equal(x0, torch.zeros(3, 2))


def test_errors():
    with pytest.raises(InvalidParameterError):
        HMCSampler(quadratic, n_steps=0).sample(np.zeros((2, 2)), 1, 0)
    with pytest.raises(InvalidParameterError):
        HMCSampler("not callable").sample(np.zeros((2, 2)), 1, 0)
    with pytest.raises(ValueError, match="shape"):
        HMCSampler(quadratic).sample(np.zeros((2, 2, 2)), 1, 0)
    with pytest.raises(ValueError, match="NaN"):
        HMCSampler(quadratic).sample(np.full((2, 2), np.nan), 1, 0)
    with pytest.raises(ValueError, match="energy must map"):
        HMCSampler(lambda x: x.sum()).sample(np.zeros((2, 2)), 1, 0)
    with pytest.raises(ValueError, match="burn_in"):
        HMCSampler(quadratic).sample(np.zeros((2, 2)), 1, -1)
    with pytest.raises(ValueError, match="stepsize_min"):
        HMCSampler(quadratic, stepsize_min=0.5, stepsize_max=0.1).sample(np.zeros((2, 2)))
