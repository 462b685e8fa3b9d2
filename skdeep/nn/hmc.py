"""Hybrid (Hamiltonian) Monte-Carlo as pure torch functions (the tutorial's ``hmc.py``).

Everything works on a batch of independent chains ``(n_chains, dim)`` at once; the
energy's gradient comes from autograd on the *user's* energy function (the sampler's own
updates -- leapfrog, Metropolis test, step-size adaptation -- are plain tensor arithmetic
under ``no_grad``).
"""
from __future__ import annotations

import torch

__all__ = ["kinetic_energy", "hamiltonian", "energy_grad", "leapfrog", "metropolis_accept",
           "hmc_move", "adapt_stepsize"]


def kinetic_energy(vel):
    """``0.5 * ||v||^2`` per chain (unit-mass Gaussian momentum)."""
    return 0.5 * (vel * vel).sum(dim=1)


def hamiltonian(pos, vel, energy):
    """Total energy ``E(pos) + K(vel)`` per chain."""
    with torch.no_grad():
        return energy(pos) + kinetic_energy(vel)


def energy_grad(energy, pos):
    """``dE/dpos`` for a batch of positions (chains are independent, so the gradient of
    the summed energy is each chain's own gradient)."""
    with torch.enable_grad():
        x = pos.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(energy(x).sum(), x)
    return g.detach()


def leapfrog(pos, vel, stepsize, n_steps, energy):
    """``n_steps`` leapfrog steps of the Hamiltonian dynamics; returns (pos, vel).

    ``stepsize`` is a scalar or an (n_chains,) / (n_chains, 1) tensor. The integrator is
    symplectic and time-reversible: running it from (pos, -vel) returns to the start.
    """
    eps = torch.as_tensor(stepsize, dtype=pos.dtype, device=pos.device)
    if eps.dim() == 1:
        eps = eps[:, None]
    with torch.no_grad():
        vel = vel - 0.5 * eps * energy_grad(energy, pos)
        for i in range(n_steps):
            pos = pos + eps * vel
            if i < n_steps - 1:
                vel = vel - eps * energy_grad(energy, pos)
        vel = vel - 0.5 * eps * energy_grad(energy, pos)
    return pos, vel


def metropolis_accept(h_old, h_new, generator=None):
    """Boolean (n_chains,): accept with probability ``min(1, exp(h_old - h_new))``."""
    u = torch.rand(h_old.shape, generator=generator, device=h_old.device, dtype=h_old.dtype)
    return (h_old - h_new).exp() >= u


def hmc_move(pos, energy, stepsize, n_steps, generator=None):
    """One HMC transition for every chain; returns (new_pos, accepted)."""
    with torch.no_grad():
        vel = torch.randn(pos.shape, generator=generator, device=pos.device, dtype=pos.dtype)
        new_pos, new_vel = leapfrog(pos, vel, stepsize, n_steps, energy)
        h_new = hamiltonian(new_pos, new_vel, energy)
        accept = metropolis_accept(hamiltonian(pos, vel, energy), h_new, generator)
        # A proposal with a NaN/inf energy or position is never accepted: exp(nan) >= u is
        # False already, but an energy of -inf would be accepted and trap the chain there.
        accept &= torch.isfinite(h_new) & torch.isfinite(new_pos).all(dim=1)
        return torch.where(accept[:, None], new_pos, pos), accept


def adapt_stepsize(stepsize, avg_acceptance, accept, *, target=0.9, inc=1.02, dec=0.98,
                   lo=0.001, hi=0.25, slowness=0.9):
    """The tutorial's rule: grow the step while the running acceptance rate is above the
    target, shrink it otherwise, clamp to [lo, hi]; update the running rate."""
    # tensor arithmetic (no host sync): stepsize and avg_acceptance are 0-d tensors
    stepsize = torch.where(avg_acceptance > target, stepsize * inc, stepsize * dec)
    stepsize = stepsize.clamp(lo, hi)
    avg_acceptance = slowness * avg_acceptance + (1.0 - slowness) * accept.to(
        avg_acceptance.dtype)
    return stepsize, avg_acceptance
