"""What the sequence estimators share: their common parameters and fit-time plumbing,
checking ragged input, token vocabularies, ragged sources on the device and length-sorted
inference."""
from __future__ import annotations

import numbers
from collections import Counter

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval

from ._engine.loop import train
from ._engine.ragged import RaggedSource
from .base import DeepEstimator

PAD = 0  #: internal id of padding
OOV = 1  #: internal id of tokens outside the vocabulary


def check_sequences(X, name="X"):
    """``X`` as a list of 1-D token lists (Python ints or strings); clear errors otherwise."""
    if isinstance(X, (str, bytes)):
        raise ValueError(f"{name} must be a list of sequences (token-id arrays or token "
                         f"lists), got a single string; tokenize texts first, e.g. with "
                         f"skdeep.text.TextVectorizer")
    try:
        items = list(X)
    except TypeError:
        raise TypeError(f"{name} must be a list of sequences, got {type(X).__name__}") \
            from None
    if not items:
        raise ValueError(f"{name} is empty: at least one sequence is required")
    out = []
    for i, seq in enumerate(items):
        if isinstance(seq, (str, bytes)):
            raise ValueError(f"{name}[{i}] is a string; sequence estimators take token "
                             "lists or token-id arrays (use skdeep.text.TextVectorizer "
                             "for raw texts)")
        arr = np.asarray(seq)
        if arr.ndim != 1:
            raise ValueError(f"{name}[{i}] must be a 1-D sequence of tokens, got shape "
                             f"{arr.shape}")
        if arr.shape[0] == 0:
            raise ValueError(f"{name}[{i}] is an empty sequence; every sequence needs at "
                             "least one token")
        if arr.dtype.kind in "iuUS":
            out.append(arr.tolist())
        elif arr.dtype.kind == "O" and all(isinstance(t, (str, int, np.integer))
                                          for t in arr.tolist()):
            out.append([int(t) if isinstance(t, np.integer) else t for t in arr.tolist()])
        else:
            raise TypeError(f"{name}[{i}] holds {arr.dtype} values; tokens must be integer "
                            "ids or strings")
    return out


def check_label_sequences(y, lengths, name="y"):
    """Per-token label sequences matching ``lengths``; returns a list of 1-D arrays."""
    if isinstance(y, (str, bytes)):
        raise ValueError(f"{name} must be a list of label sequences, got a string")
    try:
        items = list(y)
    except TypeError:
        raise TypeError(f"{name} must be a list of label sequences, got "
                        f"{type(y).__name__}") from None
    if len(items) != len(lengths):
        raise ValueError(f"X has {len(lengths)} sequences but {name} has {len(items)}")
    out = []
    for i, (seq, n) in enumerate(zip(items, lengths)):
        arr = np.asarray(seq)
        if arr.ndim != 1:
            raise ValueError(f"{name}[{i}] must be a 1-D label sequence, got shape "
                             f"{arr.shape}")
        if arr.shape[0] != n:
            raise ValueError(f"{name}[{i}] has {arr.shape[0]} labels but X[{i}] has {n} "
                             "tokens")
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}[{i}] contains NaN or infinity")
        out.append(arr)
    return out


def build_vocabulary(sequences, max_size=None):
    """Token -> internal id, most frequent first (ties by first appearance), from id 2.

    ``max_size`` caps the number of embedding rows, padding and out-of-vocabulary
    included (the tutorial's ``n_words``).
    """
    counts = Counter(tok for seq in sequences for tok in seq)
    keep = counts.most_common(None if max_size is None else max(0, max_size - 2))
    return {tok: i + 2 for i, (tok, _) in enumerate(keep)}


def encode(sequences, vocabulary):
    """Flat int64 ids of all sequences (unknown tokens -> OOV) and their lengths."""
    get = vocabulary.get
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    flat = np.fromiter((get(t, OOV) for s in sequences for t in s), dtype=np.int64,
                       count=int(lengths.sum()))
    return flat, lengths


def ragged_source(flat_ids, lengths, device, flat_labels=None, labels=None):
    """A :class:`RaggedSource` of ids (padded with PAD), optional per-token labels
    (padded with -100, ignored by the loss) and optional per-sequence labels."""
    flats = [torch.as_tensor(flat_ids, device=device)]
    pads = [PAD]
    if flat_labels is not None:
        flats.append(torch.as_tensor(flat_labels, device=device))
        pads.append(-100)
    per_seq = () if labels is None else (torch.as_tensor(labels, device=device),)
    return RaggedSource(flats, lengths, pads, per_seq)


