"""Chunk precision/recall/F1 against hand-worked conlleval cases and two independent oracles."""
import pickle
import random

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from skdeep.metrics import (
    chunk_classification_report,
    chunk_f1_score,
    chunk_precision_recall_fscore,
)


def prf(y_true, y_pred, **kw):
    return chunk_precision_recall_fscore(y_true, y_pred, **kw)


def counts(y_true, y_pred, scheme="IOB"):
    """(true chunks, predicted chunks, correct chunks) from the report."""
    d = chunk_classification_report(y_true, y_pred, scheme=scheme, output_dict=True)["micro avg"]
    return d["support"], d["found"], d["correct"]


# --- hand-worked cases (each checked with conlleval.pl) ------------------------------------

def test_perfect_prediction():
    y = [["B-city", "I-city", "O", "B-date"], ["B-time", "O"]]
    assert prf(y, y) == (1.0, 1.0, 1.0, 3)


def test_i_without_b_starts_a_chunk():
    # conlleval: an I- after O opens a chunk, so "I-X I-X" is the same chunk as "B-X I-X".
    assert counts(["B-X", "I-X"], ["I-X", "I-X"]) == (1, 1, 1)
    assert chunk_f1_score(["O", "I-X", "I-X"], ["O", "B-X", "I-X"]) == 1.0


def test_type_change_ends_a_chunk():
    # "B-X I-Y": I-Y after another type closes X and opens a Y chunk.
    assert counts(["B-X", "I-X"], ["B-X", "I-Y"]) == (1, 2, 0)
    p, r, f, s = prf(["B-X", "I-X"], ["B-X", "I-Y"], average=None, labels=["X", "Y"])
    np.testing.assert_array_equal(p, [0.0, 0.0])
    np.testing.assert_array_equal(s, [1, 0])


def test_b_after_b_starts_a_new_chunk():
    assert counts(["B-X", "B-X"], ["B-X", "I-X"]) == (2, 1, 0)
    assert prf(["B-X", "B-X"], ["B-X", "I-X"]) == (0.0, 0.0, 0.0, 2)


def test_chunk_must_match_start_end_and_type():
    assert counts(["B-X", "I-X", "O"], ["B-X", "O", "O"]) == (1, 1, 0)   # end differs
    assert counts(["O", "B-X", "I-X"], ["B-X", "I-X", "I-X"]) == (1, 1, 0)  # start differs
    assert counts(["B-X", "I-X"], ["B-Y", "I-Y"]) == (1, 1, 0)  # type differs
    # two true chunks, one correct: precision 1/2, recall 1/2.
    y_true = ["B-a", "I-a", "O", "B-b", "I-b", "I-b"]
    y_pred = ["B-a", "I-a", "O", "B-b", "I-b", "B-b"]
    assert counts(y_true, y_pred) == (2, 3, 1)
    p, r, f, s = prf(y_true, y_pred)
    assert (p, r, s) == (1 / 3, 1 / 2, 2)
    assert f == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


def test_hyphens_inside_types_and_partial_match():
    # conlleval splits at the first hyphen only: the type is "from-loc.city".
    y_true = [["B-from-loc.city", "I-from-loc.city", "O", "B-date"]]
    y_pred = [["B-from-loc.city", "I-from-loc.city", "O", "O"]]
    rep = chunk_classification_report(y_true, y_pred, output_dict=True)
    assert rep["from-loc.city"]["correct"] == 1
    assert prf(y_true, y_pred) == (1.0, 0.5, 2 / 3, 2)


def test_empty_predictions_and_no_chunks_give_zero():
    y_true = [["B-X", "O"], ["B-Y"]]
    assert prf(y_true, [["O", "O"], ["O"]]) == (0.0, 0.0, 0.0, 2)
    # no chunk anywhere: conlleval prints 0 for every ratio (no division by zero).
    assert prf([["O", "O"]], [["O", "O"]]) == (0.0, 0.0, 0.0, 0)
    rep = chunk_classification_report([["O", "O"]], [["O", "O"]], output_dict=True)
    assert rep["accuracy"] == 1.0 and rep["micro avg"]["f1-score"] == 0.0


def test_sentence_boundaries_end_chunks():
    two = [["O", "B-X"], ["I-X", "O"]]
    one = [["O", "B-X", "I-X", "O"]]
    assert counts(two, two) == (2, 2, 2)
    assert counts(one, one) == (1, 1, 1)


