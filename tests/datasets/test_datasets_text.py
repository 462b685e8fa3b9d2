"""Text loaders: the real ATIS and rt-polarity files when present, files the tests write, and
the errors for missing data."""
import gzip
import pickle

import numpy as np
import pytest

from skdeep.datasets import load_atis, load_atis_iob, load_imdb, load_rt_polarity
from skdeep.metrics import chunk_f1_score

# --- ATIS ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def atis_dir(data_dir):
    if not (data_dir / "atis" / "atis.fold3.pkl.gz").is_file():
        pytest.skip("no atis/ in SKDEEP_DATA")
    return data_dir / "atis"


@pytest.mark.parametrize("fold", [0, 3])
def test_atis_folds(atis_dir, fold):
    atis = load_atis(fold=fold)
    assert atis.fold == fold
    sizes = [len(part[0]) for part in (atis.train, atis.valid, atis.test)]
    assert sizes == [3983, 995, 893]
    assert (len(atis.words2idx), len(atis.labels2idx), len(atis.tables2idx)) == (572, 127, 141)
    for part in (atis.train, atis.valid, atis.test):
        words, tables, labels = part
        assert len(words) == len(tables) == len(labels)
        for w, t, lab in zip(words, tables, labels):
            assert w.dtype == np.int64 and w.ndim == 1 and len(w) == len(t) == len(lab)
    # train+valid hold 56,590 tokens in every fold, test 9,198.
    n_tokens = [sum(len(s) for s in part[0]) for part in (atis.train, atis.valid, atis.test)]
    assert n_tokens[0] + n_tokens[1] == 56590 and n_tokens[2] == 9198
    ids = np.concatenate(atis.train[2] + atis.valid[2] + atis.test[2])
    assert ids.min() == 0 and ids.max() == 126
    assert atis.idx2label[atis.labels2idx["O"]] == "O"
    assert {atis.idx2word[i] for i in range(572)} == set(atis.words2idx)


def test_atis_path_forms_agree(atis_dir):
    by_env = load_atis(3)
    by_folder = load_atis(3, path=atis_dir)
    by_file = load_atis(path=atis_dir / "atis.fold3.pkl.gz")
    for other in (by_folder, by_file):
        for a, b in zip(by_env.test[2], other.test[2]):
            np.testing.assert_array_equal(a, b)


def test_atis_gold_tags_score_perfectly(atis_dir):
    atis = load_atis(3)
    tags = [[atis.idx2label[i] for i in s] for s in atis.test[2]]
    assert chunk_f1_score(tags, tags) == 1.0
    assert chunk_f1_score(atis.test[2], atis.test[2], id2tag=atis.idx2label) == 1.0


def test_atis_iob_files(atis_dir):
    expected = {"train": (4978, 56200), "test": (893, 9164),
                "atis-2.train": (4478, 50497), "atis-2.dev": (500, 5703)}
    for subset, (n_sentences, n_tokens) in expected.items():
        words, tags, intents = load_atis_iob(subset=subset, with_intent=True)
        assert len(words) == len(tags) == len(intents) == n_sentences
        assert sum(map(len, words)) == n_tokens
        assert all(len(w) == len(t) for w, t in zip(words, tags))
        assert all(w[0] != "BOS" and w[-1] != "EOS" for w in words if w)
        plain_words, plain_tags = load_atis_iob(subset=subset)
        assert plain_tags == tags and plain_words == words  # identical slot tags
    train_tags = {t for s in load_atis_iob(subset="train")[1] for t in s}
    test_tags = {t for s in load_atis_iob(subset="test")[1] for t in s}
    assert train_tags | test_tags == set(load_atis(3).labels2idx)  # the same 127 labels
    _, _, intents = load_atis_iob(subset="test", with_intent=True)
    assert len(set(intents)) == 20 and "atis_flight" in intents
    # atis-2.train + atis-2.dev is atis.train as a multiset of sentences.
    whole = sorted(" ".join(w) for w in load_atis_iob(subset="train")[0])
    parts = sorted(" ".join(w) for s in ("atis-2.train", "atis-2.dev")
                   for w in load_atis_iob(subset=s)[0])
    assert whole == parts


