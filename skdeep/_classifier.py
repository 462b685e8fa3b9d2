"""The classifier machinery every skdeep network classifier shares.

A concrete classifier (logistic regression, MLP, LeNet, DBN, SdA, ...) supplies
``_build_module(n_features, n_classes, generator)`` returning a module that maps a float
batch to class logits, and optionally ``_prepare_input`` (reshape a flat batch) and
``_pretrain`` (DBN/SdA). Everything else -- validation, label encoding, the optimizer,
regularisation, early stopping, ``partial_fit``, ``warm_start``, probabilities -- is here.
"""
from __future__ import annotations

import copy
import numbers

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._classifier_data import _TrainingDataMixin
from ._engine.loop import train
from ._engine.optim import (
    AutogradStep,
    LearningRateSchedule,
    make_optimizer,
    set_learning_rate,
    weights_and_biases,
)
from ._engine.precision import autocast, check_precision, streams, tf32
from ._validation import GRADIENT_CONSTRAINTS, check_label_types
from .base import DeepEstimator, as_tensor

__all__ = ["NeuralNetClassifier"]


def _weights(module):
    """The weight matrices/kernels regularised by ``l1`` and ``alpha`` (biases are not)."""
    return [p for name, p in module.named_parameters() if p.dim() > 1]


class NeuralNetClassifier(ClassifierMixin, _TrainingDataMixin, DeepEstimator):
    """Base class of skdeep's network classifiers (not used directly).

    Subclasses define ``__init__`` with at least the parameters of
    ``_parameter_constraints`` below: scikit-learn's MLP vocabulary (``solver``,
    ``learning_rate_init``, ``learning_rate`` the schedule, ``power_t``, ``alpha``,
    ``momentum``, ``nesterovs_momentum``, ``beta_1``, ``beta_2``, ``epsilon``,
    ``batch_size``, ``max_iter``, ``early_stopping``, ``validation_fraction``,
    ``n_iter_no_change``, ``tol``, ``shuffle``, ``warm_start``) plus ``l1``, ``device``,
    ``precision``, ``compile``, ``max_device_memory``, ``random_state``, ``verbose``.
    """

    _parameter_constraints: dict = {
        **GRADIENT_CONSTRAINTS,
        "l1": [Interval(numbers.Real, 0, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "precision": [StrOptions({"float32", "tf32", "bf16"})],
        "compile": ["boolean"],
        "max_device_memory": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }

    # ------------------------------------------------------------------ hooks
    def _build_module(self, n_features, n_classes, generator):  # pragma: no cover
        raise NotImplementedError

    def _prepare_input(self, xb):
        """Reshape a flat float batch for the module (LeNet); identity by default."""
        return xb

    def _check_input_shape(self, X):
        """Validate model-specific input shape constraints (after sklearn validation)."""

    def _pretrain(self, X, device, seed):
        """Unsupervised pretraining hook (DBN, SdA): returns a state for _build_module."""
        return None

    def _lr_schedule(self, optimizer):
        """``epoch_end`` multiplying the rate by ``lr_gamma`` after each of the
        ``lr_milestones`` epochs (estimators with those parameters), or None."""
        milestones = getattr(self, "lr_milestones", None)
        if milestones is None or len(milestones) == 0:
            return None
        milestones = {int(m) for m in milestones}
        gamma = self.lr_gamma

        def epoch_end(epoch):
            if epoch in milestones:
                for group in optimizer.param_groups:
                    group["lr"] *= gamma
        return epoch_end

    #: dtype of the training targets on the device (class indices; regressors: float)
    _target_dtype = torch.long

    def _validation_score(self, module, Xv, yv):
        """Score of ``module`` on the validation tensors (accuracy; regressors: R²)."""
        correct = torch.zeros((), device=Xv.device)
        for start in range(0, Xv.shape[0], self._inference_chunk_size):
            xb = Xv[start:start + self._inference_chunk_size]
            yb = yv[start:start + self._inference_chunk_size]
            correct += (module(self._prepare_input(xb)).argmax(1) == yb).sum()
        return correct.item() / Xv.shape[0]

    def _set_outputs(self, classes):
        """Record what the fit learnt about the targets (the classes)."""
        self.classes_ = classes

    def _make_optimizer(self, module):
        return make_optimizer(
            self.solver, module.parameters(), self.learning_rate_init, self.momentum,
            nesterovs_momentum=self.nesterovs_momentum, beta_1=self.beta_1,
            beta_2=self.beta_2, epsilon=self.epsilon)

    def _loss(self, module, xb, yb):
        loss = F.cross_entropy(module(self._prepare_input(xb)), yb)
        if self.l1:
            loss = loss + self.l1 * sum(w.abs().sum() for w in _weights(module))
        return loss

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y, X_val=None, y_val=None):
        """Train on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels of any type (ints, strings, ...).
        X_val, y_val : array-like, optional
            A validation set to stop on (the tutorial's fixed split); it replaces the
            ``validation_fraction`` hold-out of ``early_stopping``.

        Returns
        -------
        self
        """
        self._validate_params()
        if (X_val is None) != (y_val is None):
            raise ValueError("Pass both X_val and y_val, or neither.")
        device = self._resolve_device()
        check_precision(getattr(self, "precision", "float32"), device)
        if streams(X, device, getattr(self, "max_device_memory", None)):
            if self.early_stopping and X_val is None:
                raise ValueError(
                    "early_stopping on data streamed from disk needs an explicit "
                    "validation set: pass fit(X, y, X_val=..., y_val=...).")
            X, y = self._validate_streamed(X, y)
        else:
            X, y = self._validate_Xy(X, y, reset=True)
            self._check_input_shape(X)
        y = column_or_1d(y, warn=True)
        check_label_types(y, "y")
        check_classification_targets(y)
        warm = self.warm_start and hasattr(self, "module_")
        if warm:
            classes = self.classes_
            if not np.isin(np.unique(y), classes).all():
                raise ValueError(
                    "warm_start=True needs y within the classes of the earlier fit "
                    f"{list(classes)}; got {list(np.setdiff1d(np.unique(y), classes))}.")
            y_enc = np.searchsorted(classes, y)
        else:
            classes, y_enc = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the data; "
                f"got only one class: {classes[0]!r}.")
        if X_val is not None:
            X_val = self._validate_X(X_val, reset=False)
            y_val = column_or_1d(y_val)
            if X_val.shape[0] != y_val.shape[0]:
                raise ValueError(f"X_val has {X_val.shape[0]} samples but y_val has "
                                 f"{y_val.shape[0]} labels; they must have the same length.")
            check_label_types(y_val, "y_val")
            unknown = np.setdiff1d(np.unique(y_val), classes)
            if unknown.size:
                raise ValueError(f"y_val has labels not seen in y: {unknown.tolist()}.")
            y_val_enc = np.searchsorted(classes, y_val)
        elif self.early_stopping:
            X, X_val, y_enc, y_val_enc = self._holdout(X, y_enc)
        else:
            y_val_enc = None
        return self._fit_encoded(X, y_enc, classes, X_val, y_val_enc, warm=warm,
                                 max_iter=self.max_iter, incremental=False)

    def partial_fit(self, X, y, classes=None):
        """One epoch over ``(X, y)``, continuing from the current state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like, optional
            All the classes that will ever appear; required on the first call.

        Returns
        -------
        self
        """
        first = not hasattr(self, "module_")
        if first:
            self._validate_params()
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            classes = column_or_1d(np.asarray(classes))
            check_label_types(classes, "classes")
            classes = np.unique(classes)
            if len(classes) < 2:
                raise ValueError("partial_fit needs at least 2 classes in `classes`.")
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes of the "
                f"first partial_fit call {self.classes_.tolist()}.")
        else:
            classes = self.classes_
        X, y = self._validate_Xy(X, y, reset=first)
        self._check_input_shape(X)
        y = column_or_1d(y, warn=True)
        check_label_types(y, "y")
        check_classification_targets(y)
        unknown = np.setdiff1d(np.unique(y), classes)
        if unknown.size:
            raise ValueError(
                f"y contains labels {unknown.tolist()} that are not in classes "
                f"{classes.tolist()}; partial_fit cannot add classes after the first call.")
        y_enc = np.searchsorted(classes, y)
        return self._fit_encoded(X, y_enc, classes, None, None, warm=not first,
                                 max_iter=1, incremental=True)

    def _fit_encoded(self, X, y_enc, classes, X_val, y_val_enc, *, warm, max_iter,
                     incremental):
        with self._fit_run(None if not incremental or not warm else
                           self._seed_ + self.t_ % 2_147_483_647) as run:
            device, seed = run.device, run.seed
            if warm:
                # Train a copy: a failed or interrupted-by-error fit leaves the estimator
                # exactly as it was.
                module = copy.deepcopy(self.module_).to(device)
            else:
                module = self._pretrained_module(X, classes, run)
                max_iter = run.stages.epochs(max_iter)
            optimizer, schedule = self._optimizer_for(module, warm, incremental, device)
            milestones = None if incremental else self._lr_schedule(optimizer)
            t0, n_train = (self.t_ if warm else 0), X.shape[0]

            def epoch_end(epoch):
                schedule.epoch_end(t0 + epoch * n_train)
                if milestones is not None:
                    milestones(epoch)
            precision = getattr(self, "precision", "float32")
            module.train()
            with tf32(precision, device):
                history = train(
                    module, self._step(module, optimizer, precision, device),
                    self._training_data(X, y_enc, device),
                    batch_size=min(self.batch_size, X.shape[0]), max_iter=max_iter,
                    generator=self._generator(seed, device), shuffle=self.shuffle,
                    validate=self._validator(module, X_val, y_val_enc, device),
                    tol=self.tol, n_iter_no_change=self.n_iter_no_change,
                    stop_on_loss=not incremental, verbose=self.verbose,
                    desc=type(self).__name__, epoch_end=epoch_end,
                    on_plateau=None if incremental else schedule.on_plateau)
            module.eval()
        # Commit the new state only now that training has succeeded.
        self._commit(module, optimizer, classes, history, run, warm, n_train,
                     validated=X_val is not None)
        if not incremental:
            self._warn_if_not_converged(history, max_iter)
        return self

    def _pretrained_module(self, X, classes, run):
        """The network of a fresh fit: pretraining (if the model has it), then the build.

        The pretraining stages and the fine-tuning are one fit: a Ctrl-C in pretraining
        skips the rest (see :class:`~skdeep._engine.loop.Stages`).
        """
        self._fit_stages = run.stages
        try:
            pre = self._pretrain(X, run.device, run.seed)
        finally:
            del self._fit_stages
        extra = (pre,) if pre is not None else ()
        module = self._seeded_build(run.seed, lambda gen: self._build_module(
            X.shape[1], len(classes), gen, *extra))
        return self._to_device(module, run.device)

    def _optimizer_for(self, module, warm, incremental, device):
        optimizer = self._make_optimizer(module)
        if warm:
            self._restore_optimizer(optimizer, device)
        if warm and not incremental:
            # a new fit starts from learning_rate_init, not a decayed rate
            set_learning_rate(optimizer, self.learning_rate_init)
        schedule = LearningRateSchedule(optimizer, self.learning_rate,
                                        self.learning_rate_init, self.power_t, self.solver)
        return optimizer, schedule

    def _step(self, module, optimizer, precision, device):
        trained = torch.compile(module) if getattr(self, "compile", False) else module
        # scikit-learn's L2, 0.5 * alpha * sum W**2 / batch, folded into the update
        autograd_step = AutogradStep(optimizer, weights=weights_and_biases(module)[0],
                                     alpha=self.alpha)

        def step(xb, yb):
            with autocast(precision, device):
                loss = self._loss(trained, xb, yb)
            return autograd_step(loss, xb.shape[0])
        return step

    def _validator(self, module, X_val, y_val_enc, device):
        if X_val is None:
            return None
        Xv = as_tensor(X_val, device)
        yv = torch.as_tensor(np.asarray(y_val_enc), dtype=self._target_dtype, device=device)

        def validate():
            module.eval()
            with torch.inference_mode():
                score = self._validation_score(module, Xv, yv)
            module.train()
            return score
        return validate

    def _commit(self, module, optimizer, classes, history, run, warm, n_train, *,
                validated):
        """The fitted state of a fit that succeeded; a warm fit appends to the curves and
        counts, as scikit-learn's MLP does, ``n_iter_`` as this fit's epochs."""
        self.module_ = module
        self._optimizer = optimizer
        self._optimizer_state = None
        self._set_outputs(classes)
        self.device_ = str(run.device)
        if not (warm and hasattr(self, "_seed_")):
            self._seed_ = run.seed
        prev_loss = list(self.loss_curve_) if warm and hasattr(self, "loss_curve_") else []
        prev_val = (list(self.validation_scores_ or []) if warm
                    and hasattr(self, "validation_scores_") else [])
        self.loss_curve_ = prev_loss + history.loss_curve
        self.n_iter_ = history.n_iter
        self.t_ = (self.t_ if warm else 0) + history.n_iter * n_train
        if validated:
            self.validation_scores_ = prev_val + history.validation_scores
            self.best_validation_score_ = history.best_validation_score
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
        self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else np.inf
        if not warm and run.stages.interrupted:
            history.stop_reason = "interrupted"
        self.stop_reason_ = history.stop_reason

    def _to_device(self, module, device):
        return module.to(device)

    def _rebuild_module(self, name):
        import inspect

        required = [p for p in inspect.signature(self._build_module).parameters.values()
                    if p.default is inspect.Parameter.empty]
        if name != "module_" or len(required) != 3:
            return None
        return self._seeded_build(0, lambda gen: self._build_module(
            self.n_features_in_, len(self.classes_), gen))

    # ------------------------------------------------------------------ prediction
    def _logits(self, X):
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        self._check_input_shape(X)
        return self._predict_batched(
            X, lambda m, xb: m(xb), self.module_, prepare=self._prepare_input)

    def decision_function(self, X):
        """Class scores (logits); for two classes, the score of ``classes_[1]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
        """
        logits = self._logits(X)
        if logits.shape[1] == 2:
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        logits = self._logits(X)
        return logits - _logsumexp(logits)

    def predict_proba(self, X):
        """Class probabilities; each row sums to 1.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        proba = np.exp(self.predict_log_proba(X))
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X):
        """Most probable class of each sample, in the label type of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        logits = self._logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags


def _logsumexp(a):
    m = a.max(axis=1, keepdims=True)
    return m + np.log(np.exp(a - m).sum(axis=1, keepdims=True))
