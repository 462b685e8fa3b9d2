"""The RNN-RBM of Boulanger-Lewandowski et al. (2012) as a torch module.

At step ``t`` an RBM over the frame ``v_t`` has biases computed from the RNN state
``u_{t-1}``: ``bv_t = bv + u_{t-1} Wuv``, ``bh_t = bh + u_{t-1} Wuh``, and
``u_t = tanh(bu + v_t Wvu + u_{t-1} Wuu)``, from an initial state ``u0`` (zero unless
learned). The per-frame RBM math (free energy, conditionals, Gibbs) is
:mod:`skdeep.nn.rbm`'s and its AIS pieces (base-rate biases, annealing schedule)
:mod:`skdeep.nn.ais`'s; this module adds the recurrence and runs that math batched over
frames, each frame with its own biases.

Sequences of different lengths are batched by padding them to a common length ``T`` with a
``mask`` of shape ``(B, T)`` (1 on real frames). Every frame's biases depend only on earlier
frames, so frames after a sequence's end never change its real frames; costs multiply by the
mask, so padded frames contribute neither to the cost nor to any gradient.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from . import ais as F_ais
from . import rbm as F_rbm

__all__ = ["RNNRBMModule", "frame_log_partition_is", "frame_log_partition_ais",
           "frame_log_partition_exact", "frame_samples", "accuracy_counts"]


class RNNRBMModule(torch.nn.Module):
    """Parameters and frame-wise computations of an RNN-RBM.

    ``W`` is ``(n_hidden, n_visible)`` as in :mod:`skdeep.nn.rbm`; the initial weights are
    ``N(0, init_std**2)`` (the tutorial's 0.01), the biases and ``u0`` zero.

    ``rbm_parameters()`` are ``W, bv, bh``; ``rnn_parameters()`` the rest (``u0`` only
    when it requires gradients: a fixed zero initial state is the tutorial's).
    """

    def __init__(self, n_visible=88, n_hidden=150, n_hidden_recurrent=100, generator=None,
                 init_std=0.01):
        super().__init__()

        def randn(*shape):
            return torch.randn(*shape, generator=generator) * init_std

        self.W = torch.nn.Parameter(randn(n_hidden, n_visible))
        self.bv = torch.nn.Parameter(torch.zeros(n_visible))
        self.bh = torch.nn.Parameter(torch.zeros(n_hidden))
        self.Wuh = torch.nn.Parameter(randn(n_hidden_recurrent, n_hidden))
        self.Wuv = torch.nn.Parameter(randn(n_hidden_recurrent, n_visible))
        self.Wvu = torch.nn.Parameter(randn(n_visible, n_hidden_recurrent))
        self.Wuu = torch.nn.Parameter(randn(n_hidden_recurrent, n_hidden_recurrent))
        self.bu = torch.nn.Parameter(torch.zeros(n_hidden_recurrent))
        self.u0 = torch.nn.Parameter(torch.zeros(n_hidden_recurrent), requires_grad=False)

    def rbm_parameters(self):
        """The frame RBM's own parameters ``W, bv, bh``."""
        return [self.W, self.bv, self.bh]

    def rnn_parameters(self):
        """The recurrent parameters (``u0`` only when it is learned)."""
        out = [self.Wuh, self.Wuv, self.Wvu, self.Wuu, self.bu]
        return out + ([self.u0] if self.u0.requires_grad else [])

    def initial_state(self, n):
        """``u_0`` for ``n`` sequences, (n, R)."""
        return self.u0.expand(n, -1)

    def recurrent_states(self, v):
        """``u_{t-1}`` for every frame ``t`` of ``v`` (B, T, V): shape (B, T, R)."""
        B, T, V = v.shape
        # the input projection of all frames is one matmul; only u @ Wuu is sequential
        inp = torch.addmm(self.bu, v.reshape(B * T, V), self.Wvu).reshape(B, T, -1)
        u = self.initial_state(B)
        us = []
        for t in range(T):
            us.append(u)
            u = torch.tanh(torch.addmm(inp[:, t], u, self.Wuu))
        return torch.stack(us, dim=1)

    def step(self, v_t, u):
        """The next recurrent state ``u_t`` from frame ``v_t`` (n, V) and ``u_{t-1}`` (n, R)."""
        return torch.tanh(self.bu + v_t @ self.Wvu + u @ self.Wuu)

    def biases_from_states(self, U):
        """``(bv_t, bh_t)`` given the previous recurrent states ``U`` (..., R)."""
        return self.bv + U @ self.Wuv, self.bh + U @ self.Wuh

    def frame_biases(self, v):
        """Biases ``(bv_t, bh_t)`` of every frame of padded sequences ``v`` (B, T, V).

        Each frame's biases depend only on earlier frames (teacher forcing), so padding after
        a sequence's end never changes its frames' biases.
        """
        return self.biases_from_states(self.recurrent_states(v))

    def free_energy(self, v, bv_t, bh_t):
        """Free energy of every frame under its own RBM, shape (B, T)."""
        B, T, V = v.shape
        return F_rbm.free_energy(v.reshape(B * T, V), self.W, bv_t.reshape(B * T, V),
                                 bh_t.reshape(B * T, -1)).reshape(B, T)

    @torch.no_grad()
    def negative_samples(self, v, bv_t, bh_t, k=15, generator=None):
        """``v_t^-``: ``k`` block Gibbs steps in each frame's RBM started at ``v_t``."""
        B, T, V = v.shape
        _, v_neg, _ = F_rbm.gibbs_vhv(v.reshape(B * T, V), self.W,
                                      bv_t.detach().reshape(B * T, V),
                                      bh_t.detach().reshape(B * T, -1),
                                      generator=generator, k=k)
        return v_neg.reshape(B, T, V)

    def cost_given_negatives(self, v, v_neg, mask, bv_t, bh_t):
        """Per-sequence sums over real frames of ``F(v_t) - F(v_t^-)``, shape (B,)."""
        diff = self.free_energy(v, bv_t, bh_t) - self.free_energy(v_neg, bv_t, bh_t)
        return (diff * mask).sum(1)

    def cd_cost(self, v, mask, k=15, generator=None):
        """The tutorial's cost: mean over real frames of ``F(v_t) - F(v_t^-)``, with
        ``v_t^-`` from ``k`` Gibbs steps started at ``v_t`` (held constant). Its gradient
        is the CD-k estimate for the RBM parameters and, through ``bv_t`` and ``bh_t``,
        for the RNN ones (back-propagation through time)."""
        bv_t, bh_t = self.frame_biases(v)
        v_neg = self.negative_samples(v, bv_t, bh_t, k=k, generator=generator)
        return self.cost_given_negatives(v, v_neg, mask, bv_t, bh_t).sum() / mask.sum()

    def next_frame_logits(self, v):
        """The RNN read as a next-frame predictor: logits ``bv + u_{t-1} Wuv`` of
        independent sigmoid outputs for every frame of ``v`` (B, T, V).

        These are frame ``t``'s RBM visible biases, so with ``W = 0`` the RNN-RBM is exactly
        this RNN: the recurrent pretraining trains this path alone.
        """
        return self.bv + self.recurrent_states(v) @ self.Wuv

    def next_frame_cross_entropy(self, v, mask):
        """Mean over real frames of ``-log p(v_t | v_<t)`` under :meth:`next_frame_logits`
        (nats per frame, summed over notes)."""
        ce = F.binary_cross_entropy_with_logits(self.next_frame_logits(v), v,
                                                reduction="none").sum(-1)
        return (ce * mask).sum() / mask.sum()

    @torch.no_grad()
    def generate(self, n_steps, n_samples, k, generator=None):
        """``n_samples`` sequences of ``n_steps`` frames, (n_samples, n_steps, V).

        Each frame is ``k`` Gibbs steps in its RBM started at an all-off frame (the
        tutorial's generator), then fed to the RNN.
        """
        u = self.initial_state(n_samples)
        zeros = self.bv.new_zeros(n_samples, self.bv.shape[0])
        out = []
        for _ in range(n_steps):
            bv, bh = self.biases_from_states(u)
            _, v, _ = F_rbm.gibbs_vhv(zeros, self.W, bv, bh, generator=generator, k=k)
            out.append(v)
            u = self.step(v, u)
        return torch.stack(out, 1)


# ---------------------------------------------------------------------------- prediction
@torch.no_grad()
def frame_samples(W, bv, bh, init, n_samples, k, generator=None):
    """``n_samples`` draws from each frame's RBM, shape (N, n_samples, V), binary.

    Each draw ends ``k`` block Gibbs steps started at ``init[i]`` (the previous frame:
    music mostly holds its notes, so such chains reach the likely chords quickly).
    """
    n, V = bv.shape
    S = int(n_samples)
    _, v, _ = F_rbm.gibbs_vhv(init.repeat_interleave(S, 0), W, bv.repeat_interleave(S, 0),
                              bh.repeat_interleave(S, 0), generator=generator, k=k)
    return v.reshape(n, S, V)


def accuracy_counts(pred, target):
    """True positives, false positives and false negatives of binary ``pred`` (N, S, V)
    against ``target`` (N, V), per frame and draw: a (3, N, S) tensor."""
    t = target[:, None, :]
    tp = (pred * t).sum(-1)
    return torch.stack([tp, pred.sum(-1) - tp, t.sum(-1) - tp])


# ---------------------------------------------------------------------------- log Z per frame
@torch.no_grad()
def frame_log_partition_exact(W, bv, bh):
    """Exact ``log Z`` of each frame's RBM (biases ``bv`` (N, V), ``bh`` (N, H)), float64.

    Enumerates the smaller layer with :func:`skdeep.nn.rbm.log_partition_exact`, one frame
    at a time: for tests on tiny models.
    """
    return torch.tensor([F_rbm.log_partition_exact(W, bv[i], bh[i])
                         for i in range(bv.shape[0])], dtype=torch.float64)


@torch.no_grad()
def frame_log_partition_is(W, bv, bh, *, init=None, n_chains=64, n_proposals=128, k=15,
                           flip=0.01, generator=None, chunk=512):
    """Importance-sampling estimates of ``log Z`` for a batch of RBMs sharing ``W``.

    For each frame ``i`` (biases ``bv[i]``, ``bh[i]``): ``n_chains`` Gibbs chains of ``k``
    steps -- every other one started at ``init[i]`` (the previous frame, say; all-off when
    ``init`` is None), the others at an all-off frame -- give samples ``c_1 .. c_S`` of
    that RBM; the proposal is the mixture::

        q(v) = 1/S sum_s prod_j flip^[v_j != c_sj] (1 - flip)^[v_j = c_sj]

    (each sample with every note flipped independently with probability ``flip``), whose
    density is exact and which, unlike a factorised base model, has the several modes
    (chords) of a frame's distribution. ``Z`` is estimated by ``mean_m exp(-F(v_m)) / q(v_m)`` over
    ``n_proposals`` draws ``v_m ~ q``: unbiased whatever the chains' mixing, since ``q``
    gives every state positive probability.

    Returns
    -------
    log_z : tensor (N,) float64
        The log of that unbiased estimate: biased low in expectation (Jensen), by about
        half the variance of the log-weights; the bias shrinks as ``n_proposals`` and
        ``n_chains`` grow.
    """
    if not 0 < flip < 0.5:
        raise ValueError(f"flip must be in (0, 0.5), got {flip}")
    N, V = bv.shape
    S, M = int(n_chains), int(n_proposals)
    log_f, log_nf = math.log(flip), math.log1p(-flip)
    out = []
    for start in range(0, N, chunk):
        b_v, b_h = bv[start:start + chunk], bh[start:start + chunk]
        n = b_v.shape[0]
        v0 = b_v.new_zeros(n, S, V)
        if init is not None:
            v0[:, ::2] = init[start:start + chunk, None].to(v0.dtype)
        _, c, _ = F_rbm.gibbs_vhv(v0.reshape(n * S, V), W, b_v.repeat_interleave(S, 0),
                                  b_h.repeat_interleave(S, 0), generator=generator, k=k)
        c = c.reshape(n, S, V)
        comp = torch.randint(0, S, (n, M), generator=generator, device=c.device)
        centre = torch.gather(c, 1, comp[..., None].expand(n, M, V))
        flips = F_rbm.bernoulli(torch.full((n, M, V), flip, dtype=c.dtype, device=c.device),
                                generator)
        v = (centre - flips).abs_()
        # Hamming distance of every draw to every centre: |v| + |c| - 2 v.c
        d = v.sum(-1, keepdim=True) + c.sum(-1)[:, None, :] - 2 * v @ c.transpose(1, 2)
        log_q = torch.logsumexp(d * log_f + (V - d) * log_nf, -1) - math.log(S)
        fe = F_rbm.free_energy(v.reshape(n * M, V), W, b_v.repeat_interleave(M, 0),
                               b_h.repeat_interleave(M, 0)).reshape(n, M)
        log_w = (-fe - log_q).double()
        out.append(torch.logsumexp(log_w, 1) - math.log(M))
    return torch.cat(out) if out else bv.new_zeros(0, dtype=torch.float64)


@torch.no_grad()
def frame_log_partition_ais(W, bv, bh, base_vis, *, n_chains=16, betas=500, generator=None,
                            dtype=torch.float32):
    """AIS estimates of ``log Z`` for a batch of RBMs sharing ``W`` (one per frame).

    The path of :func:`skdeep.nn.ais.ais_log_partition` (Salakhutdinov & Murray 2008), run
    for all frames at once: frame ``i`` anneals from the factorised model with visible
    biases ``base_vis[i]`` (and free hidden units, ``log Z_0 = sum softplus(base_vis[i]) +
    H log 2``) to the RBM ``(W, bv[i], bh[i])``, with ``n_chains`` chains per frame and one
    Gibbs sweep per inverse temperature.

    Parameters
    ----------
    W : tensor (H, V)
    bv, base_vis : tensors (N, V)
    bh : tensor (N, H)
    n_chains : int
    betas : int or 1-D tensor
        Inverse temperatures from 0 to 1, or their number
        (:func:`skdeep.nn.ais.default_betas`).

    Returns
    -------
    log_z : tensor (N,) float64
        ``log mean_chains(w)`` per frame: the log of an unbiased estimate of ``Z``, hence
        biased low in expectation (Jensen), more so with fewer chains and temperatures.
    """
    N, V = bv.shape
    C = int(n_chains)
    W = W.to(dtype)
    a = base_vis.to(device=W.device, dtype=dtype)
    if isinstance(betas, int):
        betas = F_ais.default_betas(max(betas, 3), dtype=torch.float64)
    # chains of frame i are rows i*C .. i*C + C - 1
    a_r = a.repeat_interleave(C, 0)
    v = F_rbm.bernoulli(torch.sigmoid(a_r), generator)
    log_w = F_ais.ais_log_weights(v, W, bv.to(dtype).repeat_interleave(C, 0),
                                  bh.to(dtype).repeat_interleave(C, 0), a_r, betas,
                                  generator=generator)
    n_hid = W.shape[0]
    log_za = F.softplus(a.double()).sum(-1) + n_hid * math.log(2.0)
    log_w = log_w.reshape(N, C)
    return torch.logsumexp(log_w, 1) - math.log(C) + log_za