def test_atis_iob_on_written_files(tmp_path):
    (tmp_path / "iob").mkdir()
    (tmp_path / "iob" / "atis.train.w-intent.iob").write_text(
        "BOS show flights EOS\t O O O atis_flight\n"
        "\n"
        "BOS from boston to new york EOS\tO O B-fromloc O B-toloc I-toloc atis_flight#atis_fare\n")
    words, tags, intents = load_atis_iob(tmp_path, with_intent=True)
    assert words == [["show", "flights"], ["from", "boston", "to", "new", "york"]]
    assert tags == [["O", "O"], ["O", "B-fromloc", "O", "B-toloc", "I-toloc"]]
    assert intents == ["atis_flight", "atis_flight#atis_fare"]
    # without intents the w-intent file serves when there is no plain one.
    assert load_atis_iob(tmp_path / "iob") == (words, tags)
    # a file path is read directly.
    assert load_atis_iob(tmp_path / "iob" / "atis.train.w-intent.iob", subset="test")[0] == words


def test_atis_written_pickle(tmp_path):
    dicts = {"words2idx": {"fly": 0, "boston": 1}, "labels2idx": {"O": 0, "B-city": 1},
             "tables2idx": {"O": 0}}
    part = ([np.array([0, 1], dtype=np.int32)], [np.array([0, 0], dtype=np.int32)],
            [np.array([0, 1], dtype=np.int32)])
    with gzip.open(tmp_path / "atis.fold1.pkl.gz", "wb") as f:
        pickle.dump((part, part, part, dicts), f, protocol=0)
    atis = load_atis(fold=1, path=tmp_path)
    assert [atis.idx2label[i] for i in atis.train[2][0]] == ["O", "B-city"]
    assert atis.test[0][0].dtype == np.int64 and atis.idx2word == {0: "fly", 1: "boston"}
    with pytest.raises(FileNotFoundError, match="looked in"):
        load_atis(fold=2, path=tmp_path)
    (tmp_path / "atis.fold2.pkl.gz").write_bytes(gzip.compress(b"(lp0\nI1\n")[:-8])
    with pytest.raises(ValueError, match="not a readable ATIS fold"):
        load_atis(fold=2, path=tmp_path)


def test_atis_bad_lines_and_arguments(tmp_path):
    (tmp_path / "atis.test.iob").write_text("BOS fly to EOS\tO O O\n")
    with pytest.raises(ValueError, match="line 1: expected"):
        load_atis_iob(tmp_path, subset="test")
    with pytest.raises(ValueError, match="needs a .w-intent.iob"):
        load_atis_iob(tmp_path / "atis.test.iob", with_intent=True)
    with pytest.raises(ValueError, match="subset"):
        load_atis_iob(tmp_path, subset="valid")
    for fold in (5, -1, 1.0, "3"):
        with pytest.raises(ValueError, match="fold"):
            load_atis(fold=fold, path=tmp_path)


# --- rt-polarity ---------------------------------------------------------------------------

def test_rt_polarity_real(data_dir):
    folder = data_dir / "rt-polarity"
    if not (folder / "rt-polarity.pos").is_file():
        pytest.skip("no rt-polarity/ in SKDEEP_DATA")
    texts, y = load_rt_polarity()
    assert len(texts) == 10662 and y.dtype == np.int64
    assert y[:5331].tolist() == [1] * 5331 and y[5331:].tolist() == [0] * 5331
    assert all(texts) and len(set(texts[:5331])) == 5331 and len(set(texts[5331:])) == 5331
    assert texts[0].startswith("the rock is destined to be the 21st century's new")
    # the cp1252 original decodes to exactly the UTF-8 copy; 229 lines are non-ASCII.
    if (folder / "utf8" / "rt-polarity.pos").is_file():
        assert load_rt_polarity(folder / "utf8")[0] == texts
    assert load_rt_polarity(folder, encoding="cp1252")[0] == texts
    non_ascii = [t for t in texts if not t.isascii()]
    assert len(non_ascii) == 229
    assert not any("\x85" in t for t in texts)  # 0x85 is an ellipsis in cp1252, not a break


