"""The fitting machinery every skdeep network classifier and regressor shares.

:class:`NeuralNetBase` holds what a network fitted by backpropagation on targets needs
whatever the targets are: the input checks (in memory or streamed from disk), the
validation set (explicit, held out, or none), pretraining, the module build, the
optimizer and its schedules, the autograd step with the L2 penalty folded in, early
stopping, ``warm_start``, ``partial_fit``'s incremental epochs and the commit of the
fitted state when the fit succeeds.

:class:`~skdeep._classifier.NeuralNetClassifier` and
:class:`~skdeep._regressor.NeuralNetRegressor` inherit it and supply what is specific
to their targets: ``_encode_targets`` and ``_encode_validation_targets`` (class indices;
standardised floats), ``_n_outputs``, ``_loss``, ``_validation_score`` (accuracy; R²)
and ``_set_outputs`` (``classes_``; ``n_outputs_``, ``y_mean_``, ``y_scale_``).
"""
from __future__ import annotations

import copy
import inspect
import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._classifier_data import _TrainingDataMixin
from ._engine.loop import train
from ._engine.optim import (
    AutogradStep,
    gradient_solver,
    set_learning_rate,
    weights_and_biases,
)
from ._engine.precision import autocast, check_precision, streams, tf32
from ._validation import GRADIENT_CONSTRAINTS
from .base import DeepEstimator, as_tensor

__all__ = ["NeuralNetBase"]


def l1_penalty(module, l1):
    """``l1`` times the absolute sum of the weight matrices/kernels (biases are not
    regularised)."""
    return l1 * sum(p.abs().sum() for p in module.parameters() if p.dim() > 1)


