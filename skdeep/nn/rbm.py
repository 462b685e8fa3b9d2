"""Restricted Boltzmann machine math, as plain functions of explicit tensors.

Pure torch, no autograd and no scikit-learn. Every function takes the parameters
explicitly so that other models can reuse them (the RNN-RBM calls them with per-frame,
batched biases):

``W``
    weights of shape ``(n_hid, n_vis)`` (scikit-learn's ``components_`` layout).
``b_vis``
    visible biases, shape ``(n_vis,)`` or batched ``(n, n_vis)`` (one row per sample).
``b_hid``
    hidden biases, shape ``(n_hid,)`` or batched ``(n, n_hid)``.
``visible``
    ``"bernoulli"`` (binary or [0, 1] visible units) or ``"gaussian"`` (real-valued
    visible units of unit variance, for standardised data).

Energies (per sample, ``v`` of shape ``(n, n_vis)``, ``h`` of shape ``(n, n_hid)``)::

    bernoulli:  E(v, h) = -v.b_vis - h.b_hid - h W v
    gaussian:   E(v, h) = ||v - b_vis||^2 / 2 - h.b_hid - h W v

and free energies ``F(v) = -log sum_h exp(-E(v, h))``::

    bernoulli:  F(v) = -v.b_vis - sum_j softplus(b_hid_j + W_j v)
    gaussian:   F(v) = ||v - b_vis||^2 / 2 - sum_j softplus(b_hid_j + W_j v)

Training updates (:func:`cd_update_`) are hand-derived matmuls applied in place under
``torch.no_grad()``. :func:`log_partition_exact` enumerates the smaller layer (refused
above :data:`MAX_EXACT_UNITS` units); the estimate by annealed importance sampling from a
base-rate RBM (Salakhutdinov & Murray, 2008) is :mod:`skdeep.nn.ais`'s.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

__all__ = [
    "VISIBLE_UNITS", "MAX_EXACT_UNITS",
    "hidden_preactivation", "visible_preactivation", "prob_h_given_v", "mean_v_given_h",
    "bernoulli", "one_hot_sample", "sample_visible", "sample_h_given_v", "sample_v_given_h",
    "energy", "free_energy", "gibbs_vhv",
    "gibbs_hvh", "cd_update_", "pseudo_log_likelihood", "all_binary_states",
    "log_partition_exact", "log_likelihood_exact", "RBMModule",
]

VISIBLE_UNITS = ("bernoulli", "gaussian")

#: the largest layer that :func:`log_partition_exact` enumerates (2**25 states).
MAX_EXACT_UNITS = 25

_LOG_2PI = math.log(2.0 * math.pi)


def _check_visible(visible):
    if visible not in VISIBLE_UNITS:
        raise ValueError(f"visible must be one of {VISIBLE_UNITS}; got {visible!r}.")


# ---------------------------------------------------------------------------- conditionals
def hidden_preactivation(v, W, b_hid):
    """``b_hid + v W^T``, shape ``(n, n_hid)``."""
    if b_hid.dim() == 1:
        return torch.addmm(b_hid, v, W.t())
    return b_hid + v @ W.t()


def visible_preactivation(h, W, b_vis):
    """``b_vis + h W``, shape ``(n, n_vis)``."""
    if b_vis.dim() == 1:
        return torch.addmm(b_vis, h, W)
    return b_vis + h @ W


def prob_h_given_v(v, W, b_hid):
    """``p(h_j = 1 | v) = sigmoid(b_hid_j + W_j v)`` (the same for both visible types)."""
    return torch.sigmoid(hidden_preactivation(v, W, b_hid))


def mean_v_given_h(h, W, b_vis, visible="bernoulli", n_softmax=0):
    """``E[v | h]``: ``sigmoid(b_vis + h W)`` (bernoulli) or ``b_vis + h W`` (gaussian).

    With ``n_softmax > 0`` (bernoulli only) the last ``n_softmax`` visible units form one
    softmax group (a one-hot label, as in the top RBM of Hinton et al. 2006's digit
    model): their mean is the softmax of their pre-activations.
    """
    pre = visible_preactivation(h, W, b_vis)
    if visible != "bernoulli":
        return pre
    mean = torch.sigmoid(pre)
    if n_softmax:
        mean[:, -n_softmax:] = torch.softmax(pre[:, -n_softmax:], dim=-1)
    return mean


def bernoulli(p, generator=None):
    """A Bernoulli sample of probabilities ``p``, in ``p``'s dtype.

    On the GPU, ``uniform < p``. On the CPU (float32 and float64), the uniforms are 32-bit
    integers ``u`` taken two at a time from one 64-bit draw, and a unit is on when
    ``u + 2^31 < p * 2^32``: the same resolution as a float32 uniform (2^-24 near the
    ends), with half the generator calls. torch's CPU generator costs about as much per
    64-bit integer as per float (5.6 against 5.3 ns), which made the two draws of a PCD
    step as costly as a third of its matmuls; on one thread this takes 0.71x the time of
    ``torch.rand(...) < p`` (128x784: 501 against 702 us), which in turn is 2.5x faster
    than ``torch.bernoulli`` (90 against 245 us for 20x784).
    """
    if p.device.type == "cpu" and p.dtype in (torch.float32, torch.float64):
        n = p.numel()
        bits = torch.empty((n + 1) // 2, dtype=torch.int64)
        bits.random_(-2**63, None, generator=generator)  # every 64 bits random
        u = bits.view(torch.int32)[:n].view(p.shape)    # uniform on [-2^31, 2^31)
        return torch.mul(p, 4294967296.0).sub_(u).gt_(2147483648.0)
    u = torch.rand(p.shape, generator=generator, device=p.device, dtype=p.dtype)
    return u.sub_(p).lt_(0)


def sample_h_given_v(v, W, b_hid, generator=None):
    """Return ``(p(h|v), h)`` with ``h`` a Bernoulli sample of the same dtype."""
    p = prob_h_given_v(v, W, b_hid)
    return p, bernoulli(p, generator)


def one_hot_sample(p, generator=None):
    """One-hot samples of the categorical distributions in the rows of ``p``.

    Inverse-CDF sampling with one uniform per row, in ``p``'s dtype.
    """
    u = torch.rand((p.shape[0], 1), generator=generator, device=p.device, dtype=p.dtype)
    index = (p.cumsum(-1) < u).sum(-1, keepdim=True).clamp_(max=p.shape[-1] - 1)
    return torch.zeros_like(p).scatter_(-1, index, 1.0)


def sample_visible(mean, visible="bernoulli", generator=None, n_softmax=0):
    """A visible sample given its mean :func:`mean_v_given_h`: Bernoulli states (with the
    last ``n_softmax`` units one-hot), or ``mean + N(0, 1)`` noise (gaussian)."""
    if visible == "bernoulli":
        v = bernoulli(mean, generator)
        if n_softmax:
            v[:, -n_softmax:] = one_hot_sample(mean[:, -n_softmax:], generator)
        return v
    return mean + torch.randn(mean.shape, generator=generator, device=mean.device,
                              dtype=mean.dtype)


def sample_v_given_h(h, W, b_vis, visible="bernoulli", generator=None, n_softmax=0):
    """Return ``(E[v|h], v)``: Bernoulli samples, or ``mean + N(0, 1)`` noise (gaussian);
    ``n_softmax`` as in :func:`mean_v_given_h`."""
    mean = mean_v_given_h(h, W, b_vis, visible, n_softmax)
    return mean, sample_visible(mean, visible, generator, n_softmax)


# ---------------------------------------------------------------------------- energies
def _visible_term(v, b_vis, visible):
    """The visible part of the energy: ``-v.b`` or ``||v - b||^2 / 2``."""
    if visible == "bernoulli":
        if b_vis.dim() == 1 and v.dim() == 2:
            return -torch.mv(v, b_vis)     # a GEMV: no (n, n_vis) temporary
        return -(v * b_vis).sum(-1)
    return 0.5 * (v - b_vis).pow(2).sum(-1)


def energy(v, h, W, b_vis, b_hid, visible="bernoulli"):
    """``E(v, h)`` per sample, shape ``(n,)``."""
    _check_visible(visible)
    return (_visible_term(v, b_vis, visible) - (h * b_hid).sum(-1)
            - ((h @ W) * v).sum(-1))


def free_energy(v, W, b_vis, b_hid, visible="bernoulli"):
    """``F(v) = -log sum_h exp(-E(v, h))`` per sample, shape ``(n,)``.

    Computed with ``softplus``, so it is finite for any finite input and parameters.
    """
    _check_visible(visible)
    return (_visible_term(v, b_vis, visible)
            - F.softplus(hidden_preactivation(v, W, b_hid)).sum(-1))


# ---------------------------------------------------------------------------- Gibbs
def gibbs_vhv(v, W, b_vis, b_hid, visible="bernoulli", generator=None, k=1):
    """``k`` steps of block Gibbs sampling starting from visible states ``v``.

    Returns ``(v_mean, v_sample, h_prob)`` of the last step (``h_prob = p(h | v_sample)``
    is *not* computed: it is ``None`` so callers needing it pay for it explicitly).
    """
    v_mean = v
    for _ in range(k):
        _, h = sample_h_given_v(v, W, b_hid, generator)
        v_mean, v = sample_v_given_h(h, W, b_vis, visible, generator)
    return v_mean, v, None


def gibbs_hvh(h, W, b_vis, b_hid, visible="bernoulli", generator=None, k=1):
    """``k`` steps of block Gibbs sampling starting from hidden states ``h``.

    Returns ``(v_sample, h_prob, h_sample)`` of the last step: the visible sample, the
    hidden probabilities given it, and a hidden sample (the next chain state).
    """
    if k < 1:
        raise ValueError(f"k must be >= 1; got {k}.")
    for _ in range(k):
        _, v = sample_v_given_h(h, W, b_vis, visible, generator)
        h_prob, h = sample_h_given_v(v, W, b_hid, generator)
    return v, h_prob, h


# ---------------------------------------------------------------------------- training
@torch.no_grad()
def cd_update_(W, b_vis, b_hid, v_pos, *, learning_rate, k=1, chain=None,
               visible="bernoulli", momentum=0.0, velocity=None, weight_decay=0.0,
               generator=None, return_cost=True, n_softmax=0, sample_reconstruction=True):
    """One CD-k (``chain=None``) or PCD-k (``chain`` = persistent hidden states) update.

    The parameters are updated in place with the likelihood-gradient estimate::

        dW     = lr * (p(h|v_pos)^T v_pos - p(h|v_neg)^T v_neg) / n  - lr * wd * W
        db_vis = lr * mean(v_pos - v_neg)
        db_hid = lr * mean(p(h|v_pos) - p(h|v_neg))

    where ``v_neg`` is the visible sample after ``k`` Gibbs steps started from a sample of
    ``p(h | v_pos)`` (CD) or from ``chain`` (PCD, the tutorial's and scikit-learn's
    persistent chain; its number of rows may differ from ``v_pos``'s). With
    ``momentum > 0`` the step goes through ``velocity`` (a tuple of three tensors shaped
    like ``W, b_vis, b_hid``, updated in place): ``vel = momentum * vel + step``.

    ``n_softmax > 0`` makes the last ``n_softmax`` visible units one softmax group (see
    :func:`mean_v_given_h`), sampled as a one-hot vector in the negative phase.

    ``sample_reconstruction=False`` takes the visible *means* as the negative phase's
    visible states (Hinton & Salakhutdinov's ``rbm.m``) instead of a sample of them.

    Only 1-D biases are updated here (a batched bias is a function of other parameters
    in the models that use it; they compute their own gradients from the statistics).

    Returns
    -------
    new_chain : tensor of shape (n_chain, n_hid)
        Hidden samples at the end of the chain (store it for PCD).
    cost : 0-d tensor or None
        The tutorial's monitoring cost ``mean F(v_pos) - mean F(v_neg)`` (free-energy
        gap), from pre-activations already computed, so it costs no extra matmul.
    """
    n_pos = v_pos.shape[0]
    lr = float(learning_rate)
    pre_pos = None
    if chain is None:                       # CD: the chain starts at the data
        pre_pos = hidden_preactivation(v_pos, W, b_hid)
        h = bernoulli(torch.sigmoid(pre_pos), generator)
    else:
        h = chain
    for _ in range(k - 1):
        v = mean_v_given_h(h, W, b_vis, visible, n_softmax)
        if sample_reconstruction:
            v = sample_visible(v, visible, generator, n_softmax)
        _, h = sample_h_given_v(v, W, b_hid, generator)
    n_neg = h.shape[0]
    # Positive and negative visible states stacked in one buffer: the hidden
    # pre-activations of both phases are then one matmul, and the weight update
    # (p_pos^T v_pos - p_neg^T v_neg) another -- at small batches each kernel call costs
    # about as much as its arithmetic, so fewer, larger calls are faster.
    V2 = torch.empty((n_pos + n_neg, v_pos.shape[1]), dtype=v_pos.dtype, device=v_pos.device)
    V2[:n_pos] = v_pos
    v_neg = mean_v_given_h(h, W, b_vis, visible, n_softmax)
    V2[n_pos:] = (sample_visible(v_neg, visible, generator, n_softmax)
                  if sample_reconstruction else v_neg)
    if pre_pos is None:
        pre2 = hidden_preactivation(V2, W, b_hid)
    else:
        # CD already has the positive pre-activations: only the negative rows are new
        # (one matmul fewer; CD-1 had cost about 1.17x PCD-1 for the same update)
        pre2 = torch.cat([pre_pos, hidden_preactivation(V2[n_pos:], W, b_hid)])
    H2 = torch.sigmoid(pre2)
    h_neg = H2[n_pos:]
    new_chain = bernoulli(h_neg, generator)
    cost = None
    if return_cost:
        fe = free_energy_from_pre(V2, pre2, b_vis, visible)
        cost = fe[:n_pos].mean() - fe[n_pos:].mean()
    # coefficients: +1/n_pos for the positive rows, -1/n_neg for the negative ones
    coef = torch.empty(n_pos + n_neg, dtype=V2.dtype, device=V2.device)
    coef[:n_pos] = 1.0 / n_pos
    coef[n_pos:] = -1.0 / n_neg
    d_vis = torch.mv(V2.t(), coef)
    d_hid = torch.mv(H2.t(), coef)
    H2.mul_(coef[:, None])
    if momentum:
        vW, vb, vc = velocity
        vW.mul_(momentum)
        if weight_decay:
            vW.add_(W, alpha=-lr * weight_decay)
        vW.addmm_(H2.t(), V2, alpha=lr)
        vb.mul_(momentum).add_(d_vis, alpha=lr)
        vc.mul_(momentum).add_(d_hid, alpha=lr)
        W.add_(vW)
        b_vis.add_(vb)
        b_hid.add_(vc)
    else:
        # beta folds the weight decay into the same fused in-place kernel
        W.addmm_(H2.t(), V2, beta=1.0 - lr * weight_decay, alpha=lr)
        b_vis.add_(d_vis, alpha=lr)
        b_hid.add_(d_hid, alpha=lr)
    return new_chain, cost


def free_energy_from_pre(v, pre_hid, b_vis, visible="bernoulli"):
    """:func:`free_energy` given the hidden pre-activations ``b_hid + v W^T``."""
    return _visible_term(v, b_vis, visible) - F.softplus(pre_hid).sum(-1)


def pseudo_log_likelihood(v, W, b_vis, b_hid, index):
    """Stochastic pseudo-log-likelihood of binary ``v``, one flipped unit per sample.

    ``n_vis * log sigmoid(F(v~) - F(v))`` where ``v~`` is ``v`` with unit ``index[i]`` of
    row ``i`` replaced by ``1 - v``: scikit-learn's ``score_samples``. The free-energy
    difference is computed directly from the change of that one unit (no subtraction of
    two large free energies, no clipping), so it stays finite for extreme inputs.
    """
    rows = torch.arange(v.shape[0], device=v.device)
    vi = v[rows, index]
    delta = 1.0 - 2.0 * vi                                 # v~_i - v_i
    pre = hidden_preactivation(v, W, b_hid)
    pre_flip = pre + delta[:, None] * W.t()[index]          # (n, n_hid)
    bi = b_vis[index] if b_vis.dim() == 1 else b_vis[rows, index]
    # F(v~) - F(v) = -delta * b_i - sum_j [softplus(pre~_j) - softplus(pre_j)]
    diff = -delta * bi - (F.softplus(pre_flip) - F.softplus(pre)).sum(-1)
    return v.shape[1] * F.logsigmoid(diff)


# ---------------------------------------------------------------------------- exact log Z
def all_binary_states(n, dtype=torch.float64, device=None):
    """All ``2**n`` binary vectors as rows of a ``(2**n, n)`` tensor."""
    if n > MAX_EXACT_UNITS:
        raise ValueError(f"Refusing to enumerate 2**{n} states (at most "
                         f"{MAX_EXACT_UNITS} units).")
    codes = torch.arange(2 ** n, device=device)
    bits = 2 ** torch.arange(n - 1, -1, -1, device=device)
    return ((codes[:, None] & bits) > 0).to(dtype)


def _enumerate_chunks(n, dtype, device, chunk=2 ** 16):
    bits = 2 ** torch.arange(n - 1, -1, -1, device=device)
    for start in range(0, 2 ** n, chunk):
        codes = torch.arange(start, min(start + chunk, 2 ** n), device=device)
        yield ((codes[:, None] & bits) > 0).to(dtype)


@torch.no_grad()
def log_partition_exact(W, b_vis, b_hid, visible="bernoulli"):
    """``log Z`` by enumerating the smaller layer (the hidden one for gaussian units).

    Summing over the hidden states ``h``::

        bernoulli: log Z = logsumexp_h [h.b_hid + sum_i softplus(b_vis_i + (hW)_i)]
        gaussian:  log Z = logsumexp_h [h.b_hid + ||b_vis + hW||^2/2 - ||b_vis||^2/2]
                           + n_vis/2 log(2 pi)

    and over the visible states ``v`` (bernoulli only): ``logsumexp_v [-F(v)]``.
    Computed in float64; refused above :data:`MAX_EXACT_UNITS` units in that layer.
    """
    _check_visible(visible)
    W, b_vis, b_hid = W.double(), b_vis.double(), b_hid.double()
    n_hid, n_vis = W.shape
    over_hidden = visible == "gaussian" or n_hid <= n_vis
    n_enum = n_hid if over_hidden else n_vis
    if n_enum > MAX_EXACT_UNITS:
        what = "hidden" if visible == "gaussian" else "smaller"
        raise ValueError(
            f"Exact log Z enumerates the {what} layer: 2**{n_enum} states is too many "
            f"(at most {MAX_EXACT_UNITS} units); use method='ais'.")
    terms = []
    for states in _enumerate_chunks(n_enum, torch.float64, W.device):
        if over_hidden:
            pre = visible_preactivation(states, W, b_vis)
            if visible == "bernoulli":
                t = states @ b_hid + F.softplus(pre).sum(-1)
            else:
                t = (states @ b_hid + 0.5 * pre.pow(2).sum(-1)
                     - 0.5 * b_vis.pow(2).sum())
        else:
            t = -free_energy(states, W, b_vis, b_hid, "bernoulli")
        terms.append(torch.logsumexp(t, 0))
    log_z = torch.logsumexp(torch.stack(terms), 0).item()
    if visible == "gaussian":
        log_z += 0.5 * n_vis * _LOG_2PI
    return log_z


@torch.no_grad()
def log_likelihood_exact(v, W, b_vis, b_hid, visible="bernoulli", log_z=None):
    """``log p(v) = -F(v) - log Z`` per sample (float64), with exact ``log Z``."""
    if log_z is None:
        log_z = log_partition_exact(W, b_vis, b_hid, visible)
    return -free_energy(v.double(), W.double(), b_vis.double(), b_hid.double(),
                        visible) - log_z


class RBMModule(torch.nn.Module):
    """The parameters of an RBM: ``W`` (n_hid, n_vis), ``b_vis``, ``b_hid``.

    They are trained by hand-derived updates (:func:`skdeep.nn.rbm.cd_update_`), never by
    autograd, so they are parameters that do not require gradients.
    """

    def __init__(self, n_visible, n_hidden, visible="bernoulli", generator=None,
                 init_std=0.01):
        super().__init__()
        W = torch.randn(n_hidden, n_visible, generator=generator) * init_std
        self.W = torch.nn.Parameter(W, requires_grad=False)
        self.b_vis = torch.nn.Parameter(torch.zeros(n_visible), requires_grad=False)
        self.b_hid = torch.nn.Parameter(torch.zeros(n_hidden), requires_grad=False)
        self.visible = visible

    def forward(self, v):
        """``p(h = 1 | v)``."""
        return prob_h_given_v(v, self.W, self.b_hid)

    def free_energy(self, v):
        return free_energy(v, self.W, self.b_vis, self.b_hid, self.visible)

    def mean_visible(self, h):
        return mean_v_given_h(h, self.W, self.b_vis, self.visible)
