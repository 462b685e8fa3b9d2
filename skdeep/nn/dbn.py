"""Deep belief networks in torch: RBM stacks, the unrolled deep autoencoder, the CD
step of an RBM with linear hidden units (the deep autoencoder's code layer), the
variational lower bound on a DBN's log-likelihood, up-down fine-tuning, ancestral
sampling, and the label posterior of a top RBM with label units.

Pure torch; nothing here imports scikit-learn.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .rbm import (
    all_binary_states,
    bernoulli,
    cd_update_,
    free_energy,
    hidden_preactivation,
    one_hot_sample,
    sample_h_given_v,
    sample_v_given_h,
    visible_preactivation,
)

__all__ = ["RBMStack", "UnrolledAutoencoder", "linear_hidden_cd_step_",
           "MAX_BOUND_ENUM_UNITS", "bound_upper_table", "dbn_bound_exact", "dbn_bound_mc",
           "dbn_log_likelihood_exact", "up_down_update_", "sample_dbn", "label_log_proba"]

#: the widest hidden layer that :func:`dbn_bound_exact` sums over (2**16 states).
MAX_BOUND_ENUM_UNITS = 16

_LOG_2PI = math.log(2.0 * math.pi)


class RBMStack(torch.nn.Module):
    """The RBMs of a DBN, bottom first; ``forward`` gives the top layer's probabilities."""

    def __init__(self, rbms):
        super().__init__()
        self.rbms = torch.nn.ModuleList(rbms)

    def forward(self, x):
        for rbm in self.rbms:
            x = rbm(x)
        return x

    def down(self, h):
        """Top-down mean-field pass through the directed generative weights."""
        for rbm in reversed(self.rbms):
            h = rbm.mean_visible(h)
        return h


@torch.no_grad()
def linear_hidden_cd_step_(rbm, v_pos, lr, generator):
    """CD-1 for an RBM with linear (unit-variance Gaussian) hidden units.

    Hinton & Salakhutdinov (2006) give the code layer of the deep autoencoder linear
    units: ``h | v ~ N(b_hid + W v, 1)``, ``p(v = 1 | h) = sigmoid(b_vis + h W)``.
    """
    W, b, c = rbm.W, rbm.b_vis, rbm.b_hid
    h_pos = hidden_preactivation(v_pos, W, c)
    h = h_pos + torch.randn(h_pos.shape, generator=generator, device=h_pos.device,
                            dtype=h_pos.dtype)
    v_neg = torch.sigmoid(visible_preactivation(h, W, b))
    h_neg = hidden_preactivation(v_neg, W, c)
    n = v_pos.shape[0]
    W.addmm_(h_pos.t(), v_pos, alpha=lr / n).addmm_(h_neg.t(), v_neg, alpha=-lr / n)
    b.add_(v_pos.sum(0) - v_neg.sum(0), alpha=lr / n)
    c.add_(h_pos.sum(0) - h_neg.sum(0), alpha=lr / n)
    return (v_pos - v_neg).pow(2).sum(1).mean()


class UnrolledAutoencoder(torch.nn.Module):
    """Encoder/decoder unrolled from an RBM stack (weights untied for finetuning)."""

    def __init__(self, rbms, output="sigmoid"):
        super().__init__()
        self.encoder = torch.nn.ModuleList()
        self.decoder = torch.nn.ModuleList()
        for rbm in rbms:
            n_hid, n_vis = rbm.W.shape
            enc = torch.nn.Linear(n_vis, n_hid)
            dec = torch.nn.Linear(n_hid, n_vis)
            with torch.no_grad():
                enc.weight.copy_(rbm.W)
                enc.bias.copy_(rbm.b_hid)
                dec.weight.copy_(rbm.W.t())
                dec.bias.copy_(rbm.b_vis)
            self.encoder.append(enc)
            self.decoder.insert(0, dec)
        self.output = output

    def encode(self, x):
        for i, layer in enumerate(self.encoder):
            x = layer(x)
            if i < len(self.encoder) - 1:
                x = torch.sigmoid(x)          # the code layer is linear
        return x

    def decode_logits(self, code):
        x = code
        for i, layer in enumerate(self.decoder):
            x = layer(x)
            if i < len(self.decoder) - 1:
                x = torch.sigmoid(x)
        return x

    def decode(self, code):
        x = self.decode_logits(code)
        return torch.sigmoid(x) if self.output == "sigmoid" else x

    def forward(self, x):
        return self.decode(self.encode(x))


# ---------------------------------------------------------------------------- the bound
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


