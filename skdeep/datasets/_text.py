"""Text datasets of the tutorial's sequence chapters: ATIS slot filling, movie-review polarity
and IMDB reviews."""
from __future__ import annotations

import numbers
import pathlib
import re

import numpy as np
from sklearn.utils import Bunch

from ._paths import data_home
from ._safe_pickle import read_pickles

__all__ = ["load_atis", "load_atis_iob", "load_rt_polarity", "load_imdb"]

_ATIS_HINT = ("The ATIS files are the Deep Learning Tutorials' atis.fold0.pkl.gz .. "
              "atis.fold4.pkl.gz (G. Mesnil's preprocessed ATIS) and the plain IOB files "
              "atis.train.iob, atis.test.iob, ... (e.g. from the JointSLU repository). Put them "
              "in a folder 'atis' (the IOB files may sit in 'atis/iob') and pass path=... or set "
              "$SKDEEP_DATA to its parent folder.")
_RT_HINT = ("The sentence polarity dataset v1.0 (Pang and Lee 2005) has two files, "
            "rt-polarity.pos and rt-polarity.neg, from "
            "https://www.cs.cornell.edu/people/pabo/movie-review-data/ (rt-polaritydata). Put "
            "them in a folder 'rt-polarity' and pass path=... or set $SKDEEP_DATA to its parent.")
_IMDB_HINT = ("The Large Movie Review Dataset (Maas et al. 2011) unpacks to a folder 'aclImdb' "
              "with train/{pos,neg}/*.txt and test/{pos,neg}/*.txt "
              "(https://ai.stanford.edu/~amaas/data/sentiment/). Pass that folder as path=... "
              "(or the tutorial's imdb.pkl file), or set $SKDEEP_DATA to its parent folder.")

_ATIS_IOB_SUBSETS = {"train": "atis.train", "test": "atis.test",
                     "atis-2.train": "atis-2.train", "atis-2.dev": "atis-2.dev"}


def _atis_fold_file(folder, fold):
    name = f"atis.fold{fold}.pkl.gz"
    folder = pathlib.Path(folder)
    if folder.is_file():
        return folder
    for candidate in (folder / name, folder / "atis" / name):
        if candidate.is_file():
            return candidate
    return None


def load_atis(fold=3, path=None):
    """Load the ATIS slot-filling data in the tutorial's format (``atis.fold<N>.pkl.gz``).

    These are the files of the tutorial's RNN chapter (rnnslu): G. Mesnil's preprocessed ATIS,
    with digits mapped to ``DIGIT``, rare words to ``<UNK>``, and word, named-entity ("table")
    and IOB slot labels given as integer ids. Every fold has the same 893 test sentences; the
    folds differ in how the 4,978 other sentences split into 3,983 for training and 995 for
    validation. The tutorial uses fold 3.

    Parameters
    ----------
    fold : int in 0..4, default=3
    path : str or path-like, optional
        A folder holding ``atis.fold<N>.pkl.gz`` (or the file itself). Default:
        ``$SKDEEP_DATA/atis``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``train``, ``valid``, ``test``: each a tuple ``(words, tables, labels)`` of three
        equal-length lists; item ``i`` of each is a 1-D int64 array of sentence ``i``'s word
        ids, table (named-entity feature) ids and slot-label ids.
        ``words2idx``, ``tables2idx``, ``labels2idx``: dicts from strings to ids (the pickle's
        own dictionaries, 572 words, 141 tables and 127 labels).
        ``idx2word``, ``idx2table``, ``idx2label``: the inverse dicts, to decode ids (for
        instance ``[idx2label[i] for i in labels[0]]`` gives IOB tags for
        :func:`skdeep.metrics.chunk_f1_score`).
        ``fold``: the fold read.

    Raises
    ------
    FileNotFoundError
        When the fold's file is not there (fold 4's public copies are truncated).

    Examples
    --------
    >>> from skdeep.datasets import load_atis
    >>> atis = load_atis(fold=3)                            # doctest: +SKIP
    >>> words, tables, labels = atis.train                  # doctest: +SKIP
    >>> len(words), len(atis.valid[0]), len(atis.test[0])   # doctest: +SKIP
    (3983, 995, 893)
    >>> [atis.idx2word[i] for i in words[0][:4]]            # doctest: +SKIP
    ['what', 'aircraft', 'is', 'used']
    """
    if not isinstance(fold, numbers.Integral) or isinstance(fold, bool) or not 0 <= fold <= 4:
        raise ValueError(f"fold must be an int in 0..4, got {fold!r}")
    fold = int(fold)
    folder = data_home("atis", path, contains=lambda f: _atis_fold_file(f, fold) is not None,
                       hint=_ATIS_HINT)
    filename = _atis_fold_file(folder, fold)
    if filename is None:  # an explicit path without the file
        raise FileNotFoundError(f"No atis.fold{fold}.pkl.gz in {folder}. {_ATIS_HINT}")
    what = "a readable ATIS fold pickle (train, valid, test, dicts)"
    # Python 2 pickles of numpy arrays: latin1 reads their byte strings unchanged.
    data = read_pickles(filename, what=what, encoding="latin1")

    def split(part):
        words, tables, labels = ([np.asarray(seq, dtype=np.int64) for seq in column]
                                 for column in part)
        if not len(words) == len(tables) == len(labels):
            raise ValueError("its word, table and label columns differ in length")
        return words, tables, labels

    try:
        train, valid, test, dicts = data
        words2idx, tables2idx, labels2idx = (dict(dicts[k]) for k in
                                             ("words2idx", "tables2idx", "labels2idx"))
        train, valid, test = split(train), split(valid), split(test)
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"{filename} is not {what}: {type(exc).__name__}: {exc}") from exc
    return Bunch(train=train, valid=valid, test=test,
                 words2idx=words2idx, tables2idx=tables2idx, labels2idx=labels2idx,
                 idx2word={i: w for w, i in words2idx.items()},
                 idx2table={i: t for t, i in tables2idx.items()},
                 idx2label={i: t for t, i in labels2idx.items()},
                 fold=fold)