def test_conlleval_punctuation_tags():
    # '[' and ']' are one-token chunks of the empty type; '.' never opens a chunk.
    y = ["[", "[", "O", "]"]
    assert counts(y, y) == (3, 3, 3)
    assert counts([".", "."], [".", "."]) == (0, 0, 0)
    # '.' without type closes an X chunk (type change) and the next I-X opens a new one.
    y = ["B-X", ".", "I-X"]
    assert counts(y, y) == (2, 2, 2)


def test_ioe_tags_in_iob_scheme():
    # conlleval.pl's IOE rules: E-E and E-I start a chunk after an E.
    assert counts(["I-X", "E-X", "E-X"], ["I-X", "E-X", "E-X"]) == (2, 2, 2)


def test_iobes_scheme():
    y_true = ["S-X", "B-Y", "I-Y", "E-Y", "S-X", "S-X"]
    assert counts(y_true, y_true, scheme="IOBES") == (4, 4, 4)
    # conlleval.pl knows no S-: the IOB rules read "S-X S-X" as one chunk.
    assert counts(["S-X", "S-X"], ["S-X", "S-X"], scheme="IOB") == (1, 1, 1)
    assert counts(["S-X", "S-X"], ["S-X", "S-X"], scheme="IOBES") == (2, 2, 2)
    # an unfinished B-I at the sentence end still closes there.
    assert counts(["S-X", "B-Y", "E-Y"], ["S-X", "B-Y", "I-Y"], scheme="IOBES") == (2, 2, 2)
    # B- after E- opens a chunk in IOBES (conlleval.pl would continue the chunk).
    assert counts(["B-X", "E-X", "B-X", "E-X"], ["B-X", "E-X", "B-X", "E-X"],
                  scheme="IOBES") == (2, 2, 2)
    assert counts(["B-X", "I-X", "E-X"], ["B-X", "E-X", "S-X"], scheme="IOBES") == (1, 2, 0)


def test_schemes_agree_on_bio_tags():
    rng = random.Random(3)
    tags = ["O", "B-a", "I-a", "B-b", "I-b"]
    for _ in range(50):
        y_true = [[rng.choice(tags) for _ in range(rng.randint(1, 6))] for _ in range(3)]
        y_pred = [[rng.choice(tags) for _ in s] for s in y_true]
        assert counts(y_true, y_pred, "IOB") == counts(y_true, y_pred, "IOBES")


# --- averages, labels and the report ----------------------------------------------------------

Y_TRUE = [["B-city", "I-city", "O", "B-date"], ["O", "B-city"]]
Y_PRED = [["B-city", "I-city", "O", "B-time"], ["O", "I-city"]]