# ---------------------------------------------------------------------- up-down fine-tuning
@torch.no_grad()
def up_down_update_(recognition, generative, top, v, *, learning_rate, k=1, generator=None,
                    labels=None):
    """One step of the up-down algorithm (Hinton, Osindero & Teh 2006, appendix B).

    The DBN's lower layers have untied weights: ``recognition[l]`` (its ``W`` and
    ``b_hid``) gives ``q(h^{l+1} | h^l)``, ``generative[l]`` (its ``W``, ``b_vis`` and
    ``visible``) gives ``p(h^l | h^{l+1})``; ``top`` is the top RBM (tied). All three are
    updated in place, every statistic computed from the parameters before the step:

    * up (wake) pass: ``h^{l+1} ~ q(. | h^l)`` from the data; each generative layer
      takes a delta-rule step towards predicting the wake states below it,
      ``dW_gen = lr * mean((h^{l+1})^T (h^l - E_p[h^l | h^{l+1}]))``;
    * the top RBM takes a CD-``k`` step started from the wake states of its visible layer;
    * down (sleep) pass from the negative-phase visible states of the top RBM through the
      generative weights (states sampled, the bottom layer's means, as in the paper);
      each recognition layer takes a delta-rule step towards predicting the sleep states
      above it, ``dW_rec = lr * mean((h^{l+1} - q(h^{l+1} | h^l))^T h^l)``.

    With no lower layers (a one-RBM DBN) this is :func:`~skdeep.nn.rbm.cd_update_`.

    With ``labels`` (one-hot rows, shape (n, n_classes)) the top RBM's visible layer is
    the wake states joined to the labels, a softmax group (the digit model of Hinton et
    al. 2006): the positive phase clamps the labels, the negative phase samples them.

    Parameters
    ----------
    recognition, generative : sequence of modules
        The ``L - 1`` lower layers, bottom first (modules with ``W`` of shape
        (n_hid, n_vis), ``b_vis``, ``b_hid``, ``visible``).
    top : module
        The top RBM.
    v : tensor of shape (n, n_vis)
    learning_rate : float
    k : int
        Gibbs steps of the top RBM's CD.
    generator : torch.Generator or None

    Returns
    -------
    cost : 0-d tensor
        The wake pass's ``-mean log p(v | h^1)`` under the generative weights before the
        step (for one RBM, the CD free-energy gap); no host synchronisation.
    """
    if len(recognition) != len(generative):
        raise ValueError("recognition and generative must have the same length; got "
                         f"{len(recognition)} and {len(generative)}.")
    lr = float(learning_rate)
    n_labels = 0 if labels is None else labels.shape[1]
    if not recognition:
        v_top = v if labels is None else torch.cat([v, labels.to(v.dtype)], dim=1)
        _, cost = cd_update_(top.W, top.b_vis, top.b_hid, v_top, learning_rate=lr, k=k,
                             visible=top.visible, generator=generator, n_softmax=n_labels)
        return cost
    n = v.shape[0]
    # up pass: stochastic states through the recognition weights
    wake = [v]
    for rec in recognition:
        wake.append(bernoulli(torch.sigmoid(hidden_preactivation(wake[-1], rec.W, rec.b_hid)),
                              generator))
    # generative predictions of the wake states (before any update)
    gen_pre = [visible_preactivation(wake[i + 1], g.W, g.b_vis)
               for i, g in enumerate(generative)]
    cost = -_log_visible_given_hidden(v, gen_pre[0], generative[0].visible).mean()
    # top RBM: CD-k from the wake states of its visible layer
    v_pos = wake[-1] if labels is None else torch.cat([wake[-1], labels.to(v.dtype)], dim=1)
    h_pos, h = sample_h_given_v(v_pos, top.W, top.b_hid, generator)
    for _ in range(k):
        _, v_neg = sample_v_given_h(h, top.W, top.b_vis, "bernoulli", generator, n_labels)
        h_neg, h = sample_h_given_v(v_neg, top.W, top.b_hid, generator)
    # down pass from the top RBM's negative-phase visible states (labels left out)
    sleep = [v_neg[:, :v_neg.shape[1] - n_labels]]
    for i in range(len(generative) - 1, -1, -1):
        g = generative[i]
        mean, state = sample_v_given_h(sleep[0], g.W, g.b_vis, g.visible, generator)
        sleep.insert(0, mean if i == 0 else state)
    rec_pred = [torch.sigmoid(hidden_preactivation(sleep[i], r.W, r.b_hid))
                for i, r in enumerate(recognition)]
    a = lr / n
    for i, g in enumerate(generative):
        below = wake[i]
        err = below - (torch.sigmoid(gen_pre[i]) if g.visible == "bernoulli" else gen_pre[i])
        g.W.addmm_(wake[i + 1].t(), err, alpha=a)
        g.b_vis.add_(err.sum(0), alpha=a)
    top.W.addmm_(h_pos.t(), v_pos, alpha=a).addmm_(h_neg.t(), v_neg, alpha=-a)
    top.b_vis.add_(v_pos.sum(0) - v_neg.sum(0), alpha=a)
    top.b_hid.add_(h_pos.sum(0) - h_neg.sum(0), alpha=a)
    for i, r in enumerate(recognition):
        err = sleep[i + 1] - rec_pred[i]
        r.W.addmm_(err.t(), sleep[i], alpha=a)
        r.b_hid.add_(err.sum(0), alpha=a)
    return cost