class NeuralNetBase(_TrainingDataMixin, DeepEstimator):
    """Base class of skdeep's network classifiers and regressors (not used directly).

    Subclasses define ``__init__`` with at least the parameters of
    ``_parameter_constraints`` below: scikit-learn's MLP vocabulary (``solver``,
    ``learning_rate_init``, ``learning_rate`` the schedule, ``power_t``, ``alpha``,
    ``momentum``, ``nesterovs_momentum``, ``beta_1``, ``beta_2``, ``epsilon``,
    ``batch_size``, ``max_iter``, ``early_stopping``, ``validation_fraction``,
    ``n_iter_no_change``, ``tol``, ``shuffle``, ``warm_start``) plus ``l1``, ``device``,
    ``precision``, ``compile``, ``max_device_memory``, ``random_state``, ``verbose``;
    and ``_build_module(n_features, n_outputs, generator)``.
    """

    _parameter_constraints: dict = {
        **GRADIENT_CONSTRAINTS,
        "l1": [Interval(numbers.Real, 0, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "precision": [StrOptions({"float32", "tf32", "bf16"})],
        "compile": ["boolean"],
        "max_device_memory": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }

    #: keyword arguments of ``_validate_Xy`` for the targets (regressors: numeric, 2-D)
    _xy_options: dict = {}

    # ------------------------------------------------------------------ hooks
    def _build_module(self, n_features, n_outputs, generator):  # pragma: no cover
        raise NotImplementedError

    def _prepare_input(self, xb):
        """Reshape a flat float batch for the module (LeNet); identity by default."""
        return xb

    def _check_input_shape(self, X):
        """Validate model-specific input shape constraints (after sklearn validation)."""

    def _pretrain(self, X, run):
        """Unsupervised pretraining hook (DBN, SdA, DBM) inside the fit's
        :class:`~skdeep.base.FitRun` (its device, seed, generators and stages, so that
        one Ctrl-C stops pretraining and fine-tuning alike): returns a state for
        ``_build_module``, or None."""
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

    # ------------------------------------------------------------------ fitting
    def _fit_checked(self, X, y, X_val, y_val):
        """``fit``: check the parameters, the data and the validation set, then train."""
        self._validate_params()
        if (X_val is None) != (y_val is None):
            raise ValueError("Pass both X_val and y_val, or neither.")
        X, y = self._checked_training_data(X, y, validated=X_val is not None)
        warm = self.warm_start and hasattr(self, "module_")
        y_enc, outputs = self._encode_targets(y, warm)
        if X_val is not None:
            X_val = self._validate_X(X_val, reset=False)
            self._check_input_shape(X_val)
            y_val_enc = self._encode_validation_targets(y_val, X_val.shape[0], outputs)
        elif self.early_stopping:
            X, X_val, y_enc, y_val_enc = self._holdout(X, y_enc)
        else:
            y_val_enc = None
        return self._fit_encoded(X, y_enc, outputs, X_val, y_val_enc, warm=warm,
                                 max_iter=self.max_iter, incremental=False)

    def _checked_training_data(self, X, y, *, validated):
        """``(X, y)`` validated: in memory, or by its first row when streamed from disk."""
        device = self._resolve_device()
        check_precision(getattr(self, "precision", "float32"), device)
        if streams(X, device, getattr(self, "max_device_memory", None)):
            if self.early_stopping and not validated:
                raise ValueError(
                    "early_stopping on data streamed from disk needs an explicit "
                    "validation set: pass fit(X, y, X_val=..., y_val=...).")
            return self._validate_streamed(X, y)
        X, y = self._validate_Xy(X, y, reset=True, **self._xy_options)
        self._check_input_shape(X)
        return X, y

    def _fit_encoded(self, X, y_enc, outputs, X_val, y_val_enc, *, warm, max_iter,
                     incremental):
        with self._fit_run(self._continued_seed(self.t_) if incremental and warm
                           else None) as run:
            device, seed = run.device, run.seed
            if warm:
                # Train a copy: a failed or interrupted-by-error fit leaves the estimator
                # exactly as it was.
                module = copy.deepcopy(self.module_).to(device)
            else:
                module = self._pretrained_module(X, outputs, run)
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
        self._commit(module, optimizer, outputs, history, run, warm, n_train,
                     validated=X_val is not None)
        if not incremental:
            self._warn_if_not_converged(history, max_iter)
        return self

    def _pretrained_module(self, X, outputs, run):
        """The network of a fresh fit: pretraining (if the model has it), then the build.

        The pretraining stages and the fine-tuning are one fit: a Ctrl-C in pretraining
        skips the rest (see :class:`~skdeep._engine.loop.Stages`).
        """
        pre = self._pretrain(X, run)
        extra = (pre,) if pre is not None else ()
        module = self._seeded_build(run.seed, lambda gen: self._build_module(
            X.shape[1], self._n_outputs(outputs), gen, *extra))
        return self._to_device(module, run.device)

    def _optimizer_for(self, module, warm, incremental, device):
        optimizer, schedule = gradient_solver(module.parameters(), self)
        if warm:
            self._restore_optimizer(optimizer, device)
        if warm and not incremental:
            # a new fit starts from learning_rate_init, not a decayed rate
            set_learning_rate(optimizer, self.learning_rate_init)
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

    def _commit(self, module, optimizer, outputs, history, run, warm, n_train, *,
                validated):
        """The fitted state of a fit that succeeded; a warm fit appends to the curves and
        counts, as scikit-learn's MLP does, ``n_iter_`` as this fit's epochs."""
        self.module_ = module
        self._optimizer = optimizer
        self._optimizer_state = None
        self._set_outputs(outputs)
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

    # ------------------------------------------------------------------ fitted state
    def _rebuild_module(self, name):
        """An untrained module of the fitted shape, for loading saved weights into."""
        required = [p for p in inspect.signature(self._build_module).parameters.values()
                    if p.default is inspect.Parameter.empty]
        if name != "module_" or len(required) != 3:
            return None
        return self._seeded_build(0, lambda gen: self._build_module(
            self.n_features_in_, self._n_outputs_fitted(), gen))

    def _network_outputs(self, X):
        """The fitted network's raw outputs on ``X`` (logits; standardised targets)."""
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        self._check_input_shape(X)
        return self._predict_batched(
            X, lambda m, xb: m(xb), self.module_, prepare=self._prepare_input)
