"""Deep belief networks in torch: RBM stacks, the unrolled deep autoencoder, the CD
step of an RBM with linear hidden units (the deep autoencoder's code layer), up-down
fine-tuning, ancestral sampling, and the label posterior of a top RBM with label units.
The variational lower bound on a DBN's log-likelihood is :mod:`skdeep.nn.dbn_bound`'s.

Pure torch; nothing here imports scikit-learn.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .dbn_bound import _log_visible_given_hidden
from .rbm import (
    bernoulli,
    cd_update_,
    hidden_preactivation,
    one_hot_sample,
    sample_h_given_v,
    sample_v_given_h,
    visible_preactivation,
)

__all__ = ["RBMStack", "UnrolledAutoencoder", "linear_hidden_cd_step_",
           "up_down_update_", "sample_dbn", "label_log_proba"]


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
def linear_hidden_cd_step_(rbm, v_pos, lr, generator, *, momentum=0.0, velocity=None,
                           weight_decay=0.0):
    """CD-1 for an RBM with linear (unit-variance Gaussian) hidden units.

    Hinton & Salakhutdinov (2006) give the code layer of the deep autoencoder linear
    units: ``h | v ~ N(b_hid + W v, 1)``, ``p(v = 1 | h) = sigmoid(b_vis + h W)``. As in
    their ``rbmhidlinear.m``: the positive statistics use the hidden means, the
    reconstruction is the visible probabilities given a noisy hidden sample, and the
    negative statistics use the hidden means given that reconstruction::

        dW     = lr * ((h_pos^T v_pos - h_neg^T v_neg) / n - weight_decay * W)
        db_vis = lr * mean(v_pos - v_neg)
        db_hid = lr * mean(h_pos - h_neg)

    With ``momentum > 0`` the step goes through ``velocity`` (three tensors shaped like
    ``W, b_vis, b_hid``, updated in place): ``vel = momentum * vel + step``.

    Returns
    -------
    cost : 0-d tensor
        The squared reconstruction error per row (no host synchronisation).
    """
    W, b, c = rbm.W, rbm.b_vis, rbm.b_hid
    h_pos = hidden_preactivation(v_pos, W, c)
    h = h_pos + torch.randn(h_pos.shape, generator=generator, device=h_pos.device,
                            dtype=h_pos.dtype)
    v_neg = torch.sigmoid(visible_preactivation(h, W, b))
    h_neg = hidden_preactivation(v_neg, W, c)
    n = v_pos.shape[0]
    dW = torch.mm(h_pos.t(), v_pos).addmm_(h_neg.t(), v_neg, alpha=-1.0)
    dW.mul_(1.0 / n)
    if weight_decay:
        dW.add_(W, alpha=-weight_decay)
    db = (v_pos.sum(0) - v_neg.sum(0)).mul_(1.0 / n)
    dc = (h_pos.sum(0) - h_neg.sum(0)).mul_(1.0 / n)
    if momentum:
        for vel, d, p in zip(velocity, (dW, db, dc), (W, b, c)):
            vel.mul_(momentum).add_(d, alpha=lr)
            p.add_(vel)
    else:
        W.add_(dW, alpha=lr)
        b.add_(db, alpha=lr)
        c.add_(dc, alpha=lr)
    return (v_pos - v_neg).pow(2).sum(1).mean()


class UnrolledAutoencoder(torch.nn.Module):
    """Encoder/decoder unrolled from an RBM stack (weights untied for finetuning).

    RBM ``l`` (``W`` of shape (n_hid, n_vis)) gives encoder layer ``l``,
    ``sigmoid(x W^T + b_hid)`` (linear for the top, code layer), and the mirror decoder
    layer ``sigmoid(h W + b_vis)``: the encoder passes each layer's hidden probabilities
    upward, the decoder runs the RBMs' mean-field reconstructions downward, so before
    finetuning ``forward`` is the stack's deterministic up-down reconstruction.
    ``decode_logits`` leaves out the output layer's sigmoid (for a cross-entropy loss on
    logits); ``output="linear"`` makes ``decode`` return them as they are.
    """

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
