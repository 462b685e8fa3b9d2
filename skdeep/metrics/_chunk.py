"""Chunk-level precision, recall and F1 for IOB/IOBES tag sequences, as the conlleval script.

The CoNLL-2000 evaluation script (``conlleval``, Tjong Kim Sang, version 2004-01-26) is the
reference every slot-filling and NER paper reports, the Deep Learning Tutorials' RNN chapter
included. These functions compute the same counts and scores, from Python sequences of tags.
"""
from __future__ import annotations

import numbers
from collections import Counter

import numpy as np

__all__ = ["chunk_precision_recall_fscore", "chunk_f1_score", "chunk_classification_report"]

_SCHEMES = ("IOB", "IOBES")
_AVERAGES = ("micro", "macro", "weighted", None)


def _split_tag(tag):
    # conlleval splits at the first hyphen, so types may contain hyphens ("B-fromloc-city").
    prefix, sep, kind = tag.partition("-")
    return (prefix, kind) if sep else (tag, "")


def _ends(prev, cur, scheme):
    """Whether a chunk ends between the previous token and the current one."""
    (p, pt), (c, ct) = prev, cur
    if p in ("[", "]"):  # bracket tags are one-token chunks
        return True
    if p not in ("O", ".") and pt != ct:  # a type change closes the open chunk
        return True
    if scheme == "IOBES":
        return p in ("E", "S") or (p in ("B", "I") and c in ("B", "S", "O"))
    # The IOB (and IOE) rules of conlleval.pl.
    return ((p in ("B", "I") and c in ("B", "O"))
            or (p == "E" and c in ("E", "I", "O")))


def _starts(prev, cur, scheme):
    """Whether a chunk starts at the current token."""
    (p, pt), (c, ct) = prev, cur
    if c in ("[", "]"):
        return True
    if c not in ("O", ".") and pt != ct:  # a type change opens a new chunk
        return True
    if scheme == "IOBES":
        return c in ("B", "S") or (p in ("E", "S", "O") and c in ("E", "I"))
    # conlleval.pl: B opens a chunk after B, I or O; an I (or E) after O opens one too, so a
    # chunk need not begin with B; E-E and E-I open one in the IOE representation.
    return ((c == "B" and p in ("B", "I", "O"))
            or (p == "O" and c in ("I", "E"))
            or (p == "E" and c in ("E", "I")))


def _as_sentences(y, name, id2tag):
    """Return ``y`` as a list of lists of tag strings (a flat sequence is one sentence)."""
    if isinstance(y, (str, bytes)):
        raise TypeError(f"{name} must be a list of tag sequences (or one sequence of tags), "
                        f"got a single string {y!r}")
    if isinstance(y, np.ndarray) and y.ndim == 2 and y.dtype != object:
        y = list(y)  # equal-length sentences stacked in a 2-D array
    try:
        items = list(y)
    except TypeError:
        raise TypeError(f"{name} must be a list of tag sequences, got {type(y).__name__}") \
            from None
    if not items:
        raise ValueError(f"{name} is empty: there are no sentences to score")
    if all(_is_tag(t) for t in items):
        items = [items]  # one flat sentence
    sentences = []
    for i, seq in enumerate(items):
        if _is_tag(seq) or not hasattr(seq, "__len__") or isinstance(seq, (str, bytes)):
            raise TypeError(f"{name} mixes tags and sequences: item {i} is {seq!r}; give "
                            f"either one sequence of tags or a list of sequences")
        if isinstance(seq, np.ndarray):
            if seq.ndim != 1:
                raise ValueError(f"{name}: sentence {i} is an array of shape {seq.shape}; "
                                 f"each sentence must be 1-D")
            seq = seq.tolist()
        sentences.append([_to_tag(t, name, i, id2tag) for t in seq])
    return sentences


def _is_tag(t):
    return isinstance(t, (str, np.str_, numbers.Integral)) and not isinstance(t, bool)


