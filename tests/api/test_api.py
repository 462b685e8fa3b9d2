"""The scikit-learn workflow around LogisticClassifier and MLPClassifier."""
import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skdeep import LogisticClassifier, MLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


def small_mlp(**kw):
    params = dict(hidden_layer_sizes=(32,), max_iter=30, random_state=0, device="cpu")
    params.update(kw)
    return MLPClassifier(**params)


@pytest.mark.parametrize("make", [lambda: LogisticClassifier(max_iter=40, random_state=0),
                                  small_mlp])
def test_pipeline_and_clone(digits, make):
    X_train, X_test, y_train, y_test = digits
    pipe = make_pipeline(MinMaxScaler(), make()).fit(X_train, y_train)
    assert pipe.score(X_test, y_test) > 0.9
    cloned = clone(pipe)
    assert not hasattr(cloned[-1], "module_")
    assert cloned.get_params()[cloned.steps[-1][0] + "__random_state"] == 0


def test_grid_search_parallel_picks_same_params(digits):
    X_train, _, y_train, _ = digits
    grid = {"learning_rate_init": [1e-4, 3e-3], "hidden_layer_sizes": [(8,), (32,)]}
    serial = GridSearchCV(small_mlp(max_iter=5), grid, cv=2, n_jobs=1).fit(X_train, y_train)
    parallel = GridSearchCV(small_mlp(max_iter=5), grid, cv=2, n_jobs=2).fit(X_train, y_train)
    assert serial.best_params_ == parallel.best_params_
    np.testing.assert_allclose(serial.cv_results_["mean_test_score"],
                               parallel.cv_results_["mean_test_score"], atol=1e-6)


@pytest.mark.parametrize("make", [lambda: LogisticClassifier(max_iter=5, random_state=0),
                                  small_mlp])
def test_pickle_round_trip_gives_identical_predictions(digits, make):
    X_train, X_test, y_train, _ = digits
    clf = make().fit(X_train, y_train)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))
    assert loaded.device_ == "cpu"


def test_pickle_loads_in_a_fresh_process(digits, tmp_path):
    X_train, X_test, y_train, _ = digits
    clf = small_mlp().fit(X_train, y_train)
    path = tmp_path / "clf.pkl"
    path.write_bytes(pickle.dumps(clf))
    np.save(tmp_path / "X.npy", X_test)
    code = ("import pickle, numpy as np, sys; clf = pickle.load(open(sys.argv[1], 'rb'));"
            "np.save(sys.argv[3], clf.predict_proba(np.load(sys.argv[2])))")
    subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path / "X.npy"),
                    str(tmp_path / "P.npy")], check=True)
    np.testing.assert_array_equal(np.load(tmp_path / "P.npy"), clf.predict_proba(X_test))


def test_pandas_input_sets_feature_names(digits):
    pd = pytest.importorskip("pandas")
    X_train, X_test, y_train, _ = digits
    cols = [f"px{i}" for i in range(X_train.shape[1])]
    clf = small_mlp(max_iter=3).fit(pd.DataFrame(X_train, columns=cols), y_train)
    np.testing.assert_array_equal(clf.feature_names_in_, cols)
    clf.predict(pd.DataFrame(X_test, columns=cols))


def test_string_labels(digits):
    X_train, X_test, y_train, y_test = digits
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven",
                      "eight", "nine"], dtype=object)
    clf = small_mlp(max_iter=100).fit(X_train, names[y_train])
    pred = clf.predict(X_test)
    # the scikit-learn mirror returns what scikit-learn's LabelBinarizer gives
    assert pred.dtype.kind in "OU" and set(pred) <= set(names)
    assert np.mean(pred == names[y_test]) > 0.9


def test_probabilities_and_decision_function(digits):
    X_train, X_test, y_train, _ = digits
    mlp = small_mlp(max_iter=3).fit(X_train, y_train)
    np.testing.assert_allclose(mlp.predict_proba(X_test).sum(axis=1), 1.0, atol=1e-6)
    assert not hasattr(mlp, "decision_function")  # as scikit-learn's MLPClassifier
    binary = small_mlp(max_iter=3).fit(X_train, y_train % 2)
    np.testing.assert_array_equal(binary.predict(X_test),
                                  (binary.predict_proba(X_test)[:, 1] > 0.5).astype(int))
    clf = LogisticClassifier(max_iter=3, random_state=0).fit(X_train, y_train)
    proba = clf.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X_test)), proba, atol=1e-6)
    np.testing.assert_array_equal(clf.classes_[clf.decision_function(X_test).argmax(1)],
                                  clf.predict(X_test))
    binary = LogisticClassifier(max_iter=3, random_state=0).fit(X_train, y_train % 2)
    dec = binary.decision_function(X_test)
    assert dec.shape == (len(X_test),)
    np.testing.assert_array_equal(binary.predict(X_test), (dec > 0).astype(int))


