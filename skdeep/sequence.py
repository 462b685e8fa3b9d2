"""The Elman RNN slot filler of the tutorial (rnnslu), tagging every token of a sentence.

It takes ragged input: a list of sentences, each a 1-D array of integer token ids or a
list of string tokens. Tokens are mapped to embedding rows through a vocabulary learned in
``fit`` (most frequent first); tokens never seen in training share one
out-of-vocabulary embedding. Minibatches are padded per batch to the batch's longest
sentence and masked, never truncated, and sentences of similar length are batched together.
The LSTM sentiment classifier is in :mod:`skdeep.sentiment`.
"""
from __future__ import annotations

import numbers

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval, StrOptions

from ._engine.optim import AutogradStep, make_optimizer
from ._sequences import (
    COMMON_CONSTRAINTS,
    INFERENCE_BATCH,
    SequenceEstimator,
    build_vocabulary,
    check_label_sequences,
    is_iob_tagset,
    ragged_source,
    run_sorted,
)
from ._validation import check_discrete_labels, check_label_types
from .nn.recurrent import ElmanTagger

__all__ = ["ElmanSlotFiller"]


class ElmanSlotFiller(SequenceEstimator):
    """Elman recurrent network tagging every token of a sentence (the tutorial's rnnslu).

    Each token is represented by the embeddings of the ``window_size`` words around it;
    a sigmoid Elman layer runs over the sentence and a softmax labels each token (Mesnil
    et al., Interspeech 2013). On ATIS this is the tutorial's slot filler, scored by chunk
    F1 with :func:`skdeep.metrics.chunk_f1_score` (the conlleval script's figure).

    Parameters
    ----------
    embedding_dim : int, default=50
        Size of the word embeddings.
    window_size : int, default=7
        Odd number of words in each token's context window (padding beyond the ends).
    n_hidden : int, default=200
        Units of the recurrent layer.
    learning_rate_init : float, default=0.003
        Initial step size (halved on each validation plateau when ``decay``).
    batch_size : int, default=16
        Sentences per update; they are padded to the batch's longest and masked. The
        tutorial updates after every sentence (``batch_size=1``).
    solver : {"sgd", "adam"}, default="adam"
        The tutorial uses plain SGD.
    max_iter : int, default=30
        Maximum number of epochs (the tutorial runs up to 50).
    decay : bool, default=True
        When validation F1 has not improved for ``n_iter_no_change`` epochs, halve the
        learning rate and go back to the best weights (the tutorial's schedule); training
        stops once the rate falls below ``learning_rate_init / 1000``. False stops at the
        first plateau.
    n_iter_no_change : int, default=5
        Epochs without improvement that make a plateau (the tutorial waits 10).
    tol : float, default=0.0
        Minimum validation gain that counts as an improvement.
    normalize_embeddings : bool, default=True
        Rescale the embeddings to unit length after each update, as the tutorial does.
    n_words : int or None, default=None
        Cap on the vocabulary (embedding rows, padding and unknown included); the rarer
        tokens share the unknown-token embedding. None keeps every training token.
    early_stopping : bool, default=True
        Without ``X_val``, hold out ``validation_fraction`` of the sentences to choose the
        epoch and drive ``decay``; False trains for ``max_iter`` epochs on everything.
    validation_fraction : float, default=0.1
    scoring : "auto", "accuracy", "chunk_f1" or callable, default="auto"
        Validation measure: ``"auto"`` is chunk F1 when the labels are IOB/IOBES tags
        (``"O"``, ``"B-x"``, ``"I-x"``...; read as IOBES when ``S-``/``E-`` tags occur)
        and token accuracy otherwise; a callable gets
        ``(y_true, y_pred)`` lists of label arrays and returns higher-is-better.
    shuffle : bool, default=True
    device : str, default="auto"
    random_state : int, RandomState or None, default=None
    verbose : int, default=0

    Attributes
    ----------
    classes_ : ndarray
        The token labels seen in ``fit``.
    vocabulary_ : dict
        Token -> embedding row (0 is padding, 1 unknown tokens).
    module_ : ElmanTagger
    loss_curve_, validation_scores_, best_validation_score_, n_iter_, device_

    Notes
    -----
    The tutorial's settings are ``batch_size=1, solver="sgd",
    learning_rate_init=0.0970806646812754, n_iter_no_change=10, max_iter=50``. The defaults
    here were measured on ATIS fold 3 (see ``benchmarks/bench_rnnslu.py``): minibatches of
    16 sentences reach the same test F1 several times faster per epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import ElmanSlotFiller
    >>> X = [np.array([3, 1, 4]), np.array([1, 5, 9, 2])]
    >>> y = [np.array(["O", "B-x", "O"]), np.array(["B-x", "O", "O", "O"])]
    >>> tagger = ElmanSlotFiller(n_hidden=8, embedding_dim=4, window_size=3,
    ...                          early_stopping=False, max_iter=60,
    ...                          learning_rate_init=0.5, random_state=0).fit(X, y)
    >>> [p.tolist() for p in tagger.predict(X)]
    [['O', 'B-x', 'O'], ['B-x', 'O', 'O', 'O']]
    """

    _parameter_constraints: dict = {
        **COMMON_CONSTRAINTS,
        "window_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_hidden": [Interval(numbers.Integral, 1, None, closed="left")],
        "solver": [StrOptions({"sgd", "adam"})],
        "decay": ["boolean"],
        "normalize_embeddings": ["boolean"],
        "scoring": [StrOptions({"auto", "accuracy", "chunk_f1"}), callable],
    }

    def __init__(self, embedding_dim=50, window_size=7, n_hidden=200, *, learning_rate_init=0.003,
                 batch_size=16, solver="adam", max_iter=30, decay=True, n_iter_no_change=5,
                 tol=0.0, normalize_embeddings=True, n_words=None, early_stopping=True,
                 validation_fraction=0.1, scoring="auto", shuffle=True, device="auto",
                 random_state=None, verbose=0):
        self.embedding_dim = embedding_dim
        self.window_size = window_size
        self.n_hidden = n_hidden
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.solver = solver
        self.max_iter = max_iter
        self.decay = decay
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.normalize_embeddings = normalize_embeddings
        self.n_words = n_words
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.scoring = scoring
        self.shuffle = shuffle
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y, X_val=None, y_val=None):
        """Fit on sentences ``X`` and their per-token labels ``y``.

        Parameters
        ----------
        X : list of 1-D int arrays or of token lists
        y : list of 1-D arrays of labels (ints or strings), one per token of ``X``
        X_val, y_val : same, optional
            A fixed validation set (the tutorial's), used instead of a held-out fraction.

        Returns
        -------
        self
        """
        self._validate_params()
        if self.window_size % 2 == 0:
            raise ValueError(f"window_size must be odd, got {self.window_size}")
        X, Y, X_val, y_val = self._check_fit_input(X, y, X_val, y_val)
        classes = self._classes(Y, y_val)
        X_tr, Y_tr, X_va, Y_va = self._split_validation(X, Y, X_val, y_val)
        vocabulary = build_vocabulary(X_tr, self.n_words)
        with self._fit_run() as run:
            module = self._build_module(2 + len(vocabulary), len(classes), run)
            flat_y = np.searchsorted(classes, np.concatenate(Y_tr))
            source = self._ragged(X_tr, vocabulary, run.device, flat_labels=flat_y)
            opt = make_optimizer(self.solver, module.parameters(), self.learning_rate_init)
            step = self._make_step(module, AutogradStep(opt), len(classes))
            validate = on_plateau = None
            if X_va is not None:
                validate = self._validator(module, X_va, Y_va, vocabulary, classes,
                                           run.device)
                on_plateau = self._plateau(opt)
            history = self._train(module, step, source, run, validate, on_plateau)
        self._commit(module, classes, vocabulary, run.device, history)
        return self

    @staticmethod
    def _check_labels(y, X, name="y"):
        """Per-token label sequences ``y`` matching the checked sentences ``X``."""
        return check_label_sequences(y, [len(s) for s in X], name)

    @staticmethod
    def _classes(Y, y_val):
        """The sorted token labels of ``Y`` and ``y_val``, checked to be discrete and of
        one type."""
        every = Y + ([] if y_val is None else y_val)
        check_label_types(every, "y")
        check_discrete_labels(np.concatenate(every), "y")
        return np.unique(np.concatenate(every))

    def _build_module(self, n_embeddings, n_classes, run):
        """The tagger, initialised from the fit's seed on its device (embeddings rescaled
        to unit length with ``normalize_embeddings``)."""
        module = self._seeded_build(run.seed, lambda g: ElmanTagger(
            n_embeddings, self.embedding_dim, self.window_size, self.n_hidden, n_classes,
            pad_id=0, generator=g)).to(run.device)
        if self.normalize_embeddings:
            module.normalize_embeddings()
        return module

    def _make_step(self, module, update, n_classes):
        """One update on a padded batch ``(ids, labels, lengths)``: token cross-entropy
        (padding ignored), then the embeddings rescaled with ``normalize_embeddings``."""
        normalize = self.normalize_embeddings

        def step(ids, labels, lens):
            logits = module(ids)
            loss = update(F.cross_entropy(logits.reshape(-1, n_classes), labels.reshape(-1),
                                          ignore_index=-100))
            if normalize:
                module.normalize_embeddings()
            return loss

        return step

    def _validator(self, module, X_va, Y_va, vocabulary, classes, device):
        """``validate()``: the ``scoring`` of ``module`` on the validation sentences."""
        score_fn = self._scorer(classes)
        va_source = self._ragged(X_va, vocabulary, device)

        def validate():
            module.eval()
            pred = self._decode(run_sorted(
                va_source, lambda ids, _: module(ids).argmax(-1), INFERENCE_BATCH),
                va_source.lengths, classes)
            module.train()
            return score_fn(Y_va, pred)

        return validate

    def _plateau(self, opt):
        """``on_plateau()``: halve the learning rate with ``decay`` and go on while it is
        at least ``learning_rate_init / 1000``; without ``decay``, stop."""
        floor = self.learning_rate_init / 1000

        def on_plateau():
            if not self.decay:
                return False
            for group in opt.param_groups:
                group["lr"] *= 0.5
            return opt.param_groups[0]["lr"] >= floor

        return on_plateau

    def _scorer(self, classes):
        scoring = self.scoring
        if scoring == "auto":
            scoring = "chunk_f1" if is_iob_tagset(classes) else "accuracy"
        if scoring == "chunk_f1":
            if not is_iob_tagset(classes):
                raise ValueError("scoring='chunk_f1' needs IOB/IOBES string tags "
                                 "('O', 'B-x', 'I-x', ...) as labels")
            from .metrics import chunk_f1_score
            scheme = "IOBES" if any(str(c)[:2] in ("S-", "E-") for c in classes) else "IOB"
            return lambda y_true, y_pred: chunk_f1_score(y_true, y_pred, scheme=scheme)
        if scoring == "accuracy":
            return _token_accuracy
        return scoring

    @staticmethod
    def _decode(rows, lengths, classes):
        return [classes[r[:n].numpy()] for r, n in zip(rows, lengths)]

    def _rebuild_module(self, name):
        if name != "module_":
            return None
        return ElmanTagger(2 + len(self.vocabulary_), self.embedding_dim, self.window_size,
                           self.n_hidden, len(self.classes_), pad_id=0)

    # ------------------------------------------------------------------ inference
    def _run(self, X, fn):
        self._check_fitted()
        flat, lengths = self._encode(X)
        source = ragged_source(flat, lengths, self._device)
        module = self.module_.eval()
        return run_sorted(source, lambda ids, _: fn(module(ids)), INFERENCE_BATCH), lengths

    def predict(self, X):
        """Labels of every token: a list of 1-D arrays, in the label type of ``fit``."""
        rows, lengths = self._run(X, lambda logits: logits.argmax(-1))
        return self._decode(rows, lengths, self.classes_)

    def predict_proba(self, X):
        """Per-token class probabilities: a list of ``(len(X[i]), n_classes)`` arrays
        (columns follow ``classes_``)."""
        rows, lengths = self._run(X, lambda logits: torch.softmax(logits.double(), -1))
        return [r[:n].numpy() for r, n in zip(rows, lengths)]

    def score(self, X, y):
        """Token accuracy. For chunk F1 use ``skdeep.metrics.chunk_f1_score`` (through
        ``make_scorer`` in a search).

        Raises ValueError when ``y`` holds labels the model was not trained on.
        """
        pred = self.predict(X)
        Y = check_label_sequences(y, [len(p) for p in pred])
        flat = np.concatenate(Y)
        unknown = np.setdiff1d(np.unique(flat), self.classes_)
        if unknown.size:
            raise ValueError(f"y contains labels not seen in fit: {unknown[:5].tolist()}")
        return _token_accuracy(Y, pred)


def _token_accuracy(y_true, y_pred):
    return float(np.mean(np.concatenate(y_true) == np.concatenate(y_pred)))
