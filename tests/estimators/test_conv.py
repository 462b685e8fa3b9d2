"""LeNetClassifier and the conv-pool modules."""
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep.conv import LeNetClassifier
from skdeep.nn.conv import LeNet, LeNetConvPoolLayer, conv_output_shape

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# 8x8 digits: kernels that fit, and SGD with momentum at 0.05 (97.8% here in 30 epochs,
# where the default Adam at 0.001 reached 96.2%)
DIGITS_NET = dict(image_shape=(8, 8), kernel_sizes=(3, 2), batch_size=64, solver="sgd",
                  learning_rate_init=0.05)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def fitted(digits):
    X_train, _, y_train, _ = digits
    return LeNetClassifier(max_iter=30, random_state=0, **DIGITS_NET).fit(X_train, y_train)


# ---------------------------------------------------------------------- nn/
def test_output_shapes_and_too_small_images():
    assert conv_output_shape((28, 28), (5, 5), 2) == [(12, 12), (4, 4)]
    with pytest.raises(ValueError, match=r"too small.*conv layer 1 gets 2x2 maps"):
        conv_output_shape((8, 8), (5, 5), 2)


def test_conv_pool_layer_is_the_tutorial_layer():
    gen = torch.Generator().manual_seed(0)
    layer = LeNetConvPoolLayer(1, 20, 5, 2, gen).double()
    bound = np.sqrt(6.0 / (25 + 20 * 25 / 4))
    assert layer.conv.weight.abs().max() <= bound
    with torch.no_grad():
        layer.bias.copy_(torch.randn(20, generator=gen, dtype=torch.float64))
        x = torch.rand(3, 1, 12, 12, generator=gen, dtype=torch.float64)
        conv = torch.nn.functional.conv2d(x, layer.conv.weight)
        expected = torch.tanh(torch.nn.functional.max_pool2d(conv, 2)
                              + layer.bias.view(1, -1, 1, 1))
        torch.testing.assert_close(layer(x), expected)


def test_lenet_gradient_matches_gradcheck():
    gen = torch.Generator().manual_seed(0)
    net = LeNet(1, (8, 8), 3, n_kernels=(2, 3), kernel_sizes=(3, 2), pool_size=2,
                n_hidden=4, generator=gen).double()
    with torch.no_grad():  # the logistic layer starts at zero; make its gradient flow
        net.output.weight.normal_(generator=gen)
    x = torch.rand(2, 1, 8, 8, generator=gen, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 2])
    assert torch.autograd.gradcheck(
        lambda inp: torch.nn.functional.cross_entropy(net(inp), y), (x,))


# ---------------------------------------------------------------------- estimator
def test_lenet_on_digits(digits, fitted):
    _, X_test, _, y_test = digits
    assert fitted.score(X_test, y_test) >= 0.97
    assert fitted.image_shape_ == (8, 8)


def test_every_input_shape_gives_the_same_predictions(digits, fitted):
    X_train, X_test, y_train, _ = digits
    flat = fitted.predict_proba(X_test)
    np.testing.assert_allclose(fitted.predict_proba(X_test.reshape(-1, 8, 8)), flat)
    np.testing.assert_allclose(fitted.predict_proba(X_test.reshape(-1, 1, 8, 8)), flat)
    # fitting on 3-D or 4-D images gives the same model as on flat rows
    params = dict(max_iter=2, random_state=0, **DIGITS_NET)
    ref = LeNetClassifier(**params).fit(X_train, y_train).predict_proba(X_test)
    for shape in ((-1, 8, 8), (-1, 1, 8, 8)):
        clf = LeNetClassifier(**params).fit(X_train.reshape(shape), y_train)
        assert clf.n_features_in_ == 64
        np.testing.assert_allclose(clf.predict_proba(X_test), ref, atol=1e-6)
    # image_shape=None takes the shape from 3-D input
    clf = LeNetClassifier(**{**params, "image_shape": None}).fit(
        X_train.reshape(-1, 8, 8), y_train)
    assert clf.image_shape_ == (8, 8)


def test_several_channels(digits):
    X_train, X_test, y_train, _ = digits
    X2 = np.stack([X_train.reshape(-1, 8, 8), 1 - X_train.reshape(-1, 8, 8)], axis=1)
    clf = LeNetClassifier(n_channels=2, max_iter=1, random_state=0, **DIGITS_NET)
    clf.fit(X2, y_train)
    assert clf.n_features_in_ == 128
    assert clf.predict(X2[:5].reshape(5, -1)).shape == (5,)


