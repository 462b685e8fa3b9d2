"""ElmanSlotFiller and LSTMSentiment: learning, ragged batches, the sklearn contract, errors."""
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, train_test_split

from skdeep.metrics import chunk_f1_score
from skdeep.nn.recurrent import ElmanTagger, LSTMEncoderClassifier
from skdeep.sentiment import LSTMSentiment
from skdeep.sequence import ElmanSlotFiller

CITIES = [["boston"], ["denver"], ["new", "york"], ["san", "francisco"], ["dallas"],
          ["salt", "lake", "city"]]
FILLER = ["i", "want", "a", "flight", "please", "show", "me", "fares", "on", "monday"]


def make_slots(n, seed):
    """Sentences with from/to city slots (multi-word names), tagged in IOB: the tag of a
    city depends on the word before it, so the context window matters."""
    rng = np.random.RandomState(seed)
    X, Y = [], []
    for _ in range(n):
        words, tags = [], []
        for w in rng.choice(FILLER, rng.randint(1, 4)):
            words.append(w)
            tags.append("O")
        for slot in rng.permutation(["fromloc", "toloc"])[:rng.randint(1, 3)]:
            words.append("from" if slot == "fromloc" else "to")
            tags.append("O")
            city = CITIES[rng.randint(len(CITIES))]
            words += city
            tags += [f"B-{slot}"] + [f"I-{slot}"] * (len(city) - 1)
            if rng.rand() < 0.5:
                words.append(rng.choice(FILLER))
                tags.append("O")
        X.append(words)
        Y.append(np.array(tags))
    return X, Y


def make_sentiment(n, seed):
    rng = np.random.RandomState(seed)
    pos, neg, neutral = ["good", "great", "fine"], ["bad", "dull", "poor"], \
        ["the", "film", "plot", "was", "a", "and", "acting"]
    X, y = [], []
    for _ in range(n):
        label = rng.randint(2)
        words = list(rng.choice(neutral, rng.randint(2, 12)))
        words.insert(rng.randint(len(words) + 1), rng.choice(pos if label else neg))
        X.append(words)
        y.append(label)
    return X, np.array(y)


@pytest.fixture(scope="module")
def slots():
    return make_slots(600, 0), make_slots(300, 1)


@pytest.fixture(scope="module")
def slot_model(slots):
    (X, Y), _ = slots
    return ElmanSlotFiller(embedding_dim=16, n_hidden=32, window_size=3, max_iter=15,
                           random_state=0).fit(X, Y)


def test_elman_learns_synthetic_slots(slots, slot_model):
    _, (Xt, Yt) = slots
    assert chunk_f1_score(Yt, slot_model.predict(Xt)) >= 0.95
    assert slot_model.best_validation_score_ >= 0.95  # chunk F1 on the held-out tenth


def test_elman_predict_returns_training_label_type(slots):
    (X, Y), _ = slots
    classes = sorted({t for y in Y for t in y})
    Y_int = [np.array([classes.index(t) for t in y]) for y in Y[:100]]
    model = ElmanSlotFiller(embedding_dim=4, n_hidden=8, max_iter=2, early_stopping=False,
                            random_state=0).fit(X[:100], Y_int)
    pred = model.predict(X[:3])
    assert [p.dtype.kind for p in pred] == ["i"] * 3
    assert [len(p) for p in pred] == [len(x) for x in X[:3]]
    assert set(model.classes_) <= set(range(len(classes)))


def test_elman_ragged_batch_equals_one_at_a_time(slots, slot_model):
    _, (Xt, _) = slots
    together = slot_model.predict_proba(Xt[:40])
    for x, p in zip(Xt[:40], together):
        alone = slot_model.predict_proba([x])[0]
        np.testing.assert_allclose(p, alone, atol=1e-5)
        np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-9)


def test_recurrent_modules_padding_is_exact():
    """In float64 a padded batch gives each sequence exactly its own outputs."""
    g = torch.Generator().manual_seed(0)
    elman = ElmanTagger(20, 5, 3, 7, 4, pad_id=0, generator=g).double()
    lstm = LSTMEncoderClassifier(20, 6, 3, dropout=0.0, generator=g).double().eval()
    lstm_max = LSTMEncoderClassifier(20, 6, 3, dropout=0.0, generator=g,
                                     pooling="max").double().eval()
    lengths = torch.tensor([5, 1, 3])
    ids = torch.zeros(3, 5, dtype=torch.long)
    for i, n in enumerate(lengths):
        ids[i, :n] = torch.randint(2, 20, (int(n),), generator=g)
    batch_tags = elman(ids)
    batch_enc = lstm.encode(ids, lengths)
    batch_max = lstm_max.encode(ids, lengths)
    for i, n in enumerate(lengths.tolist()):
        torch.testing.assert_close(batch_max[i], lstm_max.encode(ids[i:i + 1, :n],
                                                                 lengths[i:i + 1])[0],
                                   rtol=0, atol=1e-12)
        torch.testing.assert_close(batch_tags[i, :n], elman(ids[i:i + 1, :n])[0],
                                   rtol=0, atol=1e-12)
        torch.testing.assert_close(batch_enc[i], lstm.encode(ids[i:i + 1, :n],
                                                             lengths[i:i + 1])[0],
                                   rtol=0, atol=1e-12)


