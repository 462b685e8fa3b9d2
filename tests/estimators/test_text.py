"""TextVectorizer: vocabulary, ids, inverse mapping, errors and the scikit-learn contract."""
import pickle
import re

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skdeep.text import TextVectorizer

TEXTS = ["the cat sat .", "The dog sat on the mat .", "a cat , a dog"]


def words(text):
    return re.findall(r"\w+", text)


def test_vocabulary_by_frequency_then_first_occurrence():
    vec = TextVectorizer().fit(TEXTS)
    # the:3; sat, ., cat, dog, a: 2 each (in order of first appearance); then the singletons.
    assert list(vec.get_feature_names_out()) == [
        "<pad>", "<unk>", "the", "cat", "sat", ".", "dog", "a", "on", "mat", ","]
    assert vec.vocabulary_ == {t: i for i, t in enumerate(vec.get_feature_names_out()) if i > 1}
    assert vec.n_ids_ == 11
    np.testing.assert_array_equal(vec.token_counts_, [0, 0, 3, 2, 2, 2, 2, 2, 1, 1, 1])
    ids = vec.transform(TEXTS)
    assert [a.tolist() for a in ids] == [[2, 3, 4, 5], [2, 6, 4, 8, 2, 9, 5], [7, 3, 10, 7, 6]]
    assert all(a.dtype == np.int64 and a.ndim == 1 for a in ids)


def test_max_features_and_min_count_map_the_rest_to_oov():
    vec = TextVectorizer(max_features=3).fit(TEXTS)
    assert list(vec.get_feature_names_out()) == ["<pad>", "<unk>", "the", "cat", "sat"]
    assert vec.transform(["the dog sat on a cat"])[0].tolist() == [2, 1, 4, 1, 1, 3]
    assert vec.token_counts_.tolist() == [0, 9, 3, 2, 2]  # 16 tokens in all
    vec = TextVectorizer(min_count=2).fit(TEXTS)
    assert "on" not in vec.vocabulary_ and len(vec.vocabulary_) == 6
    assert TextVectorizer(max_features=100).fit(TEXTS).n_ids_ == 11


def test_padding_id_is_never_produced_and_oov_is_one():
    vec = TextVectorizer().fit(TEXTS)
    ids = vec.transform(["unseen words only", "", "<pad> <unk> the"])
    assert ids[0].tolist() == [1, 1, 1]
    assert ids[1].tolist() == [] and ids[1].dtype == np.int64
    assert ids[2].tolist() == [1, 1, 2]  # the reserved names are not vocabulary tokens
    rng = np.random.default_rng(0)
    vocab = ["x", "y", "z", "<pad>", "w"]
    docs = [" ".join(rng.choice(vocab, size=rng.integers(0, 9))) for _ in range(50)]
    assert all((a > 0).all() for a in TextVectorizer(max_features=2).fit_transform(docs))


def test_inverse_transform_round_trip():
    vec = TextVectorizer().fit(TEXTS)
    ids = vec.transform(TEXTS)
    assert vec.inverse_transform(ids) == [t.lower().split() for t in TEXTS]
    # a padded 2-D batch: zeros are dropped; unknown ids come back as the oov token.
    batch = np.array([[2, 3, 1, 0, 0], [7, 6, 0, 0, 0]])
    assert vec.inverse_transform(batch) == [["the", "cat", "<unk>"], ["a", "dog"]]
    with pytest.raises(ValueError, match="outside 0..10"):
        vec.inverse_transform([[2, 11]])
    with pytest.raises(ValueError, match="integer ids"):
        vec.inverse_transform([[0.5]])


def test_lowercase_and_custom_tokenizer():
    assert "The" in TextVectorizer(lowercase=False).fit(TEXTS).vocabulary_
    assert "The" not in TextVectorizer().fit(TEXTS).vocabulary_
    vec = TextVectorizer(tokenizer=words).fit(TEXTS)
    assert "." not in vec.vocabulary_ and "," not in vec.vocabulary_
    assert vec.inverse_transform(vec.transform(["A cat, a mat."])) == [["a", "cat", "a", "mat"]]
    with pytest.raises(TypeError, match="tokenizer must return a list of str"):
        TextVectorizer(tokenizer=str.lower).fit(TEXTS)


def test_fit_transform_equals_fit_then_transform_and_inputs_untouched():
    docs = np.array(TEXTS, dtype=object)
    before = docs.copy()
    a = TextVectorizer(max_features=4).fit_transform(docs)
    b = TextVectorizer(max_features=4).fit(docs).transform(docs)
    assert [x.tolist() for x in a] == [x.tolist() for x in b]
    np.testing.assert_array_equal(docs, before)
    pd = pytest.importorskip("pandas")
    c = TextVectorizer(max_features=4).fit(pd.Series(TEXTS)).transform(pd.Series(TEXTS))
    assert [x.tolist() for x in c] == [x.tolist() for x in a]


