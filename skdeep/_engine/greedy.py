"""Greedy layer-wise pretraining of RBM stacks: each layer trained on the one below."""
from __future__ import annotations

import torch

from ..nn.rbm import RBMModule, cd_update_
from .device import n_threads_for, threads
from .loop import Stages, train

__all__ = ["pretrain_rbm_stack"]


@torch.no_grad()
def pretrain_rbm_stack(X, sizes, *, ks, epochs, learning_rate, batch_size, persistent,
                       generator, init_generator, visible_units="bernoulli", verbose=0,
                       stages=None):
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
    """
    stages = Stages() if stages is None else stages
    rbms, curves = [], []
    data = X
    for i, (size, k) in enumerate(zip(sizes, ks)):
        units = visible_units if i == 0 else "bernoulli"
        module = RBMModule(data.shape[1], size, units, init_generator).to(data.device)
        batch = min(batch_size, data.shape[0])
        chain = {"h": torch.zeros(batch, size, device=data.device)}

        def step(xb, module=module, k=k, chain=chain, units=units):
            new, cost = cd_update_(
                module.W, module.b_vis, module.b_hid, xb, learning_rate=learning_rate,
                k=k, chain=chain["h"] if persistent else None, visible=units,
                generator=generator)
            if persistent:
                chain["h"] = new
            return cost

        n_threads = (n_threads_for(batch, data.shape[1], size)
                   if data.device.type == "cpu" else None)
        with threads(n_threads):
            history = stages.record(train(
                module, step, (data,), batch_size=batch, max_iter=stages.epochs(epochs),
                generator=generator, shuffle=True, stop_on_loss=False, verbose=verbose,
                desc=f"pretrain layer {i + 1}"))
        curves.append(history.loss_curve)
        rbms.append(module)
        if i < len(sizes) - 1:
            data = torch.cat([module(data[s:s + 8192]) for s in range(0, data.shape[0], 8192)])
    return rbms, curves
