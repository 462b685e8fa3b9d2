"""The stages of an :class:`skdeep.music.RNNRBM` fit: RBM pretraining on the frames,
next-frame pretraining of the recurrent part, and the optimizer and schedule of the whole
model. The math is :mod:`skdeep.nn.rnnrbm`'s and :mod:`skdeep.nn.rbm`'s; the epochs run in
:func:`skdeep._engine.loop.train`."""
from __future__ import annotations

import torch

from ._engine.greedy import pretrain_rbm_stack
from ._engine.loop import train
from ._engine.optim import AutogradStep, make_optimizer
from .nn.recurrent import length_mask

__all__ = ["pretrain_rbm", "pretrain_rnn", "make_rnnrbm_optimizer", "clipped_step",
           "AdaptiveRates"]


def pretrain_rbm(module, frames, *, n_iter, learning_rate, batch_size, k, generator,
                 init_generator, stages=None, verbose=0):
    """Train ``W, bv, bh`` as one ordinary RBM on the shuffled training frames.

    CD-k by :func:`skdeep._engine.greedy.pretrain_rbm_stack` (the RBM math of
    :mod:`skdeep.nn.rbm`, not a copy). ``Wuv`` and ``Wuh`` are then set to zero, so every
    frame's RBM starts as that RBM, whatever the RNN's state. Returns the loss curve.
    """
    rbms, curves = pretrain_rbm_stack(
        frames, [module.W.shape[0]], ks=[k], epochs=n_iter, learning_rate=learning_rate,
        batch_size=batch_size, persistent=False, generator=generator,
        init_generator=init_generator, verbose=verbose, stages=stages)
    rbm = rbms[0]
    with torch.no_grad():
        module.W.copy_(rbm.W)
        module.bv.copy_(rbm.b_vis)
        module.bh.copy_(rbm.b_hid)
        module.Wuv.zero_()
        module.Wuh.zero_()
    return curves[0]


def pretrain_rnn(module, data, *, solver, learning_rate_init, momentum, nesterovs_momentum,
                 max_iter, batch_size, max_grad_norm, generator, stages=None, verbose=0):
    """Train the RNN as a next-frame predictor with independent sigmoid outputs.

    Minimises :meth:`~skdeep.nn.rnnrbm.RNNRBMModule.next_frame_cross_entropy` over
    ``Wvu, Wuu, bu`` (and ``u0`` when it is learned) and the output path ``Wuv, bv``, by
    back-propagation through time. Returns the per-epoch cross-entropy (nats per frame).
    """
    params = [module.bv, module.Wuv, module.Wvu, module.Wuu, module.bu]
    if module.u0.requires_grad:
        params.append(module.u0)
    autograd_step = AutogradStep(
        make_optimizer(solver, params, learning_rate_init, momentum,
                       nesterovs_momentum=nesterovs_momentum),
        max_grad_norm=max_grad_norm)

    def step(vb, lengths):
        mask = length_mask(lengths, vb.shape[1], vb.device, vb.dtype)
        return autograd_step(module.next_frame_cross_entropy(vb, mask))

    history = train(module, step, data, batch_size=batch_size,
                    max_iter=max_iter if stages is None else stages.epochs(max_iter),
                    generator=generator, stop_on_loss=False, verbose=verbose,
                    desc="pretrain RNN")
    if stages is not None:
        stages.record(history)
    # the pretraining's gradients must not leak into the first step of the next stage
    for p in params:
        p.grad = None
    return history.loss_curve


def make_rnnrbm_optimizer(module, *, solver, learning_rate_init, rnn_learning_rate_init,
                          momentum, nesterovs_momentum):
    """One optimizer, two parameter groups: the RBM's ``W, bv, bh`` at
    ``learning_rate_init``, the RNN's at ``rnn_learning_rate_init`` (None: the same)."""
    rnn_lr = learning_rate_init if rnn_learning_rate_init is None else rnn_learning_rate_init
    groups = [{"params": module.rbm_parameters(), "lr": float(learning_rate_init)},
              {"params": module.rnn_parameters(), "lr": float(rnn_lr)}]
    return make_optimizer(solver, groups, learning_rate_init, momentum,
                          nesterovs_momentum=nesterovs_momentum)


def clipped_step(module, optimizer, k, generator, max_grad_norm):
    """The step of the whole model: the CD cost, BPTT, optional gradient-norm clipping."""
    autograd_step = AutogradStep(optimizer, max_grad_norm=max_grad_norm)

    def step(vb, lengths):
        mask = length_mask(lengths, vb.shape[1], vb.device, vb.dtype)
        return autograd_step(module.cd_cost(vb, mask, k=k, generator=generator))

    return step


class AdaptiveRates:
    """scikit-learn's ``learning_rate="adaptive"``, for every solver and both parameter
    groups: on a plateau of the validation score each group's rate is divided by 5 and
    training goes on from the best weights so far, until the RBM's rate falls below
    1e-6."""

    def __init__(self, optimizer, schedule):
        self.optimizer = optimizer
        self.schedule = schedule
        self.n_decays = 0

    def on_plateau(self):
        if self.schedule != "adaptive":
            return False
        groups = self.optimizer.param_groups
        if groups[0]["lr"] / 5.0 < 1e-6:
            return False
        for g in groups:
            g["lr"] = g["lr"] / 5.0
        self.n_decays += 1
        return True