@pytest.mark.parametrize("X, error, match", [
    ("the cat sat", ValueError, "string object received"),
    (["ok", 3], TypeError, "Text 1 is int"),
    (["ok", None], TypeError, "Text 1 is NoneType"),
    ([b"bytes"], TypeError, "not str"),
    (np.array([["a", "b"]]), ValueError, "1-D"),
    (42, TypeError, "iterable of texts"),
    ([], ValueError, "at least one text"),
])
def test_input_errors(X, error, match):
    with pytest.raises(error, match=match):
        TextVectorizer().fit(X)


def test_parameter_errors_and_not_fitted():
    from sklearn.exceptions import NotFittedError

    for params in ({"max_features": 0}, {"min_count": 0}, {"tokenizer": "split"},
                   {"oov_token": 1}, {"lowercase": "yes"}):
        with pytest.raises(ValueError, match=next(iter(params))):
            TextVectorizer(**params).fit(TEXTS)
    with pytest.raises(ValueError, match="must differ"):
        TextVectorizer(oov_token="<x>", pad_token="<x>").fit(TEXTS)
    with pytest.raises(NotFittedError):
        TextVectorizer().transform(TEXTS)
    with pytest.raises(ValueError, match="string object"):
        TextVectorizer().fit(TEXTS).transform("the cat")


def test_init_stores_params_clone_and_pickle():
    vec = TextVectorizer(max_features=5, tokenizer=words, oov_token="UNK")
    assert vec.get_params() == {"max_features": 5, "min_count": 1, "lowercase": True,
                                "tokenizer": words, "oov_token": "UNK", "pad_token": "<pad>"}
    assert clone(vec).get_params() == vec.get_params()
    vec.fit(TEXTS)
    assert not hasattr(clone(vec), "vocabulary_")
    loaded = pickle.loads(pickle.dumps(vec))
    assert loaded.vocabulary_ == vec.vocabulary_
    assert [a.tolist() for a in loaded.transform(TEXTS)] == [a.tolist()
                                                             for a in vec.transform(TEXTS)]
    assert loaded.get_feature_names_out()[1] == "UNK"
    assert not hasattr(vec, "set_output")  # ragged output: no pandas container


class FirstIdClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority label seen with each text's first token id."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        table = {}
        for ids, label in zip(X, y):
            table.setdefault(int(ids[0]) if len(ids) else -1, []).append(label)
        self.table_ = {k: max(set(v), key=v.count) for k, v in table.items()}
        self.default_ = self.classes_[0]
        return self

    def predict(self, X):
        return np.array([self.table_.get(int(ids[0]) if len(ids) else -1, self.default_)
                         for ids in X])


def test_pipeline_on_raw_strings_with_grid_search():
    texts = ["good", "bad", "good", "bad", "fine"] * 4
    y = np.array([1, 0, 1, 0, 1] * 4)
    pipe = make_pipeline(TextVectorizer(), FirstIdClassifier())
    # max_features=1 keeps only "good": "bad" and "fine" share the oov id and get confused.
    search = GridSearchCV(pipe, {"textvectorizer__max_features": [1, 2]}, cv=4).fit(texts, y)
    assert search.best_params_ == {"textvectorizer__max_features": 2}
    assert search.best_score_ == 1.0 and search.cv_results_["mean_test_score"][0] < 1.0
    reloaded = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(reloaded.predict(texts), y)


def test_rt_polarity_vocabulary(data_dir):
    from skdeep.datasets import load_rt_polarity

    if not (data_dir / "rt-polarity" / "rt-polarity.pos").is_file():
        pytest.skip("no rt-polarity/ in SKDEEP_DATA")
    texts, y = load_rt_polarity()
    pos = [t for t, label in zip(texts, y) if label == 1]
    neg = [t for t, label in zip(texts, y) if label == 0]
    # whitespace-token vocabularies of 14,079 (pos) and 14,521 (neg) words; the text is
    # lowercased already except 'É' and 'Último', which lowercasing merges with 'é', 'último'.
    assert TextVectorizer(lowercase=False).fit(pos).n_ids_ == 14079 + 2
    assert TextVectorizer(lowercase=False).fit(neg).n_ids_ == 14521 + 2
    assert TextVectorizer().fit(pos).n_ids_ == 14078 + 2
    vec = TextVectorizer(max_features=5000).fit(texts)
    ids = vec.transform(texts)
    assert vec.n_ids_ == 5002 and max(a.max() for a in ids) == 5001
    assert np.mean([len(a) for a in ids[:5331]]) == pytest.approx(21.1, abs=0.05)
    assert vec.get_feature_names_out()[2] in {".", "the", ","}


def test_skops_round_trip(tmp_path):
    sio = pytest.importorskip("skops.io")
    vec = TextVectorizer(max_features=5).fit(TEXTS)
    path = tmp_path / "vec.skops"
    sio.dump(vec, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert all(t.startswith("skdeep.") for t in untrusted), untrusted
    loaded = sio.load(path, trusted=untrusted)
    assert [a.tolist() for a in loaded.transform(TEXTS)] == [a.tolist()
                                                             for a in vec.transform(TEXTS)]