def test_float64_in_is_computed_in_float64(digits):
    X_train, X_test, y_train, _ = digits
    clf = small_mlp(max_iter=3).fit(X_train, y_train)
    p64 = clf.predict_proba(X_test)
    one_by_one = np.vstack([clf.predict_proba(X_test[i:i + 1]) for i in range(20)])
    np.testing.assert_allclose(one_by_one, p64[:20], rtol=0, atol=1e-12)
    p32 = clf.predict_proba(X_test.astype(np.float32))
    np.testing.assert_allclose(p32, p64, atol=1e-5)


def test_callers_arrays_are_not_modified(digits):
    X_train, _, y_train, _ = digits
    X32 = X_train.astype(np.float32)
    X_copy, y_copy = X32.copy(), y_train.copy()
    small_mlp(max_iter=2, early_stopping=True).fit(X32, y_train)
    np.testing.assert_array_equal(X32, X_copy)
    np.testing.assert_array_equal(y_train, y_copy)


@pytest.mark.parametrize("cls", [LogisticClassifier, MLPClassifier])
def test_same_seed_same_weights_other_seed_other_weights(digits, cls):
    X_train, _, y_train, _ = digits
    params = dict(max_iter=3, device="cpu")
    if cls is MLPClassifier:
        params["hidden_layer_sizes"] = (16,)
    a = cls(random_state=7, **params).fit(X_train, y_train)
    b = cls(random_state=7, **params).fit(X_train, y_train)
    c = cls(random_state=8, **params).fit(X_train, y_train)
    def weights(est):
        if hasattr(est, "coefs_"):
            return list(est.coefs_) + list(est.intercepts_)
        return [p.detach().numpy() for p in est.module_.parameters()]

    for pa, pb in zip(weights(a), weights(b)):
        assert np.array_equal(pa, pb)
    assert any(not np.array_equal(pa, pc) for pa, pc in zip(weights(a), weights(c)))


def test_no_global_seeding(digits):
    import torch

    X_train, _, y_train, _ = digits
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    small_mlp(max_iter=2).fit(X_train, y_train)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_partial_fit_and_warm_start(digits):
    X_train, X_test, y_train, y_test = digits
    clf = small_mlp(learning_rate_init=3e-3)
    for _ in range(20):
        clf.partial_fit(X_train, y_train, classes=np.arange(10))
    # as scikit-learn's: n_iter_ counts the epochs of the last call
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 20
    assert clf.score(X_test, y_test) > 0.9
    warm = small_mlp(max_iter=2, warm_start=True).fit(X_train, y_train)
    first = [c.copy() for c in warm.coefs_]
    warm.fit(X_train, y_train)
    # scikit-learn counts the epochs of the last fit; the curve holds all of them
    assert warm.n_iter_ == 2 and len(warm.loss_curve_) == 4
    # continued from the previous weights, not re-initialised
    cold = small_mlp(max_iter=2).fit(X_train, y_train)
    assert any(not np.allclose(a, b) for a, b in zip(first, warm.coefs_))
    assert warm.loss_curve_[2] < cold.loss_curve_[0]


def test_early_stopping_and_given_validation_set(digits):
    X_train, X_test, y_train, y_test = digits
    clf = small_mlp(max_iter=200, early_stopping=True, n_iter_no_change=3).fit(X_train,
                                                                                 y_train)
    assert clf.n_iter_ < 200
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    given = small_mlp(max_iter=200, n_iter_no_change=3).fit(
        X_train, y_train, X_val=X_test, y_val=y_test)
    # the best weights are restored: the validation score now is the best one seen
    assert given.score(X_test, y_test) == pytest.approx(given.best_validation_score_)


def test_convergence_warning_when_max_iter_reached(digits):
    X_train, _, y_train, _ = digits
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        small_mlp(max_iter=1).fit(X_train, y_train)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        LogisticClassifier(max_iter=1).fit(X_train, y_train)


def test_verbose_shows_progress(digits, capsys):
    X_train, _, y_train, _ = digits
    LogisticClassifier(max_iter=2, verbose=1, early_stopping=True).fit(X_train, y_train)
    err = capsys.readouterr().err
    assert "LogisticClassifier" in err and "loss" in err and "val" in err
    LogisticClassifier(max_iter=2, verbose=0).fit(X_train, y_train)
    assert capsys.readouterr().err == ""
    # the scikit-learn mirror prints scikit-learn's own lines
    small_mlp(max_iter=2, verbose=1, early_stopping=True).fit(X_train, y_train)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out and "Validation score: " in out


def test_attributes_are_numpy(digits):
    X_train, _, y_train, _ = digits
    mlp = small_mlp(max_iter=2).fit(X_train, y_train)
    assert [c.shape for c in mlp.coefs_] == [(64, 32), (32, 10)]
    assert isinstance(mlp.intercepts_[0], np.ndarray)
    lr = LogisticClassifier(max_iter=2).fit(X_train, y_train)
    assert lr.coef_.shape == (10, 64) and lr.intercept_.shape == (10,)
    assert lr.device_ == "cpu"
