"""Multilayer perceptrons (the tutorial's MLP chapter) as drop-ins for scikit-learn's."""
from __future__ import annotations

import numpy as np
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d, validate_data

from ._mlp import BaseMultilayerPerceptron

__all__ = ["MLPClassifier", "MLPRegressor"]

_SHARED_PARAMETERS = """hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Units of each hidden layer.
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden layers.
    solver : {"lbfgs", "sgd", "adam"}, default="adam"
        ``"lbfgs"`` is full-batch L-BFGS (torch's, with a strong-Wolfe line search),
        counting ``max_iter`` iterations and ``max_fun`` evaluations as scikit-learn's.
    alpha : float, default=0.0001
        L2 penalty: ``0.5 * alpha * sum W**2 / n_batch`` is added to each batch's loss
        (``n_batch`` the batch's total sample weight). It is applied in the update, not
        through autograd.
    batch_size : int or "auto", default="auto"
        ``"auto"`` is ``min(200, n_samples)``; ignored by ``"lbfgs"``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Schedule of the ``"sgd"`` solver: ``"invscaling"`` sets the rate to
        ``learning_rate_init / (t + 1) ** power_t`` after each epoch (``t`` the samples
        seen); ``"adaptive"`` divides it by 5 whenever the stopping rule fires and goes
        on until it falls below 1e-6.
    learning_rate_init : float, default=0.001
    power_t : float, default=0.5
    max_iter : int, default=200
        Epochs (``"sgd"``, ``"adam"``) or iterations (``"lbfgs"``) at most.
    shuffle : bool, default=True
        New sample order each epoch (a batch that holds all the data is not shuffled:
        that changes nothing but rounding).
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the sample order and the early-stopping split.
    tol : float, default=1e-4
        Training stops when the loss (or the validation score) has not improved by
        ``tol`` for more than ``n_iter_no_change`` consecutive epochs.
    verbose : bool or int, default=False
        Print scikit-learn's progress lines (``Iteration 1, loss = ...``).
    warm_start : bool, default=False
        ``fit`` continues from ``coefs_``/``intercepts_`` with a new optimizer.
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified for a single binary
        output) and stop on its score, keeping the best weights.
        ``fit(X, y, X_val=..., y_val=...)`` uses a given validation set instead.
    validation_fraction : float, default=0.1
    beta_1, beta_2 : float, default=0.9, 0.999
    epsilon : float, default=1e-8
    n_iter_no_change : int or np.inf, default=10
    max_fun : int, default=15000
        Evaluations of the loss at most (``"lbfgs"``).
    device : str, default="auto"
        ``"auto"`` (CUDA, then MPS, then CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"``.
        Not in scikit-learn.
    precision : {"float32", "tf32", "bf16"}, default="float32"
        On CUDA: TF32 matmuls or bf16 autocast. Not in scikit-learn.
    compile : bool, default=False
        Train through :func:`torch.compile`. Not in scikit-learn.
    max_device_memory : int or None, default=None
        Bytes of training data the device may hold. A larger dense ``X`` (a
        ``numpy.memmap``, an HDF5 dataset) is streamed to it in row chunks by the
        stochastic solvers instead of copied whole; early stopping then needs
        ``X_val``/``y_val``. None: half the free memory of a GPU, a quarter of the RAM
        for the CPU. Not in scikit-learn."""

_SHARED_ATTRIBUTES = """loss_ : float
        The loss of the last epoch (or of the L-BFGS solution), L2 term included.
    best_loss_ : float or None
        Lowest training loss; None with early stopping, as in scikit-learn.
    loss_curve_ : list of float
        Loss per epoch (warm fits append to it).
    validation_scores_ : list of float or None
        Validation score per epoch with early stopping, else None.
    best_validation_score_ : float or None
    t_ : int
        Training samples seen (over warm fits and ``partial_fit`` calls).
    coefs_ : list of ndarray
        ``coefs_[i]`` has shape (units of layer i, units of layer i + 1), in the input's
        float dtype. They may be set; ``partial_fit`` continues from them.
    intercepts_ : list of ndarray
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only with pandas input having string column names
    n_iter_ : int
        Epochs (or L-BFGS iterations) of the last ``fit``.
    n_layers_ : int
    n_outputs_ : int
    out_activation_ : str
    stop_reason_ : str
        ``"converged"``, ``"max_iter"`` or ``"interrupted"``.
    device_ : str"""


def _init_params(self, loc):
    for name in type(self)._get_param_names():
        setattr(self, name, loc[name])