def test_wrong_image_shape_gives_a_clear_error(digits):
    X_train, _, y_train, _ = digits
    with pytest.raises(ValueError, match=r"64 features but image_shape=\(28, 28\).*784"):
        LeNetClassifier().fit(X_train, y_train)
    with pytest.raises(ValueError, match=r"images of shape \(8, 8\) but image_shape is "
                                         r"\(28, 28\)"):
        LeNetClassifier().fit(X_train.reshape(-1, 8, 8), y_train)
    with pytest.raises(ValueError, match="2 channel"):
        LeNetClassifier(**DIGITS_NET).fit(np.zeros((4, 2, 8, 8)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="too small for kernel_sizes"):
        LeNetClassifier(image_shape=(8, 8)).fit(X_train, y_train)
    with pytest.raises(ValueError, match="2-D .* 3-D .* or 4-D"):
        LeNetClassifier().fit(np.zeros((4, 1, 1, 8, 8)), [0, 1, 0, 1])


def test_prediction_checks_the_image_shape(fitted):
    with pytest.raises(ValueError, match=r"images of shape \(4, 16\)"):
        fitted.predict(np.zeros((2, 4, 16)))


def test_channels_last_on_cpu(fitted):
    assert fitted.device_ == "cpu"
    weight = fitted.module_.conv_layers[1].conv.weight
    assert weight.is_contiguous(memory_format=torch.channels_last)
    assert not weight.is_contiguous()


def test_transform_feeds_another_estimator(digits, fitted):
    X_train, X_test, y_train, y_test = digits
    features = fitted.transform(X_test)
    assert features.shape == (len(X_test), 500)
    assert np.all(np.abs(features) <= 1)
    assert fitted.get_feature_names_out()[0] == "lenetclassifier0"
    pipe = make_pipeline(LeNetClassifier(max_iter=10, random_state=0, **DIGITS_NET),
                         LogisticRegression(max_iter=1000))
    assert pipe.fit(X_train, y_train).score(X_test, y_test) >= 0.95


def test_inference_runs_in_bounded_chunks(digits, fitted, monkeypatch):
    _, X_test, _, _ = digits
    full = fitted.predict_proba(X_test)
    monkeypatch.setattr(type(fitted), "_inference_chunk_size", 7)
    np.testing.assert_allclose(fitted.predict_proba(X_test), full, atol=1e-12)


def test_tutorial_settings_are_available():
    clf = LeNetClassifier(solver="sgd", momentum=0.0, learning_rate_init=0.1, batch_size=500)
    assert clf.get_params()["n_kernels"] == (20, 50)
    assert LeNetClassifier().get_params()["batch_size"] == 128
    assert clf.get_params()["image_shape"] == (28, 28)


def test_pickle_loads_in_a_fresh_process(tmp_path, digits, fitted):
    _, X_test, _, _ = digits
    path = tmp_path / "lenet.pkl"
    path.write_bytes(pickle.dumps(fitted))
    np.save(tmp_path / "X.npy", X_test)
    code = ("import pickle, sys, numpy as np; "
            f"clf = pickle.loads(open({str(path)!r}, 'rb').read()); "
            f"np.save({str(tmp_path / 'p.npy')!r}, clf.predict_proba(np.load("
            f"{str(tmp_path / 'X.npy')!r})))")
    subprocess.run([sys.executable, "-c", code], check=True)
    np.testing.assert_allclose(np.load(tmp_path / "p.npy"), fitted.predict_proba(X_test))


def test_lenet_on_fashion_mnist_subset(fashion_mnist):
    # 10k training images, 4 epochs of Adam at batch 100: 86.1% on these 2000 test images
    (X_train, y_train), (X_test, y_test) = fashion_mnist
    idx = np.random.RandomState(0).permutation(len(X_train))[:10000]
    clf = LeNetClassifier(solver="adam", learning_rate_init=1e-3, batch_size=100, max_iter=4,
                          random_state=0).fit(X_train[idx].reshape(-1, 28, 28), y_train[idx])
    assert clf.score(X_test[:2000], y_test[:2000]) >= 0.85


def test_learning_rate_milestones(digits):
    X_train, _, y_train, _ = digits
    clf = LeNetClassifier(max_iter=5, lr_milestones=(2, 4), lr_gamma=0.5, warm_start=True,
                          random_state=0, **DIGITS_NET).fit(X_train, y_train)
    assert clf._optimizer.param_groups[0]["lr"] == pytest.approx(0.05 * 0.25)
    clf.set_params(max_iter=1).fit(X_train, y_train)  # a new fit starts at learning_rate
    assert clf._optimizer.param_groups[0]["lr"] == pytest.approx(0.05)
    clf.partial_fit(X_train, y_train)  # partial_fit never decays
    clf.partial_fit(X_train, y_train)
    assert clf._optimizer.param_groups[0]["lr"] == pytest.approx(0.05)
    flat = LeNetClassifier(max_iter=3, lr_milestones=None, random_state=0,
                           **DIGITS_NET).fit(X_train, y_train)
    assert flat._optimizer.param_groups[0]["lr"] == pytest.approx(0.05)


def test_partial_fit_with_image_input(digits):
    X_train, X_test, y_train, _ = digits
    clf = LeNetClassifier(random_state=0, **DIGITS_NET)
    images = X_train.reshape(-1, 8, 8)
    clf.partial_fit(images, y_train, classes=np.arange(10))
    clf.partial_fit(images, y_train)
    assert len(clf.loss_curve_) == 2 and clf.image_shape_ == (8, 8)
    assert clf.predict(X_test.reshape(-1, 1, 8, 8)).shape == (len(X_test),)


def test_reproduce_lenet_row_on_digits():
    from skdeep._reproduce.data import load_image_data
    from skdeep._reproduce.lenet import ROWS

    res = ROWS[0].run(load_image_data("digits", quick=True), quick=True,
                      tutorial_settings=False, device="cpu", random_state=0)
    assert res["test_error"] < 0.06 and res["epochs"] <= 10