def _find_iob(folder, stem, with_intent):
    folder = pathlib.Path(folder)
    names = [stem + ".w-intent.iob"] if with_intent else [stem + ".iob", stem + ".w-intent.iob"]
    for sub in (folder, folder / "iob", folder / "atis" / "iob"):
        for name in names:
            if (sub / name).is_file():
                return sub / name
    return None


def load_atis_iob(path=None, subset="train", with_intent=False):
    """Load ATIS from the plain IOB files: words and slot tags as strings, intents optionally.

    Each line of an ``.iob`` file is ``BOS w1 ... wn EOS<TAB>O t1 ... tn X``; the words and
    tags of the ``BOS``/``EOS`` positions are dropped. In the ``.w-intent.iob`` files ``X`` is
    the sentence's intent (e.g. ``atis_flight``; joint intents look like
    ``atis_flight#atis_airfare``). These files keep the raw lowercased words, unlike the
    tutorial's pickles (see :func:`load_atis`).

    Parameters
    ----------
    path : str or path-like, optional
        A folder holding the ``.iob`` files (or its ``iob/`` sub-folder holding them), or one
        ``.iob`` file, which is then read whatever ``subset`` says. Default:
        ``$SKDEEP_DATA/atis``.
    subset : {"train", "test", "atis-2.train", "atis-2.dev"}, default="train"
        ``"train"`` (4,978 sentences) and ``"test"`` (893) are the standard split;
        ``"atis-2.train"`` (4,478) and ``"atis-2.dev"`` (500) split ``"train"`` the way many
        spoken-language-understanding papers do.
    with_intent : bool, default=False
        Also return each sentence's intent (read from the ``.w-intent.iob`` file).

    Returns
    -------
    words : list of list of str
        One list of tokens per sentence.
    tags : list of list of str
        The IOB slot tags, one per token.
    intents : list of str
        Only when ``with_intent=True``.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdeep.datasets import load_atis_iob
    >>> folder = tempfile.mkdtemp()
    >>> with open(os.path.join(folder, "atis.test.w-intent.iob"), "w") as f:
    ...     _ = f.write("BOS fly to boston EOS\\tO O O B-toloc.city_name atis_flight\\n")
    >>> words, tags, intents = load_atis_iob(folder, subset="test", with_intent=True)
    >>> words, tags, intents
    ([['fly', 'to', 'boston']], [['O', 'O', 'B-toloc.city_name']], ['atis_flight'])
    """
    if subset not in _ATIS_IOB_SUBSETS:
        raise ValueError(f"subset must be one of {sorted(_ATIS_IOB_SUBSETS)}, got {subset!r}")
    stem = _ATIS_IOB_SUBSETS[subset]
    given = pathlib.Path(path).expanduser() if path is not None else None
    if given is not None and given.is_file():
        filename = given
    else:
        folder = data_home("atis", path, hint=_ATIS_HINT,
                           contains=lambda f: _find_iob(f, stem, with_intent) is not None)
        filename = _find_iob(folder, stem, with_intent)
        if filename is None:
            want = f"{stem}.w-intent.iob" if with_intent else f"{stem}.iob"
            raise FileNotFoundError(f"No {want} in {folder}. {_ATIS_HINT}")
    has_intent = filename.name.endswith(".w-intent.iob")
    if with_intent and not has_intent:
        raise ValueError(f"with_intent=True needs a .w-intent.iob file, got {filename}")

    words, tags, intents = [], [], []
    try:
        lines = filename.read_text(encoding="utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{filename} is not a UTF-8 text file (corrupt?): {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        left, tab, right = line.partition("\t")
        w, t = left.split(), right.split()
        if not tab or len(w) != len(t) or len(w) < 2 or w[0] != "BOS" or w[-1] != "EOS":
            raise ValueError(f"{filename}, line {number}: expected 'BOS words EOS<TAB>tags' "
                             f"with one tag per word, got {line.rstrip()!r}")
        words.append(w[1:-1])
        tags.append(t[1:-1])
        intents.append(t[-1])
    if with_intent:
        return words, tags, intents
    return words, tags


def _read_lines(filename, encoding):
    data = pathlib.Path(filename).read_bytes()
    try:
        if encoding is None:
            # The original files are Windows-1252; a UTF-8 re-encoding decodes strictly as
            # UTF-8, while the original bytes (e.g. 0xe9 for 'é') do not.
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
        else:
            text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        # Still a UnicodeDecodeError (a ValueError), now naming the file.
        hint = "corrupt?" if encoding is None else "pass another encoding=..."
        raise UnicodeDecodeError(exc.encoding, exc.object, exc.start, exc.end,
                                 f"{exc.reason}, in {filename} ({hint})") from exc
    # Split on '\n' only: str.splitlines() would also break at characters such as U+0085
    # that a latin-1 reading of byte 0x85 produces inside lines.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def load_rt_polarity(path=None, encoding=None):
    """Load the movie-review sentence polarity dataset v1.0 (Pang and Lee 2005).

    10,662 lowercased, tokenized review snippets from Rotten Tomatoes, 5,331 positive and
    5,331 negative. There is no official train/test split; the usual protocol is 10-fold
    cross-validation.

    Parameters
    ----------
    path : str or path-like, optional
        A folder holding ``rt-polarity.pos`` and ``rt-polarity.neg``. Default:
        ``$SKDEEP_DATA/rt-polarity``.
    encoding : str, optional
        The files' encoding. By default a file that decodes as UTF-8 is read as UTF-8 and
        otherwise as Windows-1252 (cp1252), the encoding of the original release.

    Returns
    -------
    texts : list of str
        One sentence per line of the files, without the newline (the lines end with a
        space in the original files), positives first, then negatives.
    y : ndarray of shape (n_texts,), int64
        1 for positive, 0 for negative.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdeep.datasets import load_rt_polarity
    >>> folder = tempfile.mkdtemp()
    >>> for name, text in [("pos", "a gem .\\nsmart , funny .\\n"), ("neg", "dull .\\n")]:
    ...     with open(os.path.join(folder, "rt-polarity." + name), "w") as f:
    ...         _ = f.write(text)
    >>> texts, y = load_rt_polarity(folder)
    >>> texts, y
    (['a gem .', 'smart , funny .', 'dull .'], array([1, 1, 0]))
    """
    names = ("rt-polarity.pos", "rt-polarity.neg")
    folder = data_home("rt-polarity", path, hint=_RT_HINT,
                       contains=lambda f: all((pathlib.Path(f) / n).is_file() for n in names))
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise FileNotFoundError(f"No {' or '.join(missing)} in {folder}. {_RT_HINT}")
    pos = _read_lines(folder / names[0], encoding)
    neg = _read_lines(folder / names[1], encoding)
    for name, lines in zip(names, (pos, neg)):
        if not any(line.strip() for line in lines):
            raise ValueError(f"{folder / name} is empty: it should hold one review snippet "
                             f"per line (5,331 in the original release). {_RT_HINT}")
    y = np.concatenate([np.ones(len(pos), dtype=np.int64), np.zeros(len(neg), dtype=np.int64)])
    return pos + neg, y


def _imdb_root(folder):
    """The ``aclImdb`` folder itself, given it or its parent; None when neither."""
    folder = pathlib.Path(folder)
    for candidate in (folder, folder / "aclImdb"):
        if any((candidate / s / c).is_dir() for s in ("train", "test") for c in ("pos", "neg")):
            return candidate
    return None


def _natural_key(p):
    # aclImdb names its files <id>_<rating>.txt: order by the numbers, not as strings.
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", p.name)]


def _read_review(path):
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not a UTF-8 text file (corrupt?): {exc}") from exc


def _load_imdb_pickle(filename, subset):
    """The tutorial's ``imdb.pkl``: two pickles in a row, (train_x, train_y) then
    (test_x, test_y), where x is a list of lists of word ids."""
    what = "the tutorial's imdb.pkl (two pickled (sequences, labels) pairs)"
    train, test = read_pickles(filename, 2, what=what, encoding="latin1")
    try:
        x, y = train if subset == "train" else test
        x = [np.asarray(s, dtype=np.int64) for s in x]
        y = np.asarray(y, dtype=np.int64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{filename} is not {what}: {exc}") from exc
    if y.ndim != 1 or len(x) != len(y) or any(s.ndim != 1 for s in x):
        raise ValueError(f"{filename} is not {what}: its sequences and labels do not match.")
    return x, y


def load_imdb(path=None, subset="train"):
    """Load the IMDB Large Movie Review Dataset (Maas et al. 2011) from its ``aclImdb`` folder.

    25,000 training and 25,000 test reviews, half positive and half negative, one file per
    review in ``aclImdb/<subset>/pos/`` and ``aclImdb/<subset>/neg/`` (the unlabelled
    ``train/unsup/`` reviews are not read). The label comes from the folder. Nothing is
    downloaded.

    Parameters
    ----------
    path : str or path-like, optional
        The ``aclImdb`` folder or its parent. Default: ``$SKDEEP_DATA/aclImdb``, then
        ``$SKDEEP_DATA``. A path to a file reads the tutorial's ``imdb.pkl`` (or
        ``imdb.pkl.gz``) instead, whose reviews are already lists of word ids (see Returns).
    subset : {"train", "test"}, default="train"

    Returns
    -------
    texts : list of str
        The reviews as UTF-8 text, unchanged (they contain HTML line breaks ``<br />``):
        positives first, then negatives, each in the order of their file names' numbers
        (``0_9.txt``, ``1_7.txt``, ..., ``10_8.txt``). From ``imdb.pkl``: a list of 1-D int64
        arrays of word ids, in the pickle's order.
    y : ndarray of shape (n_texts,), int64
        1 for positive, 0 for negative.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdeep.datasets import load_imdb
    >>> root = os.path.join(tempfile.mkdtemp(), "aclImdb")
    >>> for label, name, text in [("pos", "0_9.txt", "Loved it."), ("neg", "0_2.txt", "Dull.")]:
    ...     os.makedirs(os.path.join(root, "train", label))
    ...     with open(os.path.join(root, "train", label, name), "w") as f:
    ...         _ = f.write(text)
    >>> load_imdb(root, subset="train")
    (['Loved it.', 'Dull.'], array([1, 0]))
    """
    if subset not in ("train", "test"):
        raise ValueError(f"subset must be 'train' or 'test', got {subset!r}")
    given = pathlib.Path(path).expanduser() if path is not None else None
    if given is not None and given.is_file():
        return _load_imdb_pickle(given, subset)
    folder = data_home("aclImdb", path, hint=_IMDB_HINT,
                       contains=lambda f: _imdb_root(f) is not None)
    root = _imdb_root(folder)
    if root is None:
        raise FileNotFoundError(f"No aclImdb folder (train/pos, test/neg, ...) in {folder}. "
                                f"{_IMDB_HINT}")
    texts, labels = [], []
    for label, value in (("pos", 1), ("neg", 0)):
        sub = root / subset / label
        if not sub.is_dir():
            raise FileNotFoundError(f"{sub} is missing: an aclImdb folder has "
                                    f"{subset}/pos and {subset}/neg. {_IMDB_HINT}")
        files = sorted(sub.glob("*.txt"), key=_natural_key)
        texts += [_read_review(p) for p in files]
        labels += [value] * len(files)
    if not texts:
        raise FileNotFoundError(f"No review files (*.txt) in {root / subset}/pos or /neg.")
    return texts, np.asarray(labels, dtype=np.int64)
