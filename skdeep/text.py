"""Texts to sequences of token ids, the input of the sequence models."""
from __future__ import annotations

import numbers
from collections import Counter

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

__all__ = ["TextVectorizer"]

PAD_ID = 0
OOV_ID = 1


class TextVectorizer(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Turn texts into sequences of integer token ids, most frequent tokens first.

    The transformer in front of :class:`~skdeep.LSTMSentiment` (and any model that embeds
    token ids): ``make_pipeline(TextVectorizer(), LSTMSentiment())`` trains on raw strings. Id
    0 is reserved for padding and is never produced; id 1 stands for every out-of-vocabulary
    token; the vocabulary's tokens get ids 2, 3, ... in order of decreasing frequency in the
    training texts, as the tutorial's IMDB preprocessing numbers them.

    Parameters
    ----------
    max_features : int, default=None
        Keep only the ``max_features`` most frequent tokens; the others map to the
        out-of-vocabulary id. None keeps them all. The ids then run from 0 to
        ``max_features + 1``.
    min_count : int, default=1
        Tokens seen fewer times than this in the training texts are out of vocabulary.
    lowercase : bool, default=True
        Lowercase the texts before tokenizing.
    tokenizer : callable, default=None
        ``tokenizer(text) -> list of str``. None splits on whitespace (``str.split``), which
        keeps punctuation tokens of pre-tokenized text such as the movie-review polarity
        sentences (``"it's a gem ."``), as the tutorial does. A tokenizer must be a
        module-level function (not a lambda) for the vectorizer to pickle.
    oov_token : str, default="<unk>"
        The name of id 1 in :meth:`get_feature_names_out` and :meth:`inverse_transform`.
    pad_token : str, default="<pad>"
        The name of id 0 in :meth:`get_feature_names_out`. Texts containing ``oov_token`` or
        ``pad_token`` as a token get the out-of-vocabulary id for it.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Each vocabulary token's id (2, 3, ...). The padding and out-of-vocabulary names are not
        in it.
    n_ids_ : int
        The number of ids, ``len(vocabulary_) + 2``: the size an embedding table needs.
    token_counts_ : ndarray of int64, one entry per id
        How often each id's token occurred in the training texts; entry 1 counts the tokens
        left out of the vocabulary, entry 0 is 0.

    See Also
    --------
    sklearn.feature_extraction.text.CountVectorizer : texts to bag-of-words counts.

    Notes
    -----
    Tokens with equal counts are ordered by their first occurrence in the training texts, so
    the vocabulary is the same on every run. The output is ragged (one array per text, an
    empty array for a text without tokens), not a 2-D array: the vectorizer has no
    ``n_features_in_``, and ``set_output`` does not apply. It is fitted on raw text only, so
    scikit-learn's tabular estimator checks do not apply either.

    Examples
    --------
    >>> from skdeep.text import TextVectorizer
    >>> texts = ["a fine film .", "A dull film , a dull plot ."]
    >>> vec = TextVectorizer().fit(texts)
    >>> vec.get_feature_names_out()
    array(['<pad>', '<unk>', 'a', 'film', '.', 'dull', 'fine', ',', 'plot'],
          dtype=object)
    >>> vec.transform(["a great film ."])
    [array([2, 1, 3, 4])]
    >>> vec.inverse_transform([[2, 1, 3, 4]])
    [['a', '<unk>', 'film', '.']]
    """

    _parameter_constraints: dict = {
        "max_features": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "min_count": [Interval(numbers.Integral, 1, None, closed="left")],
        "lowercase": ["boolean"],
        "tokenizer": [callable, None],
        "oov_token": [str],
        "pad_token": [str],
    }

    def __init__(self, *, max_features=None, min_count=1, lowercase=True, tokenizer=None,
                 oov_token="<unk>", pad_token="<pad>"):
        self.max_features = max_features
        self.min_count = min_count
        self.lowercase = lowercase
        self.tokenizer = tokenizer
        self.oov_token = oov_token
        self.pad_token = pad_token

    # ------------------------------------------------------------------ helpers
    def _documents(self, X):
        if isinstance(X, (str, bytes)):
            raise ValueError("Iterable over raw text documents expected, string object "
                             "received.")
        if isinstance(X, np.ndarray) and X.ndim != 1:
            raise ValueError(f"Expected a 1-D sequence of texts, got an array of shape "
                             f"{X.shape}.")
        try:
            docs = list(X)
        except TypeError:
            raise TypeError(f"Expected an iterable of texts, got {type(X).__name__}.") \
                from None
        for i, doc in enumerate(docs):
            if not isinstance(doc, str):
                raise TypeError(f"Text {i} is {type(doc).__name__} ({doc!r}), not str; "
                                f"TextVectorizer takes a list of strings.")
        return docs

    def _tokenize(self, doc, i):
        if self.lowercase:
            doc = doc.lower()
        if self.tokenizer is None:
            return doc.split()
        tokens = self.tokenizer(doc)
        if isinstance(tokens, str) or not all(isinstance(t, str) for t in tokens):
            raise TypeError(f"tokenizer must return a list of str; for text {i} it returned "
                            f"{tokens!r}")
        return list(tokens)

    def _fit(self, X):
        self._validate_params()
        if self.oov_token == self.pad_token:
            raise ValueError(f"oov_token and pad_token must differ, both are "
                             f"{self.oov_token!r}")
        docs = self._documents(X)
        if not docs:
            raise ValueError("TextVectorizer needs at least one text to fit, got none.")
        tokenized = [self._tokenize(doc, i) for i, doc in enumerate(docs)]
        counts = Counter()
        for tokens in tokenized:
            counts.update(tokens)
        reserved = {self.oov_token, self.pad_token}
        # Counter keeps first-insertion order and sorted() is stable: equal counts stay in
        # order of first occurrence.
        ranked = [t for t, c in sorted(counts.items(), key=lambda tc: -tc[1])
                  if c >= self.min_count and t not in reserved]
        if self.max_features is not None:
            ranked = ranked[:self.max_features]
        self.vocabulary_ = {t: i for i, t in enumerate(ranked, start=2)}
        self.n_ids_ = len(ranked) + 2
        token_counts = np.zeros(self.n_ids_, dtype=np.int64)
        token_counts[2:] = [counts[t] for t in ranked]
        token_counts[OOV_ID] = sum(counts.values()) - token_counts[2:].sum()
        self.token_counts_ = token_counts
        return tokenized

    def _encode(self, tokenized):
        vocab = self.vocabulary_
        return [np.fromiter((vocab.get(t, OOV_ID) for t in tokens), dtype=np.int64,
                            count=len(tokens)) for tokens in tokenized]

    # ------------------------------------------------------------------ API
    def fit(self, X, y=None):
        """Learn the vocabulary of the texts ``X``.

        Parameters
        ----------
        X : iterable of str
            The training texts (a list, a 1-D array or a pandas Series of strings).
        y : None
            Ignored.

        Returns
        -------
        self : TextVectorizer
        """
        self._fit(X)
        return self

    def fit_transform(self, X, y=None):
        """Learn the vocabulary and return the texts' id sequences (tokenizing once).

        Parameters
        ----------
        X : iterable of str
        y : None
            Ignored.

        Returns
        -------
        ids : list of ndarray of int64
            One 1-D array of token ids per text.
        """
        return self._encode(self._fit(X))

    def transform(self, X):
        """Map each text to the ids of its tokens (1 for tokens out of the vocabulary).

        Parameters
        ----------
        X : iterable of str

        Returns
        -------
        ids : list of ndarray of int64
            One 1-D array per text, as long as its number of tokens; never contains 0.
        """
        check_is_fitted(self, "vocabulary_")
        docs = self._documents(X)
        return self._encode([self._tokenize(doc, i) for i, doc in enumerate(docs)])

    def inverse_transform(self, X):
        """Map id sequences back to tokens; padding ids (0) are dropped.

        Parameters
        ----------
        X : list of sequences of int, or 2-D int array
            Id sequences, such as :meth:`transform`'s output or a padded batch.

        Returns
        -------
        tokens : list of list of str
            Out-of-vocabulary ids come back as ``oov_token``.
        """
        check_is_fitted(self, "vocabulary_")
        names = self.get_feature_names_out()
        if isinstance(X, (str, bytes)):
            raise ValueError("inverse_transform expects id sequences, got a string.")
        if X is None or getattr(X, "ndim", 1) == 0 or not hasattr(X, "__iter__"):
            raise TypeError("inverse_transform expects a list of id sequences or a 2-D int "
                            f"array, got {type(X).__name__}.")
        out = []
        for i, seq in enumerate(X):
            ids = np.asarray(seq)
            if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
                raise ValueError(f"Sequence {i} must be a 1-D sequence of integer ids, got "
                                 f"{seq!r}")
            bad = ids[(ids < 0) | (ids >= self.n_ids_)]
            if bad.size:
                raise ValueError(f"Sequence {i} holds id {int(bad[0])}, outside 0.."
                                 f"{self.n_ids_ - 1}")
            out.append([str(names[j]) for j in ids.tolist() if j != PAD_ID])
        return out

    def get_feature_names_out(self, input_features=None):
        """The vocabulary in id order: ``[pad_token, oov_token, most frequent token, ...]``.

        Parameters
        ----------
        input_features : None
            Ignored; present for API consistency.

        Returns
        -------
        names : ndarray of str objects, one per id
            ``names[i]`` is the token of id ``i``.
        """
        check_is_fitted(self, "vocabulary_")
        names = np.empty(self.n_ids_, dtype=object)
        names[PAD_ID], names[OOV_ID] = self.pad_token, self.oov_token
        for token, i in self.vocabulary_.items():
            names[i] = token
        return names

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