def test_elman_windows_pad_at_sentence_ends():
    m = ElmanTagger(10, 2, 5, 3, 2, pad_id=0)
    w = m.windows(torch.tensor([[4, 5, 6]]))
    assert w[0].tolist() == [[0, 0, 4, 5, 6], [0, 4, 5, 6, 0], [4, 5, 6, 0, 0]]


def test_elman_decay_halves_learning_rate_and_keeps_best(slots):
    (X, Y), _ = slots
    model = ElmanSlotFiller(embedding_dim=8, n_hidden=16, window_size=3, max_iter=12,
                            n_iter_no_change=1, learning_rate_init=2.0, random_state=0)
    model.fit(X[:200], Y[:200])
    assert model.n_iter_ >= 3
    assert model.best_validation_score_ == max(model.validation_scores_)


def test_elman_gridsearch_ranks_by_chunk_f1(slots):
    (X, Y), _ = slots
    search = GridSearchCV(
        ElmanSlotFiller(embedding_dim=8, n_hidden=16, window_size=3, max_iter=6,
                        early_stopping=False, random_state=0),
        {"learning_rate_init": [1e-4, 0.5]}, cv=2, scoring=make_scorer(chunk_f1_score), n_jobs=2)
    search.fit(X[:200], Y[:200])
    scores = search.cv_results_["mean_test_score"]
    assert search.best_params_ == {"learning_rate_init": 0.5}
    assert scores[1] > 0.5 > scores[0]


def test_elman_pickle_and_clone(slots, slot_model, tmp_path):
    _, (Xt, _) = slots
    assert clone(slot_model).get_params() == slot_model.get_params()
    assert not hasattr(clone(slot_model), "module_")
    restored = pickle.loads(pickle.dumps(slot_model))
    for a, b in zip(restored.predict_proba(Xt[:10]), slot_model.predict_proba(Xt[:10])):
        np.testing.assert_array_equal(a, b)
    path = tmp_path / "elman.pkl"
    path.write_bytes(pickle.dumps(slot_model))
    code = ("import pickle,sys; m = pickle.load(open(sys.argv[1], 'rb')); "
            "print(' '.join(m.predict([['from', 'boston', 'to', 'dallas']])[0]))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["O", "B-fromloc", "O", "B-toloc"]


def test_elman_unknown_words_use_the_unknown_embedding(slot_model):
    pred = slot_model.predict([["zzz", "from", "boston"]])[0]
    assert pred.tolist()[1:] == ["O", "B-fromloc"]


def test_same_seed_same_model(slots):
    (X, Y), _ = slots
    kw = dict(embedding_dim=4, n_hidden=8, max_iter=2, random_state=3)
    a = ElmanSlotFiller(**kw).fit(X[:80], Y[:80]).predict_proba(X[:5])
    b = ElmanSlotFiller(**kw).fit(X[:80], Y[:80]).predict_proba(X[:5])
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p, q)


