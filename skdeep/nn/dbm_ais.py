"""Annealed importance sampling (AIS) estimates of a DBM's partition function.

Pure torch, no autograd and no scikit-learn. :func:`ais_log_partition` estimates
``log Z`` of a binary DBM (``Ws``, ``bs`` as in :mod:`skdeep.nn.dbm`) by annealing the
even layers from a base-rate model, the odd layers summed out in closed form
(Salakhutdinov & Hinton 2009), with the log weights of the runs from
:func:`ais_log_weights`; the schedule and the estimate from the weights are
:mod:`skdeep.nn.ais`'s.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .ais import ais_estimate, default_betas
from .dbm import _check_layers, layer_input
from .rbm import bernoulli

__all__ = ["ais_log_partition", "ais_log_weights"]


@torch.no_grad()
def ais_log_partition(Ws, bs, *, base_vis=None, n_chains=100, betas=14500, generator=None,
                      dtype=torch.float64):
    """Estimate ``log Z`` by annealed importance sampling over the even layers.

    The path goes from a base model -- independent visible units with biases
    ``base_vis`` (a base-rate model, see :func:`~skdeep.nn.ais.base_rate_bias`), every
    other unit free -- to the DBM, through the marginals of the even layers::

        log p*_beta(x) = (1 - beta) base_vis.v + beta sum_{i even} bs[i].h^i
                         + sum_{i odd} sum_j softplus(beta layer_input(x, i)_j)

    whose odd layers are summed out analytically (Salakhutdinov & Hinton 2009; the RBM
    case is Salakhutdinov & Murray 2008). ``Z_0 = Z_A 2**(hidden units)``. The transition
    at each ``beta`` is one block Gibbs sweep of the tempered joint model.

    Returns
    -------
    log_z : float
    (low, high) : tuple of float
        ``log(mean(w) -+ 3 std(w) / sqrt(n_chains))`` (``low = -inf`` when that bound is
        not positive).
    """
    _check_layers(Ws, bs)
    device = bs[0].device
    Ws, bs = [W.to(dtype) for W in Ws], [b.to(dtype) for b in bs]
    if base_vis is None:
        base_vis = torch.zeros_like(bs[0])
    base_vis = base_vis.to(device=device, dtype=dtype)
    if isinstance(betas, int):
        betas = default_betas(betas, dtype=dtype, device=device)
    log_za = (F.softplus(base_vis).sum().item()
              + sum(b.shape[0] for b in bs[1:]) * math.log(2.0))
    log_w = ais_log_weights(Ws, bs, base_vis, betas, n_chains=int(n_chains),
                            generator=generator)
    return ais_estimate(log_w, log_za)


def ais_log_weights(Ws, bs, base_vis, betas, *, n_chains, generator=None):
    """The log importance weights of ``n_chains`` AIS runs (the path of
    :func:`ais_log_partition`), float64, shape ``(n_chains,)``."""
    betas = torch.as_tensor(betas).cpu()
    if betas.dim() != 1 or betas.numel() < 2 or betas[0] != 0 or betas[-1] != 1:
        raise ValueError("betas must be a 1-D increasing schedule from 0 to 1.")
    betas = betas.tolist()  # one transfer; the loop's scalars stay on the host
    L = len(bs)
    device, dtype = bs[0].device, bs[0].dtype
    # exact samples of the base model at beta = 0
    states = [bernoulli(torch.sigmoid(base_vis).expand(n_chains, -1).contiguous(), generator)]
    states += [bernoulli(torch.full((n_chains, b.shape[0]), 0.5, device=device, dtype=dtype),
                         generator) for b in bs[1:]]
    odd = list(range(1, L, 2))
    even_hidden = list(range(2, L, 2))

    def odd_inputs():                     # the odd layers' inputs without their biases
        out = {}
        for i in odd:
            x = states[i - 1] @ Ws[i - 1]
            if i + 1 < L:
                x = x + states[i + 1] @ Ws[i].t()
            out[i] = x
        return out

    def log_p_star(beta, pres):
        out = torch.mv(states[0], (1 - beta) * base_vis + beta * bs[0])
        for i in even_hidden:
            out = out + beta * torch.mv(states[i], bs[i])
        for i in odd:
            out = out + F.softplus(beta * (pres[i] + bs[i])).sum(-1)
        return out

    log_w = torch.zeros(n_chains, dtype=torch.float64, device=device)
    pres = odd_inputs()
    for j in range(1, len(betas)):
        b_prev, b_now = betas[j - 1], betas[j]
        log_w += (log_p_star(b_now, pres) - log_p_star(b_prev, pres)).double()
        if j == len(betas) - 1:
            break
        for i in odd:
            states[i] = bernoulli(torch.sigmoid(b_now * (pres[i] + bs[i])), generator)
        vis = torch.addmm((1 - b_now) * base_vis + b_now * bs[0], states[1], Ws[0].t(),
                          alpha=b_now)
        states[0] = bernoulli(torch.sigmoid(vis), generator)
        for i in even_hidden:
            states[i] = bernoulli(torch.sigmoid(b_now * layer_input(states, Ws, bs, i)),
                                  generator)
        pres = odd_inputs()
    return log_w
