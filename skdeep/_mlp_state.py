"""The state of the scikit-learn MLP mirrors: fitted attributes and the torch module.

As in scikit-learn, ``coefs_`` and ``intercepts_`` are the model of
:class:`~skdeep.MLPClassifier` and :class:`~skdeep.MLPRegressor`. These helpers of
:class:`~skdeep._mlp.BaseMultilayerPerceptron` build the fitted attributes of a first
fit as a dict (committed only once training succeeds), read the current ones back for a
warm fit or ``partial_fit``, build a :class:`~skdeep.nn.layers.Perceptron` from any
``coefs_``/``intercepts_`` (cached for inference while they are unchanged), and keep
pickles free of that cache and of scikit-learn objects. They live in a mixin of methods
only (no ``__init__``, no parameters) that ``BaseMultilayerPerceptron`` inherits.
"""
from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from .nn.layers import Perceptron

_TORCH = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}


class _PerceptronStateMixin:
    """Fitted state of an MLP mirror (``activation``, ``solver``, ``early_stopping``;
    ``coefs_``, ``intercepts_`` and the other fitted attributes)."""

    def _initial_state(self, Y, layer_units, dtype, seed):
        gen = torch.Generator().manual_seed(seed)
        module = Perceptron(layer_units, self.activation, _TORCH[dtype], gen)
        stochastic = self.solver != "lbfgs"
        early = self.early_stopping
        return {
            "n_iter_": 0, "t_": 0, "n_outputs_": Y.shape[1], "n_layers_": len(layer_units),
            "out_activation_": self._out_activation(Y),
            "coefs_": [layer.weight.detach().numpy().T.copy() for layer in module.layers],
            "intercepts_": [layer.bias.detach().numpy().copy() for layer in module.layers],
            "loss_curve_": [], "_no_improvement_count": 0,
            "validation_scores_": [] if stochastic and early else None,
            "best_validation_score_": -np.inf if stochastic and early else None,
            "best_loss_": None if early else np.inf,
            "_optimizer": None, "_optimizer_state": None,
        }

    def _current_state(self, dtype):
        state = {key: getattr(self, key) for key in (
            "n_iter_", "t_", "n_outputs_", "n_layers_", "out_activation_")}
        state["coefs_"] = [np.asarray(c, dtype=dtype) for c in self.coefs_]
        state["intercepts_"] = [np.asarray(b, dtype=dtype).reshape(-1) for b in self.intercepts_]
        state["loss_curve_"] = list(getattr(self, "loss_curve_", None) or [])
        state["_no_improvement_count"] = getattr(self, "_no_improvement_count", 0)
        scores = getattr(self, "validation_scores_", None)
        state["validation_scores_"] = None if scores is None else list(scores)
        state["best_validation_score_"] = getattr(self, "best_validation_score_", None)
        state["best_loss_"] = getattr(self, "best_loss_", np.inf)
        state["_optimizer"] = getattr(self, "_optimizer", None)
        state["_optimizer_state"] = getattr(self, "_optimizer_state", None)
        return state

    @staticmethod
    def _layer_units(coefs):
        return [coefs[0].shape[0]] + [c.shape[1] for c in coefs]

    def _module_from(self, coefs, intercepts, device):
        dtype = _TORCH[np.dtype(np.asarray(coefs[0]).dtype)]
        module = Perceptron(self._layer_units(coefs), self.activation, dtype)
        with torch.no_grad():
            for layer, W, b in zip(module.layers, coefs, intercepts):
                layer.weight.copy_(torch.as_tensor(np.asarray(W).T))
                layer.bias.copy_(torch.as_tensor(np.asarray(b).reshape(-1)))
        return module.to(device)

    def _weights_key(self):
        return tuple(id(a) for a in list(self.coefs_) + list(self.intercepts_))

    def _fitted_module(self):
        check_is_fitted(self, "coefs_")
        cache = getattr(self, "_cache", None)
        if cache is None or cache[0] != self._weights_key():
            device = torch.device(getattr(self, "device_", None) or self._resolve_device())
            coefs = [np.asarray(c) for c in self.coefs_]
            dtype = coefs[0].dtype if coefs[0].dtype in _TORCH else np.dtype(np.float64)
            module = self._module_from([c.astype(dtype) for c in coefs],
                                       [np.asarray(b, dtype) for b in self.intercepts_],
                                       device)
            self._cache = cache = (self._weights_key(), module.eval())
        return cache[1]

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_cache", None)
        binarizer = state.get("_label_binarizer")
        if binarizer is not None:
            # plain data, so that save() and skops files need no scikit-learn object
            state["_label_binarizer"] = {"__label_binarizer__": dict(vars(binarizer))}
        return state

    def __setstate__(self, state):
        binarizer = state.get("_label_binarizer")
        if isinstance(binarizer, dict) and "__label_binarizer__" in binarizer:
            from sklearn.preprocessing import LabelBinarizer

            restored = LabelBinarizer()
            vars(restored).update(binarizer["__label_binarizer__"])
            state = {**state, "_label_binarizer": restored}
        super().__setstate__(state)
