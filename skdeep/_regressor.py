"""Regressors on the network machinery: the DBN and the SdA with a linear output.

:class:`NeuralNetRegressor` fits through the same :class:`~skdeep._network.NeuralNetBase`
as the classifiers (optimizer, regularisation, schedules, early stopping,
``warm_start``, streaming from disk), changing only what is regression-specific: float
targets, standardised inside; the loss, half the mean squared error; the validation
score, R²; and ``predict``, which maps the network's outputs back to the scale of ``y``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from sklearn.base import RegressorMixin

from ._dbn_classifier import _DBNNetworkMixin
from ._network import NeuralNetBase, l1_penalty
from ._sda_stack import _SdANetworkMixin

__all__ = ["DBNRegressor", "NeuralNetRegressor", "SdARegressor"]


class _Targets(NamedTuple):
    """How a fit standardised its targets: ``(y - mean) / scale``."""
    mean: np.ndarray
    scale: np.ndarray
    one_d: bool


class NeuralNetRegressor(RegressorMixin, NeuralNetBase):
    """Base class of skdeep's network regressors (not used directly).

    Subclasses supply ``__init__``, ``_build_module`` (whose ``n_outputs`` argument is
    the number of targets; the last layer must be linear) and optionally ``_pretrain``,
    exactly as for :class:`~skdeep._classifier.NeuralNetClassifier`.
    """

    _xy_options = {"multi_output": True, "y_numeric": True}
    _target_dtype = torch.float32

    def _loss(self, module, xb, yb):
        out = module(self._prepare_input(xb))
        loss = 0.5 * torch.mean((out - yb) ** 2)
        return loss + l1_penalty(module, self.l1) if self.l1 else loss

    def _validation_score(self, module, Xv, yv):
        """R² averaged over the outputs (as :func:`sklearn.metrics.r2_score`)."""
        chunk = self._inference_chunk_size
        pred = torch.cat([module(self._prepare_input(Xv[s:s + chunk]))
                          for s in range(0, Xv.shape[0], chunk)])
        ss_res = ((yv - pred) ** 2).sum(0)
        ss_tot = ((yv - yv.mean(0)) ** 2).sum(0)
        r2 = torch.where(ss_tot > 0, 1 - ss_res / ss_tot.clamp_min(1e-30),
                         (ss_res == 0).to(pred.dtype))
        return r2.mean().item()

    def _set_outputs(self, targets):
        self.n_outputs_ = len(targets.mean)
        self.y_mean_, self.y_scale_, self._y_1d = targets

    @staticmethod
    def _n_outputs(targets):
        return len(targets.mean)

    def _n_outputs_fitted(self):
        return self.n_outputs_

    def _encode_targets(self, y, warm):
        """The standardised targets, 2-D float32, and how they were standardised (a warm
        fit keeps the earlier fit's mean and scale)."""
        y = np.asarray(y, dtype=np.float64)
        if not np.isfinite(y).all():   # streamed data skips check_X_y's own test
            raise ValueError("y contains NaN or infinity.")
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if warm:
            if Y.shape[1] != self.n_outputs_:
                raise ValueError(f"warm_start=True needs y with {self.n_outputs_} "
                                 f"output(s), as in the earlier fit; got {Y.shape[1]}.")
            targets = _Targets(self.y_mean_, self.y_scale_, y.ndim == 1)
        else:
            scale = Y.std(axis=0)
            targets = _Targets(Y.mean(axis=0), np.where(scale > 0, scale, 1.0), y.ndim == 1)
        return self._scale_y(Y, targets), targets

    def _encode_validation_targets(self, y_val, n_val, targets):
        Y_val = np.asarray(y_val, dtype=np.float64)
        Y_val = Y_val.reshape(-1, 1) if Y_val.ndim == 1 else Y_val
        n_outputs = len(targets.mean)
        if Y_val.shape != (n_val, n_outputs):
            raise ValueError(f"y_val must have shape {(n_val, n_outputs)} "
                             f"(one row per X_val sample); got {Y_val.shape}.")
        return self._scale_y(Y_val, targets)

    @staticmethod
    def _scale_y(y, targets):
        return ((y - targets.mean) / targets.scale).astype(np.float32)

    def fit(self, X, y, X_val=None, y_val=None):
        """Pretrain, then finetune on ``(X, y)`` with half the mean squared error.

        The targets are standardised inside (``y_mean_``, ``y_scale_``) and the network
        fits the standardised values; :meth:`predict` maps its outputs back.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Numeric targets.
        X_val, y_val : array-like, optional
            A validation set to stop on (scored by R²); it replaces the
            ``validation_fraction`` hold-out of ``early_stopping``.

        Returns
        -------
        self
        """
        return self._fit_checked(X, y, X_val, y_val)

    def predict(self, X):
        """Predicted targets, in the scale of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for a 1-D ``y``, else (n_samples, n_outputs)
        """
        out = self._network_outputs(X)
        pred = np.asarray(out, dtype=np.float64) * self.y_scale_ + self.y_mean_
        return pred.ravel() if self._y_1d else pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class DBNRegressor(_DBNNetworkMixin, NeuralNetRegressor):
    """The deep belief network with a linear output, finetuned on squared error.

    Greedy layer-wise RBM pretraining exactly as :class:`DBNClassifier` (Bernoulli
    visible units: scale ``X`` to [0, 1], e.g. with
    :class:`~sklearn.preprocessing.MinMaxScaler`), then a sigmoid MLP initialised from the
    RBMs, with a linear output layer of one unit per target, finetuned by
    backpropagation on half the mean squared error.

    The targets are standardised inside: each column of ``y`` is centred by its mean and
    divided by its standard deviation (1 where that is 0) before training, and
    :meth:`predict` maps the outputs back. Without it the sigmoid network, finetuned with
    the classifiers' small step sizes, would mostly learn the targets' mean, whatever
    their scale.

    Parameters
    ----------
    hidden_layer_sizes, k, persistent, pretrain_n_iter, pretrain_learning_rate, \
pretrain_batch_size
        RBM pretraining, as in :class:`DBNClassifier`.
    learning_rate_init : float, default=0.01
    max_iter : int, default=100
        Finetuning step size and epochs. Chosen on diabetes (MinMax-scaled, (32,)
        hidden, 3 seeds): Adam at 0.01 for 100 epochs gave test R² 0.347-0.351 (ridge:
        0.367); the classifier's 0.001 for 30 epochs stalled at the targets' mean
        (R² 0.0, predictions constant) because the tolerance rule stopped it after 14
        epochs of slow progress.
    batch_size, solver, momentum, l1, alpha, learning_rate, power_t, \
nesterovs_momentum, beta_1, beta_2, epsilon
        Finetuning, as in :class:`DBNClassifier`.
    early_stopping, validation_fraction, n_iter_no_change, tol, shuffle, warm_start
        As in :class:`DBNClassifier`; the validation score is R².
    device, precision, compile, max_device_memory, random_state, verbose
        As in :class:`DBNClassifier`.

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.
    y_mean_, y_scale_ : ndarray of shape (n_outputs,)
        The mean and standard deviation (1 where it is 0) the targets were standardised
        with.
    n_features_in_, n_iter_, loss_curve_, validation_scores_, best_validation_score_, \
device_, module_, pretrain_loss_curves_
        As in :class:`DBNClassifier`; ``loss_curve_`` is on the standardised targets.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from sklearn.pipeline import make_pipeline
    >>> from skdeep import DBNRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> reg = make_pipeline(MinMaxScaler(), DBNRegressor(
    ...     (32,), pretrain_n_iter=5, learning_rate_init=0.01, max_iter=100, random_state=0))
    >>> reg.fit(X_train, y_train).score(X_test, y_test) > 0.2
    True
    """


    # DBNClassifier's parameters; the finetuning defaults are the regressor's own, chosen
    # on diabetes (see the class docstring)
    def __init__(self, hidden_layer_sizes=(500, 500), *,
                 k=1, persistent=False, pretrain_n_iter=10, pretrain_learning_rate=0.05,
                 pretrain_batch_size=20, learning_rate_init=0.01, batch_size=64,
                 max_iter=100, solver="adam", momentum=0.0, l1=0.0, alpha=0.0,
                 learning_rate="constant", power_t=0.5, nesterovs_momentum=True,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-08, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=0.0001, shuffle=True,
                 warm_start=False, device="auto", precision="float32", compile=False,
                 max_device_memory=None, random_state=None, verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.k = k
        self.persistent = persistent
        self.pretrain_n_iter = pretrain_n_iter
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_batch_size = pretrain_batch_size
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.solver = solver
        self.momentum = momentum
        self.l1 = l1
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.warm_start = warm_start
        self.device = device
        self.precision = precision
        self.compile = compile
        self.max_device_memory = max_device_memory
        self.random_state = random_state
        self.verbose = verbose


class SdARegressor(_SdANetworkMixin, NeuralNetRegressor):
    """Stacked denoising autoencoders with a linear output, finetuned on squared error.

    Greedy denoising- (or contractive-) autoencoder pretraining exactly as
    :class:`SdAClassifier`, then the
    stack plus a linear output layer of one unit per target, finetuned by backpropagation
    on half the mean squared error. With real-valued ``X`` (standardised features), use
    ``loss="squared_error"`` for the pretraining reconstruction; the default
    cross-entropy needs ``X`` in [0, 1].

    The targets are standardised inside: each column of ``y`` is centred by its mean and
    divided by its standard deviation (1 where that is 0) before training, and
    :meth:`predict` maps the outputs back.

    Parameters
    ----------
    hidden_layer_sizes, corruption_levels, layer_type, contraction_levels, loss, \
pretrain_max_iter, pretrain_learning_rate_init, pretrain_batch_size
        Pretraining, as in :class:`SdAClassifier` (denoising or contractive layers).
    learning_rate_init : float, default=0.003
    max_iter : int, default=100
        Finetuning step size and epochs, chosen on diabetes (MinMax-scaled, (32,)
        hidden, 3 seeds: test R² 0.355-0.365; the classifier's 0.001 for 50 epochs gave
        about 0.2).
    batch_size, solver, momentum, l1, alpha, learning_rate, power_t, \
nesterovs_momentum, beta_1, beta_2, epsilon
        Finetuning, as in :class:`SdAClassifier`.
    early_stopping, validation_fraction, n_iter_no_change, tol, shuffle, warm_start
        As in :class:`SdAClassifier`; the validation score is R².
    device, precision, compile, max_device_memory, random_state, verbose
        As in :class:`SdAClassifier`.

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.
    y_mean_, y_scale_ : ndarray of shape (n_outputs,)
        The mean and standard deviation (1 where it is 0) the targets were standardised
        with.
    n_features_in_, n_iter_, loss_curve_, validation_scores_, best_validation_score_, \
device_, module_, pretrain_loss_curves_
        As in :class:`SdAClassifier`; ``loss_curve_`` is on the standardised targets.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.pipeline import make_pipeline
    >>> from skdeep import SdARegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> reg = make_pipeline(StandardScaler(), SdARegressor(
    ...     (32,), loss="squared_error", pretrain_max_iter=5, max_iter=100, random_state=0))
    >>> reg.fit(X_train, y_train).score(X_test, y_test) > 0.2
    True
    """


    # SdAClassifier's parameters with the regressor's own finetuning defaults
    def __init__(self, hidden_layer_sizes=(1000, 1000, 1000), *,
                 corruption_levels=None, layer_type="denoising", contraction_levels=None,
                 loss="cross_entropy", pretrain_max_iter=15,
                 pretrain_learning_rate_init=0.1, pretrain_batch_size=20,
                 learning_rate_init=0.003, batch_size=128, max_iter=100, solver="adam",
                 momentum=0.9, l1=0.0, alpha=0.0, learning_rate="constant", power_t=0.5,
                 nesterovs_momentum=True, beta_1=0.9, beta_2=0.999, epsilon=1e-08,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 tol=0.0001, shuffle=True, warm_start=False, device="auto",
                 precision="float32", compile=False, max_device_memory=None,
                 random_state=None, verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.corruption_levels = corruption_levels
        self.layer_type = layer_type
        self.contraction_levels = contraction_levels
        self.loss = loss
        self.pretrain_max_iter = pretrain_max_iter
        self.pretrain_learning_rate_init = pretrain_learning_rate_init
        self.pretrain_batch_size = pretrain_batch_size
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.solver = solver
        self.momentum = momentum
        self.l1 = l1
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.warm_start = warm_start
        self.device = device
        self.precision = precision
        self.compile = compile
        self.max_device_memory = max_device_memory
        self.random_state = random_state
        self.verbose = verbose