def test_lstm_same_seed_same_model_whatever_the_global_rng(sentiment):
    """Dropout masks come from the fit's own generator, not torch's global one."""
    (X, y), _ = sentiment
    kw = dict(embedding_dim=4, max_iter=2, random_state=3)
    torch.manual_seed(1)
    a = LSTMSentiment(**kw).fit(X[:80], y[:80]).predict_proba(X[:20])
    torch.manual_seed(2)
    b = LSTMSentiment(**kw).fit(X[:80], y[:80]).predict_proba(X[:20])
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("X, y, match", [
    ([[1, 2], []], [[0, 1], []], "empty sequence"),
    ([[1, 2], [3]], [[0, 1], [0, 1]], "has 2 labels but X\\[1\\] has 1"),
    ([[1, 2]], [[0, 1], [1]], "1 sequences but y has 2"),
    ("a sentence", ["O"], "single string"),
    (["a sentence"], [["O"]], "is a string"),
    ([[1.5, 2.0]], [[0, 1]], "tokens must be integer ids or strings"),
    ([np.zeros((2, 2), int)], [[0, 1]], "1-D sequence"),
])
def test_elman_bad_input(X, y, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ElmanSlotFiller(max_iter=1).fit(X, y)


def test_elman_other_errors(slot_model, slots):
    (X, Y), _ = slots
    with pytest.raises(ValueError, match="not seen in fit"):
        slot_model.score(X[:2], [np.array(["B-nope"] * len(x)) for x in X[:2]])
    with pytest.raises(ValueError, match="window_size must be odd"):
        ElmanSlotFiller(window_size=4, max_iter=1).fit(X[:5], Y[:5])
    with pytest.raises(ValueError, match="both X_val and y_val"):
        ElmanSlotFiller(max_iter=1).fit(X[:5], Y[:5], X_val=X[:2])
    with pytest.raises(ValueError, match="empty sequence"):
        slot_model.predict([["from"], []])
    with pytest.raises(ValueError, match="IOB"):
        ElmanSlotFiller(max_iter=1, scoring="chunk_f1").fit(
            [[1, 2]] * 20, [[0, 1]] * 20)
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        ElmanSlotFiller().predict([[1]])


def test_elman_does_not_modify_input(slots):
    (X, Y), _ = slots
    Xa = [np.array([hash(w) % 50 for w in x]) for x in X[:50]]
    before = [a.copy() for a in Xa], [y.copy() for y in Y[:50]]
    ElmanSlotFiller(embedding_dim=4, n_hidden=8, max_iter=1).fit(Xa, Y[:50])
    for a, b in zip(Xa + Y[:50], before[0] + before[1]):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------- LSTM
@pytest.fixture(scope="module")
def sentiment():
    return make_sentiment(600, 0), make_sentiment(300, 1)


@pytest.fixture(scope="module")
def lstm_model(sentiment):
    (X, y), _ = sentiment
    return LSTMSentiment(embedding_dim=16, max_iter=15, learning_rate_init=0.01,
                         random_state=0).fit(X, y)


def test_lstm_learns_keyword_sentiment(sentiment, lstm_model):
    _, (Xt, yt) = sentiment
    assert lstm_model.score(Xt, yt) >= 0.95
    proba = lstm_model.predict_proba(Xt)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_array_equal(lstm_model.classes_[proba.argmax(1)],
                                  lstm_model.predict(Xt))
    dec = lstm_model.decision_function(Xt)
    np.testing.assert_array_equal(dec > 0, proba[:, 1] > 0.5)


def test_lstm_ragged_batch_equals_one_at_a_time(sentiment, lstm_model):
    _, (Xt, _) = sentiment
    together = lstm_model.predict_proba(Xt[:30])
    alone = np.vstack([lstm_model.predict_proba([x]) for x in Xt[:30]])
    np.testing.assert_allclose(together, alone, atol=1e-6)


def test_lstm_string_labels_maxlen_and_vocabulary_cap(sentiment):
    (X, y), _ = sentiment
    names = np.array(["neg", "pos"])[y]
    model = LSTMSentiment(embedding_dim=8, max_iter=2, n_words=5, maxlen=6,
                          early_stopping=False, random_state=0).fit(X[:100], names[:100])
    assert set(model.predict(X[:10])) <= {"neg", "pos"}
    assert len(model.vocabulary_) == 3 and model.module_.embedding.shape[0] == 5
    with pytest.raises(ValueError, match="maxlen=1"):
        LSTMSentiment(maxlen=1, max_iter=1).fit(X[:20], y[:20])


def test_lstm_solvers_and_pickle(sentiment, lstm_model):
    (X, y), (Xt, _) = sentiment
    for solver, lr in [("adadelta", 1.0), ("rmsprop", 1e-3), ("sgd", 0.1)]:
        m = LSTMSentiment(embedding_dim=4, solver=solver, learning_rate_init=lr, max_iter=1,
                          random_state=0).fit(X[:60], y[:60])
        assert np.isfinite(m.loss_curve_).all()
    restored = pickle.loads(pickle.dumps(lstm_model))
    np.testing.assert_array_equal(restored.predict_proba(Xt), lstm_model.predict_proba(Xt))


def test_lstm_errors(sentiment):
    (X, y), _ = sentiment
    with pytest.raises(ValueError, match="2 classes"):
        LSTMSentiment(max_iter=1).fit(X[:10], np.zeros(10))
    with pytest.raises(ValueError, match="10 sequences but y has 9"):
        LSTMSentiment(max_iter=1).fit(X[:10], y[:9])
    with pytest.raises(ValueError, match="empty sequence"):
        LSTMSentiment(max_iter=1).fit([["a"], []], [0, 1])


# ---------------------------------------------------------------------------- real data
def _load_atis_fold3(data_dir):
    from skdeep.datasets import load_atis
    try:
        return load_atis(3, path=data_dir / "atis")
    except FileNotFoundError:
        pytest.skip("ATIS fold pickles not available")


def test_atis_fold3_ci_sized_run(data_dir):
    data = _load_atis_fold3(data_dir)
    (Xtr, _, ytr), (Xva, _, yva), (Xte, _, yte) = data.train, data.valid, data.test
    tag = np.vectorize(data.idx2label.get, otypes=[object])
    ytr, yva, yte = ([tag(s).astype(str) for s in ys] for ys in (ytr, yva, yte))
    model = ElmanSlotFiller(max_iter=8, random_state=0)
    model.fit(Xtr, ytr, X_val=Xva, y_val=yva)
    assert chunk_f1_score(yte, model.predict(Xte)) >= 0.90


def test_rt_polarity_ci_sized_run(data_dir):
    from sklearn.pipeline import make_pipeline

    from skdeep.datasets import load_rt_polarity
    from skdeep.text import TextVectorizer
    try:
        texts, y = load_rt_polarity(path=data_dir / "rt-polarity")
    except FileNotFoundError:
        pytest.skip("rt-polarity not available")
    Xtr, Xte, ytr, yte = train_test_split(texts, y, test_size=0.2, random_state=0,
                                          stratify=y)
    model = make_pipeline(TextVectorizer(), LSTMSentiment(max_iter=4, random_state=0))
    assert model.fit(Xtr, ytr).score(Xte, yte) >= 0.70


def test_text_pipeline_on_raw_strings_survives_search_clone_and_pickle(sentiment, tmp_path):
    from sklearn.pipeline import make_pipeline

    from skdeep import TextVectorizer
    (X, y), (Xt, yt) = sentiment
    texts, texts_test = [" ".join(x) for x in X[:300]], [" ".join(x) for x in Xt]
    pipe = make_pipeline(TextVectorizer(), LSTMSentiment(embedding_dim=8, max_iter=12,
                                                         early_stopping=False,
                                                         random_state=0))
    search = GridSearchCV(pipe, {"lstmsentiment__learning_rate_init": [1e-5, 0.01]}, cv=2,
                          n_jobs=2)
    search.fit(texts, y[:300])
    assert search.best_params_ == {"lstmsentiment__learning_rate_init": 0.01}
    best = search.best_estimator_
    assert best.score(texts_test, yt) >= 0.9
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(best)).predict_proba(texts_test),
                                  best.predict_proba(texts_test))
    assert clone(best).get_params()["lstmsentiment__learning_rate_init"] == 0.01


