"""What the SdA estimators share: greedy layer-wise autoencoder pretraining.

:func:`pretrain_stack` trains a stack of denoising (or contractive) autoencoders one
layer after the other, each on the codes of the one below; ``_SdAStackMixin`` turns the
stack parameters of :class:`~skdeep.SdATransformer`, :class:`~skdeep.SdAClassifier` and
:class:`~skdeep.SdARegressor` (layer sizes, corruption and contraction levels, layer
types) into that call, and ``_STACK_CONSTRAINTS`` validates those parameters;
``_SdANetworkMixin`` builds the finetuned network of the classifier and the regressor.
``pretrain_stack`` is re-exported by :mod:`skdeep.sda`, its public home.
"""
from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._engine.batches import chunked
from ._engine.loop import Stages
from ._network import NeuralNetBase
from .autoencoder import (
    _LAYER_TYPES,
    _check_unit_interval,
    _contraction_levels,
    _contractive_layers,
    _corruption_levels,
    _layer_sizes,
    _train_autoencoder,
)
from .base import DeepEstimator, as_tensor
from .nn.autoencoder import SdA, TiedAutoencoder

__all__ = ["pretrain_stack"]


def pretrain_stack(X_t, sizes, levels, *, loss, learning_rate, batch_size, epochs, seed,
                   shuffle=True, verbose=0, desc="pretrain", contraction_levels=None,
                   stages=None):
    """Greedy layer-wise pretraining of a stack of denoising (or contractive) autoencoders.

    Each layer trains on the previous layer's codes, computed once (in chunks, without
    autograd) when that layer is finished -- not re-encoded from the input every
    minibatch (tutorial tip: transform the data once per layer). The first layer uses
    ``loss``; deeper layers see sigmoid codes in [0, 1] and use cross-entropy.
    ``contraction_levels`` (one per layer, 0 for none) weighs each layer's contractive
    penalty.

    ``stages`` (a :class:`~skdeep._engine.loop.Stages`) records each layer's history;
    after a Ctrl-C the remaining layers are built but not trained.

    Returns ``(autoencoders, loss_curves)``.
    """
    stages = Stages() if stages is None else stages
    device = X_t.device
    contractions = contraction_levels or [0.0] * len(sizes)
    reps, autoencoders, curves = X_t, [], []
    for i, (size, level) in enumerate(zip(sizes, levels)):
        layer_seed = (seed + 7919 * i) % 2_147_483_647
        init_gen = DeepEstimator._generator(layer_seed, "cpu")
        ae = TiedAutoencoder(reps.shape[1], size, loss if i == 0 else "cross_entropy",
                             init_gen).to(device)
        history = stages.record(_train_autoencoder(
            ae, reps, corruption_level=level, contraction_level=contractions[i],
            learning_rate=learning_rate, batch_size=batch_size,
            max_iter=stages.epochs(epochs),
            generator=DeepEstimator._generator(layer_seed, device), shuffle=shuffle,
            verbose=verbose, desc=f"{desc} layer {i + 1}/{len(sizes)}"))
        autoencoders.append(ae)
        curves.append(history.loss_curve)
        if i + 1 < len(sizes):
            with torch.no_grad():  # not inference_mode: the next layer trains on these
                reps = torch.cat([ae.encode(reps[sl]) for sl in
                                  chunked(reps.shape[0], 8192)])
    return autoencoders, curves



class _SdAStackMixin:
    """Shared parameter handling of the SdA transformer and classifier."""

    def _stack_config(self):
        """Layer sizes and corruption levels (0 for the contractive layers)."""
        sizes = _layer_sizes(self.hidden_layer_sizes)
        levels = _corruption_levels(self.corruption_levels, len(sizes))
        contractive = _contractive_layers(self.layer_type, len(sizes))
        _contraction_levels(self.contraction_levels, len(sizes))
        return sizes, [0.0 if c else v for c, v in zip(contractive, levels)]

    def _contraction_config(self):
        """Each layer's contraction level (0 for the denoising layers)."""
        n = len(_layer_sizes(self.hidden_layer_sizes))
        return [v if c else 0.0 for c, v in
                zip(_contractive_layers(self.layer_type, n),
                    _contraction_levels(self.contraction_levels, n))]

    def _pretrain_on(self, X, device, seed, stages=None):
        """The greedy stage, inside a fit that holds the thread policy."""
        sizes, levels = self._stack_config()
        _check_unit_interval(X, self.loss, type(self).__name__)
        X_t = as_tensor(X, device)
        aes, curves = pretrain_stack(
            X_t, sizes, levels, loss=self.loss,
            learning_rate=self.pretrain_learning_rate_init,
            batch_size=self.pretrain_batch_size, epochs=self.pretrain_max_iter,
            seed=seed, shuffle=self.shuffle, verbose=self.verbose,
            desc=type(self).__name__, contraction_levels=self._contraction_config(),
            stages=stages)
        del X_t
        self.pretrain_loss_curves_ = curves
        return aes


_STACK_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
    "corruption_levels": ["array-like", Interval(numbers.Real, 0, 1, closed="left"), None],
    "layer_type": [StrOptions(set(_LAYER_TYPES)), "array-like"],
    "contraction_levels": ["array-like", Interval(numbers.Real, 0, None, closed="left"), None],
    "loss": [StrOptions({"cross_entropy", "squared_error"})],
    "pretrain_max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
    "pretrain_learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
    "pretrain_batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
}


class _SdANetworkMixin(_SdAStackMixin):
    """The pretrained network of the SdA classifier and regressor: the greedy stack,
    then the stack plus an output layer (``n_outputs`` logits or linear targets)."""

    _parameter_constraints: dict = {**NeuralNetBase._parameter_constraints,
                                    **_STACK_CONSTRAINTS}

    def _check_input_shape(self, X):
        self._stack_config()  # bad layer/corruption settings fail before any training

    def _pretrain(self, X, run):
        if not isinstance(X, np.ndarray) and not sp.issparse(X):
            X = np.asarray(X, dtype=np.float32)  # data streamed from disk: pretrain in RAM
        return self._pretrain_on(X, run.device, run.seed, run.stages)

    def _build_module(self, n_features, n_outputs, generator, pretrained=None):
        sizes, _ = self._stack_config()
        return SdA(n_features, sizes, n_outputs, pretrained, generator)
