"""Greedy layer-wise pretraining of RBM stacks (each layer trained on the one below),
and the up-down fine-tuning stage that follows it in a generative DBN."""
from __future__ import annotations

import copy

import torch

from ..nn.dbn import RBMStack, linear_hidden_cd_step_, up_down_update_
from ..nn.rbm import RBMModule, cd_update_
from .batches import TensorSource
from .loop import Stages, train

__all__ = ["pretrain_rbm_stack", "up_down_fine_tune"]


def _momentum_at(momentum, epoch):
    """The momentum of epoch ``epoch`` (1-based): a float, or ``(initial, final,
    n_initial)`` -- ``initial`` for the first ``n_initial`` epochs, ``final`` after."""
    if isinstance(momentum, tuple):
        initial, final, n_initial = momentum
        return initial if epoch <= n_initial else final
    return float(momentum)


@torch.no_grad()
def pretrain_rbm_stack(X, sizes, *, ks, epochs, learning_rate, batch_size, persistent,
                       generator, init_generator, visible_units="bernoulli", verbose=0,
                       stages=None, labels=None, momentum=0.0, weight_decay=0.0,
                       init_std=0.01, sample_reconstruction=True, code_learning_rate=None):
    """Greedy layer-wise training of a stack of RBMs on the device tensor ``X``.

    Each RBM is trained with CD-k (or PCD-k) on the hidden probabilities of the one below.
    The data is propagated through a layer once, when that layer is finished (never
    re-run through the lower layers each epoch, as the tutorial's Theano graph does).

    Returns
    -------
    rbms : list of RBMModule (on X's device)
    loss_curves : list of list of float

    ``stages`` (a :class:`~skdeep._engine.loop.Stages`) records each layer's history;
    after a Ctrl-C the remaining layers are built but not trained.

    ``labels`` (one-hot rows of shape (n, n_classes)) are joined to the top RBM's visible
    layer as a softmax group, so that it models features and labels jointly.

    ``momentum`` (a float, or ``(initial, final, n_initial_epochs)``), ``weight_decay``,
    ``init_std`` (of the initial weights) and ``sample_reconstruction`` go to every
    layer's :func:`~skdeep.nn.rbm.cd_update_`. With ``code_learning_rate`` the top RBM
    has linear (Gaussian) hidden units, the deep autoencoder's code, trained at that rate
    by :func:`~skdeep.nn.dbn.linear_hidden_cd_step_`.
    """
    stages = Stages() if stages is None else stages
    rbms, curves = [], []
    data = X
    for i, (size, k) in enumerate(zip(sizes, ks)):
        units = visible_units if i == 0 else "bernoulli"
        n_softmax = 0
        if labels is not None and i == len(sizes) - 1:
            if units != "bernoulli":
                raise ValueError("label units need a bernoulli visible layer in the top RBM")
            data = torch.cat([data, labels.to(data.dtype)], dim=1)
            n_softmax = labels.shape[1]
        module = RBMModule(data.shape[1], size, units, init_generator,
                           init_std=init_std).to(data.device)
        batch = min(batch_size, data.shape[0])
        state = {"h": torch.zeros(batch, size, device=data.device),
                 "momentum": _momentum_at(momentum, 1),
                 "velocity": (tuple(torch.zeros_like(p) for p in module.parameters())
                              if momentum else None)}
        code = code_learning_rate is not None and i == len(sizes) - 1

        def step(xb, module=module, k=k, state=state, units=units, n_softmax=n_softmax,
                 code=code):
            if code:
                return linear_hidden_cd_step_(
                    module, xb, code_learning_rate, generator, momentum=state["momentum"],
                    velocity=state["velocity"], weight_decay=weight_decay)
            new, cost = cd_update_(
                module.W, module.b_vis, module.b_hid, xb, learning_rate=learning_rate,
                k=k, chain=state["h"] if persistent else None, visible=units,
                momentum=state["momentum"], velocity=state["velocity"],
                weight_decay=weight_decay, generator=generator, n_softmax=n_softmax,
                sample_reconstruction=sample_reconstruction)
            if persistent:
                state["h"] = new
            return cost

        def epoch_end(epoch, state=state):
            state["momentum"] = _momentum_at(momentum, epoch + 1)

        history = stages.record(train(
            module, step, TensorSource(data, reuse_buffers=True), batch_size=batch,
            max_iter=stages.epochs(epochs),
            generator=generator, shuffle=True, stop_on_loss=False, verbose=verbose,
            desc="pretrain code layer" if code else f"pretrain layer {i + 1}",
            epoch_end=epoch_end))
        curves.append(history.loss_curve)
        rbms.append(module)
        if i < len(sizes) - 1:
            data = torch.cat([module(data[s:s + 8192]) for s in range(0, data.shape[0], 8192)])
    return rbms, curves


def up_down_fine_tune(X, rbms, *, k, epochs, learning_rate, batch_size, generator, stages,
                      labels=None, verbose=0):
    """Untie a greedily trained stack and fine-tune it by the up-down algorithm.

    ``rbms`` (bottom first, updated in place) keep the recognition weights of the lower
    layers and the top RBM; the returned :class:`~skdeep.nn.dbn.RBMStack` holds the
    generative weights of the lower layers, initialised from the recognition ones. One
    stage of ``stages``; ``labels`` as in :func:`~skdeep.nn.dbn.up_down_update_`.

    Returns
    -------
    generative : RBMStack
    loss_curve : list of float
        Per epoch, the wake pass's ``-mean log p(x | h^1)`` under the generative weights.
    """
    lower = list(rbms[:-1])
    generative = RBMStack([copy.deepcopy(r) for r in lower]).to(X.device)
    top = rbms[-1]
    both = torch.nn.ModuleList([*rbms, *generative.rbms])
    # the update keeps no batch: each is gathered into the same buffers
    data = TensorSource(*((X,) if labels is None else (X, labels)), reuse_buffers=True)

    def step(xb, yb=None):
        return up_down_update_(lower, list(generative.rbms), top, xb,
                               learning_rate=learning_rate, k=k, generator=generator,
                               labels=yb)

    batch = min(batch_size, X.shape[0])
    history = stages.record(train(
        both, step, data, batch_size=batch, max_iter=stages.epochs(epochs),
        generator=generator, shuffle=True, stop_on_loss=False, verbose=verbose,
        desc="fine-tune (up-down)"))
    return generative.eval(), list(history.loss_curve)
