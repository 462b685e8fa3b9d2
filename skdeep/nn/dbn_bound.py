"""The variational lower bound on a deep belief network's log-likelihood.

Pure torch, no autograd and no scikit-learn. The recursive bound ``B_1(v) <= log p(v)``
of Hinton et al. (2006) for a DBN given as its RBMs (bottom first, modules with ``W``,
``b_vis``, ``b_hid`` and ``visible``, optionally untied generative weights after up-down
fine-tuning): :func:`dbn_bound_exact` sums its expectations exactly over the hidden
states (layers of at most :data:`MAX_BOUND_ENUM_UNITS` units, with the data-independent
part tabulated once by :func:`bound_upper_table`), :func:`dbn_bound_mc` estimates it by
Monte Carlo, and :func:`dbn_log_likelihood_exact` is the brute-force ``log p(v)`` of tiny
models, the bound's test oracle.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .rbm import (
    all_binary_states,
    free_energy,
    hidden_preactivation,
    visible_preactivation,
)

__all__ = ["MAX_BOUND_ENUM_UNITS", "bound_upper_table", "dbn_bound_exact", "dbn_bound_mc",
           "dbn_log_likelihood_exact"]

#: the widest hidden layer that :func:`dbn_bound_exact` sums over (2**16 states).
MAX_BOUND_ENUM_UNITS = 16

_LOG_2PI = math.log(2.0 * math.pi)


# A DBN with RBMs 1..L (bottom first) is the top RBM's marginal over its visible layer
# h^{L-1} followed by the directed conditionals p(h^{l-1} | h^l) of the lower RBMs
# (h^0 = x). The recognition distribution q(h^l | h^{l-1}) is the factorial posterior of
# RBM l. Applied layer by layer (Hinton et al. 2006), Jensen's inequality gives
#
#     B_l(h^{l-1}) = E_q(h^l | h^{l-1})[log p(h^{l-1} | h^l) + B_{l+1}(h^l)] + H(q)
#     B_L(h^{L-1}) = log p_top(h^{L-1}) = -F_L(h^{L-1}) - log Z_L
#
# with log p(x) >= B_1(x); for two layers B_2 is the top RBM's exact marginal, so B_1 is
# the usual bound, equal to log p(x) - KL(q(h^1 | x) || p(h^1 | x)).

def _log_visible_given_hidden(v, pre, visible):
    """``log p(v | h)`` from the visible preactivation ``pre``; broadcasts rows."""
    if visible == "bernoulli":
        return (v * pre - F.softplus(pre)).sum(-1)
    return -0.5 * (v - pre).pow(2).sum(-1) - 0.5 * v.shape[-1] * _LOG_2PI


def _entropy(pre):
    """Entropy of the factorial Bernoulli distribution ``sigmoid(pre)``, per row."""
    p = torch.sigmoid(pre)
    return (p * F.softplus(-pre) + (1.0 - p) * F.softplus(pre)).sum(-1)


def _params(rbm, dtype):
    return rbm.W.to(dtype), rbm.b_vis.to(dtype), rbm.b_hid.to(dtype)


def _gen_params(rbms, generative, dtype):
    """``W`` and ``b_vis`` of the directed conditional ``p(h^0 | h^1)`` of the bottom
    RBM: the generative weights after up-down, the tied RBM's otherwise."""
    gen = rbms[0] if generative is None else generative[0]
    return gen.W.to(dtype), gen.b_vis.to(dtype)


def _check_generative(rbms, generative):
    if generative is not None and len(generative) != len(rbms):
        raise ValueError(f"generative must have one module per RBM ({len(rbms)}); got "
                         f"{len(generative)}.")


@torch.no_grad()
def bound_upper_table(rbms, log_z, dtype=torch.float64, *, generative=None):
    """All states ``S`` of the first hidden layer and ``B_2(S)``, the bound of the stack
    above it at each (the top RBM's exact log marginal for a two-layer DBN).
    ``generative`` is as in :func:`dbn_bound_exact`.

    Every hidden layer below the top RBM is enumerated, each of at most
    :data:`MAX_BOUND_ENUM_UNITS` units; the table does not depend on the data, so it is
    computed once for all the rows of :func:`dbn_bound_exact`.
    """
    if len(rbms) < 2:
        raise ValueError("The table needs at least two RBMs (a one-layer DBN's bound is "
                         "its exact log-likelihood).")
    n_hid = rbms[0].W.shape[0]
    if n_hid > MAX_BOUND_ENUM_UNITS:
        raise ValueError(f"Enumerating a hidden layer of {n_hid} units is too costly (at "
                         f"most {MAX_BOUND_ENUM_UNITS}); use Monte-Carlo (method='ais').")
    _check_generative(rbms, generative)
    states = all_binary_states(n_hid, dtype=dtype, device=rbms[0].W.device)
    upper_gen = None if generative is None else generative[1:]
    return states, dbn_bound_exact(states, rbms[1:], log_z, dtype=dtype,
                                   generative=upper_gen)


