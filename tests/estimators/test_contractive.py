"""The contractive autoencoder (the tutorials' cA), alone and in the SdA stacks."""
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split

from skdeep import (
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    SdAClassifier,
    SdARegressor,
    SdATransformer,
)
from skdeep.nn.autoencoder import TiedAutoencoder, jacobian_sq_norm

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


def _tiny(seed=0, n_visible=5, n_hidden=3):
    gen = torch.Generator().manual_seed(seed)
    ae = TiedAutoencoder(n_visible, n_hidden, generator=gen).double()
    with torch.no_grad():  # non-zero biases, so the check is not at a special point
        ae.hidden_bias.uniform_(-1, 1, generator=gen)
        ae.visible_bias.uniform_(-1, 1, generator=gen)
    return ae, torch.rand(4, n_visible, generator=gen, dtype=torch.float64)


# ---------------------------------------------------------------------- nn/ oracles
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_closed_form_penalty_is_the_autograd_jacobian(seed):
    ae, x = _tiny(seed)
    expected = torch.stack([
        torch.autograd.functional.jacobian(ae.encode, row).pow(2).sum() for row in x])
    assert torch.allclose(ae.jacobian_sq_norm(x), expected)
    assert torch.allclose(jacobian_sq_norm(ae.encode(x), ae.weight), expected)


def test_cost_is_the_tutorial_cA_cost():
    """Cross-entropy summed over features, mean over the batch, plus the contraction
    level times the batch mean of the squared Frobenius norm, the Jacobian built as the
    tutorial builds it (a (batch, n_visible, n_hidden) tensor)."""
    ae, x = _tiny(3, n_visible=6, n_hidden=4)
    with torch.no_grad():
        W = ae.weight.T  # the tutorial's (n_visible, n_hidden) layout
        h = torch.sigmoid(x @ W + ae.hidden_bias)
        z = torch.sigmoid(h @ W.T + ae.visible_bias)
        rec = -(x * torch.log(z) + (1 - x) * torch.log(1 - z)).sum(1)
        J = (h * (1 - h)).reshape(x.shape[0], 1, -1) * W.reshape(1, *W.shape)
        expected = rec.mean() + 0.1 * (J ** 2).sum() / x.shape[0]
        assert torch.allclose(ae.reconstruction_cost(x, contraction_level=0.1), expected)
        assert torch.allclose(ae.reconstruction_cost(x), rec.mean())


def test_penalised_cost_passes_gradcheck():
    ae, x = _tiny(4)
    params = tuple(p.detach().clone().requires_grad_(True)
                   for p in (ae.weight, ae.hidden_bias, ae.visible_bias))
    for name in ("weight", "hidden_bias", "visible_bias"):
        del ae._parameters[name]

    def cost(weight, hb, vb):
        ae.weight, ae.hidden_bias, ae.visible_bias = weight, hb, vb
        return ae.reconstruction_cost(x, contraction_level=0.7)

    assert torch.autograd.gradcheck(cost, params)


# ---------------------------------------------------------------------- the estimator
@pytest.fixture(scope="module")
def fitted(digits):
    """A plain and a contractive autoencoder of the same size, trained the same epochs."""
    X_train = digits[0]
    params = dict(n_components=100, learning_rate_init=0.1, batch_size=20, max_iter=20,
                  random_state=0)
    plain = ContractiveAutoencoder(contraction_level=0.0, **params).fit(X_train)
    cae = ContractiveAutoencoder(contraction_level=0.1, **params).fit(X_train)
    return plain, cae


def test_contraction_lowers_the_held_out_jacobian_norm(digits, fitted):
    X_test = digits[1]
    plain, cae = fitted
    assert plain.n_iter_ == cae.n_iter_ == 20
    assert cae.jacobian_norm(X_test) < 0.5 * plain.jacobian_norm(X_test)
    assert (cae.jacobian_norm(X_test, squared=False)
            < plain.jacobian_norm(X_test, squared=False))
    # at comparable reconstruction: within 15% of the plain autoencoder's cost
    assert -cae.score(X_test) < 1.15 * -plain.score(X_test)


