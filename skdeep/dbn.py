"""Deep belief networks: greedy layer-wise RBM stacks as transformers and generative
models (sampling, up-down fine-tuning, the variational bound); the classifier is
:mod:`skdeep._dbn_classifier`, ``log Z`` and the bound are in :mod:`skdeep._dbn_scoring`."""
from __future__ import annotations

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin

from ._dbn_scoring import _DBNScoringMixin
from ._dbn_stack import (
    FINE_TUNE_CONSTRAINTS,
    PRETRAIN_CONSTRAINTS,
    GenerativeStackMixin,
    as_sizes,
    per_layer,
    top_gibbs_steps,
)
from ._engine.greedy import pretrain_rbm_stack, up_down_fine_tune
from ._validation import warn_if_outside_unit_interval
from .base import DeepEstimator, as_tensor
from .nn import rbm as F_rbm
from .nn.dbn import RBMStack

__all__ = ["DBNTransformer"]


class DBNTransformer(GenerativeStackMixin, ClassNamePrefixFeaturesOutMixin,
                     TransformerMixin, _DBNScoringMixin, DeepEstimator):
    """Deep belief network: a greedy layer-wise stack of RBMs (Hinton et al. 2006).

    Each layer is an RBM trained by CD-k (or PCD-k) on the hidden probabilities of the
    layer below; ``transform`` gives the top layer's probabilities, so the DBN is a
    feature extractor for a Pipeline. As a generative model, :meth:`sample` runs Gibbs
    sampling in the top RBM and propagates down the directed layers, and
    :meth:`inverse_transform` maps top-layer codes back to the visible space.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(500, 500)
        Units per layer (the tutorial's DBN: (1000, 1000, 1000)).
    k : int or tuple of int, default=1
        Gibbs steps of CD-k, shared or one per layer (the tutorial: 1).
    persistent : bool, default=False
        PCD instead of CD (the tutorial's DBN pretrains with CD).
    pretrain_n_iter : int, default=10
        Epochs per layer (the tutorial: 100).
    pretrain_learning_rate : float, default=0.05
        Step size of the CD updates (the tutorial: 0.01). 0.05 reached the same
        digits-pipeline accuracy as 0.01 in a fifth of the epochs.
    pretrain_batch_size : int, default=20
        Minibatch size of pretraining (the tutorial: 10).
    visible_units : {"bernoulli", "gaussian"}, default="bernoulli"
        Units of the bottom layer (Gaussian for standardised real-valued data).
    fine_tune : {None, "up-down"}, default=None
        ``"up-down"``: after greedy training, untie the recognition and generative
        weights of the layers below the top RBM and fine-tune the DBN with the up-down
        algorithm (Hinton, Osindero & Teh 2006): a stochastic up-pass through the
        recognition weights whose states train the generative weights, CD-k in the top
        RBM (``fine_tune_k`` steps) from the up-pass states, and a stochastic down-pass
        from the top RBM's negative-phase states through the generative weights whose
        states train the recognition weights. Minibatches of ``pretrain_batch_size``.
        None: greedy training only.
    fine_tune_n_iter : int, default=10
        Epochs of up-down fine-tuning.
    fine_tune_learning_rate : float, default=0.01
        Step size of the up-down updates.
    fine_tune_k : int or None, default=10
        Gibbs steps of the top RBM's CD-k during up-down (Hinton, Osindero & Teh used
        3, then 6, then 10); None uses ``k`` of the top layer. On MNIST digits 10 steps
        gave samples over 9-10 classes where 1 step gave 5-8, for twice the up-down
        time (``docs/dbn.rst``).
    device : str, default="auto"
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
        1 shows a progress bar per layer (and one for fine-tuning).

    Attributes
    ----------
    module_ : torch.nn.Module
        The stack of :class:`~skdeep.rbm.RBMModule`, bottom first (``module_.rbms``):
        the recognition weights after up-down (``transform`` and ``coefs_`` use them).
    coefs_ : list of ndarray
        ``coefs_[i]`` of shape (n_in, n_out), layer ``i``'s weights.
    intercepts_hidden_ : list of ndarray
    intercepts_visible_ : list of ndarray
    generative_coefs_ : list of ndarray
        ``generative_coefs_[i]`` of shape (n_in, n_out): the weights of the directed
        conditional ``p(h^i | h^{i+1})`` (``h^0 = x``) that ``sample``,
        ``inverse_transform`` and the generative terms of ``score_samples`` use; the last
        one is the top RBM's. Equal to ``coefs_`` without fine-tuning (tied weights).
    generative_intercepts_ : list of ndarray
        ``generative_intercepts_[i]`` of shape (n_in,), the biases of that conditional;
        equal to ``intercepts_visible_`` without fine-tuning.
    fine_tune_loss_curve_ : list of float or None
        Per up-down epoch, the wake pass's ``-mean log p(x | h^1)`` under the generative
        weights (for one layer, the CD free-energy gap); None without fine-tuning.
    pretrain_loss_curves_ : list of list of float
        Per layer, per epoch, the free-energy gap of the CD updates.
    n_features_in_ : int
    device_ : str

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skdeep import DBNTransformer
    >>> X, y = load_digits(return_X_y=True)
    >>> pipe = make_pipeline(DBNTransformer((64, 32), pretrain_n_iter=2, random_state=0),
    ...                      LogisticRegression(max_iter=500))
    >>> pipe.fit(X / 16, y).predict(X[:2] / 16).shape
    (2,)
    """

    _parameter_constraints: dict = {
        **PRETRAIN_CONSTRAINTS,
        "visible_units": [str],
        **FINE_TUNE_CONSTRAINTS,
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, hidden_layer_sizes=(500, 500), *, k=1, persistent=False,
                 pretrain_n_iter=10, pretrain_learning_rate=0.05, pretrain_batch_size=20,
                 visible_units="bernoulli", fine_tune=None, fine_tune_n_iter=10,
                 fine_tune_learning_rate=0.01, fine_tune_k=10, device="auto",
                 random_state=None, verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.k = k
        self.persistent = persistent
        self.pretrain_n_iter = pretrain_n_iter
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_batch_size = pretrain_batch_size
        self.visible_units = visible_units
        self.fine_tune = fine_tune
        self.fine_tune_n_iter = fine_tune_n_iter
        self.fine_tune_learning_rate = fine_tune_learning_rate
        self.fine_tune_k = fine_tune_k
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _check_X(self, X, reset):
        return self._validate_X(X, reset=reset, accept_sparse=["csr", "csc", "lil"])

    def fit(self, X, y=None):
        """Pretrain the stack greedily, layer by layer.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        if self.visible_units not in F_rbm.VISIBLE_UNITS:
            raise ValueError(f"visible_units must be one of {F_rbm.VISIBLE_UNITS}; got "
                             f"{self.visible_units!r}.")
        sizes = as_sizes(self.hidden_layer_sizes)
        ks = per_layer(self.k, len(sizes), "k")
        X = self._check_X(X, reset=True)
        warn_if_outside_unit_interval(X, self)
        with self._fit_run() as run:
            data = as_tensor(X, run.device, copy=False)  # the stack only reads it
            rbms, curves = pretrain_rbm_stack(
                data, sizes, ks=ks, epochs=self.pretrain_n_iter,
                learning_rate=self.pretrain_learning_rate, batch_size=self.pretrain_batch_size,
                persistent=self.persistent, generator=run.generator,
                init_generator=run.init_generator,
                visible_units=self.visible_units, verbose=self.verbose, stages=run.stages)
            self._generative_module = None
            self.fine_tune_loss_curve_ = None
            if self.fine_tune == "up-down":
                self._generative_module, self.fine_tune_loss_curve_ = up_down_fine_tune(
                    data, rbms, k=top_gibbs_steps(self.fine_tune_k, ks),
                    epochs=self.fine_tune_n_iter,
                    learning_rate=self.fine_tune_learning_rate,
                    batch_size=self.pretrain_batch_size, generator=run.generator,
                    stages=run.stages, verbose=self.verbose)
        self.module_ = RBMStack(rbms).eval()
        self.pretrain_loss_curves_ = curves
        self._dtype = np.dtype(X.dtype)
        self.device_ = str(run.device)
        self._top_visible_mean = self._up_pass_mean(X)
        self._log_z_cache = {}
        self._set_history(run.stages)
        return self

    def __getstate__(self):
        state = super().__getstate__()
        # the log Z cache is keyed by tuples (skops and save() files hold plain data);
        # it is recomputed on demand after loading
        state.pop("_log_z_cache", None)
        return state

    @property
    def _n_features_out(self):
        return as_sizes(self.hidden_layer_sizes)[-1]

    def transform(self, X):
        """The top layer's hidden probabilities (mean-field upward pass).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, hidden_layer_sizes[-1])
        """
        self._check_fitted()
        X = self._check_X(X, reset=False)
        return self._predict_batched(X, lambda m, xb: m(xb), self.module_)

    def inverse_transform(self, X):
        """Map top-layer codes back to the visible space (top-down mean-field pass).

        Parameters
        ----------
        X : array-like of shape (n_samples, hidden_layer_sizes[-1])

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        self._check_fitted()
        from sklearn.utils import check_array

        X = check_array(X, dtype=[np.float64, np.float32])
        n_top = self.module_.rbms[-1].W.shape[0]
        if X.shape[1] != n_top:
            raise ValueError(f"X has {X.shape[1]} features, but the top layer has "
                             f"{n_top} units.")
        return self._predict_batched(X, lambda m, hb: m.down(hb),
                                     RBMStack(self._generative_rbms()))

    def sample(self, n_samples=1, n_gibbs=1000, *, init="base-rate", return_mean=True,
               random_state=None):
        """Sample from the DBN: Gibbs in the top RBM, then down the directed layers.

        Fit with ``fine_tune="up-down"`` for samples that look like the data: on 10k
        MNIST digits (784-500-500) the greedy DBN's samples are near-blank (mean pixel
        0.004-0.006 against 0.13), after up-down they have mean pixel 0.11-0.13 and a
        logistic regression trained on the digits labels them with mean confidence
        0.91-0.94, over nine or ten classes (``docs/dbn.rst``).

        Parameters
        ----------
        n_samples : int, default=1
        n_gibbs : int, default=1000
            Gibbs steps in the top-level RBM (an associative memory between the top two
            layers). 1000 steps labelled samples more confidently than 100 did.
        init : {"base-rate", "uniform"}, default="base-rate"
            The chains' starting states: Bernoulli draws of the training data's mean
            up-pass into the top RBM (its base rates), or of probability 0.5. The base
            rate gave brighter samples over more classes in every setting measured.
        return_mean : bool, default=True
            Return the visible probabilities of the last, top-down step (what the slides
            show) instead of a binary sample.
        random_state : int, RandomState or None, default=None

        Returns
        -------
        ndarray of shape (n_samples, n_features), float32
        """
        self._check_fitted()
        return self._sample_stack(n_samples, n_gibbs, init, return_mean, random_state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