def test_rt_polarity_cp1252_bytes(tmp_path):
    # 0x85 (an ellipsis in cp1252, a line break for str.splitlines) and 0xe9 ('é').
    (tmp_path / "rt-polarity.pos").write_bytes(b"caf\xe9 society \x85 fine . \nok .\n")
    (tmp_path / "rt-polarity.neg").write_bytes(b"meh\n")
    texts, y = load_rt_polarity(tmp_path)
    assert texts == ["café society … fine . ", "ok .", "meh"]
    assert y.tolist() == [1, 1, 0]
    with pytest.raises(UnicodeDecodeError):
        load_rt_polarity(tmp_path, encoding="utf-8")


# --- IMDB ----------------------------------------------------------------------------------

def make_acl_imdb(root):
    reviews = {("train", "pos"): {"10_8.txt": "Great.<br />Really.", "2_9.txt": "Fine film",
                                  "0_7.txt": "Loved it — truly"},
               ("train", "neg"): {"1_1.txt": "Awful", "0_3.txt": "Dull"},
               ("test", "pos"): {"0_10.txt": "Superb"},
               ("test", "neg"): {"0_2.txt": "Bad"}}
    for (subset, label), files in reviews.items():
        folder = root / "aclImdb" / subset / label
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    (root / "aclImdb" / "train" / "unsup").mkdir()
    (root / "aclImdb" / "train" / "unsup" / "0_0.txt").write_text("unlabelled")


def test_imdb_folder(tmp_path, monkeypatch):
    make_acl_imdb(tmp_path)
    texts, y = load_imdb(tmp_path / "aclImdb")
    # positives then negatives, each in the numeric order of the file names.
    assert texts == ["Loved it — truly", "Fine film", "Great.<br />Really.", "Dull", "Awful"]
    assert y.tolist() == [1, 1, 1, 0, 0] and y.dtype == np.int64
    texts_test, y_test = load_imdb(tmp_path, subset="test")  # the parent folder works too
    assert texts_test == ["Superb", "Bad"] and y_test.tolist() == [1, 0]
    monkeypatch.setenv("SKDEEP_DATA", str(tmp_path))
    assert load_imdb()[0] == texts
    with pytest.raises(ValueError, match="subset"):
        load_imdb(tmp_path, subset="unsup")


def test_imdb_tutorial_pickle(tmp_path):
    train = ([[1, 2, 3], [4]], [1, 0])
    test = ([[5, 6]], [0])
    with open(tmp_path / "imdb.pkl", "wb") as f:
        pickle.dump(train, f, -1)
        pickle.dump(test, f, -1)
    x, y = load_imdb(tmp_path / "imdb.pkl")
    assert [s.tolist() for s in x] == [[1, 2, 3], [4]] and y.tolist() == [1, 0]
    x, y = load_imdb(tmp_path / "imdb.pkl", subset="test")
    assert x[0].dtype == np.int64 and y.tolist() == [0]
    (tmp_path / "bad.pkl").write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="imdb.pkl"):
        load_imdb(tmp_path / "bad.pkl")


# --- missing data ---------------------------------------------------------------------------

def test_missing_data_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SKDEEP_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match="atis.fold0.pkl.gz"):
        load_atis(path=tmp_path)
    with pytest.raises(FileNotFoundError, match="SKDEEP_DATA"):
        load_atis()
    with pytest.raises(FileNotFoundError, match="atis.train.iob"):
        load_atis_iob(tmp_path)
    with pytest.raises(FileNotFoundError, match="rt-polarity.neg"):
        load_rt_polarity(tmp_path)
    with pytest.raises(FileNotFoundError, match="aclImdb"):
        load_imdb(tmp_path)
    monkeypatch.setenv("SKDEEP_DATA", str(tmp_path))  # set, but without the sub-folders
    with pytest.raises(FileNotFoundError, match="rt-polarity"):
        load_rt_polarity()
    (tmp_path / "aclImdb" / "train" / "pos").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="train/neg"):
        load_imdb()
