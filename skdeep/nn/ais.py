"""Annealed importance sampling (AIS) estimates of an RBM's partition function.

Pure torch, no autograd and no scikit-learn. :func:`ais_log_partition` estimates
``log Z`` of an RBM (the parameters as in :mod:`skdeep.nn.rbm`) by annealing from a
base-rate RBM (Salakhutdinov & Murray, 2008), with the log weights of the runs from
:func:`ais_log_weights`; the pieces the other models' AIS reuse live here too: the
inverse-temperature schedule (:func:`default_betas`), the base-rate visible biases
(:func:`base_rate_bias`) and the estimate with its interval from the log weights
(:func:`ais_estimate`).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .rbm import (
    _LOG_2PI,
    _check_visible,
    bernoulli,
    hidden_preactivation,
    visible_preactivation,
)

__all__ = ["default_betas", "base_rate_bias", "ais_log_partition", "ais_log_weights",
           "ais_estimate"]


def default_betas(n_betas=14500, dtype=torch.float64, device=None):
    """Salakhutdinov & Murray's schedule, rescaled to ``n_betas`` points.

    Their 14,500 inverse temperatures: 500 in [0, 0.5), 4,000 in [0.5, 0.9) and 10,000
    in [0.9, 1] -- denser where the distribution changes fastest. Fewer than 20 points
    are spread evenly. The schedule always starts at 0 and ends at 1.
    """
    n_betas = int(n_betas)
    if n_betas < 3:
        raise ValueError(f"n_betas must be >= 3; got {n_betas}.")
    if n_betas < 20:
        # too few points for three segments that each end where the next begins
        return torch.linspace(0.0, 1.0, n_betas, dtype=dtype, device=device)
    n1 = max(1, round(n_betas * 500 / 14500))
    n2 = max(1, round(n_betas * 4000 / 14500))
    n3 = max(1, n_betas - n1 - n2)
    return torch.cat([
        torch.linspace(0.0, 0.5, n1 + 1, dtype=dtype, device=device)[:-1],
        torch.linspace(0.5, 0.9, n2 + 1, dtype=dtype, device=device)[:-1],
        torch.linspace(0.9, 1.0, n3, dtype=dtype, device=device),
    ])


def base_rate_bias(v_mean, visible="bernoulli", eps=0.05):
    """Visible biases of the base-rate model from the data's mean visible vector.

    Bernoulli: ``logit`` of the smoothed marginals ``(mean + eps) / (1 + 2 eps)``, as in
    Salakhutdinov & Murray; gaussian: the mean itself.
    """
    if visible == "gaussian":
        return v_mean.clone()
    p = (v_mean + eps) / (1.0 + 2.0 * eps)
    return torch.log(p) - torch.log1p(-p)


@torch.no_grad()
def ais_log_partition(W, b_vis, b_hid, *, visible="bernoulli", base_vis=None,
                      n_chains=100, betas=14500, generator=None, dtype=torch.float64):
    """Estimate ``log Z`` by annealed importance sampling (Salakhutdinov & Murray 2008).

    The path goes from a base-rate RBM A (visible biases ``base_vis``, no weights, hidden
    biases zero, so ``log Z_A`` is known in closed form) to the target B through

        log p*_beta(v) = (1 - beta) (-F_A(v)) + beta (-E_B-vis(v))
                         + sum_j softplus(beta (b_hid_j + W_j v))

