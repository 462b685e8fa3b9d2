"""Denoising autoencoders and stacked denoising autoencoders."""
import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep.autoencoder import DenoisingAutoencoder
from skdeep.nn.autoencoder import SdA, TiedAutoencoder, corrupt
from skdeep.sda import SdAClassifier, SdATransformer, pretrain_stack

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


# ---------------------------------------------------------------------- nn/ oracles
def test_gradient_matches_gradcheck():
    gen = torch.Generator().manual_seed(0)
    ae = TiedAutoencoder(5, 3, generator=gen).double()
    x = torch.rand(4, 5, generator=gen, dtype=torch.float64)

    params = tuple(p.detach().clone().requires_grad_(True)
                   for p in (ae.weight, ae.hidden_bias, ae.visible_bias))
    for name in ("weight", "hidden_bias", "visible_bias"):
        del ae._parameters[name]  # plain tensor attributes, so gradcheck can feed them

    def cost(weight, hb, vb):
        ae.weight, ae.hidden_bias, ae.visible_bias = weight, hb, vb
        # the same corruption mask at each call: reseed the generator
        return ae.reconstruction_cost(x, 0.3, torch.Generator().manual_seed(1))

    assert torch.autograd.gradcheck(cost, params)


def test_cost_is_the_tutorial_cross_entropy():
    gen = torch.Generator().manual_seed(0)
    ae = TiedAutoencoder(6, 4, generator=gen).double()
    x = torch.rand(5, 6, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        z = torch.sigmoid(torch.sigmoid(x @ ae.weight.T + ae.hidden_bias) @ ae.weight
                          + ae.visible_bias)
        expected = -(x * torch.log(z) + (1 - x) * torch.log(1 - z)).sum(1).mean()
        assert torch.allclose(ae.reconstruction_cost(x), expected)
        se = TiedAutoencoder(6, 4, "squared_error", torch.Generator().manual_seed(0)).double()
        z_lin = se.decode(se.encode(x))
        assert torch.allclose(se.reconstruction_cost(x), 0.5 * ((z_lin - x) ** 2).sum(1).mean())


def test_tutorial_initialisation():
    ae = TiedAutoencoder(784, 500, generator=torch.Generator().manual_seed(0))
    bound = 4 * np.sqrt(6.0 / (784 + 500))
    assert ae.weight.abs().max() <= bound
    assert ae.weight.abs().max() > 0.95 * bound
    assert not ae.hidden_bias.any() and not ae.visible_bias.any()


def test_masking_noise_rate():
    x = torch.ones(200, 500)
    kept = corrupt(x, 0.3, torch.Generator().manual_seed(0)).mean().item()
    assert abs(kept - 0.7) < 0.01
    assert corrupt(x, 0.0) is x


# ---------------------------------------------------------------------- DenoisingAutoencoder
def test_reconstruction_cost_falls(digits):
    X_train, X_test, _, _ = digits
    dae = DenoisingAutoencoder(n_components=32, max_iter=8, random_state=0)
    untrained = clone(dae).set_params(max_iter=1, learning_rate_init=1e-6).fit(X_train)
    dae.fit(X_train)
    assert dae.loss_curve_[-1] < 0.8 * dae.loss_curve_[0]
    assert np.all(np.diff(dae.loss_curve_) < 0.05 * dae.loss_curve_[0])
    assert dae.score(X_test) > untrained.score(X_test) + 5
    assert dae.n_iter_ == 8


def test_corruption_beats_clean_training_at_denoising(digits):
    X_train, X_test, _, _ = digits
    rng = np.random.RandomState(1)
    noisy = X_test * (rng.rand(*X_test.shape) >= 0.3)

    def error(model):
        return np.mean(np.sum((model.reconstruct(noisy) - X_test) ** 2, axis=1))

    kwargs = dict(n_components=100, max_iter=20, random_state=0)
    denoising = DenoisingAutoencoder(corruption_level=0.3, **kwargs).fit(X_train)
    plain = DenoisingAutoencoder(corruption_level=0.0, **kwargs).fit(X_train)
    baseline = np.mean(np.sum((noisy - X_test) ** 2, axis=1))  # the noisy input itself
    assert error(denoising) < 0.85 * error(plain)
    assert error(denoising) < 0.6 * baseline


def test_transform_inverse_transform_and_attributes(digits):
    X_train, X_test, _, _ = digits
    dae = DenoisingAutoencoder(n_components=16, max_iter=2, random_state=0).fit(X_train)
    codes = dae.transform(X_test)
    assert codes.shape == (X_test.shape[0], 16) and codes.dtype == np.float64
    assert np.all((codes > 0) & (codes < 1))
    np.testing.assert_allclose(dae.inverse_transform(codes), dae.reconstruct(X_test),
                               atol=1e-10)
    assert dae.components_.shape == (16, 64)
    assert dae.intercept_hidden_.shape == (16,) and dae.intercept_visible_.shape == (64,)
    assert list(dae.get_feature_names_out()) == [f"denoisingautoencoder{i}"
                                                 for i in range(16)]
    np.testing.assert_allclose(dae.score(X_test), dae.score_samples(X_test).mean())
    with pytest.raises(ValueError, match="16 columns"):
        dae.inverse_transform(np.zeros((2, 5)))


def test_partial_fit_continues(digits):
    X_train = digits[0]
    dae = DenoisingAutoencoder(n_components=16, random_state=0)
    for _ in range(3):
        dae.partial_fit(X_train)
    # n_iter_ counts the last call, as scikit-learn's MLP; the curve holds every epoch
    assert dae.n_iter_ == 1 and len(dae.loss_curve_) == 3
    assert dae.loss_curve_[-1] < dae.loss_curve_[0]


def test_same_seed_same_weights(digits):
    X_train = digits[0]
    a = DenoisingAutoencoder(n_components=8, max_iter=2, random_state=3).fit(X_train)
    b = DenoisingAutoencoder(n_components=8, max_iter=2, random_state=3).fit(X_train)
    np.testing.assert_array_equal(a.components_, b.components_)


def test_cross_entropy_needs_unit_interval_data():
    X = np.random.RandomState(0).randn(20, 4)
    with pytest.raises(ValueError, match=r"needs X in \[0, 1\].*squared_error"):
        DenoisingAutoencoder(n_components=3).fit(X)
    dae = DenoisingAutoencoder(n_components=3, loss="squared_error", max_iter=3,
                               random_state=0).fit(X)
    assert np.isfinite(dae.score(X))


def test_bad_parameters_are_refused():
    X = np.random.RandomState(0).rand(10, 4)
    with pytest.raises(ValueError, match="corruption_level"):
        DenoisingAutoencoder(corruption_level=1.5).fit(X)
    with pytest.raises(ValueError, match="corruption_levels has 2"):
        SdATransformer(hidden_layer_sizes=(4, 3, 2), corruption_levels=(0.1, 0.2)).fit(X)


def test_pickle_round_trip(digits):
    X_train, X_test, _, _ = digits
    dae = DenoisingAutoencoder(n_components=8, max_iter=1, random_state=0).fit(X_train)
    loaded = pickle.loads(pickle.dumps(dae))
    np.testing.assert_array_equal(loaded.transform(X_test), dae.transform(X_test))


# ---------------------------------------------------------------------- SdA
def test_pretraining_feeds_each_layer_the_codes_of_the_one_below():
    gen = torch.Generator().manual_seed(0)
    X = torch.rand(60, 10, generator=gen)
    aes, curves = pretrain_stack(X, [6, 4], [0.1, 0.2], loss="cross_entropy",
                                 learning_rate=0.1, batch_size=10, epochs=3, seed=0)
    assert [tuple(a.weight.shape) for a in aes] == [(6, 10), (4, 6)]
    assert all(len(c) == 3 for c in curves)
    # the second layer's cost is measured on the first layer's codes
    with torch.no_grad():
        codes = aes[0].encode(X)
        assert abs(aes[1].reconstruction_cost(codes).item() - curves[1][-1]) < 0.2 * curves[1][-1]
    # the SdA network starts from the pretrained encoders
    net = SdA(10, [6, 4], 3, aes, gen)
    with torch.no_grad():
        torch.testing.assert_close(net.hidden(X), aes[1].encode(aes[0].encode(X)))


def test_sda_pipeline_on_digits(digits):
    X_train, X_test, y_train, y_test = digits
    pipe = make_pipeline(
        SdATransformer(hidden_layer_sizes=(300,), pretrain_max_iter=10, random_state=0),
        LogisticRegression(max_iter=2000))
    assert pipe.fit(X_train, y_train).score(X_test, y_test) >= 0.96


def test_sda_classifier_on_digits(digits):
    X_train, X_test, y_train, y_test = digits
    clf = SdAClassifier(hidden_layer_sizes=(200, 200), pretrain_max_iter=10,
                        random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.96
    assert len(clf.pretrain_loss_curves_) == 2
    assert clf.transform(X_test).shape == (len(X_test), 200)


def test_sda_classifier_early_stopping_with_validation_set(digits):
    X_train, X_test, y_train, y_test = digits
    clf = SdAClassifier(hidden_layer_sizes=(50,), pretrain_max_iter=2, max_iter=60,
                        n_iter_no_change=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X_train, y_train, X_val=X_test, y_val=y_test)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.n_iter_ < 60


def test_reproduce_dA_row_writes_the_filter_figures(tmp_path):
    pytest.importorskip("matplotlib")
    from skdeep._reproduce.autoencoder import ROWS
    from skdeep._reproduce.data import load_image_data

    row = next(r for r in ROWS if "(dA)" in r.model)
    res = row.run(load_image_data("digits", quick=True), quick=True, tutorial_settings=False,
                  device="cpu", random_state=0)
    assert res["test_error"] is None and "corruption 0.3" in res["extra"]
    # the row returns its figures; the reproduce runner writes them beside the table
    assert sorted(res["figures"]) == [
        "dA_filters_digits_corruption_0.png", "dA_filters_digits_corruption_30.png"]
