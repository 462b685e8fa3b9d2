"""What the generative DBNs share: the fitted stack's weights as numpy, the untied
generative layers after up-down, persistence and ancestral sampling."""
from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._validation import check_count
from .nn import dbn as F_dbn
from .nn.dbn import RBMStack
from .nn.rbm import RBMModule

SAMPLE_INITS = ("base-rate", "uniform")

#: the greedy RBM pretraining parameters of every DBN estimator
PRETRAIN_CONSTRAINTS: dict = {
    "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
    "k": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
    "persistent": ["boolean"],
    "pretrain_n_iter": [Interval(numbers.Integral, 0, None, closed="left")],
    "pretrain_learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
    "pretrain_batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
}

#: The up-down stage's constraints, shared by the DBN estimators that fine-tune by it
#: (``fine_tune_n_iter`` is widened to ``"auto"`` where an estimator counts updates).
FINE_TUNE_CONSTRAINTS: dict = {
    "fine_tune": [StrOptions({"up-down"}), None],
    "fine_tune_n_iter": [Interval(numbers.Integral, 0, None, closed="left")],
    "fine_tune_learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
    "fine_tune_k": [Interval(numbers.Integral, 1, None, closed="left"), None],
}


def top_gibbs_steps(fine_tune_k, ks):
    """The top RBM's CD steps in up-down: ``fine_tune_k``, or the top layer's ``k``."""
    return ks[-1] if fine_tune_k is None else int(fine_tune_k)


def as_sizes(hidden_layer_sizes):
    """``hidden_layer_sizes`` as a list of positive ints, or a clear error."""
    sizes = hidden_layer_sizes
    sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
    if not sizes or any(not isinstance(s, numbers.Integral) or s < 1 for s in sizes):
        raise ValueError("hidden_layer_sizes must be a non-empty sequence of positive "
                         f"integers; got {hidden_layer_sizes!r}.")
    return [int(s) for s in sizes]


def per_layer(value, n_layers, name):
    """An int shared by every layer, or one per layer, as a list; or a clear error."""
    if isinstance(value, numbers.Integral):
        values = [int(value)] * n_layers
    else:
        values = [int(v) for v in value]
    if len(values) != n_layers or any(v < 1 for v in values):
        raise ValueError(f"{name} must be a positive int or one per hidden layer "
                         f"({n_layers}); got {value!r}.")
    return values


#: minibatch updates per stage that ``n_iter="auto"`` aims for (at least 10 epochs)
AUTO_UPDATES = 5000


def resolve_epochs(value, n_samples, batch_size, *, updates=AUTO_UPDATES, max_epochs=None):
    """``value``, or for ``"auto"`` the epochs that make ``updates`` minibatch updates
    (at least 10 epochs, at most ``max_epochs``)."""
    if value != "auto":
        return int(value)
    batches = -(-n_samples // max(1, min(batch_size, n_samples)))
    epochs = max(10, -(-updates // batches))
    return epochs if max_epochs is None else min(epochs, max_epochs)


class GenerativeStackMixin:
    """Fitted-state helpers of an estimator holding ``module_`` (an RBMStack: the
    recognition weights and the top RBM) and, after up-down, ``_generative_module``
    (the untied generative weights of the layers below the top).

    ``_n_label_units`` label units end the top RBM's visible layer (0 without labels).
    """

    _n_label_units = 0

    def _generative_rbms(self):
        """The generative model's modules, bottom first: the untied generative layers
        after up-down, then the top RBM (the RBMs themselves without fine-tuning)."""
        rbms = list(self.module_.rbms)
        gen = getattr(self, "_generative_module", None)
        if gen is None:
            return rbms
        return [*gen.rbms, rbms[-1]]

    def _rebuild_module(self, name):
        sizes = [self.n_features_in_] + as_sizes(self.hidden_layer_sizes)
        units = getattr(self, "visible_units", "bernoulli")
        n_in = [*sizes[:-2], sizes[-2] + self._n_label_units]
        layers = [RBMModule(a, b, units if i == 0 else "bernoulli")
                  for i, (a, b) in enumerate(zip(n_in, sizes[1:]))]
        if name == "_generative_module":
            return RBMStack(layers[:-1])
        if name != "module_":
            return None
        return RBMStack(layers)

    @property
    def coefs_(self):
        self._check_fitted()
        return [self._np(r.W).T.copy() for r in self.module_.rbms]

    @property
    def intercepts_hidden_(self):
        self._check_fitted()
        return [self._np(r.b_hid) for r in self.module_.rbms]

    @property
    def intercepts_visible_(self):
        self._check_fitted()
        return [self._np(r.b_vis) for r in self.module_.rbms]

    @property
    def generative_coefs_(self):
        self._check_fitted()
        return [self._np(r.W).T.copy() for r in self._generative_rbms()]

    @property
    def generative_intercepts_(self):
        self._check_fitted()
        return [self._np(r.b_vis) for r in self._generative_rbms()]

    def _up_pass_mean(self, X):
        """Mean input of the top RBM (without labels) over ``X``'s up-pass: the base
        rates of AIS's base model and of the Gibbs chains' starting states."""
        rbms = list(self.module_.rbms)
        if len(rbms) == 1:
            return np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
        return self._predict_batched(X, lambda m, xb: m(xb), RBMStack(rbms[:-1]),
                                     dtype=np.float64).mean(axis=0)

    def _sample_stack(self, n_samples, n_gibbs, init, return_mean, random_state,
                      labels=None, start=None):
        n_samples = check_count(n_samples, "n_samples")
        n_gibbs = check_count(n_gibbs, "n_gibbs")
        if init not in SAMPLE_INITS:
            raise ValueError(f"init must be one of {SAMPLE_INITS}; got {init!r}.")
        gen = self._generator(self._seed(random_state), self._device)
        if start is None and init == "base-rate":
            start = torch.as_tensor(self._top_visible_mean, device=self._device)
        mean, v = F_dbn.sample_dbn(self._generative_rbms(), n_samples, n_gibbs=n_gibbs,
                                   generator=gen, start=start, labels=labels,
                                   n_labels=self._n_label_units)
        out = mean if return_mean else v
        return out.cpu().numpy()