(``F_A`` the base model's visible energy; at ``beta = 0`` the target's hidden units are
free, so ``Z_0 = Z_A 2**n_hid``)
    with the transition at each ``beta`` one block Gibbs sweep of that distribution.

    Parameters
    ----------
    base_vis : tensor of shape (n_vis,) or None
        Base-rate visible biases (see :func:`base_rate_bias`); zeros when None.
    n_chains : int
        Independent AIS runs.
    betas : int or 1-D tensor
        The inverse temperatures from 0 to 1, or their number (:func:`default_betas`).

    Returns
    -------
    log_z : float
    (low, high) : tuple of float
        ``log(mean(w) -+ 3 std(w) / sqrt(n_chains))``; ``low`` is ``-inf`` when that
        bound is not positive.
    """
    _check_visible(visible)
    device = W.device
    W, b_vis, b_hid = W.to(dtype), b_vis.to(dtype), b_hid.to(dtype)
    n_hid, n_vis = W.shape
    if base_vis is None:
        base_vis = torch.zeros(n_vis, dtype=dtype, device=device)
    base_vis = base_vis.to(device=device, dtype=dtype)
    if isinstance(betas, int):
        betas = default_betas(betas, dtype=dtype, device=device)
    if visible == "bernoulli":
        log_za = F.softplus(base_vis).sum().item() + n_hid * math.log(2.0)
    else:
        log_za = 0.5 * n_vis * _LOG_2PI + n_hid * math.log(2.0)
    # exact samples from the base model
    shape = (int(n_chains), n_vis)
    if visible == "bernoulli":
        v = bernoulli(torch.sigmoid(base_vis).expand(shape).contiguous(), generator)
    else:
        v = base_vis + torch.randn(shape, generator=generator, device=device, dtype=dtype)
    log_w = ais_log_weights(v, W, b_vis, b_hid, base_vis, betas, visible=visible,
                            generator=generator).to(dtype)
    return ais_estimate(log_w, log_za)


def ais_estimate(log_w, log_za):
    """``log Z`` and its interval from AIS log weights and the base model's ``log Z_A``.

    Returns ``(log_z, (low, high))`` with ``log_z = log mean(w) + log_za`` and the
    interval ``log(mean(w) -+ 3 std(w) / sqrt(R))`` (``low = -inf`` when that bound is
    not positive), computed relative to ``max(log_w)`` so it never overflows.
    """
    m = log_w.max()
    w = torch.exp(log_w - m)
    mean = w.mean()
    log_z = (torch.log(mean) + m).item() + log_za
    sd = w.std(unbiased=True) if w.numel() > 1 else torch.zeros((), dtype=w.dtype)
    err = 3.0 * sd / math.sqrt(w.numel())
    hi = (torch.log(mean + err) + m).item() + log_za
    lo_val = mean - err
    lo = (torch.log(lo_val) + m).item() + log_za if lo_val > 0 else -math.inf
    return log_z, (lo, hi)


def ais_log_weights(v, W, b_vis, b_hid, base_vis, betas, *, visible="bernoulli",
                    generator=None):
    """The log importance weights of AIS runs started at samples ``v`` (R, n_vis) of the
    base model (the path of :func:`ais_log_partition`), float64, shape (R,).

    The biases and ``base_vis`` broadcast against the rows of ``v``: one vector for every
    run, or one row per run, so that many RBMs sharing ``W`` (the frames of an RNN-RBM)
    anneal in one batch.
    """
    betas = torch.as_tensor(betas).cpu()
    if betas.dim() != 1 or betas.numel() < 2 or betas[0] != 0 or betas[-1] != 1:
        raise ValueError("betas must be a 1-D increasing schedule from 0 to 1.")
    betas = betas.tolist()  # one transfer; the loop's scalars stay on the host
    if visible == "bernoulli":
        def vis_term(v, beta):  # (1 - beta) v.b_A + beta v.b_B
            return (v * ((1 - beta) * base_vis + beta * b_vis)).sum(-1)
    else:
        def vis_term(v, beta):
            return (-(1 - beta) * 0.5 * (v - base_vis).pow(2).sum(-1)
                    - beta * 0.5 * (v - b_vis).pow(2).sum(-1))

    def log_p_star(v, beta, pre):
        # at beta = 0 the target's hidden units are free (2**n_hid states): Z_0 = Z_A 2**n_hid
        return vis_term(v, beta) + F.softplus(beta * pre).sum(-1)

    log_w = torch.zeros(v.shape[0], dtype=torch.float64, device=v.device)
    pre = hidden_preactivation(v, W, b_hid)
    for i in range(1, len(betas)):
        b_prev, b_now = betas[i - 1], betas[i]
        log_w += (log_p_star(v, b_now, pre) - log_p_star(v, b_prev, pre)).double()
        if i == len(betas) - 1:
            break
        # one Gibbs sweep leaving p*_{b_now} invariant
        h = bernoulli(torch.sigmoid(b_now * pre), generator)
        mean_pre = (1 - b_now) * base_vis + b_now * visible_preactivation(h, W, b_vis)
        if visible == "bernoulli":
            v = bernoulli(torch.sigmoid(mean_pre), generator)
        else:
            v = mean_pre + torch.randn(mean_pre.shape, generator=generator, device=v.device,
                                       dtype=v.dtype)
        pre = hidden_preactivation(v, W, b_hid)
    return log_w
