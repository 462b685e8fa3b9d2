"""The training engine: devices, threads, NaN losses, interrupts."""
from unittest import mock

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from skdeep import LogisticClassifier, MLPClassifier
from skdeep._engine import device as device_mod
from skdeep._engine.device import resolve_device, thread_limit
from skdeep._engine.loop import NonFiniteLossError, train
from skdeep._engine.optim import FastUpdate

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X, y = load_digits(return_X_y=True)
X = X / 16.0


def test_resolve_device_auto_and_forced():
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type in (expected, "mps")
    for bad in ["gpu", "cuda:x", "", 3]:
        with pytest.raises(ValueError, match="device must be"):
            resolve_device(bad)


def test_auto_spreads_workers_over_gpus():
    with mock.patch.object(torch.cuda, "is_available", return_value=True), \
            mock.patch.object(torch.cuda, "device_count", return_value=4), \
            mock.patch.object(device_mod, "_worker_index", return_value=6):
        assert resolve_device("auto") == torch.device("cuda", 2)
    with mock.patch.object(torch.cuda, "is_available", return_value=True), \
            mock.patch.object(torch.cuda, "device_count", return_value=4), \
            mock.patch.object(torch.cuda, "current_device", return_value=0), \
            mock.patch.object(device_mod, "_worker_index", return_value=None):
        assert resolve_device("auto") == torch.device("cuda", 0)


def test_one_thread_inside_workers(monkeypatch):
    monkeypatch.delenv("SKDEEP_NUM_THREADS", raising=False)
    before = torch.get_num_threads()
    with mock.patch.object(device_mod, "in_worker", return_value=True):
        with thread_limit():
            assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    monkeypatch.setenv("SKDEEP_NUM_THREADS", "2")
    with mock.patch.object(device_mod, "in_worker", return_value=True):
        with thread_limit():
            assert torch.get_num_threads() == 2


def test_thread_policy_outside_workers(monkeypatch):
    """The caller's count outside workers, the environment variable over it, clear errors
    for a bad value, and the caller's count restored after the block."""
    from skdeep._engine.device import policy_threads

    monkeypatch.delenv("SKDEEP_NUM_THREADS", raising=False)
    before = torch.get_num_threads()
    with mock.patch.object(device_mod, "in_worker", return_value=False):
        assert policy_threads() is None
        with thread_limit():
            assert torch.get_num_threads() == before
        monkeypatch.setenv("SKDEEP_NUM_THREADS", "1")
        with thread_limit():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == before
        for bad in ("0", "two"):
            monkeypatch.setenv("SKDEEP_NUM_THREADS", bad)
            with pytest.raises(ValueError, match="SKDEEP_NUM_THREADS must be a positive"):
                policy_threads()


def test_threads_in_joblib_workers():
    from joblib import Parallel, delayed

    def probe():
        with thread_limit():
            return torch.get_num_threads()

    assert Parallel(n_jobs=2)(delayed(probe)() for _ in range(2)) == [1, 1]


def test_nan_loss_raises_naming_the_epoch():
    with pytest.raises(ValueError, match="loss became (nan|inf) at epoch 1"):
        LogisticClassifier(solver="sgd", learning_rate_init=1e30, random_state=0).fit(X * 1e10, y)
    # a failed fit leaves the estimator unfitted, not half-fitted
    clf = LogisticClassifier(solver="sgd", learning_rate_init=1e30)
    with pytest.raises(NonFiniteLossError):
        clf.fit(X * 1e10, y)
    assert not hasattr(clf, "module_")


def test_nan_loss_with_validation_keeps_best_weights():
    module = torch.nn.Linear(2, 1)
    torch.nn.init.zeros_(module.weight)
    data = (torch.zeros(4, 2),)
    calls = {"n": 0}

    def step(xb):
        calls["n"] += 1
        with torch.no_grad():
            module.weight.add_(1.0)
        return torch.tensor(float("nan") if calls["n"] > 3 else 1.0)

    scores = iter([0.5, 0.7, 0.6])
    with pytest.warns(RuntimeWarning, match="epoch 4.*best weights"):
        hist = train(module, step, data, batch_size=4, max_iter=10,
                     validate=lambda: next(scores))
    assert hist.stop_reason == "nonfinite"
    assert hist.best_validation_score == 0.7
    assert module.weight[0, 0].item() == 2.0  # the state after epoch 2, the best one


def test_keyboard_interrupt_keeps_a_usable_model():
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=50, random_state=0,
                        early_stopping=True)
    real_step_calls = {"n": 0}
    original = FastUpdate.__call__

    def interrupting_step(self, *a, **k):
        real_step_calls["n"] += 1
        if real_step_calls["n"] == 200:
            raise KeyboardInterrupt
        return original(self, *a, **k)

    with mock.patch.object(FastUpdate, "__call__", interrupting_step):
        with pytest.warns(RuntimeWarning, match="interrupted"):
            clf.fit(X, y)
    assert clf.stop_reason_ == "interrupted"
    assert clf.n_iter_ >= 1
    assert clf.score(X, y) > 0.5


def test_loss_read_once_per_epoch():
    """No host sync inside the step loop: .item() is called once per epoch."""
    module = torch.nn.Linear(3, 1)
    calls = {"item": 0}
    real_item = torch.Tensor.item

    def counting_item(self):
        calls["item"] += 1
        return real_item(self)

    def step(xb):
        return (module(xb) ** 2).mean().detach()

    with mock.patch.object(torch.Tensor, "item", counting_item):
        train(module, step, (torch.randn(100, 3),), batch_size=10, max_iter=3,
              stop_on_loss=False)
    assert calls["item"] == 3


def test_pickle_of_a_gpu_model_loads_on_cpu():
    """State is moved to CPU tensors on pickling; unpickling places it on the device the
    ``device`` parameter resolves to on the loading machine."""
    import pickle

    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0).fit(X, y)
    clf.set_params(device="cuda")  # as if it had been fitted with device="cuda"
    if torch.cuda.is_available():
        pytest.skip("covered for real by the gpu tests")
    with pytest.warns(RuntimeWarning, match="runs on the CPU"):
        loaded = pickle.loads(pickle.dumps(clf))
    assert loaded.device_ == "cpu"
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


@pytest.mark.gpu
def test_fit_on_gpu_pickle_to_cpu():
    import pickle

    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0,
                        device="cuda").fit(X, y)
    assert clf.device_.startswith("cuda")
    state = pickle.dumps(clf)
    with mock.patch.object(torch.cuda, "is_available", return_value=False):
        loaded = pickle.loads(state)
    assert loaded.device_ == "cpu"
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


@pytest.mark.gpu
def test_same_seed_same_weights_on_gpu():
    a = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0,
                      device="cuda").fit(X, y)
    b = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0,
                      device="cuda").fit(X, y)
    for pa, pb in zip(a.module_.parameters(), b.module_.parameters()):
        assert torch.equal(pa, pb)