def _to_tag(t, name, i, id2tag):
    if id2tag is not None:
        if not isinstance(t, numbers.Integral) or isinstance(t, bool):
            raise TypeError(f"{name}: id2tag is given but sentence {i} holds {t!r}, "
                            f"not an integer id")
        try:
            t = id2tag[int(t)]
        except (KeyError, IndexError):
            raise ValueError(f"{name}: id {int(t)} in sentence {i} is not in id2tag") from None
    if isinstance(t, str):
        return str(t)
    if isinstance(t, numbers.Integral):
        raise TypeError(f"{name} holds integer labels ({t!r} in sentence {i}); chunk metrics "
                        f"need tag strings such as 'B-city': pass id2tag (a dict or list "
                        f"mapping ids to tags) or map the ids yourself")
    raise TypeError(f"{name}: sentence {i} holds {t!r} ({type(t).__name__}); tags must be "
                    f"strings")


def _check_scheme(scheme):
    if scheme not in _SCHEMES:
        raise ValueError(f"scheme must be one of {_SCHEMES}, got {scheme!r}")


def _count(y_true, y_pred, scheme, id2tag):
    """Run conlleval's pass over the tokens; return per-type counters and token counts."""
    _check_scheme(scheme)
    true = _as_sentences(y_true, "y_true", id2tag)
    pred = _as_sentences(y_pred, "y_pred", id2tag)
    if len(true) != len(pred):
        raise ValueError(f"y_true has {len(true)} sentences but y_pred has {len(pred)}")
    n_tokens = 0
    for i, (a, b) in enumerate(zip(true, pred)):
        if len(a) != len(b):
            raise ValueError(f"sentence {i} has {len(a)} tags in y_true but {len(b)} in y_pred")
        n_tokens += len(a)
    if n_tokens == 0:
        raise ValueError("y_true and y_pred hold no tags (every sentence is empty)")

    found_true, found_pred, correct = Counter(), Counter(), Counter()
    correct_tags = 0
    outside = ("O", "")
    last_t = last_p = outside
    in_correct = False  # a chunk started in both at the same token, with the same type,
    # and neither has ended since: it is correct if both end at the same token.
    for a, b in zip(true, pred):
        # conlleval reads a blank line after each sentence as a token tagged O in both
        # columns, which closes every chunk open at the sentence end.
        for cur_t, cur_p, boundary in [(_split_tag(t), _split_tag(p), False)
                                       for t, p in zip(a, b)] + [(outside, outside, True)]:
            if in_correct:
                end_t = _ends(last_t, cur_t, scheme)
                end_p = _ends(last_p, cur_p, scheme)
                if end_t and end_p and last_t[1] == last_p[1]:
                    correct[last_t[1]] += 1
                    in_correct = False
                elif end_t != end_p or cur_t[1] != cur_p[1]:
                    in_correct = False
            start_t = _starts(last_t, cur_t, scheme)
            start_p = _starts(last_p, cur_p, scheme)
            if start_t and start_p and cur_t[1] == cur_p[1]:
                in_correct = True
            if start_t:
                found_true[cur_t[1]] += 1
            if start_p:
                found_pred[cur_p[1]] += 1
            if not boundary:
                correct_tags += cur_t == cur_p
            last_t, last_p = cur_t, cur_p
    if in_correct:  # only reachable with tags that no blank line closes (e.g. '.')
        correct[last_t[1]] += 1
    return found_true, found_pred, correct, correct_tags, n_tokens


