"""The contractive autoencoder (the tutorials' cA, Rifai et al. 2011)."""
from __future__ import annotations

import copy
import numbers

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions

from ._engine.batches import chunked
from ._engine.optim import gradient_solver, set_learning_rate
from ._validation import GRADIENT_CONSTRAINTS
from .autoencoder import DenoisingAutoencoder, _check_unit_interval, _train_autoencoder
from .base import as_tensor
from .nn.autoencoder import TiedAutoencoder

__all__ = ["ContractiveAutoencoder"]


class ContractiveAutoencoder(DenoisingAutoencoder):
    """Contractive autoencoder with tied weights and sigmoid units (the tutorial's cA).

    The network ``h = sigmoid(W x + b)``, ``z = sigmoid(W^T h + b')`` of
    :class:`DenoisingAutoencoder`, trained on clean inputs to minimise the reconstruction
    cost plus ``contraction_level`` times the squared Frobenius norm of the encoder's
    Jacobian ``dh/dx``, both averaged over the minibatch. For sigmoid units the norm has
    the closed form ``sum_j (h_j (1 - h_j))**2 sum_i W_ji**2``. The penalty makes the
    code insensitive to small moves of the input in most directions, and so the features
    robust (Rifai et al. 2011, *Contractive auto-encoders: explicit invariance during
    feature extraction*).

    Parameters
    ----------
    n_components : int, default=500
        Number of hidden units (the tutorial's 500).
    contraction_level : float >= 0, default=0.1
        Weight of the Jacobian penalty (the tutorial's 0.1); 0 is a plain autoencoder.
    loss : {"cross_entropy", "squared_error"}, default="cross_entropy"
        Reconstruction cost summed over features, averaged over samples. Cross-entropy
        (the tutorial's) needs X in [0, 1]; ``"squared_error"`` uses a linear decoder
        and accepts any real-valued data.
    solver : {"sgd", "adam"}, default="sgd"
        The tutorial's plain SGD, or Adam.
    learning_rate_init : float, default=0.01
        Step size (the tutorial's 0.01 at batch 10).
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Schedule of the ``"sgd"`` solver, as scikit-learn's MLP.
    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.
    momentum : float, default=0.0
        Momentum of the ``"sgd"`` solver (the tutorial's is 0).
    nesterovs_momentum : bool, default=True
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's moment decay rates and numerical constant.
    batch_size : int, default=10
        Minibatch size (the tutorial's 10).
    max_iter : int, default=20
        Maximum number of epochs (the tutorial's 20).
    shuffle : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows and stop when their
        reconstruction cost (what :meth:`score` reports) has not improved by ``tol``
        for ``n_iter_no_change`` epochs, keeping the best weights. Without it the rule
        follows the training objective, as scikit-learn's MLP.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
    warm_start : bool, default=False
        ``fit`` continues from the previous weights and optimizer state.
    device : str, default="auto"
        ``"auto"`` (CUDA, then MPS, then CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the minibatch order and the validation split.
    verbose : int, default=0
        1 shows a progress bar over epochs with the training objective.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The tied weight matrix ``W``.
    intercept_hidden_ : ndarray of shape (n_components,)
    intercept_visible_ : ndarray of shape (n_features,)
    loss_curve_ : list of float
        Mean training objective (reconstruction cost plus penalty) per epoch.
    validation_scores_ : list of float or None
        Negative reconstruction cost of the held-out rows per epoch (``early_stopping``).
    best_validation_score_ : float or None
    n_iter_ : int
    stop_reason_ : str
        Why training ended: ``"max_iter"``, ``"converged"`` (the stopping rule) or
        ``"interrupted"``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only with pandas input having string column names
    module_ : skdeep.nn.autoencoder.TiedAutoencoder
    device_ : str

    See Also
    --------
    DenoisingAutoencoder : the same network regularised by input corruption.
    SdATransformer : stacks of them (``layer_type="contractive"``).

    Notes
    -----
    The tutorial's settings are the defaults: ``ContractiveAutoencoder(n_components=500,
    contraction_level=0.1, learning_rate_init=0.01, batch_size=10, max_iter=20)`` (plain
    SGD on MNIST). It prints, per epoch, the mean reconstruction cost and the mean over
    minibatches of the square root of the batch's mean squared Jacobian norm; see
    :meth:`jacobian_norm`.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import ContractiveAutoencoder
    >>> X = load_digits().data / 16
    >>> cae = ContractiveAutoencoder(n_components=64, learning_rate_init=0.1, max_iter=5,
    ...                              random_state=0).fit(X)
    >>> cae.transform(X).shape
    (1797, 64)
    >>> cae.score(X) > -30
    True
    >>> float(cae.jacobian_norm(X)) > 0
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "contraction_level": [Interval(numbers.Real, 0, None, closed="left")],
        "loss": [StrOptions({"cross_entropy", "squared_error"})],
        **GRADIENT_CONSTRAINTS,
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, n_components=500, *, contraction_level=0.1, loss="cross_entropy",
                 solver="sgd", learning_rate_init=0.01, learning_rate="constant",
                 power_t=0.5, momentum=0.0, nesterovs_momentum=True, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-8, batch_size=10, max_iter=20, shuffle=True,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 tol=1e-4, warm_start=False, device="auto", random_state=None, verbose=0):
        self.n_components = n_components
        self.contraction_level = contraction_level
        self.loss = loss
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y=None):
        """Train on ``X`` for up to ``max_iter`` epochs.

        Starts from a fresh initialisation unless ``warm_start`` is set and the model
        was fitted before.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        warm = self.warm_start and hasattr(self, "module_")
        X = self._validate_X(X, reset=not warm, accept_sparse="csr")
        _check_unit_interval(X, self.loss, type(self).__name__)
        return self._fit(X, self.max_iter, warm=warm, incremental=False)

    def partial_fit(self, X, y=None):
        """One epoch over ``X``, continuing from the current weights and optimizer.

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
        if self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True; "
                             "use fit, or set early_stopping=False.")
        X = self._validate_X(X, reset=first, accept_sparse="csr")
        _check_unit_interval(X, self.loss, type(self).__name__)
        return self._fit(X, 1, warm=not first, incremental=True)

    def _holdout(self, X, seed):
        n_val = max(1, int(round(self.validation_fraction * X.shape[0])))
        if X.shape[0] - n_val < 1:
            raise ValueError(
                f"early_stopping needs more than {X.shape[0]} sample(s) to hold out a "
                "validation set; lower validation_fraction or add data.")
        return train_test_split(X, test_size=n_val, random_state=seed)

    def _fit(self, X, max_iter, warm, incremental=False):
        with self._fit_run(self._continued_seed(self.t_) if warm else None) as run:
            device, seed = run.device, run.seed
            X_val = None
            if self.early_stopping and not incremental:
                X, X_val = self._holdout(X, seed)
            if warm:
                # train a copy: a fit that fails leaves the fitted model as it was
                module = copy.deepcopy(self.module_).to(device)
            else:
                module = self._seeded_build(seed, lambda gen: TiedAutoencoder(
                    X.shape[1], self.n_components, self.loss, gen)).to(device)
            optimizer, schedule = self._make_schedule(module, warm, incremental, device)
            t0, n_train = (self.t_ if warm else 0), X.shape[0]
            validate = None if X_val is None else self._validator(module, X_val, device)
            history = _train_autoencoder(
                module, as_tensor(X, device), corruption_level=0.0,
                contraction_level=self.contraction_level, learning_rate=self.learning_rate_init,
                batch_size=self.batch_size, max_iter=max_iter,
                generator=run.generator, shuffle=self.shuffle,
                verbose=self.verbose, desc=type(self).__name__, optimizer=optimizer,
                validate=validate, tol=self.tol, n_iter_no_change=self.n_iter_no_change,
                stop_on_loss=not incremental,
                epoch_end=lambda epoch: schedule.epoch_end(t0 + epoch * n_train),
                on_plateau=None if incremental else schedule.on_plateau)
        self._commit(module, optimizer, history, device, seed, warm,
                     t=t0 + history.n_iter * n_train)
        return self

    def _make_schedule(self, module, warm, incremental, device):
        """The optimizer of ``module`` and its learning-rate schedule.

        Parameters
        ----------
        module : TiedAutoencoder
            The network about to be trained, already on ``device``.
        warm : bool
            Continue a previous fit: the optimizer's state is restored.
        incremental : bool
            A :meth:`partial_fit` step, which also keeps the current step size.
        device : torch.device

        Returns
        -------
        optimizer : torch.optim.Optimizer
        schedule : LearningRateSchedule
        """
        optimizer, schedule = gradient_solver(module.parameters(), self)
        if warm:
            self._restore_optimizer(optimizer, device)
            if not incremental:  # a new fit starts from learning_rate_init
                set_learning_rate(optimizer, self.learning_rate_init)
        return optimizer, schedule

    def _validator(self, module, X_val, device):
        """The early-stopping score: negative reconstruction cost of the held-out rows.

        Parameters
        ----------
        module : TiedAutoencoder
            The network being trained; the score follows its current weights.
        X_val : array-like or sparse matrix of shape (n_val, n_features)
        device : torch.device

        Returns
        -------
        callable
            Takes no argument and returns a float (higher is better).
        """
        Xv = as_tensor(X_val, device)

        def validate():
            with torch.no_grad():
                total = sum(module.cost_per_sample(Xv[sl]).sum()
                            for sl in chunked(Xv.shape[0], self._inference_chunk_size))
            return -total.item() / Xv.shape[0]

        return validate

    def _commit(self, module, optimizer, history, device, seed, warm, t):
        """Store a finished fit's module, optimizer and curves on the estimator.

        Parameters
        ----------
        module : TiedAutoencoder
        optimizer : torch.optim.Optimizer
        history : skdeep._engine.loop.History
            This fit's epochs.
        device : torch.device
        seed : int
            The run's seed; kept only by a cold fit, so warm fits derive theirs from it.
        warm : bool
            Whether the fit continued a previous one.
        t : int
            Samples seen over all fits, the ``"invscaling"`` schedule's clock.
        """
        self.module_ = module
        self._optimizer = optimizer
        self._optimizer_state = None
        self.device_ = str(device)
        if not warm:
            self._seed_ = seed
        previous = list(self.loss_curve_) if warm else []
        previous_scores = list(getattr(self, "validation_scores_", None) or []) if warm else []
        self._set_history(history)
        # warm fits append their epochs to the curves; n_iter_ counts this fit's
        self.loss_curve_ = previous + self.loss_curve_
        if self.validation_scores_ is not None:
            self.validation_scores_ = previous_scores + self.validation_scores_
        self.t_ = t

    # ------------------------------------------------------------------ inference
    def jacobian_norm(self, X, squared=True):
        """Mean Frobenius norm of the encoder's Jacobian ``dh/dx`` over the rows of ``X``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        squared : bool, default=True
            True gives the mean of the squared norms (the quantity the penalty weighs);
            False the mean of the norms themselves, the scale of the tutorial's printed
            "jacobian norm".

        Returns
        -------
        float
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        sq = self._predict_batched(X, lambda m, xb: m.jacobian_sq_norm(xb), self.module_,
                                   dtype=np.float64)
        return float(np.mean(sq if squared else np.sqrt(sq)))