class MLPClassifier(ClassifierMixin, BaseMultilayerPerceptron):
    __doc__ = f"""Multilayer perceptron classifier: scikit-learn's ``MLPClassifier`` on torch.

    The same parameters, defaults, fitted attributes and training rules as
    :class:`sklearn.neural_network.MLPClassifier` (multiclass by softmax, binary and
    multilabel by logistic outputs, sparse input, ``sample_weight``, ``partial_fit``,
    warm starts, early stopping), so that code written for scikit-learn runs with the
    import changed, on a GPU where there is one.

    Parameters
    ----------
    {_SHARED_PARAMETERS}

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
    {_SHARED_ATTRIBUTES}

    Notes
    -----
    The deep learning tutorial's MLP (500 tanh units, SGD at 0.01 on batches of 20,
    ``L2_reg=1e-4`` on ``sum W**2``) is ``MLPClassifier((500,), activation="tanh",
    solver="sgd", learning_rate_init=0.01, batch_size=20, momentum=0.0,
    alpha=0.004, max_iter=1000)``: scikit-learn's ``alpha`` is divided by twice the batch
    size, so the tutorial's penalty is ``alpha = 2 * 20 * 1e-4``. The initialisation is
    Glorot's uniform, as scikit-learn's (the tutorial zeroes the output layer).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from skdeep import MLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X / 16, y, random_state=0)
    >>> clf = MLPClassifier(random_state=0).fit(X_train, y_train)
    >>> clf.score(X_test, y_test) > 0.95
    True
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="auto", precision="float32",
                 compile=False, max_device_memory=None):
        _init_params(self, locals())

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array-like of shape (n_classes,), default=None
            Every class of all calls; required on the first call.

        Returns
        -------
        self
        """
        if not hasattr(self, "classes_"):
            self._validate_params()
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight, None, None, incremental=True)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as "
                        f"in the previous call to fit. Previously got {self.classes_}, "
                        f"`y` has {classes}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` "
                                 f"has {self.classes_}. 'y' has {classes}.")
        return X, self._label_binarizer.transform(y).astype(bool)

    def _out_activation(self, Y):
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _targets(self, Y, device, dtype):
        if getattr(self, "out_activation_", None) == "softmax" or (
                self._label_binarizer.y_type_ == "multiclass"):
            return torch.as_tensor(np.asarray(Y).argmax(1), dtype=torch.long, device=device)
        return torch.as_tensor(np.asarray(Y), dtype=dtype, device=device)

    def _decode_validation(self, Y_va):
        return self._label_binarizer.inverse_transform(Y_va)

    def _check_y_val(self, y_val):
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return
        unknown = np.setdiff1d(unique_labels(y_val), self._label_binarizer.classes_)
        if unknown.size:
            raise ValueError(f"y_val has labels not seen in y: {unknown.tolist()}.")

    def _labels(self, out):
        if out.shape[1] == 1:
            out = out.ravel()
        return self._label_binarizer.inverse_transform(out)

    def _validation_score(self, out, y_val, sample_weight):
        return accuracy_score(y_val, self._labels(out), sample_weight=sample_weight)

    def predict(self, X):
        """Predicted labels (an indicator matrix for multilabel targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._labels(self._forward(X))

    def predict_proba(self, X):
        """Class probabilities (independent label probabilities for multilabel targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        out = self._forward(X)
        if out.shape[1] == 1:
            p = out.ravel()
            return np.vstack([1 - p, p]).T
        return out

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, BaseMultilayerPerceptron):
    __doc__ = f"""Multilayer perceptron regressor: scikit-learn's ``MLPRegressor`` on torch.

    The same parameters, defaults, fitted attributes and training rules as
    :class:`sklearn.neural_network.MLPRegressor`: half squared error with an identity
    output, or half Poisson deviance with an exponential output; multi-output targets;
    the targets are used as given (scale them, e.g. with
    :class:`~sklearn.compose.TransformedTargetRegressor`, as for scikit-learn's).

    Parameters
    ----------
    loss : {{"squared_error", "poisson"}}, default="squared_error"
    {_SHARED_PARAMETERS}

    Attributes
    ----------
    {_SHARED_ATTRIBUTES}

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.pipeline import make_pipeline
    >>> from skdeep import MLPRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y / y.std(), random_state=0)
    >>> reg = make_pipeline(StandardScaler(), MLPRegressor(
    ...     hidden_layer_sizes=(32,), solver="lbfgs", alpha=10.0, max_iter=300,
    ...     random_state=0))
    >>> reg.fit(X_train, y_train).score(X_test, y_test) > 0.3
    True
    """

    _parameter_constraints: dict = {
        **BaseMultilayerPerceptron._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="auto", precision="float32",
                 compile=False, max_device_memory=None):
        _init_params(self, locals())

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        if not hasattr(self, "coefs_"):
            self._validate_params()
        return self._fit(X, y, sample_weight, None, None, incremental=True)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _out_activation(self, Y):
        return "exp" if self.loss == "poisson" else "identity"

    def _validation_score(self, out, y_val, sample_weight):
        if not np.isfinite(out).all():
            return np.nan
        pred = out.ravel() if out.shape[1] == 1 else out
        return r2_score(y_val, pred, sample_weight=sample_weight)

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        out = self._forward(X)
        return out.ravel() if out.shape[1] == 1 else out