def _prf(n_correct, n_pred, n_true):
    # conlleval's convention: a ratio with a zero denominator is 0.
    p = n_correct / n_pred if n_pred else 0.0
    r = n_correct / n_true if n_true else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def chunk_precision_recall_fscore(y_true, y_pred, *, scheme="IOB", average="micro",
                                  labels=None, id2tag=None):
    """Chunk precision, recall, F1 and support, exactly as the conlleval script counts them.

    A chunk is a maximal run of tokens opened and closed by the tags, and a predicted chunk is
    correct only when a true chunk of the same type starts at the same token and ends at the
    same token. With ``average="micro"`` the three scores are conlleval's ``overall`` line
    (``FB1`` divided by 100); with ``average=None`` they are its per-type lines.

    Parameters
    ----------
    y_true, y_pred : list of sequences of str, or one sequence of str
        The true and predicted tags, one sequence (list, tuple or 1-D array) per sentence, such
        as ``[["B-city", "I-city", "O"], ["O", "B-date"]]`` or the list of label arrays that a
        slot filler's ``predict`` returns; an object array of such arrays and a 2-D array of
        strings (one row per sentence) also work. A flat sequence of strings is one sentence.
        Sentence ends close every chunk. Tags are split at the first hyphen into a prefix and a
        type (the type may contain hyphens); a tag without a hyphen has the empty type.
    scheme : {"IOB", "IOBES"}, default="IOB"
        ``"IOB"`` applies the rules of conlleval.pl itself: ``B-`` opens a chunk (after ``B``,
        ``I`` or ``O``); an ``I-`` after ``O`` or after a tag of another type also opens one,
        so chunks need not begin with ``B-``; ``O``, ``B-`` or a change of type closes an open
        chunk. Like the script it also reads the IOE representation (``E-``) and the
        bracket tags ``[`` and ``]`` (one-token chunks); ``.`` neither opens nor closes a chunk.
        ``"IOBES"`` extends these rules for ``S-`` (single-token chunk) and ``E-`` (chunk
        end): ``B-`` and ``S-`` always open a chunk, and a chunk always closes after ``E-`` or
        ``S-``. On tags with prefixes ``B``, ``I`` and ``O`` only, both schemes agree.
    average : {"micro", "macro", "weighted"} or None, default="micro"
        ``"micro"``: counts summed over all types (conlleval's overall figures).
        ``"macro"``: unweighted mean of the per-type scores. ``"weighted"``: mean weighted by
        each type's support. None: one score per type, in the order of ``labels``.
    labels : sequence of str, optional
        The chunk types (tag types, without prefix, e.g. ``"city"``) to report or average over.
        By default every type that occurs in ``y_true`` or ``y_pred``, sorted (conlleval's
        order). Types that never occur get zero scores and zero support.
    id2tag : dict or sequence, optional
        Maps integer label ids to tag strings, for estimators trained on label ids (e.g. the
        ``idx2label`` of :func:`skdeep.datasets.load_atis`). Without it integer labels raise a
        TypeError.

    Returns
    -------
    precision, recall, f1 : float, or ndarray of shape (n_labels,) when ``average=None``
        Fractions in [0, 1] (conlleval prints percentages). A zero denominator gives 0, as in
        conlleval, and without a warning.
    support : int, or ndarray of shape (n_labels,) when ``average=None``
        The number of true chunks (of each type); with an average, their total over
        ``labels``. (scikit-learn's ``precision_recall_fscore_support`` returns None there.)

    See Also
    --------
    chunk_f1_score : the F1 alone, ready for ``make_scorer``.
    chunk_classification_report : a per-type table like conlleval's output.

    Notes
    -----
    The counts follow conlleval.pl (2004-01-26) token by token: a chunk is counted as found
    wherever the start rules fire, and as correct when both sequences start a chunk of the
    same type at a token and the next chunk end in either sequence is also a chunk end in the
    other, with the types agreeing in between. Each sentence is followed by a boundary, as the
    blank line between sentences in conlleval's input. The script's ``-r`` (raw tags) and
    ``-o`` (other outside tag) options are not provided. One deliberate difference: Perl
    treats the type string ``"0"`` (as in ``"B-0"``) as false and merges it with the empty
    type; here ``"0"`` is a type like any other.

    References
    ----------
    E. F. Tjong Kim Sang and S. Buchholz, "Introduction to the CoNLL-2000 shared task:
    chunking", CoNLL 2000 (the ``conlleval`` script).

    Examples
    --------
    >>> from skdeep.metrics import chunk_precision_recall_fscore
    >>> y_true = [["B-city", "I-city", "O", "B-date"], ["O", "B-city"]]
    >>> y_pred = [["B-city", "I-city", "O", "B-time"], ["O", "I-city"]]
    >>> chunk_precision_recall_fscore(y_true, y_pred)
    (0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 3)
    >>> p, r, f, support = chunk_precision_recall_fscore(y_true, y_pred, average=None,
    ...                                                  labels=["city", "date", "time"])
    >>> f, support
    (array([1., 0., 0.]), array([2, 1, 0]))
    """
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of {_AVERAGES}, got {average!r}")
    found_true, found_pred, correct, _, _ = _count(y_true, y_pred, scheme, id2tag)
    if labels is None:
        labels = sorted(set(found_true) | set(found_pred))
    else:
        if isinstance(labels, str):
            raise TypeError(f"labels must be a list of chunk types, got the string {labels!r}")
        labels = [str(t) for t in labels]
    n_true = np.array([found_true[t] for t in labels], dtype=np.int64)
    n_pred = np.array([found_pred[t] for t in labels], dtype=np.int64)
    n_correct = np.array([correct[t] for t in labels], dtype=np.int64)
    if average == "micro":
        p, r, f = _prf(int(n_correct.sum()), int(n_pred.sum()), int(n_true.sum()))
        return p, r, f, int(n_true.sum())
    scores = np.array([_prf(c, g, t) for c, g, t in zip(n_correct, n_pred, n_true)],
                      dtype=float).reshape(-1, 3)
    if average is None:
        return scores[:, 0], scores[:, 1], scores[:, 2], n_true
    if not labels:
        return 0.0, 0.0, 0.0, 0
    if average == "weighted":
        total = n_true.sum()
        mean = (scores * n_true[:, None]).sum(axis=0) / total if total else np.zeros(3)
    else:
        mean = scores.mean(axis=0)
    return float(mean[0]), float(mean[1]), float(mean[2]), int(n_true.sum())


