"""Reproduce rows: the RBM (PCD-15, 500 hidden), the DBN classifier, the deep autoencoder."""
from __future__ import annotations

import numpy as np

from ._row import Row


def run_rbm(data, *, quick, tutorial_settings, device, random_state):
    """The tutorial's RBM: 500 hidden, PCD-15, lr 0.1, batch 20, 15 epochs; the filters,
    the samples figure and the AIS estimate of the test log-likelihood."""
    from .. import BernoulliRBM
    from ..plotting import plot_filters, plot_samples
    from ._report import new_figure

    params = dict(n_components=500, learning_rate=0.1, batch_size=20, n_iter=15, k=15,
                  persistent=True)
    if quick:
        params.update(n_iter=2, k=1)
    rbm = BernoulliRBM(device=device, random_state=random_state, **params)
    rbm.fit(data.X_train)
    fig, (ax,) = new_figure(width=6, height=6)
    plot_filters(rbm.components_[:100], data.image_shape, (10, 10), ax=ax,
                 title=f"RBM filters ({data.name})")
    figures = {f"rbm_filters_{data.name}.png": fig}
    # The tutorial's samples figure: 20 chains, a row every 1000 Gibbs steps (300 on the
    # 8x8 digits: the rows cost 55 times a step in all, 13 s at 1000). Chains of growing
    # length from one seed draw the same random numbers up to where the shorter one
    # stops, so row k is the same 20 chains k * step steps in.
    step, n_rows = (50, 5) if quick else (300 if data.name == "digits" else 1000, 10)
    snapshots = np.stack([rbm.sample(20, n_gibbs=step * (r + 1), return_mean=True,
                                     random_state=random_state) for r in range(n_rows)])
    h, w = data.image_shape
    fig, (ax,) = new_figure(width=8, height=8 * n_rows * (h + 1) / (20 * (w + 1)) + 0.6)
    plot_samples(snapshots, data.image_shape, ax=ax,
                 title=f"20 Gibbs chains, a row every {step} steps ({data.name})")
    figures[f"rbm_samples_{data.name}.png"] = fig
    betas = 2000 if quick else 14500
    log_z, (lo, hi) = rbm.log_partition(n_chains=100, betas=betas)
    ll = rbm.log_likelihood(data.X_test, n_chains=100, betas=betas)
    return {"test_error": None, "epochs": params["n_iter"],
            "extra": (f"AIS test log-likelihood {ll:.2f} nats (log Z {log_z:.2f}, "
                      f"3-sigma [{lo:.2f}, {hi:.2f}]); PCD-{params['k']}"),
            "figures": figures, "estimator": rbm}


def run_dbn(data, *, quick, tutorial_settings, device, random_state):
    from .. import DBNClassifier

    if tutorial_settings:
        params = dict(hidden_layer_sizes=(1000, 1000, 1000), k=1, pretrain_n_iter=100,
                      pretrain_learning_rate=0.01, pretrain_batch_size=10, solver="sgd",
                      learning_rate_init=0.1, batch_size=10, max_iter=1000,
                      early_stopping=True)
    else:
        # Measured on digits: a 3x1000 sigmoid stack pretrained for 2 epochs stays at
        # chance level through 10 finetuning epochs (its codes barely depend on the
        # input); 10 epochs of CD-1 at 0.1, batch 10, then Adam at 0.001, batch 20 gave
        # 95% test accuracy in 23 s.
        params = dict(hidden_layer_sizes=(1000, 1000, 1000), pretrain_n_iter=10,
                      pretrain_learning_rate=0.1, pretrain_batch_size=10, batch_size=20,
                      max_iter=30)
    if quick:
        # a 3x1000 sigmoid stack needs ~20 finetuning epochs to leave its plateau
        params.update(max_iter=min(params["max_iter"], 30),
                      pretrain_n_iter=min(params["pretrain_n_iter"], 10))
    clf = DBNClassifier(device=device, random_state=random_state, **params)
    clf.fit(data.X_train, data.y_train, X_val=data.X_val, y_val=data.y_val)
    return {"test_error": 1.0 - clf.score(data.X_test, data.y_test), "epochs": clf.n_iter_,
            "extra": f"pretraining {params['pretrain_n_iter']} epochs/layer", "estimator": clf}


def run_deep_autoencoder(data, *, quick, tutorial_settings, device, random_state):
    """Hinton & Salakhutdinov's 784-1000-500-250-30 autoencoder (digits: 64-...-30).

    Reports the test squared reconstruction error per image from the 30-d code next to
    PCA's with 30 components and the training mean's (a collapsed autoencoder scores
    the mean's). Measured on digits with the defaults (50 pretraining epochs per RBM,
    100 of finetuning, one CPU thread): 0.44 in 27-30 s (PCA-30 0.21, mean 4.70).
    """
    from sklearn.decomposition import PCA

    from .. import DeepAutoencoder

    # the estimator's defaults: 1000-500-250-30, "auto" epochs (50 and 100 on digits)
    params = dict(hidden_layer_sizes=(1000, 500, 250, 30))
    if tutorial_settings:
        # the paper's: its code layer's step 0.001, 200 epochs (CG there, Adam here)
        params.update(pretrain_n_iter=50, pretrain_code_learning_rate=0.001,
                      batch_size=100, max_iter=200)
    if quick:
        params.update(pretrain_n_iter=5, max_iter=10)
    ae = DeepAutoencoder(device=device, random_state=random_state, **params)
    ae.fit(data.X_train)
    err = -ae.score(data.X_test)
    n_code = ae.hidden_layer_sizes[-1]
    pca = PCA(n_code, random_state=0).fit(data.X_train)
    pca_err = float(((pca.inverse_transform(pca.transform(data.X_test)) - data.X_test) ** 2)
                    .sum(1).mean())
    mean_err = float(((data.X_test - data.X_train.mean(0)) ** 2).sum(1).mean())
    # test images over their reconstructions from the 30-d code, 10 pairs of rows
    from ..plotting import plot_samples
    from ._report import new_figure

    originals = data.X_test[:100].reshape(10, 10, -1)
    rebuilt = np.clip(ae.inverse_transform(ae.transform(data.X_test[:100])), 0, 1)
    pairs = np.stack([originals, rebuilt.reshape(10, 10, -1)], axis=1).reshape(20, 10, -1)
    fig, (ax,) = new_figure(width=5, height=9)
    plot_samples(pairs, data.image_shape, ax=ax,
                 title=f"test images (odd rows) and reconstructions ({data.name})")
    return {"test_error": None, "epochs": ae.n_iter_,
            "extra": (f"test squared reconstruction error {err:.3f} per image ({n_code}-d "
                      f"code; PCA-{n_code} {pca_err:.3f}, training mean {mean_err:.3f})"),
            "figures": {f"deep_autoencoder_reconstructions_{data.name}.png": fig},
            "estimator": ae}


ROWS = [
    Row("RBM (PCD-15, 500 hidden)", run_rbm, tutorial="filters and samples figures",
        order=60),
    Row("DBN 3x1000", run_dbn, tutorial="1.34% (MNIST)", order=61),
    Row("Deep autoencoder 1000-500-250-30", run_deep_autoencoder,
        tutorial="3.00 squared error per MNIST image (Hinton & Salakhutdinov 2006)", order=62),
]
