"""The LSTM sentiment classifier of the tutorial: one label per token sequence.

It takes ragged input: a list of sequences, each a 1-D array of integer token ids or a
list of string tokens (:class:`skdeep.text.TextVectorizer` turns raw texts into these).
Tokens are mapped to embedding rows through a vocabulary learned in ``fit`` (most
frequent first); tokens never seen in training share one out-of-vocabulary embedding.
Minibatches are padded per batch to the batch's longest sequence and masked, never
truncated, and sequences of similar length are batched together.
"""
from __future__ import annotations

import numbers

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._engine.optim import AutogradStep, make_optimizer
from ._sequences import (
    COMMON_CONSTRAINTS,
    INFERENCE_BATCH,
    SequenceEstimator,
    build_vocabulary,
    ragged_source,
    run_sorted,
)
from ._validation import check_discrete_labels, check_label_types
from .nn.recurrent import LSTMEncoderClassifier

__all__ = ["LSTMSentiment"]


class LSTMSentiment(ClassifierMixin, SequenceEstimator):
    """LSTM sequence classifier (the tutorial's LSTM sentiment model).

    Embedding, one LSTM layer, mean pooling of its outputs over each sequence's real time
    steps, dropout and a logistic layer. Any number of classes.

    Parameters
    ----------
    embedding_dim : int, default=128
        Size of the embeddings and of the LSTM state (the tutorial's ``dim_proj``).
    n_words : int or None, default=10000
        Embedding rows (padding and unknown included): the ``n_words - 2`` most frequent
        training tokens get their own; rarer ones share the unknown-token row, as in the
        tutorial. None keeps every training token.
    maxlen : int or None, default=None
        Training sequences longer than this are left out of training (the tutorial's
        ``maxlen=100`` does the same); prediction always reads whole sequences.
    pooling : {"mean", "max"}, default="mean"
        How the LSTM outputs of the real time steps are summarised: their mean (the
        tutorial's) or their element-wise maximum.
    dropout : float, default=0.5
        Dropout on the pooled representation (the tutorial's ``use_dropout``).
    solver : {"adadelta", "rmsprop", "adam", "sgd"}, default="adam"
        The tutorial uses Adadelta (rho 0.95, eps 1e-6) with ``learning_rate_init=1.0``.
    learning_rate_init : float, default=0.002
    batch_size : int, default=32
    max_iter : int, default=10
    alpha : float, default=0.0
        L2 penalty ``alpha * sum U**2`` on the output weights ``U`` (the tutorial's
        ``decay_c``).
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` (stratified) to choose the best epoch and stop
        after ``n_iter_no_change`` epochs without improvement; ``fit(X_val=, y_val=)``
        gives a fixed validation set instead.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=3
    tol : float, default=0.0
    shuffle : bool, default=True
    device : str, default="auto"
    random_state : int, RandomState or None, default=None
    verbose : int, default=0

    Attributes
    ----------
    classes_ : ndarray
    vocabulary_ : dict
        Token -> embedding row (0 is padding, 1 unknown tokens).
    module_ : LSTMEncoderClassifier
    loss_curve_, validation_scores_, best_validation_score_, n_iter_, device_

    Notes
    -----
    The tutorial's settings: ``solver="adadelta", learning_rate_init=1.0, n_words=10000,
    maxlen=100, batch_size=16, embedding_dim=128``. The defaults were measured by 5-fold
    cross-validation on the movie-review polarity sentences: Adam at 0.002 on batches of
    32 reached 76.1% in about 6 epochs of 1.5 s; batch 16, batch 64, higher dropout, a
    smaller embedding, a 5000-word cap and max pooling all gave 75.7-75.9%, and Adadelta
    needs about 6 epochs before it learns at all.

    Examples
    --------
    >>> from skdeep import LSTMSentiment
    >>> from skdeep.text import TextVectorizer
    >>> from sklearn.pipeline import make_pipeline
    >>> texts = ["a fine film", "a dull film", "fine acting", "dull plot"] * 10
    >>> labels = [1, 0, 1, 0] * 10
    >>> model = make_pipeline(TextVectorizer(), LSTMSentiment(
    ...     embedding_dim=8, early_stopping=False, max_iter=20, random_state=0))
    >>> model.fit(texts, labels).predict(["fine plot", "dull acting"]).tolist()
    [1, 0]
    """

    _parameter_constraints: dict = {
        **COMMON_CONSTRAINTS,
        "maxlen": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "pooling": [StrOptions({"mean", "max"})],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "solver": [StrOptions({"adadelta", "rmsprop", "adam", "sgd"})],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(self, embedding_dim=128, *, n_words=10000, maxlen=None, pooling="mean",
                 dropout=0.5, solver="adam", learning_rate_init=0.002, batch_size=32, max_iter=10,
                 alpha=0.0, early_stopping=True, validation_fraction=0.1, n_iter_no_change=3,
                 tol=0.0,
                 shuffle=True, device="auto", random_state=None, verbose=0):
        self.embedding_dim = embedding_dim
        self.n_words = n_words
        self.maxlen = maxlen
        self.pooling = pooling
        self.dropout = dropout
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.alpha = alpha
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, X_val=None, y_val=None):
        """Fit on sequences ``X`` (token ids or token lists) and one label per sequence.

        Parameters
        ----------
        X : list of 1-D int arrays or of token lists
        y : array-like of shape (n_sequences,)
            One class label per sequence.
        X_val, y_val : same, optional
            A fixed validation set, used instead of a held-out fraction.

        Returns
        -------
        self
        """
        self._validate_params()
        X, y, X_val, y_val = self._check_fit_input(X, y, X_val, y_val)
        classes = self._classes(y, y_val)
        X_tr, y_tr, X_va, y_va = self._split_validation(
            X, list(y), X_val, None if y_val is None else list(y_val),
            stratify=self._stratify(y, X_val))
        X_tr, y_tr = self._drop_long(X_tr, y_tr)
        vocabulary = build_vocabulary(X_tr, self.n_words)
        with self._fit_run() as run:
            module = self._build_module(2 + len(vocabulary), len(classes), run)
            labels = np.searchsorted(classes, np.asarray(y_tr))
            source = self._ragged(X_tr, vocabulary, run.device, labels=labels)
            opt = make_optimizer(self.solver, module.parameters(), self.learning_rate_init)
            step = self._make_step(module, AutogradStep(opt), run.generator)
            validate = None
            if X_va is not None:
                validate = self._validator(module, X_va, y_va, vocabulary, classes,
                                           run.device)
            history = self._train(module, step, source, run, validate)
        self._commit(module, classes, vocabulary, run.device, history)
        return self

    @staticmethod
    def _check_labels(y, X, name="y"):
        """One label per checked sequence of ``X``, as a 1-D array."""
        if y is None:
            raise ValueError(f"{name} is required")
        y = column_or_1d(np.asarray(y), warn=True)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} sequences but {name} has {len(y)} labels")
        return y

    @staticmethod
    def _classes(y, y_val):
        """The sorted classes of ``y`` and ``y_val``, checked to be discrete
        classification targets of one type, at least two of them."""
        check_label_types([y] + ([] if y_val is None else [y_val]), "y")
        check_discrete_labels(y, "y")
        check_classification_targets(y)
        classes = np.unique(y if y_val is None else np.concatenate([y, y_val]))
        if len(classes) < 2:
            raise ValueError(f"LSTMSentiment needs at least 2 classes in y, got {len(classes)}")
        return classes

    def _stratify(self, y, X_val):
        """The labels to stratify the held-out validation split by, or None (no split, or
        a class with fewer than two sequences)."""
        if not self.early_stopping or X_val is not None:
            return None
        if np.min(np.unique(y, return_counts=True)[1]) < 2:
            return None
        return y

    def _drop_long(self, X_tr, y_tr):
        """The training sequences (and labels) of at most ``maxlen`` tokens."""
        if self.maxlen is None:
            return X_tr, y_tr
        keep = [i for i, s in enumerate(X_tr) if len(s) <= self.maxlen]
        if not keep:
            raise ValueError(f"no training sequence is at most maxlen={self.maxlen} "
                             "tokens long")
        return [X_tr[i] for i in keep], [y_tr[i] for i in keep]

    def _build_module(self, n_embeddings, n_classes, run):
        """The classifier, initialised from the fit's seed on its device."""
        return self._seeded_build(run.seed, lambda g: LSTMEncoderClassifier(
            n_embeddings, self.embedding_dim, n_classes, self.dropout, generator=g,
            pooling=self.pooling)).to(run.device)

    def _make_step(self, module, update, generator):
        """One update on a padded batch ``(ids, lengths, target)``: cross-entropy plus the
        tutorial's L2 term ``alpha * sum U**2`` on the output weights (in the loss itself);
        dropout draws from ``generator``."""
        alpha = self.alpha
        weight = module.out.weight

        def step(ids, lens, target):
            loss = F.cross_entropy(module(ids, lens, generator), target)
            if alpha:
                loss = loss + alpha * (weight ** 2).sum()
            return update(loss)

        return step

    def _validator(self, module, X_va, y_va, vocabulary, classes, device):
        """``validate()``: the accuracy of ``module`` on the validation sequences."""
        va_source = self._ragged(X_va, vocabulary, device)
        va_y = np.asarray(y_va)

        def validate():
            module.eval()
            rows = run_sorted(va_source, lambda i, n: module(i, n).argmax(-1),
                              INFERENCE_BATCH)
            module.train()
            return float(np.mean(classes[torch.stack(rows).numpy()] == va_y))

        return validate

    def _rebuild_module(self, name):
        if name != "module_":
            return None
        return LSTMEncoderClassifier(2 + len(self.vocabulary_), self.embedding_dim,
                                     len(self.classes_), self.dropout, pooling=self.pooling)

    def _run(self, X, fn):
        self._check_fitted()
        flat, lengths = self._encode(X)
        source = ragged_source(flat, lengths, self._device)
        module = self.module_.eval()
        return torch.stack(run_sorted(source, lambda i, n: fn(module(i, n)),
                                      INFERENCE_BATCH)).numpy()

    def decision_function(self, X):
        """Class logits ``(n_sequences, n_classes)``; for two classes, the positive class's
        log-odds ``(n_sequences,)``."""
        logits = self._run(X, lambda z: z.double())
        if logits.shape[1] == 2:
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict_proba(self, X):
        """Class probabilities ``(n_sequences, n_classes)``; rows sum to 1."""
        return self._run(X, lambda z: torch.softmax(z.double(), -1))

    def predict(self, X):
        """The most probable class of each sequence."""
        indices = self._run(X, lambda z: z.argmax(-1))  # checks the fit before classes_
        return self.classes_[indices]