# ---------------------------------------------------------------------- sampling
@torch.no_grad()
def sample_dbn(rbms, n_samples, *, n_gibbs, generator=None, start=None, labels=None,
               n_labels=0):
    """Ancestral sampling from a DBN: block Gibbs in the top RBM, then one down-pass.

    Parameters
    ----------
    rbms : sequence of modules
        The generative model bottom first: the directed layers' ``W``/``b_vis`` give
        ``p(h^l | h^{l+1})``, the last module is the top RBM.
    n_samples : int
    n_gibbs : int
        Gibbs steps in the top RBM.
    generator : torch.Generator or None
    start : tensor of shape (n_visible_top - n_labels,) or (n_samples, ...), or None
        Probabilities from which the chains' starting states of the top RBM's visible
        layer (without labels) are drawn, shared or one row per chain; None draws them
        uniformly.
    labels : tensor of shape (n_samples, n_labels) or None
        One-hot labels clamped in the top RBM's visible layer for the whole chain; None
        with ``n_labels > 0`` samples them with the rest (a softmax group).
    n_labels : int
        Label units at the end of the top RBM's visible layer.

    Returns
    -------
    mean, state : tensors of shape (n_samples, n_visible)
        The bottom layer's mean given the sampled layer above it, and a sample of it.
    """
    top = rbms[-1]
    dtype, device = top.W.dtype, top.W.device
    n_feat = top.W.shape[1] - n_labels
    if labels is not None and tuple(labels.shape) != (n_samples, n_labels):
        raise ValueError(f"labels must have shape ({n_samples}, {n_labels}); got "
                         f"{tuple(labels.shape)}.")
    p0 = (torch.full((n_feat,), 0.5, dtype=dtype, device=device) if start is None
          else start.to(device=device, dtype=dtype)[..., :n_feat])
    v = bernoulli(p0.expand(n_samples, n_feat), generator)
    if n_labels:
        if labels is None:
            uniform = torch.full((n_samples, n_labels), 1.0 / n_labels, dtype=dtype,
                                 device=device)
            labels_now = one_hot_sample(uniform, generator)
        else:
            labels = labels_now = labels.to(device=device, dtype=dtype)
        v = torch.cat([v, labels_now], dim=1)
    mean = v
    for _ in range(n_gibbs):
        _, h = sample_h_given_v(v, top.W, top.b_hid, generator)
        mean, v = sample_v_given_h(h, top.W, top.b_vis, top.visible, generator, n_labels)
        if labels is not None:
            v[:, n_feat:] = labels
    state, mean = v[:, :n_feat], mean[:, :n_feat]
    for rbm in reversed(list(rbms[:-1])):
        mean, state = sample_v_given_h(state, rbm.W, rbm.b_vis, rbm.visible, generator)
    return mean, state


def label_log_proba(features, top, n_labels):
    """``log p(y | features)`` under a top RBM whose visible layer ends with a label group.

    Exactly the softmax over classes of ``-F(features, e_y)``, the top RBM's free energy
    with label ``y`` clamped (the visible term of the features is the same for every
    class and cancels).

    Parameters
    ----------
    features : tensor of shape (n, n_visible_top - n_labels)
        The penultimate layer's up-pass probabilities (or states).
    top : module
        The top RBM (``W`` of shape (n_hid, n_features + n_labels)).
    n_labels : int

    Returns
    -------
    tensor of shape (n, n_labels)
    """
    n_feat = top.W.shape[1] - n_labels
    pre = hidden_preactivation(features, top.W[:, :n_feat], top.b_hid)       # (n, n_hid)
    per_class = pre[:, None, :] + top.W[:, n_feat:].t()[None]                 # (n, C, n_hid)
    neg_free = F.softplus(per_class).sum(-1) + top.b_vis[n_feat:]
    return torch.log_softmax(neg_free, dim=-1)
