"""What :class:`~skdeep.MLPClassifier` and :class:`~skdeep.MLPRegressor` share.

The two mirror scikit-learn's estimators of the same names: the same parameters,
defaults, fitted attributes and stopping rules, with the training on a torch module
(:class:`skdeep.nn.layers.Perceptron`) through the engine's epoch loop. As in
scikit-learn, ``coefs_`` and ``intercepts_`` are the model: they may be set by hand,
and ``fit`` (warm) or ``partial_fit`` continue from whatever they hold.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight

from ._engine.batches import StreamingSource, TensorSource
from ._engine.lbfgs import minimize_lbfgs
from ._engine.loop import NonFiniteLossError, train
from ._engine.optim import (
    AutogradStep,
    FastUpdate,
    gradient_solver,
    load_optimizer_state,
)
from ._engine.precision import check_precision, device_budget, streams
from ._mlp_state import _PerceptronStateMixin
from .base import DeepEstimator, as_tensor, warn_user
from .nn.layers import PerceptronBackprop, perceptron_loss, perceptron_output

NONFINITE_WEIGHTS = ("Solver produced non-finite parameter weights. The input data may "
                     "contain large values and need to be preprocessed.")


class BaseMultilayerPerceptron(_PerceptronStateMixin, DeepEstimator):
    """Base class of the scikit-learn MLP mirrors (not used directly)."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
        "power_t": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(numbers.Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "beta_1": [Interval(numbers.Real, 0, 1, closed="left")],
        "beta_2": [Interval(numbers.Real, 0, 1, closed="left")],
        "epsilon": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left"),
                             Options(numbers.Real, {np.inf})],
        "max_fun": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str],
        "precision": [StrOptions({"float32", "tf32", "bf16"})],
        "compile": ["boolean"],
        "max_device_memory": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }

    # ------------------------------------------------------------------ subclass hooks
    def _validate_input(self, X, y, incremental, reset):  # pragma: no cover
        raise NotImplementedError

    def _targets(self, Y, device, dtype):
        """The training targets as a tensor for :func:`perceptron_loss`."""
        return torch.as_tensor(np.asarray(Y), dtype=dtype, device=device)

    def _validation_score(self, out, y_val, sample_weight):  # pragma: no cover
        raise NotImplementedError

    def _out_activation(self, Y):  # pragma: no cover
        raise NotImplementedError

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y, sample_weight=None, X_val=None, y_val=None):
        """Fit the model to ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels of any type or a label indicator matrix (multilabel) for the
            classifier; numeric targets for the regressor.
        sample_weight : array-like of shape (n_samples,), default=None
        X_val, y_val : array-like, default=None
            A validation set to stop on, instead of the ``validation_fraction``
            hold-out (an addition to scikit-learn).

        Returns
        -------
        self
        """
        self._validate_params()
        return self._fit(X, y, sample_weight, X_val, y_val, incremental=False)

    def _check_solver(self):
        """``partial_fit`` exists only for the stochastic solvers, as in scikit-learn."""
        if self.solver == "lbfgs":
            raise AttributeError("partial_fit is only available for stochastic optimizers. "
                                 "lbfgs is not stochastic.")
        return True

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if np.any(np.array(sizes) <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    def _fit(self, X, y, sample_weight, X_val, y_val, *, incremental):
        hidden = self._hidden_sizes()
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        if Y.ndim == 1:
            Y = Y.reshape((-1, 1))
        if (X_val is None) != (y_val is None):
            raise ValueError("Pass both X_val and y_val, or neither.")
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        dtype = np.dtype(X.dtype)
        layer_units = [X.shape[1]] + hidden + [Y.shape[1]]
        with self._fit_run() as run:
            device, seed = run.device, run.seed
            check_precision(self.precision, device)
            if first_pass:
                state = self._initial_state(Y, layer_units, dtype, seed)
            else:
                state = self._current_state(dtype)
            module = self._module_from(state["coefs_"], state["intercepts_"], device)
            if self.solver == "lbfgs":
                self._train_lbfgs(module, X, Y, sample_weight, state, device)
            else:
                self._train_stochastic(module, X, Y, sample_weight, X_val, y_val, state,
                                       device, seed, incremental)
        state["coefs_"] = [layer.weight.detach().cpu().numpy().T.astype(dtype)
                           for layer in module.layers]
        state["intercepts_"] = [layer.bias.detach().cpu().numpy().astype(dtype)
                                for layer in module.layers]
        if not all(np.isfinite(w).all() for w in state["coefs_"] + state["intercepts_"]):
            raise ValueError(NONFINITE_WEIGHTS)
        # commit: the estimator changes only once training has succeeded
        for key, value in state.items():
            setattr(self, key, value)
        self.device_ = str(device)
        self._cache = (self._weights_key(), module.eval())
        return self

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warn_user("Got `batch_size` less than 1 or larger than sample size. It is "
                      "going to be clipped")
        return int(np.clip(self.batch_size, 1, n_samples))

    def _split(self, X, Y, sample_weight):
        """scikit-learn's early-stopping hold-out (stratified for one binary output)."""
        stratify = Y if is_classifier(self) and Y.shape[1] == 1 else None
        rs = check_random_state(self.random_state)
        arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
        parts = train_test_split(*arrays, random_state=rs,
                                 test_size=self.validation_fraction, stratify=stratify)
        X_tr, X_va, Y_tr, Y_va = parts[:4]
        sw_tr, sw_va = (parts[4], parts[5]) if sample_weight is not None else (None, None)
        if X_va.shape[0] < 2:
            raise ValueError("The validation set is too small. Increase "
                             "'validation_fraction' or the size of your dataset.")
        return X_tr, Y_tr, sw_tr, X_va, self._decode_validation(Y_va), sw_va

    def _decode_validation(self, Y_va):
        return Y_va

    def _check_y_val(self, y_val):
        """Refuse validation targets the model cannot score (classifiers: new labels)."""

    def _train_stochastic(self, module, X, Y, sample_weight, X_val, y_val, state, device,
                          seed, incremental):
        stream = streams(X, device, self.max_device_memory)
        X, Y, sample_weight, X_val, y_val, sw_val = self._validation_data(
            X, Y, sample_weight, X_val, y_val, stream)
        t_dtype = next(module.parameters()).dtype
        n = X.shape[0]
        batch = self._batch_size(n)
        if stream:
            data = self._streamed(X, Y, sample_weight, device, t_dtype, batch)
        else:
            data = self._training_source(X, Y, sample_weight, device, t_dtype)
        optimizer, schedule = self._optimizer_for(module, state, device, incremental)
        out_act = state["out_activation_"]
        validate = self._validator(module, X_val, y_val, sw_val, out_act, device, t_dtype)
        t0, best_val = state["t_"], state["best_validation_score_"]
        module.train()
        try:
            history = train(
                module, self._step(module, optimizer, out_act), data, batch_size=batch,
                max_iter=1 if incremental else self.max_iter,
                generator=self._generator(seed if not incremental else seed + t0, device),
                # one batch covers the data: its order changes nothing but rounding
                shuffle=self.shuffle and batch < n, validate=validate, tol=self.tol,
                n_iter_no_change=self.n_iter_no_change, stop_on_loss=True,
                epoch_end=lambda epoch: schedule.epoch_end(t0 + epoch * n),
                on_plateau=self._plateau_rule(schedule, validate is not None),
                report=self._report, restore_on_plateau=False,
                best_loss=(state["best_loss_"] if state["best_loss_"] is not None
                           else math.inf),
                best_validation_score=None if best_val in (None, -np.inf) else best_val,
                no_improvement=state["_no_improvement_count"])
        except NonFiniteLossError as exc:
            raise ValueError(NONFINITE_WEIGHTS) from exc
        finally:
            for p in module.parameters():  # the step's gradient buffers
                p.grad = None
        module.eval()
        self._record(state, history, schedule, n, validated=validate is not None)
        if not incremental and history.stop_reason == "max_iter":
            warn_user(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                      "and the optimization hasn't converged yet.", ConvergenceWarning)

    def _optimizer_for(self, module, state, device, incremental):
        """scikit-learn's solver and learning-rate schedule; ``partial_fit`` continues
        the optimizer, a (warm) fit starts a new one."""
        optimizer, schedule = gradient_solver(module.parameters(), self)
        if incremental:
            self._restore_optimizer(optimizer, device, state)
        return optimizer, schedule

    def _validator(self, module, X_val, y_val, sw_val, out_act, device, t_dtype):
        """The validation score of the current weights (scikit-learn's), or None."""
        if X_val is None:
            return None
        Xv = as_tensor(X_val, device, t_dtype)

        def validate():
            with torch.no_grad():
                out = perceptron_output(module(Xv), out_act).cpu().numpy()
            return float(self._validation_score(out, y_val, sw_val))
        return validate

    def _validation_data(self, X, Y, sample_weight, X_val, y_val, stream):
        """The training rows and the validation set: the caller's, or scikit-learn's
        hold-out for ``early_stopping`` (the sample weights split alongside)."""
        sw_val = None
        if stream and X_val is None and self.early_stopping:
            raise ValueError("early_stopping on data streamed from disk needs an explicit "
                             "validation set: pass fit(X, y, X_val=..., y_val=...).")
        if X_val is not None:
            X_val = self._validate_X(X_val, reset=False, accept_sparse=["csr", "csc"])
            y_val = np.asarray(y_val)
            if X_val.shape[0] != y_val.shape[0]:
                raise ValueError(f"X_val has {X_val.shape[0]} rows but y_val has "
                                 f"{y_val.shape[0]}.")
            self._check_y_val(y_val)
        elif self.early_stopping:
            X, Y, sample_weight, X_val, y_val, sw_val = self._split(X, Y, sample_weight)
        return X, Y, sample_weight, X_val, y_val, sw_val

    def _training_source(self, X, Y, sample_weight, device, t_dtype):
        # the training only reads X (a gather per batch): no copy where none is needed
        data = [as_tensor(X, device, t_dtype, copy=False), self._targets(Y, device, t_dtype)]
        if sample_weight is not None:
            data.append(torch.as_tensor(sample_weight, dtype=t_dtype, device=device))
        return TensorSource(*data, reuse_buffers=True)  # the step keeps no batch

    def _step(self, module, optimizer, out_act):
        """One minibatch update; its loss includes scikit-learn's L2 term,
        ``0.5 * alpha * ||W||^2 / sum(weights)``, which is also in its gradient."""
        alpha = float(self.alpha)
        if self.compile:
            trained = torch.compile(module)
            autograd_step = AutogradStep(
                optimizer, weights=[layer.weight for layer in module.layers], alpha=alpha)

            def step(xb, yb, swb=None):
                loss = perceptron_loss(trained(xb), yb, out_act, swb)
                return autograd_step(loss, swb.sum() if swb is not None else xb.shape[0])
            return step
        update = FastUpdate(optimizer)
        backprop = PerceptronBackprop(module, out_act, alpha)

        def step(xb, yb, swb=None):
            loss = backprop(xb, yb, swb)
            update()
            return loss
        return step

    def _report(self, epoch, loss, score):
        """scikit-learn's verbose lines, which its tests read."""
        if self.verbose:
            print("Iteration %d, loss = %.8f" % (epoch, loss))
            if score is not None:
                print("Validation score: %f" % score)

    def _plateau_rule(self, schedule, validated):
        def on_plateau():
            go_on = schedule.on_plateau()
            if self.verbose:
                what = "Validation score" if validated else "Training loss"
                msg = (f"{what} did not improve more than tol={self.tol:f} for "
                       f"{self.n_iter_no_change} consecutive epochs.")
                if go_on:
                    print(msg + " Setting learning rate to %f" % schedule.learning_rate)
                elif schedule.schedule == "adaptive":
                    print(msg + " Learning rate too small. Stopping.")
                else:
                    print(msg + " Stopping.")
            return go_on
        return on_plateau

    @staticmethod
    def _record(state, history, schedule, n, *, validated):
        """The fitted attributes of one stochastic fit, as scikit-learn counts them."""
        state["n_iter_"] = history.n_iter
        state["t_"] = state["t_"] + history.n_iter * n
        state["loss_curve_"] = state["loss_curve_"] + history.loss_curve
        state["loss_"] = history.loss_curve[-1] if history.loss_curve else np.nan
        state["_no_improvement_count"] = history.no_improvement
        state["stop_reason_"] = history.stop_reason
        if validated:
            state["validation_scores_"] = ((state["validation_scores_"] or [])
                                           + history.validation_scores)
            state["best_validation_score_"] = history.best_validation_score
            state["best_loss_"] = None
        else:
            state["best_loss_"] = history.best_loss
        state["_optimizer"] = schedule
        state["_optimizer_state"] = None

    def _streamed(self, X, Y, sample_weight, device, t_dtype, batch):
        """Row chunks of ``X`` (a memmap, an HDF5 dataset) within ``max_device_memory``;
        the targets are small and built on the host once."""
        targets = self._targets(Y, "cpu", t_dtype)
        arrays = [X, targets.numpy()]
        dtypes = [t_dtype, targets.dtype]
        if sample_weight is not None:
            arrays.append(np.asarray(sample_weight))
            dtypes.append(t_dtype)
        budget = device_budget(device, self.max_device_memory)
        row_bytes = np.dtype(X.dtype).itemsize * int(np.prod(X.shape[1:]))
        chunk_rows = max(batch, budget // (4 * row_bytes))
        return StreamingSource(tuple(arrays), device, chunk_rows, dtypes=tuple(dtypes))

    def _restore_optimizer(self, optimizer, device, state=None):
        previous = state["_optimizer"] if state is not None else self._optimizer
        if previous is not None:
            load_optimizer_state(optimizer, previous.state_dict())
        elif state is not None and state["_optimizer_state"] is not None:
            from ._engine.device import move_to

            load_optimizer_state(optimizer, move_to(state["_optimizer_state"], device))

    def _train_lbfgs(self, module, X, Y, sample_weight, state, device):
        t_dtype = next(module.parameters()).dtype
        Xt = as_tensor(X, device, t_dtype)
        Yt = self._targets(Y, device, t_dtype)
        swt = (None if sample_weight is None
               else torch.as_tensor(sample_weight, dtype=t_dtype, device=device))
        denom = float(X.shape[0]) if swt is None else float(sample_weight.sum())
        alpha, out_act = float(self.alpha), state["out_activation_"]
        weights = [layer.weight for layer in module.layers]

        def objective():
            loss = perceptron_loss(module(Xt), Yt, out_act, swt)
            if alpha:
                loss = loss + 0.5 * alpha * sum(w.pow(2).sum() for w in weights) / denom
            return loss

        result = minimize_lbfgs(module.parameters(), objective, max_iter=self.max_iter,
                                max_fun=self.max_fun, tol=self.tol)
        module.eval()
        state["n_iter_"] = result.n_iter
        state["loss_"] = result.loss
        state["loss_curve_"] = state["loss_curve_"] + [result.loss]
        state["best_loss_"] = result.loss
        state["stop_reason_"] = "converged" if result.converged else "max_iter"
        if not result.converged:
            warn_user(f"lbfgs failed to converge after {result.n_iter} iteration(s) "
                      f"({result.message}). Increase the number of iterations (max_iter) "
                      "or the number of function evaluations (max_fun), or scale the data.",
                      ConvergenceWarning)

    # ------------------------------------------------------------------ inference
    def _forward(self, X):
        """The output activations of ``X``, computed in the model's float dtype."""
        module = self._fitted_module()
        X = self._validate_X(X, reset=False, accept_sparse=["csr", "csc"])
        dtype = next(module.parameters()).dtype
        out_act = self.out_activation_
        self.device_ = str(next(module.parameters()).device)
        return self._predict_batched(
            X, lambda m, xb: perceptron_output(m(xb), out_act), module,
            dtype=np.float64 if dtype == torch.float64 else np.float32)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
