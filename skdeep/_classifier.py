"""What every skdeep network classifier shares on top of the network machinery.

A concrete classifier (logistic regression, LeNet, DBN, SdA, DBM) supplies
``_build_module(n_features, n_classes, generator)`` returning a module that maps a float
batch to class logits, and optionally ``_prepare_input`` (reshape a flat batch) and
``_pretrain`` (DBN/SdA). The fitting machinery (optimizer, regularisation, schedules,
early stopping, ``warm_start``) is :class:`~skdeep._network.NeuralNetBase`'s; here are
the label encoding, the cross-entropy, ``partial_fit`` and the probabilities.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._network import NeuralNetBase, l1_penalty
from ._validation import check_label_types

__all__ = ["NeuralNetClassifier"]


class NeuralNetClassifier(ClassifierMixin, NeuralNetBase):
    """Base class of skdeep's network classifiers (not used directly).

    Subclasses define ``__init__`` with the parameters of
    :class:`~skdeep._network.NeuralNetBase` (scikit-learn's MLP vocabulary plus ``l1``,
    ``device``, ``precision``, ``compile``, ``max_device_memory``, ``random_state``,
    ``verbose``) and ``_build_module(n_features, n_classes, generator)``.
    """

    #: dtype of the training targets on the device: class indices
    _target_dtype = torch.long

    def _validation_score(self, module, Xv, yv):
        """Accuracy of ``module`` on the validation tensors."""
        correct = torch.zeros((), device=Xv.device)
        for start in range(0, Xv.shape[0], self._inference_chunk_size):
            xb = Xv[start:start + self._inference_chunk_size]
            yb = yv[start:start + self._inference_chunk_size]
            correct += (module(self._prepare_input(xb)).argmax(1) == yb).sum()
        return correct.item() / Xv.shape[0]

    def _set_outputs(self, classes):
        """Record what the fit learnt about the targets (the classes)."""
        self.classes_ = classes

    @staticmethod
    def _n_outputs(classes):
        return len(classes)

    def _n_outputs_fitted(self):
        return len(self.classes_)

    def _loss(self, module, xb, yb):
        loss = F.cross_entropy(module(self._prepare_input(xb)), yb)
        return loss + l1_penalty(module, self.l1) if self.l1 else loss

    def _encode_targets(self, y, warm):
        """Class indices of ``y`` and the classes (a warm fit keeps the earlier ones)."""
        y = column_or_1d(y, warn=True)
        check_label_types(y, "y")
        check_classification_targets(y)
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
        return y_enc, classes

    @staticmethod
    def _encode_validation_targets(y_val, n_val, classes):
        y_val = column_or_1d(y_val)
        if y_val.shape[0] != n_val:
            raise ValueError(f"X_val has {n_val} samples but y_val has "
                             f"{y_val.shape[0]} labels; they must have the same length.")
        check_label_types(y_val, "y_val")
        unknown = np.setdiff1d(np.unique(y_val), classes)
        if unknown.size:
            raise ValueError(f"y_val has labels not seen in y: {unknown.tolist()}.")
        return np.searchsorted(classes, y_val)

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
        return self._fit_checked(X, y, X_val, y_val)

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

    # ------------------------------------------------------------------ prediction
    def decision_function(self, X):
        """Class scores (logits); for two classes, the score of ``classes_[1]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
        """
        logits = self._network_outputs(X)
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
        logits = self._network_outputs(X)
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
        logits = self._network_outputs(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags


def _logsumexp(a):
    m = a.max(axis=1, keepdims=True)
    return m + np.log(np.exp(a - m).sum(axis=1, keepdims=True))