def chunk_f1_score(y_true, y_pred, *, scheme="IOB", average="micro", labels=None,
                   id2tag=None):
    """Chunk F1 as the conlleval script computes it (its ``FB1``, as a fraction).

    ``chunk_f1_score(y_true, y_pred)`` is conlleval's overall ``FB1 / 100``. It takes the
    predictions as a sequence model's ``predict`` returns them (a list of label arrays), so
    ``make_scorer(chunk_f1_score)`` lets ``GridSearchCV`` or ``cross_val_score`` rank slot
    fillers by chunk F1.

    Parameters
    ----------
    y_true, y_pred : list of sequences of str, or one sequence of str
        One tag sequence per sentence; see :func:`chunk_precision_recall_fscore`.
    scheme : {"IOB", "IOBES"}, default="IOB"
        How tags open and close chunks; see :func:`chunk_precision_recall_fscore`.
    average : {"micro", "macro", "weighted"} or None, default="micro"
        See :func:`chunk_precision_recall_fscore`.
    labels : sequence of str, optional
        Chunk types to report or average over; by default all that occur, sorted.
    id2tag : dict or sequence, optional
        Maps integer label ids to tag strings.

    Returns
    -------
    f1 : float in [0, 1], or ndarray of shape (n_labels,) when ``average=None``

    Examples
    --------
    >>> from sklearn.metrics import make_scorer
    >>> from skdeep.metrics import chunk_f1_score
    >>> chunk_f1_score([["B-city", "I-city", "O"]], [["B-city", "O", "O"]])
    0.0
    >>> chunk_f1_score(["O", "I-city", "I-city"], ["O", "B-city", "I-city"])
    1.0
    >>> scorer = make_scorer(chunk_f1_score)
    """
    return chunk_precision_recall_fscore(y_true, y_pred, scheme=scheme, average=average,
                                         labels=labels, id2tag=id2tag)[2]