def test_per_type_scores_and_labels():
    p, r, f, s = prf(Y_TRUE, Y_PRED, average=None)  # sorted types: city, date, time
    np.testing.assert_array_equal(f, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(s, [2, 1, 0])
    p, r, f, s = prf(Y_TRUE, Y_PRED, average=None, labels=["time", "city", "nowhere"])
    np.testing.assert_array_equal(p, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(s, [0, 2, 0])
    assert s.dtype == np.int64 and f.dtype == float
    # micro over a subset of types counts only those types.
    assert prf(Y_TRUE, Y_PRED, labels=["city"]) == (1.0, 1.0, 1.0, 2)


def test_macro_and_weighted_averages():
    assert prf(Y_TRUE, Y_PRED, average="macro") == pytest.approx((1 / 3, 1 / 3, 1 / 3, 3))
    # weighted by true chunks: city has 2, date 1, time 0.
    assert prf(Y_TRUE, Y_PRED, average="weighted") == pytest.approx((2 / 3, 2 / 3, 2 / 3, 3))
    assert chunk_f1_score(Y_TRUE, Y_PRED, average=None).tolist() == [1.0, 0.0, 0.0]


def test_report_dict_and_text():
    rep = chunk_classification_report(Y_TRUE, Y_PRED, output_dict=True)
    assert list(rep) == ["city", "date", "time", "micro avg", "macro avg", "weighted avg",
                         "accuracy", "tokens"]
    assert rep["time"] == {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0,
                           "found": 1, "correct": 0}
    assert rep["micro avg"]["f1-score"] == chunk_f1_score(Y_TRUE, Y_PRED)
    assert rep["accuracy"] == 4 / 6 and rep["tokens"] == 6
    text = chunk_classification_report(Y_TRUE, Y_PRED, digits=4)
    assert "0.6667" in text and "micro avg" in text and "(6 tokens)" in text
    assert text.splitlines()[2].split() == ["city", "1.0000", "1.0000", "1.0000", "2", "2", "2"]


# --- input forms and errors ------------------------------------------------------------------

def test_accepts_arrays_object_arrays_and_flat_sequences():
    expected = chunk_f1_score(Y_TRUE, Y_PRED)
    as_arrays = [np.array(s) for s in Y_PRED]
    obj = np.empty(2, dtype=object)
    obj[:] = [np.array(s, dtype=object) for s in Y_PRED]
    assert chunk_f1_score([tuple(s) for s in Y_TRUE], as_arrays) == expected
    assert chunk_f1_score(Y_TRUE, obj) == expected
    assert chunk_f1_score(np.array(["B-X", "I-X"]), ["B-X", "I-X"]) == 1.0
    grid = np.array([["B-X", "O"], ["O", "B-Y"]])
    assert chunk_f1_score(grid, [["B-X", "O"], ["O", "O"]]) == pytest.approx(2 / 3)


def test_does_not_modify_inputs():
    y_true = [np.array(s) for s in Y_TRUE]
    before = [a.copy() for a in y_true]
    chunk_classification_report(y_true, Y_PRED)
    for a, b in zip(y_true, before):
        np.testing.assert_array_equal(a, b)


def test_integer_labels_need_id2tag():
    ids_true, ids_pred = [np.array([1, 2, 0])], [np.array([1, 2, 0])]
    with pytest.raises(TypeError, match="id2tag"):
        chunk_f1_score(ids_true, ids_pred)
    assert chunk_f1_score(ids_true, [np.array([1, 0, 0])], id2tag=["O", "B-X", "I-X"]) == 0.0
    assert chunk_f1_score(ids_true, ids_pred, id2tag={0: "O", 1: "B-X", 2: "I-X"}) == 1.0
    with pytest.raises(ValueError, match="id 7"):
        chunk_f1_score([[7]], [[0]], id2tag=["O"])


@pytest.mark.parametrize("y_true, y_pred, error, match", [
    ([], [], ValueError, "empty"),
    ([[]], [[]], ValueError, "no tags"),
    ([["O"], ["O"]], [["O"]], ValueError, "2 sentences but y_pred has 1"),
    ([["O", "B-X"]], [["O"]], ValueError, "sentence 0 has 2 tags in y_true but 1"),
    ("B-X I-X", "B-X I-X", TypeError, "single string"),
    ([["B-X"], "O"], [["B-X"], ["O"]], TypeError, "mixes"),
    ([[1.5]], [[1.5]], TypeError, "strings"),
    ([np.zeros((2, 2), dtype=str)], [["O"]], ValueError, "1-D"),
])
def test_input_errors(y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        chunk_f1_score(y_true, y_pred)


def test_parameter_errors():
    with pytest.raises(ValueError, match="scheme"):
        chunk_f1_score(["O"], ["O"], scheme="BIO2")
    with pytest.raises(ValueError, match="average"):
        chunk_f1_score(["O"], ["O"], average="samples")
    with pytest.raises(TypeError, match="labels"):
        chunk_f1_score(["B-X"], ["B-X"], labels="X")
    with pytest.raises(ValueError, match="digits"):
        chunk_classification_report(["O"], ["O"], digits=-1)


# --- make_scorer / model selection -----------------------------------------------------------

class LookupTagger(BaseEstimator):
    """Tags each word with its most frequent training tag (``default`` for unseen words);
    predict returns a list of label arrays, as a sequence model does."""

    def __init__(self, default="O"):
        self.default = default

    def fit(self, X, y):
        table = {}
        for words, tags in zip(X, y):
            for w, t in zip(words, tags):
                table.setdefault(w, {}).setdefault(t, 0)
                table[w][t] += 1
        self.table_ = {w: max(c, key=c.get) for w, c in table.items()}
        return self

    def predict(self, X):
        return [np.array([self.table_.get(w, self.default) for w in words], dtype=object)
                for words in X]


def _toy_corpus(n=60, seed=0):
    rng = random.Random(seed)
    cities = ["boston", "denver", "dallas"]
    X, y = [], []
    for _ in range(n):
        city = rng.choice(cities)
        X.append(["fly", "to", city, "city"] if rng.random() < 0.5 else ["fly", "to", city])
        y.append(np.array(["O", "O", "B-city", "I-city"][:len(X[-1])], dtype=object))
    return X, y


def test_make_scorer_cross_val_and_grid_search():
    X, y = _toy_corpus()
    scorer = make_scorer(chunk_f1_score)
    model = LookupTagger().fit(X, y)
    assert scorer(model, X, y) == 1.0
    scores = cross_val_score(LookupTagger(), X, y, scoring=scorer, cv=KFold(3))
    np.testing.assert_allclose(scores, 1.0)
    # cities never seen in training: tagging unknown words "O" misses their chunks.
    X_new = [["fly", "to", city] for city in ("miami", "austin", "reno")]
    y_new = [np.array(["O", "O", "B-city"], dtype=object)] * 3
    Xa, ya = X + X_new, y + y_new
    search = GridSearchCV(LookupTagger(), {"default": ["O", "B-city"]},
                          scoring=scorer, cv=KFold(3, shuffle=True, random_state=0)).fit(Xa, ya)
    assert search.best_params_ == {"default": "B-city"}
    assert pickle.loads(pickle.dumps(scorer))(model, X, y) == 1.0


# --- oracles on random tag sequences ----------------------------------------------------------

def conlleval_reference(y_true, y_pred):
    """A line-by-line transliteration of conlleval.pl's main loop (input as the lines of its
    file: 'word true guessed', a blank line after each sentence). Returns per-type
    (found_true, found_guessed, correct) and (correct_tags, tokens)."""
    lines = []
    for a, b in zip(y_true, y_pred):
        lines += [("w", t, g) for t, g in zip(a, b)] + [()]

    def split(tag):
        if "-" in tag:
            i = tag.index("-")
            return tag[:i], tag[i + 1:]
        return tag, ""

    def end_of_chunk(prev_tag, tag, prev_type, type_):
        return any([prev_tag == "B" and tag == "B",
                    prev_tag == "B" and tag == "O",
                    prev_tag == "I" and tag == "B",
                    prev_tag == "I" and tag == "O",
                    prev_tag == "E" and tag == "E",
                    prev_tag == "E" and tag == "I",
                    prev_tag == "E" and tag == "O",
                    prev_tag != "O" and prev_tag != "." and prev_type != type_,
                    prev_tag == "]",
                    prev_tag == "["])

    def start_of_chunk(prev_tag, tag, prev_type, type_):
        return any([prev_tag == "B" and tag == "B",
                    prev_tag == "I" and tag == "B",
                    prev_tag == "O" and tag == "B",
                    prev_tag == "O" and tag == "I",
                    prev_tag == "E" and tag == "E",
                    prev_tag == "E" and tag == "I",
                    prev_tag == "O" and tag == "E",
                    tag != "O" and tag != "." and prev_type != type_,
                    tag == "[",
                    tag == "]"])

    found_c, found_g, correct = {}, {}, {}
    correct_tags = tokens = 0
    in_correct = False
    last_c, last_ct, last_g, last_gt = "O", "", "O", ""
    for features in lines:
        if len(features) == 0:
            features = ("-X-", "O", "O")
        g, gt = split(features[-1])
        c, ct = split(features[-2])
        first = features[0]
        if first == "-X-":
            g = "O"
        if in_correct:
            if (end_of_chunk(last_c, c, last_ct, ct) and end_of_chunk(last_g, g, last_gt, gt)
                    and last_gt == last_ct):
                in_correct = False
                correct[last_ct] = correct.get(last_ct, 0) + 1
            elif (end_of_chunk(last_c, c, last_ct, ct) != end_of_chunk(last_g, g, last_gt, gt)
                  or gt != ct):
                in_correct = False
        if start_of_chunk(last_c, c, last_ct, ct) and start_of_chunk(last_g, g, last_gt, gt) \
                and gt == ct:
            in_correct = True
        if start_of_chunk(last_c, c, last_ct, ct):
            found_c[ct] = found_c.get(ct, 0) + 1
        if start_of_chunk(last_g, g, last_gt, gt):
            found_g[gt] = found_g.get(gt, 0) + 1
        if first != "-X-":
            if c == g and gt == ct:
                correct_tags += 1
            tokens += 1
        last_g, last_c, last_gt, last_ct = g, c, gt, ct
    if in_correct:
        correct[last_ct] = correct.get(last_ct, 0) + 1
    types = sorted(set(found_c) | set(found_g))
    return ({t: (found_c.get(t, 0), found_g.get(t, 0), correct.get(t, 0)) for t in types},
            (correct_tags, tokens))


def spans(tags, scheme):
    """The chunks of one well-formed-prefix sentence as (start, end, type) spans, read the
    textbook way (independent of conlleval's start/end event logic)."""
    out, open_at, open_type = [], None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, kind = tag.partition("-")
        closes_before = prefix in ("B", "O") or (scheme == "IOBES" and prefix == "S")
        if open_at is not None and (closes_before or kind != open_type):
            out.append((open_at, i - 1, open_type))
            open_at = None
        if prefix != "O" and open_at is None:
            open_at, open_type = i, kind
        if scheme == "IOBES" and prefix in ("E", "S") and open_at is not None:
            out.append((open_at, i, open_type))
            open_at = None
    return out


def from_report(y_true, y_pred, scheme="IOB"):
    rep = chunk_classification_report(y_true, y_pred, scheme=scheme, output_dict=True)
    per = {t: (d["support"], d["found"], d["correct"]) for t, d in rep.items()
           if t not in ("micro avg", "macro avg", "weighted avg", "accuracy", "tokens")}
    return per, rep


def random_corpus(rng, tags, n_max=5, len_max=8):
    y_true = [[rng.choice(tags) for _ in range(rng.randint(0, len_max))]
              for _ in range(rng.randint(1, n_max))]
    if not any(y_true):
        y_true[0].append(rng.choice(tags))
    return y_true, [[rng.choice(tags) for _ in s] for s in y_true]


@pytest.mark.parametrize("seed", range(4))
def test_matches_transliterated_conlleval_on_random_tags(seed):
    # Any tag conlleval can read: IOB, IOE, bare prefixes, brackets, dots, hyphenated types.
    rng = random.Random(seed)
    prefixes = ["B", "I", "O", "E", "S", "[", "]", ".", "Z"]
    tags = ["O"] * 6 + [p + s for p in prefixes for s in ("", "-a", "-b", "-a-b")]
    for _ in range(150):
        y_true, y_pred = random_corpus(rng, tags)
        per, rep = from_report(y_true, y_pred)
        ref_per, (correct_tags, tokens) = conlleval_reference(y_true, y_pred)
        assert per == ref_per, (y_true, y_pred)
        assert rep["accuracy"] == correct_tags / tokens
        total = [sum(v[k] for v in ref_per.values()) for k in range(3)]
        p = total[2] / total[1] if total[1] else 0.0
        r = total[2] / total[0] if total[0] else 0.0
        assert chunk_precision_recall_fscore(y_true, y_pred) == pytest.approx(
            (p, r, 2 * p * r / (p + r) if p + r else 0.0, total[0]), abs=1e-15)


@pytest.mark.parametrize("scheme, prefixes", [("IOB", "BIO"), ("IOBES", "BIESO")])
def test_matches_span_oracle_on_random_tags(scheme, prefixes):
    rng = random.Random(7)
    tags = ["O"] * 3 + [f"{p}-{t}" for p in prefixes if p != "O" for t in ("x", "y")]
    for _ in range(300):
        y_true, y_pred = random_corpus(rng, tags)
        t_spans = [(i,) + s for i, tags_ in enumerate(y_true) for s in spans(tags_, scheme)]
        p_spans = [(i,) + s for i, tags_ in enumerate(y_pred) for s in spans(tags_, scheme)]
        good = set(t_spans) & set(p_spans)
        per, _ = from_report(y_true, y_pred, scheme)
        expected = {}
        for kind in sorted({s[3] for s in t_spans + p_spans}):
            expected[kind] = (sum(s[3] == kind for s in t_spans),
                              sum(s[3] == kind for s in p_spans),
                              sum(s[3] == kind for s in good))
        assert per == expected, (y_true, y_pred)