def test_features_feed_a_logistic_regression(digits, fitted):
    X_train, X_test, y_train, y_test = digits
    cae = fitted[1]
    clf = LogisticRegression(max_iter=2000).fit(cae.transform(X_train), y_train)
    assert clf.score(cae.transform(X_test), y_test) >= 0.95


def test_attributes_and_inverse_transform(digits, fitted):
    X_test = digits[1]
    cae = fitted[1]
    assert cae.components_.shape == (100, 64)
    assert cae.intercept_hidden_.shape == (100,) and cae.intercept_visible_.shape == (64,)
    code = cae.transform(X_test[:5])
    assert np.allclose(cae.inverse_transform(code), cae.reconstruct(X_test[:5]), atol=1e-6)
    W, b, c = cae.components_, cae.intercept_hidden_, cae.intercept_visible_
    h = 1 / (1 + np.exp(-(X_test @ W.T + b)))
    assert np.allclose(cae.transform(X_test), h, atol=1e-5)
    sq = ((h * (1 - h)) ** 2 * (W ** 2).sum(1)).sum(1)
    assert np.isclose(cae.jacobian_norm(X_test), sq.mean(), rtol=1e-5)
    z = 1 / (1 + np.exp(-(h @ W + c)))
    rec = -(X_test * np.log(z) + (1 - X_test) * np.log(1 - z)).sum(1)
    assert np.isclose(cae.score(X_test), -rec.mean(), rtol=1e-4)


def test_data_outside_the_unit_interval_is_refused():
    X = np.random.RandomState(0).randn(20, 4)
    with pytest.raises(ValueError, match=r"needs X in \[0, 1\]"):
        ContractiveAutoencoder(n_components=3, max_iter=1).fit(X)
    ContractiveAutoencoder(n_components=3, max_iter=1, loss="squared_error").fit(X)


def test_partial_fit_warm_start_and_pickle(digits):
    X_train = digits[0][:400]
    cae = ContractiveAutoencoder(n_components=16, solver="adam", learning_rate_init=0.01,
                                 batch_size=20, max_iter=3, random_state=0)
    online = clone(cae)
    for _ in range(3):
        online.partial_fit(X_train)
    assert online.n_iter_ == 1 and len(online.loss_curve_) == 3
    restored = pickle.loads(pickle.dumps(online))
    assert np.allclose(restored.transform(X_train), online.transform(X_train))
    restored.partial_fit(X_train)  # the optimizer state travels with the pickle
    online.partial_fit(X_train)
    assert np.allclose(restored.components_, online.components_, atol=1e-6)

    warm = clone(cae).set_params(warm_start=True).fit(X_train)
    first_weights = warm.components_
    warm.fit(X_train)
    assert warm.n_iter_ == 3 and len(warm.loss_curve_) == 6
    assert warm.loss_curve_[3] < warm.loss_curve_[0]
    assert not np.allclose(warm.components_, first_weights)


def test_early_stopping_records_held_out_scores(digits):
    X_train = digits[0][:400]
    cae = ContractiveAutoencoder(n_components=16, learning_rate_init=0.1, batch_size=20,
                                 max_iter=30, early_stopping=True, n_iter_no_change=2,
                                 tol=0.5, random_state=0).fit(X_train)
    assert len(cae.validation_scores_) == cae.n_iter_ < 30
    assert cae.best_validation_score_ == max(cae.validation_scores_)
    with pytest.raises(ValueError, match="early_stopping"):
        cae.partial_fit(X_train)