def run_sorted(source, fn, batch_size):
    """``fn(ids, lengths)`` over batches of similar-length sequences, results (moved to
    the CPU) put back in the input order: a list with one entry per sequence."""
    order = np.argsort(source.lengths, kind="stable")
    results = [None] * source.n_samples
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            ids, lengths = source.gather(idx)[:2]
            out = fn(ids, lengths).detach().cpu()
            for j, i in enumerate(idx):
                results[i] = out[j]
    return results


def is_iob_tagset(classes) -> bool:
    """True when every class is a string tag of the IOB/IOBES family ('O', 'B-x', ...)."""
    return all(isinstance(c, str) and (c == "O" or (len(c) > 2 and c[0] in "BIES"
                                                   and c[1] == "-"))
               for c in classes) and any(c != "O" for c in classes)


#: sequences per batch at inference
INFERENCE_BATCH = 256


#: parameters both sequence estimators have, with the same meaning
COMMON_CONSTRAINTS: dict = {
    "embedding_dim": [Interval(numbers.Integral, 1, None, closed="left")],
    "n_words": [Interval(numbers.Integral, 3, None, closed="left"), None],
    "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
    "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
    "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
    "tol": [Interval(numbers.Real, 0, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
    "shuffle": ["boolean"],
    "device": [str],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


class SequenceEstimator(DeepEstimator):
    """Shared fit-time plumbing of the sequence estimators."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags

    @staticmethod
    def _check_labels(y, X, name="y"):
        """The labels ``y`` checked against the checked sequences ``X`` (per model)."""
        raise NotImplementedError

    def _check_fit_input(self, X, y, X_val, y_val):
        """``(X, y, X_val, y_val)`` checked: the sequences by :func:`check_sequences`,
        the labels by the estimator's ``_check_labels(y, X, name)``; ``X_val`` and
        ``y_val`` come together or not at all.

        Raises
        ------
        ValueError
            When only one of ``X_val`` and ``y_val`` is given.
        """
        X = check_sequences(X)
        y = self._check_labels(y, X)
        if (X_val is None) != (y_val is None):
            raise ValueError("give both X_val and y_val, or neither")
        if X_val is not None:
            X_val = check_sequences(X_val, "X_val")
            y_val = self._check_labels(y_val, X_val, "y_val")
        return X, y, X_val, y_val

    @staticmethod
    def _ragged(X, vocabulary, device, **labels):
        """The checked sequences ``X`` encoded with ``vocabulary`` as a
        :func:`ragged_source` on ``device`` (``labels``: its ``flat_labels``/``labels``)."""
        flat, lengths = encode(X, vocabulary)
        return ragged_source(flat, lengths, device, **labels)

    def _train(self, module, step, source, run, validate, on_plateau=None):
        """Train ``module`` within the fit's ``run`` (a :class:`~skdeep.base.FitRun`) by
        :func:`~skdeep._engine.loop.train`, with the parameters both estimators share.

        Returns
        -------
        History
            The training's history; ``module`` is left in eval mode.
        """
        module.train()
        history = run.stages.record(train(
            module, step, source, batch_size=self.batch_size, max_iter=self.max_iter,
            generator=run.generator, shuffle=self.shuffle, validate=validate, tol=self.tol,
            n_iter_no_change=self.n_iter_no_change, stop_on_loss=False,
            verbose=self.verbose, desc=type(self).__name__, on_plateau=on_plateau))
        module.eval()
        return history

    def _commit(self, module, classes, vocabulary, device, history):
        """Set the fitted attributes, once training has succeeded."""
        self.module_ = module
        self.classes_ = classes
        self.vocabulary_ = vocabulary
        self.device_ = str(device)
        self._store_history(history)

    def _split_validation(self, X, Y, X_val, Y_val, stratify=None):
        """(train X, train Y, val X, val Y): the given validation set, a held-out
        ``validation_fraction`` with early stopping, or no validation."""
        if X_val is not None:
            return X, Y, X_val, Y_val
        if not self.early_stopping:
            return X, Y, None, None
        idx = np.arange(len(X))
        tr, va = train_test_split(idx, test_size=self.validation_fraction,
                                  random_state=self._seed(), stratify=stratify)
        pick = (lambda seq, ix: [seq[i] for i in ix])
        return pick(X, tr), pick(Y, tr), pick(X, va), pick(Y, va)

    def _encode(self, X, name="X"):
        return encode(check_sequences(X, name), self.vocabulary_)

    def _store_history(self, history):
        self.loss_curve_ = list(history.loss_curve)
        self.validation_scores_ = list(history.validation_scores)
        self.best_validation_score_ = history.best_validation_score
        self.n_iter_ = history.n_iter