def chunk_classification_report(y_true, y_pred, *, scheme="IOB", digits=2, output_dict=False,
                                id2tag=None):
    """A per-chunk-type report of precision, recall and F1, as conlleval prints it.

    One row per chunk type (sorted, as conlleval lists them) with its precision, recall, F1,
    the number of true chunks (``support``), of predicted chunks (``found``) and of correct
    ones (``correct``); then the ``micro avg`` row (conlleval's overall line), the ``macro
    avg`` and ``weighted avg`` rows, and the token accuracy (the share of tokens whose
    predicted tag equals the true tag, conlleval's ``accuracy``). Scores are fractions in
    [0, 1], where conlleval prints percentages.

    Parameters
    ----------
    y_true, y_pred : list of sequences of str, or one sequence of str
        One tag sequence per sentence; see :func:`chunk_precision_recall_fscore`.
    scheme : {"IOB", "IOBES"}, default="IOB"
        How tags open and close chunks; see :func:`chunk_precision_recall_fscore`.
    digits : int, default=2
        Digits after the decimal point in the text report.
    output_dict : bool, default=False
        Return a dict instead of text.
    id2tag : dict or sequence, optional
        Maps integer label ids to tag strings.

    Returns
    -------
    report : str or dict
        With ``output_dict=True``: ``{type: {"precision", "recall", "f1-score", "support",
        "found", "correct"}, ..., "micro avg": {...}, "macro avg": {...}, "weighted avg":
        {...}, "accuracy": float, "tokens": int}``. The empty type (tags without a hyphen,
        such as a bare ``"B"``) is listed under ``""``.

    Examples
    --------
    >>> from skdeep.metrics import chunk_classification_report
    >>> y_true = [["B-city", "I-city", "O", "B-date"], ["O", "B-city"]]
    >>> y_pred = [["B-city", "I-city", "O", "B-time"], ["O", "I-city"]]
    >>> print(chunk_classification_report(y_true, y_pred))
                   precision    recall  f1-score   support     found   correct
    <BLANKLINE>
              city      1.00      1.00      1.00         2         2         2
              date      0.00      0.00      0.00         1         0         0
              time      0.00      0.00      0.00         0         1         0
    <BLANKLINE>
         micro avg      0.67      0.67      0.67         3         3         2
         macro avg      0.33      0.33      0.33         3         3         2
      weighted avg      0.67      0.67      0.67         3         3         2
    <BLANKLINE>
    token accuracy      0.67   (6 tokens)
    >>> chunk_classification_report(y_true, y_pred, output_dict=True)["micro avg"]["f1-score"]
    0.6666666666666666
    """
    if not isinstance(digits, numbers.Integral) or isinstance(digits, bool) or digits < 0:
        raise ValueError(f"digits must be a non-negative int, got {digits!r}")
    found_true, found_pred, correct, correct_tags, n_tokens = _count(y_true, y_pred, scheme,
                                                                     id2tag)
    types = sorted(set(found_true) | set(found_pred))
    report = {}
    for t in types:
        p, r, f = _prf(correct[t], found_pred[t], found_true[t])
        report[t] = {"precision": p, "recall": r, "f1-score": f, "support": found_true[t],
                     "found": found_pred[t], "correct": correct[t]}
    totals = {"support": sum(found_true.values()), "found": sum(found_pred.values()),
              "correct": sum(correct.values())}
    p, r, f = _prf(totals["correct"], totals["found"], totals["support"])
    report["micro avg"] = {"precision": p, "recall": r, "f1-score": f, **totals}
    rows = [report[t] for t in types]
    for name, weights in (("macro avg", [1] * len(rows)),
                          ("weighted avg", [row["support"] for row in rows])):
        total = sum(weights)
        means = {k: (sum(w * row[k] for w, row in zip(weights, rows)) / total if total else 0.0)
                 for k in ("precision", "recall", "f1-score")}
        report[name] = {**means, **totals}
    report["accuracy"] = correct_tags / n_tokens
    report["tokens"] = n_tokens
    if output_dict:
        return report

    width = max([len(t) for t in types] + [len("token accuracy")])
    head = ["precision", "recall", "f1-score", "support", "found", "correct"]
    lines = [" " * width + "".join(f"{h:>10}" for h in head), ""]

    def row(name):
        d = report[name]
        return (f"{name:>{width}}" + "".join(f"{d[k]:>10.{digits}f}"
                                             for k in ("precision", "recall", "f1-score"))
                + "".join(f"{d[k]:>10d}" for k in ("support", "found", "correct")))

    lines += [row(t) for t in types] + [""]
    lines += [row(name) for name in ("micro avg", "macro avg", "weighted avg")] + [""]
    lines.append(f"{'token accuracy':>{width}}{report['accuracy']:>10.{digits}f}"
                 f"   ({n_tokens} tokens)")
    return "\n".join(lines)
