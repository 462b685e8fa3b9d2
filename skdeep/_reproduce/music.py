"""Reproduce rows of the tutorial's last chapters: hybrid Monte-Carlo (the RNN-RBM row is
not implemented yet)."""
from __future__ import annotations

import numpy as np
import torch

from ._row import Row


def run_hmc(data, *, quick, tutorial_settings, device, random_state):
    """The tutorial's test: a 5-D correlated Gaussian, 3 chains (more when not tutorial),
    1000 burn-in and 1000 kept moves, initial step 1e-3, step clamped to [0.001, 0.5]."""
    from ..sampling import HMCSampler

    rng = np.random.RandomState(123)
    dim = 5
    mu = rng.rand(dim) * 10
    cov = rng.rand(dim, dim)
    cov = (cov + cov.T) / 2
    cov[np.arange(dim), np.arange(dim)] = 1.0
    m = torch.tensor(mu)
    ci = torch.tensor(np.linalg.inv(cov))

    def energy(x):
        d = x - m.to(x)
        return 0.5 * ((d @ ci.to(x)) * d).sum(dim=1)

    n_chains = 3 if tutorial_settings else 20
    n = 200 if quick else 1000
    s = HMCSampler(energy, initial_stepsize=1e-3, stepsize_max=0.5, device=device,
                   random_state=random_state)
    draws = s.sample(rng.randn(n_chains, dim), n_samples=n, burn_in=n).reshape(-1, dim)
    mean_err = float(np.abs(draws.mean(0) - mu).max())
    cov_err = float(np.abs(np.cov(draws.T) - cov).max())
    return {"test_error": None, "epochs": 2 * n,
            "extra": (f"acceptance {s.avg_acceptance_rate_:.3f} (running avg), "
                      f"{s.acceptance_rate_:.3f} (kept moves), step {s.stepsize_:.3f}, "
                      f"max |mean err| {mean_err:.3f}, max |cov err| {cov_err:.3f}")}


ROWS = [
    Row("HMC, 5-D correlated Gaussian", run_hmc, tutorial="acceptance 0.92 (target 0.9)",
        needs="none", order=90, datasets=("none",)),
]