def test_save_and_load(slot_model, lstm_model, sentiment, slots, tmp_path):
    _, (Xt, _) = slots
    restored = ElmanSlotFiller.load(_saved(slot_model, tmp_path / "e.skd"))
    for a, b in zip(restored.predict(Xt[:20]), slot_model.predict(Xt[:20])):
        np.testing.assert_array_equal(a, b)
    _, (Xs, _) = sentiment
    restored = LSTMSentiment.load(_saved(lstm_model, tmp_path / "l.skd"))
    np.testing.assert_array_equal(restored.predict_proba(Xs), lstm_model.predict_proba(Xs))


def _saved(model, path):
    model.save(path)
    return path


@pytest.mark.gpu
def test_sequence_models_fit_on_gpu_and_load_on_cpu(slots, sentiment):
    from unittest import mock
    (X, Y), _ = slots
    (Xs, ys), _ = sentiment
    for model, Xa, ya in [(ElmanSlotFiller(embedding_dim=8, n_hidden=16, max_iter=3), X, Y),
                          (LSTMSentiment(embedding_dim=8, max_iter=3), Xs, ys)]:
        model.set_params(device="cuda", random_state=0).fit(Xa[:200], ya[:200])
        assert model.device_.startswith("cuda")
        state = pickle.dumps(model)
        with mock.patch.object(torch.cuda, "is_available", return_value=False):
            loaded = pickle.loads(state)
        assert loaded.device_ == "cpu"
        for a, b in zip(loaded.predict(Xa[:20]), model.predict(Xa[:20])):
            np.testing.assert_array_equal(a, b)
