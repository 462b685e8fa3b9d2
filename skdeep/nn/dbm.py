"""Deep Boltzmann machine math, as plain functions of explicit tensors.

Pure torch, no autograd and no scikit-learn. A binary DBM with layers ``h^0 = v, h^1,
..., h^{L-1}`` (``L >= 3``) is given by two lists:

``Ws``
    ``Ws[i]`` of shape ``(n_i, n_{i+1})`` couples layer ``i`` to layer ``i + 1``
    (scikit-learn's MLP ``coefs_`` layout, visible layer first).
``bs``
    ``bs[i]`` of shape ``(n_i,)``, the biases of layer ``i`` (one more than ``Ws``).

with the energy ``E(h^0, ..., h^{L-1}) = -sum_i h^i Ws[i] h^{i+1} - sum_i bs[i].h^i``.
Layers of one parity are conditionally independent given the other parity, so block
Gibbs sampling alternates odd and even layers, and a parity can be summed out in closed
form (:func:`log_sum_out`): AIS (:mod:`skdeep.nn.dbm_ais`) anneals the even layers only
(Salakhutdinov & Hinton 2009) and exact enumeration visits the smaller parity.

Training updates (:func:`pcd_update_`, :func:`pretrain_cd_update_`) are hand-derived
matmuls applied in place under ``torch.no_grad()``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .rbm import (
    MAX_EXACT_UNITS,
    _enumerate_chunks,
    bernoulli,
    hidden_preactivation,
    visible_preactivation,
)

__all__ = [
    "layer_input", "mean_field", "mean_field_residual", "gibbs_sweep", "pcd_update_",
    "pretrain_cd_update_", "energy", "log_sum_out", "exact_parity",
    "log_partition_exact", "log_unnormalised_exact", "variational_bound_unnormalised",
    "DBMDiscriminativeNet",
]


def _check_layers(Ws, bs):
    if len(Ws) < 2 or len(bs) != len(Ws) + 1:
        raise ValueError("a DBM needs at least two hidden layers: len(Ws) >= 2 and "
                         f"len(bs) == len(Ws) + 1; got {len(Ws)} and {len(bs)}.")


def layer_input(states, Ws, bs, i):
    """The pre-activation ``bs[i] + h^{i-1} Ws[i-1] + h^{i+1} Ws[i]^T`` of layer ``i``
    given its neighbours in ``states`` (a list of ``(n, n_j)`` tensors)."""
    pre = bs[i]
    if i > 0:
        pre = torch.addmm(pre, states[i - 1], Ws[i - 1]) if pre.dim() == 1 else \
            pre + states[i - 1] @ Ws[i - 1]
    if i + 1 < len(states):
        pre = torch.addmm(pre, states[i + 1], Ws[i].t()) if pre.dim() == 1 else \
            pre + states[i + 1] @ Ws[i].t()
    return pre


# ---------------------------------------------------------------------------- mean field
def mean_field(v, Ws, bs, *, n_iter=5, damping=0.0, return_terms=False):
    """Mean-field posteriors ``q(h^i_j = 1) = mu^i_j`` of the hidden layers given ``v``.

    Initialised by one bottom-up pass with doubled input to every layer but the top
    (the recognition pass of Salakhutdinov & Hinton, which stands in for the missing
    top-down input), then ``n_iter`` sweeps of the fixed-point equations
    ``mu^i <- damping mu^i + (1 - damping) sigmoid(layer_input(mu, i))``, layers in
    order from the bottom. The visible term ``v Ws[0]`` is computed once.

    Returns
    -------
    mus : list of tensors
        ``[v, mu^1, ..., mu^{L-1}]``.
    coupling : tensor of shape (n,), only with ``return_terms``
        ``sum_i mu^i Ws[i] mu^{i+1}`` at the returned values, from the last sweep's
        bottom-up products (no extra matmul): the monitoring cost of training uses it.
    """
    _check_layers(Ws, bs)
    L = len(bs)
    v_up = v @ Ws[0]
    mus = [v]
    x = v_up
    for i in range(1, L):
        scale = 1.0 if i == L - 1 else 2.0
        mus.append(torch.sigmoid(bs[i] + scale * x))
        if i + 1 < L:
            x = mus[i] @ Ws[i]
    ups = [None] * L
    for _ in range(int(n_iter)):
        for i in range(1, L):
            up = v_up if i == 1 else mus[i - 1] @ Ws[i - 1]
            ups[i] = up
            pre = bs[i] + up
            if i + 1 < L:
                pre = pre + mus[i + 1] @ Ws[i].t()
            new = torch.sigmoid(pre)
            mus[i] = new if not damping else torch.lerp(new, mus[i], float(damping))
    if not return_terms:
        return mus
    if ups[1] is None:                       # no sweep: the products are computed now
        ups = [None, v_up] + [mus[i - 1] @ Ws[i - 1] for i in range(2, L)]
    coupling = sum((ups[i] * mus[i]).sum(-1) for i in range(1, L))
    return mus, coupling


def mean_field_residual(mus, Ws, bs):
    """``max |mu^i - sigmoid(layer_input(mu, i))|`` over the hidden layers: zero at a
    fixed point of the mean-field equations."""
    return max((mus[i] - torch.sigmoid(layer_input(mus, Ws, bs, i))).abs().max().item()
               for i in range(1, len(mus)))


def _entropy(mu):
    """Entropy of independent Bernoullis, per row (0 log 0 = 0)."""
    return -(torch.xlogy(mu, mu) + torch.xlogy(1 - mu, 1 - mu)).sum(-1)


def variational_bound_unnormalised(mus, Ws, bs):
    """``-E_q[E(v, h)] + H(q)`` per row: the mean-field bound on ``log p(v) + log Z``."""
    out = sum(torch.mv(m, b) for m, b in zip(mus, bs))
    out = out + sum(((mus[i] @ Ws[i]) * mus[i + 1]).sum(-1) for i in range(len(Ws)))
    return out + sum(_entropy(m) for m in mus[1:])


# ---------------------------------------------------------------------------- Gibbs
def _sample_parity(states, Ws, bs, parity, generator, start=0):
    probs = {}
    for i in range(parity, len(states), 2):
        if i < start:
            continue
        p = torch.sigmoid(layer_input(states, Ws, bs, i))
        probs[i] = p
        states[i] = bernoulli(p, generator)
    return probs


def gibbs_sweep(states, Ws, bs, generator=None, k=1, clamp_visible=False):
    """``k`` block Gibbs sweeps: the odd layers given the even ones, then the even ones.

    ``states`` (a list of ``(n, n_i)`` tensors, visible first) is replaced in place.
    Returns the probabilities of the even layers of the last sweep, ``{i: p(h^i | odd)}``
    (Rao-Blackwellised statistics for the pairwise terms).
    """
    probs = {}
    for _ in range(int(k)):
        _sample_parity(states, Ws, bs, 1, generator)
        probs = _sample_parity(states, Ws, bs, 0, generator, start=2 if clamp_visible else 0)
    return probs


# ---------------------------------------------------------------------------- training
@torch.no_grad()
def pcd_update_(Ws, bs, v, particles, *, learning_rate, n_mean_field=5, damping=0.0, k=1,
                weight_decay=0.0, generator=None):
    """One joint-training update: mean-field positive phase, PCD negative phase.

    The data statistics are those of the mean-field posteriors of ``v``; the model's are
    those of the persistent fantasy ``particles`` (a list of ``(n_particles, n_i)``
    binary tensors, visible first, updated in place) after ``k`` block Gibbs sweeps, with
    the even layers' conditional probabilities in place of their samples::

        dWs[i] = lr * (mu^i^T mu^{i+1} / n - s^i^T s^{i+1} / N) - lr * wd * Ws[i]
        dbs[i] = lr * (mean mu^i - mean s^i)

    Returns the batch's mean-field free energy ``-mean(bound + log Z)``, a 0-d tensor (a
    monitoring cost; it shifts with ``log Z`` as the model learns).
    """
    lr = float(learning_rate)
    mus, coupling = mean_field(v, Ws, bs, n_iter=n_mean_field, damping=damping,
                               return_terms=True)
    cost = -(coupling + sum(torch.mv(m, b) for m, b in zip(mus, bs))
             + sum(_entropy(m) for m in mus[1:])).mean()
    probs = gibbs_sweep(particles, Ws, bs, generator, k=k)
    neg = [probs.get(i, s) for i, s in enumerate(particles)]
    n, n_neg = v.shape[0], particles[0].shape[0]
    for i, W in enumerate(Ws):
        W.addmm_(mus[i].t(), mus[i + 1], beta=1.0 - lr * weight_decay, alpha=lr / n)
        W.addmm_(neg[i].t(), neg[i + 1], alpha=-lr / n_neg)
    for i, b in enumerate(bs):
        b.add_(mus[i].mean(0) - neg[i].mean(0), alpha=lr)
    return cost


@torch.no_grad()
def pretrain_cd_update_(W, b_vis, b_hid, v_pos, *, learning_rate, up=1.0, down=1.0,
                        generator=None):
    """One CD-1 update of an RBM whose conditionals scale the weights:
    ``p(h | v) = sigmoid(b_hid + up W v)``, ``p(v | h) = sigmoid(b_vis + down W^T h)``.

    ``W`` is in the RBM layout ``(n_hid, n_vis)``. ``up = 2`` is the DBM's first layer
    (two tied copies of the visible units stand in for the input the layer above will
    give), ``down = 2`` its last. Returns the batch's squared reconstruction error
    ``mean ||v - E[v | h]||^2`` (a 0-d tensor).
    """
    lr = float(learning_rate)
    h_pos = torch.sigmoid(hidden_preactivation(v_pos, up * W, b_hid))
    h = bernoulli(h_pos, generator)
    v_mean = torch.sigmoid(visible_preactivation(h, down * W, b_vis))
    v_neg = bernoulli(v_mean, generator)
    h_neg = torch.sigmoid(hidden_preactivation(v_neg, up * W, b_hid))
    cost = (v_pos - v_mean).pow(2).sum(-1).mean()
    n = v_pos.shape[0]
    W.addmm_(h_pos.t(), v_pos, alpha=lr / n).addmm_(h_neg.t(), v_neg, alpha=-lr / n)
    b_vis.add_(v_pos.mean(0) - v_neg.mean(0), alpha=lr)
    b_hid.add_(h_pos.mean(0) - h_neg.mean(0), alpha=lr)
    return cost


# ---------------------------------------------------------------------------- energies
def energy(states, Ws, bs):
    """``E(h^0, ..., h^{L-1})`` per row."""
    out = -sum(torch.mv(s, b) for s, b in zip(states, bs))
    return out - sum(((states[i] @ Ws[i]) * states[i + 1]).sum(-1) for i in range(len(Ws)))


def log_sum_out(states, Ws, bs):
    """``log sum exp(-E)`` over the layers whose entry in ``states`` is None.

    The summed layers must not be adjacent (then they are conditionally independent
    given the others and each unit contributes ``softplus`` of its input). The given
    layers' rows broadcast: one row per configuration.
    """
    L = len(bs)
    out = 0.0
    for i in range(L):
        s = states[i]
        if s is None:
            if (i > 0 and states[i - 1] is None) or (i + 1 < L and states[i + 1] is None):
                raise ValueError("log_sum_out sums out non-adjacent layers only.")
            pre = bs[i]
            if i > 0:
                pre = pre + states[i - 1] @ Ws[i - 1]
            if i + 1 < L:
                pre = pre + states[i + 1] @ Ws[i].t()
            out = out + F.softplus(pre).sum(-1)
        else:
            out = out + torch.mv(s, bs[i])
            if i + 1 < L and states[i + 1] is not None:
                out = out + ((s @ Ws[i]) * states[i + 1]).sum(-1)
    return out


def exact_parity(sizes, clamp_visible=False):
    """The parity (0: even, 1: odd layers) that exact enumeration visits, and its units.

    The smaller one; with the visible layer clamped its units are not enumerated.
    """
    even = sum(s for i, s in enumerate(sizes) if i % 2 == 0 and not (clamp_visible and i == 0))
    odd = sum(s for i, s in enumerate(sizes) if i % 2 == 1)
    return (0, even) if even <= odd else (1, odd)


def _check_enumerable(n_units):
    if n_units > MAX_EXACT_UNITS:
        raise ValueError(
            f"Exact enumeration of this DBM visits 2**{n_units} states of its smaller "
            f"parity of layers, too many (at most {MAX_EXACT_UNITS} units); use "
            "method='ais'.")


def _split(states, sizes, layers):
    out, start = {}, 0
    for i in layers:
        out[i] = states[:, start:start + sizes[i]]
        start += sizes[i]
    return out


@torch.no_grad()
def log_partition_exact(Ws, bs):
    """``log Z`` by enumerating the smaller parity of layers (float64), the other summed
    out in closed form; refused above :data:`~skdeep.nn.rbm.MAX_EXACT_UNITS` units."""
    _check_layers(Ws, bs)
    Ws, bs = [W.double() for W in Ws], [b.double() for b in bs]
    sizes = [b.shape[0] for b in bs]
    parity, n_enum = exact_parity(sizes)
    _check_enumerable(n_enum)
    layers = list(range(parity, len(sizes), 2))
    terms = []
    for chunk in _enumerate_chunks(n_enum, torch.float64, bs[0].device):
        part = _split(chunk, sizes, layers)
        terms.append(torch.logsumexp(log_sum_out(
            [part.get(i) for i in range(len(sizes))], Ws, bs), 0))
    return torch.logsumexp(torch.stack(terms), 0).item()


@torch.no_grad()
def log_unnormalised_exact(v, Ws, bs, rows_per_chunk=2 ** 18):
    """``log sum_h exp(-E(v, h))`` per row of ``v`` (float64), by enumerating the smaller
    parity of the hidden layers; ``log p(v)`` is this minus ``log Z``."""
    _check_layers(Ws, bs)
    Ws, bs, v = [W.double() for W in Ws], [b.double() for b in bs], v.double()
    sizes = [b.shape[0] for b in bs]
    parity, n_enum = exact_parity(sizes, clamp_visible=True)
    _check_enumerable(n_enum)
    layers = [i for i in range(parity, len(sizes), 2) if i > 0]
    n = v.shape[0]
    n_states = 2 ** n_enum
    out = torch.empty(n, dtype=torch.float64, device=v.device)
    per = max(1, rows_per_chunk // n_states)
    if n_enum == 0:
        return log_sum_out([v] + [None] * (len(sizes) - 1), Ws, bs)
    for chunk in _enumerate_chunks(n_enum, torch.float64, v.device, chunk=n_states):
        for s in range(0, n, per):
            vb = v[s:s + per]
            m = vb.shape[0]
            part = _split(chunk.repeat(m, 1), sizes, layers)
            states = [vb.repeat_interleave(n_states, 0)] + [part.get(i) for i in
                                                            range(1, len(sizes))]
            out[s:s + m] = torch.logsumexp(log_sum_out(states, Ws, bs).view(m, n_states), 1)
    return out


class DBMDiscriminativeNet(torch.nn.Module):
    """The DBM's discriminative network (Salakhutdinov & Hinton 2009, section 4).

    The input is ``v`` concatenated with the mean-field posteriors ``q(h^2 | v)`` of a
    frozen DBM (kept as buffers: they are features, not trained). The first sigmoid
    layer sees both, as the DBM's ``h^1`` hears ``v`` and ``h^2``; the layers above
    form a chain ``h^{i+1} = sigmoid(W_i^T h^i + b_{i+1})``, then a softmax layer.
    :meth:`init_from_dbm` copies the DBM's weights into the hidden layers.

    Parameters
    ----------
    sizes : sequence of int
        Units of the DBM's layers, visible first (at least two hidden layers).
    n_classes : int
    n_mean_field : int
        Mean-field sweeps that compute ``q(h^2 | v)``.
    damping : float
    """

    def __init__(self, sizes, n_classes, *, n_mean_field=10, damping=0.0):
        super().__init__()
        sizes = [int(s) for s in sizes]
        if len(sizes) < 3:
            raise ValueError("A DBM has at least two hidden layers.")
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            self.register_buffer(f"dbm_W{i}", torch.zeros(a, b))
        for i, s in enumerate(sizes):
            self.register_buffer(f"dbm_b{i}", torch.zeros(s))
        self.sizes = sizes
        self.n_mean_field = int(n_mean_field)
        self.damping = float(damping)
        self.hidden = torch.nn.ModuleList(
            [torch.nn.Linear(sizes[0] + sizes[2], sizes[1])]
            + [torch.nn.Linear(a, b) for a, b in zip(sizes[1:-1], sizes[2:])])
        self.out = torch.nn.Linear(sizes[-1], int(n_classes))
        with torch.no_grad():  # the softmax layer starts at zero, as the tutorial's
            self.out.weight.zero_()
            self.out.bias.zero_()

    def _dbm(self):
        n = len(self.sizes)
        return ([getattr(self, f"dbm_W{i}") for i in range(n - 1)],
                [getattr(self, f"dbm_b{i}") for i in range(n)])

    @torch.no_grad()
    def init_from_dbm(self, Ws, bs):
        """Freeze the DBM ``(Ws, bs)`` and initialise the hidden layers from it."""
        own_Ws, own_bs = self._dbm()
        for dst, src in zip(own_Ws + own_bs, list(Ws) + list(bs)):
            dst.copy_(src)
        first = self.hidden[0]
        n_vis = self.sizes[0]
        first.weight[:, :n_vis].copy_(Ws[0].t())
        first.weight[:, n_vis:].copy_(Ws[1])     # h^1's top-down input from q(h^2)
        first.bias.copy_(bs[1])
        for i, layer in enumerate(self.hidden[1:], start=1):
            layer.weight.copy_(Ws[i].t())
            layer.bias.copy_(bs[i + 1])
        return self

    def posteriors(self, v):
        """``q(h^2 | v)`` from the frozen DBM's mean field (no gradient)."""
        Ws, bs = self._dbm()
        with torch.no_grad():
            return mean_field(v, Ws, bs, n_iter=self.n_mean_field, damping=self.damping)[2]

    def forward(self, v):
        h = torch.cat([v, self.posteriors(v).to(v.dtype)], dim=1)
        for layer in self.hidden:
            h = torch.sigmoid(layer(h))
        return self.out(h)
