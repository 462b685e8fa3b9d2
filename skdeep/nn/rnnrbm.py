"""The RNN-RBM of Boulanger-Lewandowski et al. (2012) as a torch module.

At step ``t`` an RBM over the frame ``v_t`` has biases computed from the RNN state
``u_{t-1}``: ``bv_t = bv + u_{t-1} Wuv``, ``bh_t = bh + u_{t-1} Wuh``, and
``u_t = tanh(bu + v_t Wvu + u_{t-1} Wuu)``. The per-frame RBM math (free energy,
conditionals, Gibbs) is :mod:`skdeep.nn.rbm`'s.
"""
from __future__ import annotations

import torch

from . import rbm as F_rbm

__all__ = ["RNNRBMModule"]


class RNNRBMModule(torch.nn.Module):
    """Parameters and frame-wise computations of an RNN-RBM.

    ``W`` is ``(n_hidden, n_visible)`` as in :mod:`skdeep.nn.rbm`.
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

    def frame_biases(self, v):
        """Biases ``(bv_t, bh_t)`` of every frame of padded sequences ``v`` (B, T, V).

        Each frame's biases depend only on earlier frames (teacher forcing), so padding after
        a sequence's end never changes its frames' biases.
        """
        B, T, _ = v.shape
        u = self.bu.new_zeros(B, self.bu.shape[0])  # u_0 = 0
        us = []
        for t in range(T):
            us.append(u)
            u = torch.tanh(self.bu + v[:, t] @ self.Wvu + u @ self.Wuu)
        U = torch.stack(us, dim=1)                   # u_{t-1} for each t
        return self.bv + U @ self.Wuv, self.bh + U @ self.Wuh

    def free_energy(self, v, bv_t, bh_t):
        """Free energy of every frame under its own RBM, shape (B, T)."""
        B, T, V = v.shape
        return F_rbm.free_energy(v.reshape(B * T, V), self.W, bv_t.reshape(B * T, V),
                                 bh_t.reshape(B * T, -1)).reshape(B, T)

    def cd_cost(self, v, mask, k=15, generator=None):
        """The tutorial's cost: mean over real frames of ``F(v_t) - F(v_t^-)``, with
        ``v_t^-`` from ``k`` Gibbs steps started at ``v_t`` (held constant). Its gradient
        is the CD-k estimate for the RBM parameters and, through ``bv_t`` and ``bh_t``,
        for the RNN ones (back-propagation through time)."""
        bv_t, bh_t = self.frame_biases(v)
        B, T, V = v.shape
        with torch.no_grad():
            _, v_neg, _ = F_rbm.gibbs_vhv(v.reshape(B * T, V), self.W,
                                          bv_t.reshape(B * T, V), bh_t.reshape(B * T, -1),
                                          generator=generator, k=k)
        diff = self.free_energy(v, bv_t, bh_t) - self.free_energy(v_neg.reshape(B, T, V),
                                                                  bv_t, bh_t)
        return (diff * mask).sum() / mask.sum()