@torch.no_grad()
def dbn_bound_exact(v, rbms, log_z, *, table=None, dtype=torch.float64, generative=None):
    """The recursive variational bound ``B_1(v)`` per row, expectations summed exactly.

    Parameters
    ----------
    v : tensor of shape (n, n_vis)
    rbms : sequence of modules with ``W``, ``b_vis``, ``b_hid``, ``visible``, bottom first
    log_z : float
        ``log Z`` of the top RBM.
    table : tuple or None
        ``bound_upper_table(rbms, log_z, generative=generative)``, reused across chunks
        of rows.
    generative : sequence of modules or None
        One per RBM: the ``W`` and ``b_vis`` of the directed conditionals
        ``p(h^{l-1} | h^l)`` (the generative weights after up-down fine-tuning; the last
        entry, the top RBM, is not read). None: the RBMs' own (tied) weights.
        ``q`` always uses the RBMs' ``W`` and ``b_hid`` (the recognition weights).

    Returns
    -------
    tensor of shape (n,), ``dtype``; for one RBM, its exact ``log p(v)``.
    """
    v = v.to(dtype)
    _check_generative(rbms, generative)
    if len(rbms) == 1:
        W, b, c = _params(rbms[0], dtype)
        return -free_energy(v, W, b, c, rbms[0].visible) - log_z
    states, upper = (bound_upper_table(rbms, log_z, dtype, generative=generative)
                     if table is None else table)
    W, _, c = _params(rbms[0], dtype)
    pre_q = hidden_preactivation(v, W, c)                                # (n, n_hid)
    log_q = pre_q @ states.t() - F.softplus(pre_q).sum(-1, keepdim=True)  # (n, K)
    pre_v = visible_preactivation(states, *_gen_params(rbms, generative, dtype))  # (K, n_vis)
    if rbms[0].visible == "bernoulli":
        log_px = v @ pre_v.t() - F.softplus(pre_v).sum(-1)
    else:  # expanded square: no (n, K, n_vis) temporary
        log_px = (v @ pre_v.t() - 0.5 * v.pow(2).sum(-1, keepdim=True)
                  - 0.5 * pre_v.pow(2).sum(-1) - 0.5 * v.shape[1] * _LOG_2PI)
    return (log_q.exp() * (log_px + upper)).sum(-1) + _entropy(pre_q)


@torch.no_grad()
def dbn_bound_mc(v, rbms, log_z, uniforms, *, dtype=torch.float64, generative=None):
    """A Monte-Carlo estimate of the recursive bound ``B_1(v)`` per row.

    Each of ``n_samples`` draws samples ``h^1 ~ q(h^1 | v)``, then one ``h^l ~ q(h^l |
    h^{l-1})`` per layer above, and adds ``log p(h^{l-1} | h^l)`` and the entropy of
    ``q(. | h^{l-1})`` (in closed form) per layer, then the top RBM's ``log p(h^{L-1})``:
    an unbiased estimate of ``B_1(v)``, averaged over the draws.

    Parameters
    ----------
    v : tensor of shape (n, n_vis)
    rbms : sequence of modules, bottom first
    log_z : float
        ``log Z`` of the top RBM.
    uniforms : sequence of tensors
        One per RBM below the top, of shape ``(n, n_samples, n_hid_l)`` in [0, 1): the
        draws (the caller makes them a function of each row so that a row's estimate
        does not depend on the others).
    generative : sequence of modules or None
        As in :func:`dbn_bound_exact`.

    Returns
    -------
    tensor of shape (n,), ``dtype``
    """
    v = v.to(dtype)
    n, n_vis = v.shape
    if len(uniforms) != len(rbms) - 1:
        raise ValueError(f"Expected {len(rbms) - 1} uniform tensors; got {len(uniforms)}.")
    _check_generative(rbms, generative)
    if len(rbms) == 1:
        return dbn_bound_exact(v, rbms, log_z, dtype=dtype)
    n_samples = uniforms[0].shape[1]
    x = v.unsqueeze(1).expand(n, n_samples, n_vis).reshape(n * n_samples, n_vis)
    total = torch.zeros(n * n_samples, dtype=dtype, device=v.device)
    for i, (rbm, u) in enumerate(zip(rbms[:-1], uniforms)):
        W, _, c = _params(rbm, dtype)
        pre_q = hidden_preactivation(x, W, c)
        h = (u.reshape(n * n_samples, -1).to(dtype) < torch.sigmoid(pre_q)).to(dtype)
        gen = rbm if generative is None else generative[i]
        pre_v = visible_preactivation(h, gen.W.to(dtype), gen.b_vis.to(dtype))
        total += _log_visible_given_hidden(x, pre_v, rbm.visible) + _entropy(pre_q)
        x = h
    W, b, c = _params(rbms[-1], dtype)
    total += -free_energy(x, W, b, c, rbms[-1].visible) - log_z
    return total.view(n, n_samples).mean(1)


@torch.no_grad()
def dbn_log_likelihood_exact(v, rbms, log_z, *, dtype=torch.float64, generative=None):
    """``log p(v)`` of the DBN by brute force: the sum over every state of every hidden
    layer below the top RBM (tiny models; a test oracle for the bound). ``generative``
    is as in :func:`dbn_bound_exact` (only the generative model is read)."""
    v = v.to(dtype)
    _check_generative(rbms, generative)
    if len(rbms) == 1:
        W, b, c = _params(rbms[0], dtype)
        return -free_energy(v, W, b, c, rbms[0].visible) - log_z
    n_hid = rbms[0].W.shape[0]
    if n_hid > MAX_BOUND_ENUM_UNITS:
        raise ValueError(f"Enumerating a hidden layer of {n_hid} units is too costly (at "
                         f"most {MAX_BOUND_ENUM_UNITS}).")
    states = all_binary_states(n_hid, dtype=dtype, device=v.device)
    log_p_states = dbn_log_likelihood_exact(
        states, rbms[1:], log_z, dtype=dtype,
        generative=None if generative is None else generative[1:])            # (K,)
    pre_v = visible_preactivation(states, *_gen_params(rbms, generative, dtype))  # (K, n_vis)
    log_px = _log_visible_given_hidden(v[:, None, :], pre_v[None], rbms[0].visible)
    return torch.logsumexp(log_px + log_p_states, dim=1)
