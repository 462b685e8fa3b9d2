"""The tutorial's denoising autoencoder (dA), and the training loop the stacks share
(:mod:`skdeep.sda` holds the stacked ones)."""
from __future__ import annotations

import copy
import numbers

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions

from ._engine.loop import train
from ._engine.optim import AutogradStep
from .base import DeepEstimator, as_tensor
from .nn.autoencoder import TiedAutoencoder

__all__ = ["DenoisingAutoencoder"]


def _check_unit_interval(X, loss, name):
    """Cross-entropy reconstruction needs data in [0, 1]; say so instead of diverging."""
    if loss != "cross_entropy":
        return
    data = X.data if sp.issparse(X) else X
    if data.size and (np.min(data) < 0 or np.max(data) > 1):
        raise ValueError(
            f"{name} with loss='cross_entropy' needs X in [0, 1] (pixel intensities, "
            f"probabilities); got values in [{np.min(data):.4g}, {np.max(data):.4g}]. "
            "Scale X (e.g. sklearn.preprocessing.MinMaxScaler) or use "
            "loss='squared_error'.")


def _layer_sizes(sizes, what="hidden_layer_sizes"):
    sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
    if not sizes or any(not isinstance(s, numbers.Integral) or s < 1 for s in sizes):
        raise ValueError(f"{what} must hold positive integers; got {sizes!r}.")
    return [int(s) for s in sizes]


def _corruption_levels(levels, n_layers):
    if levels is None:  # the tutorial's 0.1, 0.2, 0.3, continued for deeper stacks
        return [min(0.1 * (i + 1), 0.9) for i in range(n_layers)]
    if isinstance(levels, numbers.Real):
        levels = [float(levels)] * n_layers
    levels = [float(v) for v in levels]
    if len(levels) != n_layers:
        raise ValueError(f"corruption_levels has {len(levels)} value(s) but "
                         f"hidden_layer_sizes has {n_layers} layer(s).")
    if any(not 0 <= v < 1 for v in levels):
        raise ValueError(f"corruption_levels must lie in [0, 1); got {levels}.")
    return levels


_LAYER_TYPES = ("denoising", "contractive")


def _contractive_layers(layer_type, n_layers):
    """One bool per layer: is it a contractive autoencoder?"""
    types = [layer_type] * n_layers if isinstance(layer_type, str) else list(layer_type)
    if len(types) != n_layers or any(t not in _LAYER_TYPES for t in types):
        raise ValueError(f"layer_type must be one of {_LAYER_TYPES} or a tuple of them, one "
                         f"per layer ({n_layers}); got {layer_type!r}.")
    return [t == "contractive" for t in types]


def _contraction_levels(levels, n_layers):
    if levels is None:  # the tutorial's cA setting, for every layer
        return [0.1] * n_layers
    if isinstance(levels, numbers.Real):
        levels = [float(levels)] * n_layers
    levels = [float(v) for v in levels]
    if len(levels) != n_layers:
        raise ValueError(f"contraction_levels has {len(levels)} value(s) but "
                         f"hidden_layer_sizes has {n_layers} layer(s).")
    if any(not v >= 0 for v in levels):
        raise ValueError(f"contraction_levels must be non-negative; got {levels}.")
    return levels


def _train_autoencoder(ae, X_t, *, corruption_level, learning_rate, batch_size, max_iter,
                       generator, shuffle, verbose, desc, optimizer=None,
                       contraction_level=0.0, **loop_options):
    """Minibatch descent on the reconstruction cost of corrupted inputs (the tutorial's
    dA), plus ``contraction_level`` times the encoder's squared Jacobian norm (its cA).

    Plain SGD unless an ``optimizer`` is given; ``loop_options`` (``validate``, ``tol``,
    ``stop_on_loss``, ``epoch_end``, ...) go to the engine's :func:`train`, which by
    default runs every epoch.
    """
    optimizer = optimizer or torch.optim.SGD(ae.parameters(), lr=learning_rate)
    contraction_level = float(contraction_level)

    autograd_step = AutogradStep(optimizer)

    def step(xb):
        return autograd_step(
            ae.reconstruction_cost(xb, corruption_level, generator, contraction_level))

    ae.train()
    loop_options.setdefault("stop_on_loss", False)
    history = train(ae, step, (X_t,), batch_size=min(batch_size, X_t.shape[0]),
                    max_iter=max_iter, generator=generator, shuffle=shuffle,
                    verbose=verbose, desc=desc, **loop_options)
    ae.eval()
    return history


class DenoisingAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, DeepEstimator):
    """Denoising autoencoder with tied weights and sigmoid units (the tutorial's dA).

    Each input is corrupted by masking noise (a fraction ``corruption_level`` of its
    values set to 0) and the network is trained to reconstruct the clean input from the
    code of the corrupted one: ``h = sigmoid(W x~ + b)``, ``z = sigmoid(W^T h + b')``.
    ``corruption_level=0`` is a plain autoencoder.

    Parameters
    ----------
    n_components : int, default=500
        Number of hidden units (the tutorial's 500).
    corruption_level : float in [0, 1), default=0.3
        Probability of zeroing each input (the tutorial compares 0 and 0.3).
    loss : {"cross_entropy", "squared_error"}, default="cross_entropy"
        Reconstruction cost summed over features, averaged over samples. Cross-entropy
        (the tutorial's) needs X in [0, 1]; ``"squared_error"`` uses a linear decoder
        and accepts any real-valued data.
    learning_rate_init : float, default=0.1
        Step size of plain minibatch SGD (the tutorial's settings: 0.1, batch 20,
        15 epochs; they bring the cross-entropy on MNIST-like data down steadily and
        were kept as defaults).
    batch_size : int, default=20
    max_iter : int, default=15
        Number of epochs (all are run; an autoencoder's cost has no early-stopping rule).
    shuffle : bool, default=True
    device : str, default="auto"
        ``"auto"`` (CUDA, then MPS, then CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the corruption and the minibatch order.
    verbose : int, default=0
        1 shows a progress bar over epochs with the reconstruction cost.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The tied weight matrix ``W``.
    intercept_hidden_ : ndarray of shape (n_components,)
    intercept_visible_ : ndarray of shape (n_features,)
    loss_curve_ : list of float
        Mean reconstruction cost (of corrupted inputs) per epoch.
    n_iter_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only with pandas input having string column names
    module_ : skdeep.nn.autoencoder.TiedAutoencoder
    device_ : str

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import DenoisingAutoencoder
    >>> X = load_digits().data / 16
    >>> dae = DenoisingAutoencoder(n_components=64, max_iter=5, random_state=0).fit(X)
    >>> dae.transform(X).shape
    (1797, 64)
    >>> dae.score(X) > -30
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "corruption_level": [Interval(numbers.Real, 0, 1, closed="left")],
        "loss": [StrOptions({"cross_entropy", "squared_error"})],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, n_components=500, *, corruption_level=0.3, loss="cross_entropy",
                 learning_rate_init=0.1, batch_size=20, max_iter=15, shuffle=True,
                 device="auto", random_state=None, verbose=0):
        self.n_components = n_components
        self.corruption_level = corruption_level
        self.loss = loss
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y=None):
        """Train on ``X`` for ``max_iter`` epochs from a fresh initialisation.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        X = self._validate_X(X, reset=True, accept_sparse="csr")
        _check_unit_interval(X, self.loss, type(self).__name__)
        return self._fit(X, self.max_iter, warm=False)

    def partial_fit(self, X, y=None):
        """One epoch over ``X``, continuing from the current weights.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        first = not hasattr(self, "module_")
        if first:
            self._validate_params()
        X = self._validate_X(X, reset=first, accept_sparse="csr")
        _check_unit_interval(X, self.loss, type(self).__name__)
        return self._fit(X, 1, warm=not first)

    def _rebuild_module(self, name):
        if name != "module_":
            return None
        return TiedAutoencoder(self.n_features_in_, self.n_components, self.loss)

    def _fit(self, X, max_iter, warm):
        with self._fit_run(self._continued_seed(self.t_) if warm else None) as run:
            if warm:
                # train a copy: a fit that fails leaves the fitted model as it was
                module = copy.deepcopy(self.module_).to(run.device)
            else:
                module = self._seeded_build(run.seed, lambda gen: TiedAutoencoder(
                    X.shape[1], self.n_components, self.loss, gen)).to(run.device)
            X_t = as_tensor(X, run.device)
            history = _train_autoencoder(
                module, X_t, corruption_level=self.corruption_level,
                learning_rate=self.learning_rate_init, batch_size=self.batch_size,
                max_iter=max_iter, generator=run.generator,
                shuffle=self.shuffle, verbose=self.verbose, desc=type(self).__name__)
        self.module_ = module
        self.device_ = str(run.device)
        if not warm:
            self._seed_ = run.seed
        previous = list(self.loss_curve_) if warm else []
        self._set_history(history)
        self.loss_curve_ = previous + self.loss_curve_  # warm fits append their epochs
        self.t_ = (self.t_ if warm else 0) + history.n_iter * X.shape[0]
        return self

    # ------------------------------------------------------------------ inference
    def transform(self, X):
        """The hidden code ``sigmoid(W x + b)`` of each sample (no corruption).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        return self._predict_batched(X, lambda m, xb: m.encode(xb), self.module_)

    def inverse_transform(self, X):
        """Reconstruct inputs from hidden codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Hidden codes, e.g. the output of :meth:`transform`.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        self._check_fitted()
        from sklearn.utils import check_array

        X = check_array(X, dtype=[np.float64, np.float32])
        if X.shape[1] != self.n_components:
            raise ValueError(f"inverse_transform expects codes with {self.n_components} "
                             f"columns (n_components); got {X.shape[1]}.")
        return self._predict_batched(X, lambda m, xb: m.decode(xb), self.module_)

    def reconstruct(self, X):
        """``inverse_transform(transform(X))`` in one pass.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        return self._predict_batched(X, lambda m, xb: m(xb), self.module_)

    def score_samples(self, X):
        """Negative reconstruction cost of each (uncorrupted) sample.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        _check_unit_interval(X, self.loss, type(self).__name__)
        return -self._predict_batched(X, lambda m, xb: m.cost_per_sample(xb), self.module_)

    def score(self, X, y=None):
        """Negative mean reconstruction cost of ``X`` (higher is better).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        float
        """
        return float(np.mean(self.score_samples(X)))

    # ------------------------------------------------------------------ attributes
    @property
    def _n_features_out(self):
        return self.n_components

    @property
    def components_(self):
        self._check_fitted()
        return self.module_.weight.detach().cpu().numpy().copy()

    @property
    def intercept_hidden_(self):
        self._check_fitted()
        return self.module_.hidden_bias.detach().cpu().numpy().copy()

    @property
    def intercept_visible_(self):
        self._check_fitted()
        return self.module_.visible_bias.detach().cpu().numpy().copy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