def test_grid_search_over_contraction_level(digits):
    X_train = digits[0][:300]
    search = GridSearchCV(
        ContractiveAutoencoder(n_components=8, learning_rate_init=0.1, batch_size=20,
                               max_iter=2, random_state=0),
        {"contraction_level": [0.0, 0.5]}, cv=2).fit(X_train)
    assert search.best_params_["contraction_level"] in (0.0, 0.5)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_is_a_denoising_autoencoder_without_corruption(digits):
    """contraction_level=0 trains exactly the dA at corruption 0 (one training path)."""
    X_train = digits[0][:200]
    params = dict(n_components=8, learning_rate_init=0.1, batch_size=20, max_iter=2,
                  random_state=0)
    cae = ContractiveAutoencoder(contraction_level=0.0, **params).fit(X_train)
    dae = DenoisingAutoencoder(corruption_level=0.0, **params).fit(X_train)
    assert np.allclose(cae.components_, dae.components_, atol=1e-6)


# ---------------------------------------------------------------------- stacks
def test_contractive_stack_layer_is_the_contractive_autoencoder(digits):
    X_train = digits[0][:300]
    sda = SdATransformer((12, 6), layer_type="contractive", contraction_levels=(0.3, 0.1),
                         pretrain_max_iter=2, pretrain_learning_rate_init=0.1,
                         pretrain_batch_size=20, random_state=0).fit(X_train)
    cae = ContractiveAutoencoder(12, contraction_level=0.3, learning_rate_init=0.1,
                                 batch_size=20, max_iter=2, random_state=0).fit(X_train)
    assert np.allclose(sda.coefs_[0].T, cae.components_, atol=1e-6)
    assert sda.transform(X_train).shape == (300, 6)
    assert sda._stack_config()[1] == [0.0, 0.0]        # contractive layers: no corruption
    assert sda._contraction_config() == [0.3, 0.1]


def test_mixed_stack_classifier_and_regressor(digits):
    X_train, X_test, y_train, y_test = digits
    clf = SdAClassifier((64, 32), layer_type=("contractive", "denoising"),
                        pretrain_max_iter=3, max_iter=30, random_state=0)
    assert clf.fit(X_train, y_train).score(X_test, y_test) > 0.9
    assert clf._contraction_config() == [0.1, 0.0]
    reg = SdARegressor((16,), layer_type="contractive", pretrain_max_iter=2, max_iter=20,
                       learning_rate_init=0.01, random_state=0).fit(X_train[:300],
                                                                    y_train[:300])
    assert reg.predict(X_test[:5]).shape == (5,)


@pytest.mark.parametrize("params, match", [
    (dict(layer_type=("contractive",)), "layer_type"),
    (dict(layer_type=("contractive", "sparse")), "layer_type"),
    (dict(layer_type="contractive", contraction_levels=(0.1, 0.2, 0.3)),
     "contraction_levels"),
])
def test_bad_stack_settings_are_refused(params, match):
    X = np.random.RandomState(0).rand(20, 4)
    with pytest.raises(ValueError, match=match):
        SdATransformer((4, 2), pretrain_max_iter=1, **params).fit(X)


def test_reproduce_row_reports_and_draws(tmp_path):
    import csv

    from skdeep.reproduce import main

    assert main(["--quick", "--models", "contractive", "--device", "cpu",
                 "--out", str(tmp_path)]) == 0
    (row,) = csv.DictReader(open(tmp_path / "results.csv", encoding="utf-8"))
    assert row["model"] == "Contractive autoencoder (cA)"
    assert row["figures"].split()[0] == "figures/cA_filters_digits.png"
    assert (tmp_path / "figures" / "cA_filters_digits.png").exists()
    norms = [float(part.split("squared Jacobian norm ")[1].split()[0])
             for part in row["notes"].split("; ")]
    assert norms[0] < norms[1]  # the cA's below the plain autoencoder's


def test_warm_refit_after_changing_the_solver(digits):
    """A warm fit with another solver starts that solver's optimizer afresh (it used to
    load SGD's state into Adam and fail with KeyError: 'betas')."""
    X = digits[0][:200]
    cae = ContractiveAutoencoder(n_components=8, max_iter=2, random_state=0,
                                 warm_start=True).fit(X)
    cae.set_params(solver="adam", learning_rate_init=1e-3)
    before = cae.transform(X)
    cae.fit(X)
    assert cae.n_iter_ == 2 and len(cae.loss_curve_) == 4
    assert not np.array_equal(before, cae.transform(X))
