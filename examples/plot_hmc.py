"""
Hybrid Monte-Carlo on a correlated 2-D Gaussian
===============================================

Samples a strongly correlated Gaussian with :class:`skdeep.HMCSampler` (the tutorial's
hybrid Monte-Carlo chapter), plots the draws against the true density's contours, and
prints the acceptance rate the step-size adaptation settles at.
"""
import matplotlib.pyplot as plt
import numpy as np
import torch

from skdeep import HMCSampler

mean = np.array([1.0, -1.0])
cov = np.array([[1.0, 0.9], [0.9, 1.0]])
m = torch.tensor(mean)
cov_inv = torch.tensor(np.linalg.inv(cov))


def energy(x):
    d = x - m
    return 0.5 * ((d @ cov_inv) * d).sum(dim=1)


sampler = HMCSampler(energy, initial_stepsize=1e-3, stepsize_max=0.5, random_state=0)
draws = sampler.sample(np.zeros((10, 2)), n_samples=300, burn_in=200)
flat = draws.reshape(-1, 2)
print(f"acceptance {sampler.acceptance_rate_:.3f}, step {sampler.stepsize_:.3f}")
print("sample mean", flat.mean(0).round(3), "true", mean)
print("sample cov\n", np.cov(flat.T).round(3))

g = np.linspace(-3, 3, 100)
xx, yy = np.meshgrid(g + mean[0], g + mean[1])
grid = torch.tensor(np.c_[xx.ravel(), yy.ravel()])
dens = np.exp(-energy(grid).numpy()).reshape(xx.shape)
fig, ax = plt.subplots(figsize=(5, 5))
ax.contour(xx, yy, dens, levels=6, colors="k", linewidths=0.8)
ax.plot(flat[:, 0], flat[:, 1], ".", ms=2, alpha=0.3)
ax.plot(draws[:50, 0, 0], draws[:50, 0, 1], "-r", lw=0.8, label="one chain, 50 moves")
ax.set_title("HMC draws from a correlated Gaussian")
ax.legend()
plt.show()
