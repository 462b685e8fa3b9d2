"""Restricted Boltzmann machine: a drop-in for scikit-learn's ``BernoulliRBM``.

Scoring, sampling and the likelihood are in :mod:`skdeep._rbm_scoring`."""
from __future__ import annotations

import numbers
import time

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions

from ._engine.batches import TensorSource
from ._engine.loop import train
from ._rbm_scoring import _RBMScoringMixin
from ._validation import warn_if_outside_unit_interval
from .base import DeepEstimator, as_tensor, shared_tensor
from .nn import rbm as F_rbm
from .nn.rbm import RBMModule

__all__ = ["BernoulliRBM", "RBMModule"]


class BernoulliRBM(ClassNamePrefixFeaturesOutMixin, TransformerMixin, _RBMScoringMixin,
                   DeepEstimator):
    """Restricted Boltzmann machine trained by CD-k or PCD-k, on a PyTorch engine.

    A drop-in for :class:`sklearn.neural_network.BernoulliRBM` (same parameters,
    attributes and methods; PCD-1 by default as there), plus ``k`` Gibbs steps, CD or
    persistent CD, momentum, weight decay, Gaussian visible units, GPUs, free energies,
    sampling, and the partition function / log-likelihood by exact enumeration or
    annealed importance sampling.

    Parameters
    ----------
    n_components : int, default=256
        Number of hidden units.
    learning_rate : float, default=0.1
        Step size of the parameter updates (scikit-learn's default; the tutorial's too).
    batch_size : int, default=10
        Examples per minibatch (the tutorial uses 20). The persistent chain has this many
        particles, as in scikit-learn.
    n_iter : int, default=10
        Epochs over the training data (the tutorial's ``training_epochs=15``).
    k : int, default=1
        Gibbs steps per update (the tutorial's RBM chapter: PCD-15).
    persistent : bool, default=True
        Persistent CD (stochastic maximum likelihood) when True, CD-k otherwise.
    momentum : float, default=0.0
        Momentum of the updates (Hinton's practical guide uses 0.5 then 0.9).
    weight_decay : float, default=0.0
        L2 penalty on the weights (the guide suggests 1e-4 to 1e-5).
    visible_units : {"bernoulli", "gaussian"}, default="bernoulli"
        Binary/[0, 1] visible units, or Gaussian units of unit variance for standardised
        data (use a smaller ``learning_rate``, e.g. 0.001-0.01).
    device : str, default="auto"
        ``"auto"`` (CUDA, then MPS, then CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the minibatch order, the Gibbs chains and the flipped units of
        :meth:`score_samples` (as in scikit-learn).
    verbose : int, default=0
        Print one line per epoch with the pseudo-likelihood and the time, as scikit-learn's.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Weights ``W``; ``W[j, i]`` connects hidden unit ``j`` to visible unit ``i``.
    intercept_hidden_ : ndarray of shape (n_components,)
    intercept_visible_ : ndarray of shape (n_features,)
    h_samples_ : ndarray of shape (batch_size, n_components)
        The persistent chain's hidden states.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only with pandas input having string column names
    n_iter_ : int
        Epochs run (summed over ``partial_fit`` calls counts each call as one).
    loss_curve_ : list of float
        Per epoch, the tutorial's monitoring cost: mean free energy of the data minus
        that of the negative samples.
    device_ : str
    module_ : RBMModule

    Notes
    -----
    Training runs in float32; the attributes and the outputs of ``transform``,
    ``score_samples``, ``free_energy`` are in the input's dtype (float64 input is
    computed in float64). The tutorial's exact settings: ``BernoulliRBM(n_components=500,
    learning_rate=0.1, batch_size=20, n_iter=15, k=15, persistent=True)`` on MNIST.

    Unlike scikit-learn's, each epoch visits the minibatches in a random order.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import BernoulliRBM
    >>> X = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    >>> model = BernoulliRBM(n_components=2, random_state=0).fit(X)
    >>> model.transform(X).shape
    (4, 2)
    >>> log_z, (low, high) = model.log_partition(method="exact")
    >>> bool(model.log_likelihood(X, method="exact") < 0)
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "k": [Interval(numbers.Integral, 1, None, closed="left")],
        "persistent": ["boolean"],
        "momentum": [Interval(numbers.Real, 0, 1, closed="left")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "visible_units": [StrOptions({"bernoulli", "gaussian"})],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, n_components=256, *, learning_rate=0.1, batch_size=10, n_iter=10,
                 k=1, persistent=True, momentum=0.0, weight_decay=0.0,
                 visible_units="bernoulli", device="auto", random_state=None, verbose=0):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.visible_units = visible_units
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ validation
    def _check_X(self, X, reset):
        return self._validate_X(X, reset=reset, accept_sparse=["csr", "csc", "lil"])

    def _float_dtype(self):
        return getattr(self, "_dtype", np.dtype(np.float64))

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y=None):
        """Fit the model to ``X`` for ``n_iter`` epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : BernoulliRBM
        """
        self._validate_params()
        X = self._check_X(X, reset=True)
        warn_if_outside_unit_interval(X, self)
        with self._fit_run() as run:
            self._seed_ = run.seed
            self._pf_calls = 0
            self._init_state(X, run.device, run.seed)
            # the update only reads the data (a gather per batch into kept buffers)
            data = TensorSource(shared_tensor(X, run.device), reuse_buffers=True,
                                dtype=torch.float32)
            history = self._train(data, run.generator, max_iter=self.n_iter, X_monitor=X)
        self._set_history(history)
        return self

    def partial_fit(self, X, y=None):
        """One update with ``X`` as a single minibatch (scikit-learn's semantics).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : BernoulliRBM
        """
        first = not hasattr(self, "module_")
        if first:
            self._validate_params()
        X = self._check_X(X, reset=first)
        warn_if_outside_unit_interval(X, self)
        if first:
            self._seed_ = self._seed()
        # each call its own stream, from the first call's seed; later calls stay where
        # the chains and velocities live
        calls = getattr(self, "_pf_calls", 0) + 1
        with self._fit_run(self._continued_seed(calls),
                           None if first else self._device) as run:
            if first:
                self._init_state(X, run.device, self._seed_)
                self.n_iter_ = 0
            else:
                self._update_visible_mean(X)
            with torch.no_grad():
                self._step(as_tensor(X, run.device), run.generator)
        self._pf_calls = calls
        self.n_iter_ += 1
        return self

    def _rebuild_module(self, name):
        if name != "module_":
            return None
        return RBMModule(self.n_features_in_, self.n_components, self.visible_units)

    def _init_state(self, X, device, seed):
        n_features = X.shape[1]
        self._dtype = np.dtype(X.dtype)
        self.module_ = self._seeded_build(seed, lambda gen: RBMModule(
            n_features, self.n_components, self.visible_units, gen)).to(device)
        self._chain = torch.zeros(self.batch_size, self.n_components, device=device)
        if self.momentum:
            self._velocity = tuple(torch.zeros_like(p) for p in (
                self.module_.W, self.module_.b_vis, self.module_.b_hid))
        else:
            self._velocity = None
        self._n_seen = 0
        self._visible_mean = np.zeros(n_features)
        self._update_visible_mean(X)
        self.device_ = str(device)
        self.loss_curve_ = []

    def _update_visible_mean(self, X):
        """Running mean of the data: the base-rate model of AIS starts from it."""
        n = X.shape[0]
        mean = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
        total = self._n_seen + n
        self._visible_mean = self._visible_mean + (mean - self._visible_mean) * n / total
        self._n_seen = total

    def _step(self, xb, gen):
        m = self.module_
        if self._velocity is not None and self._velocity[0].device != xb.device:
            self._velocity = tuple(v.to(xb.device) for v in self._velocity)
        chain, cost = F_rbm.cd_update_(
            m.W, m.b_vis, m.b_hid, xb, learning_rate=self.learning_rate, k=self.k,
            chain=self._chain.to(xb.device) if self.persistent else None,
            visible=self.visible_units, momentum=self.momentum, velocity=self._velocity,
            weight_decay=self.weight_decay, generator=gen)
        if self.persistent:
            self._chain = chain
        return cost

    def _train(self, data, gen, *, max_iter, X_monitor):
        batch = min(self.batch_size, data.n_samples)
        begin = [time.time()]

        def epoch_end(epoch):
            if self.verbose:
                end = time.time()
                print("[%s] Iteration %d, pseudo-likelihood = %.2f, time = %.2fs"
                      % (type(self).__name__, epoch, self.score_samples(X_monitor).mean(),
                         end - begin[0]))
                begin[0] = time.time()

        with torch.no_grad():  # inside fit's _fit_run, which holds the thread policy
            history = train(self.module_, lambda xb: self._step(xb, gen), data, batch_size=batch,
                            max_iter=max_iter, generator=gen, shuffle=True,
                            stop_on_loss=False, verbose=0, desc=type(self).__name__,
                            epoch_end=epoch_end)
        self.loss_curve_ = list(self.loss_curve_) + history.loss_curve
        return history

    # ------------------------------------------------------------------ attributes
    @property
    def components_(self):
        self._check_fitted()
        return self._np(self.module_.W)

    @property
    def intercept_hidden_(self):
        self._check_fitted()
        return self._np(self.module_.b_hid)

    @property
    def intercept_visible_(self):
        self._check_fitted()
        return self._np(self.module_.b_vis)

    @property
    def h_samples_(self):
        self._check_fitted()
        return self._np(self._chain)

    @property
    def _n_features_out(self):
        return self.n_components

    # ------------------------------------------------------------------ inference
    def transform(self, X):
        """Hidden-unit probabilities ``p(h = 1 | v)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_components), in X's float dtype
        """
        self._check_fitted()
        X = self._check_X(X, reset=False)
        return self._predict_batched(X, lambda m, xb: m(xb), self.module_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
