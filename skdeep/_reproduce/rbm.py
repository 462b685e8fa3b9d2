"""Reproduce rows: the RBM (PCD-15, 500 hidden), the DBN classifier, the deep autoencoder."""
from __future__ import annotations

import pathlib

import numpy as np

from ._row import Row


def _tile(images, image_shape, n_cols=10):
    """Tile rows of ``images`` (each scaled to [0, 1]) into one array, 1-pixel spacing."""
    images = np.asarray(images, dtype=np.float64)
    lo = images.min(axis=1, keepdims=True)
    hi = images.max(axis=1, keepdims=True)
    images = (images - lo) / np.maximum(hi - lo, 1e-8)
    h, w = image_shape
    n_rows = -(-len(images) // n_cols)
    out = np.zeros((n_rows * (h + 1) - 1, n_cols * (w + 1) - 1))
    for i, img in enumerate(images):
        r, c = divmod(i, n_cols)
        out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = img.reshape(h, w)
    return out


def _save(array, name, out="results"):
    """Write a grey-scale figure to <out>/figures/<name> when matplotlib is available."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    path = pathlib.Path(out) / "figures" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    plt.imsave(path, array, cmap="gray")
    return path


def run_rbm(data, *, quick, tutorial_settings, device, random_state, out="results"):
    """The tutorial's RBM: 500 hidden, PCD-15, lr 0.1, batch 20, 15 epochs; filters,
    samples and the AIS estimate of the test log-likelihood."""
    from .. import BernoulliRBM

    params = dict(n_components=500, learning_rate=0.1, batch_size=20, n_iter=15, k=15,
                  persistent=True)
    if quick:
        params.update(n_iter=2, k=1)
    rbm = BernoulliRBM(device=device, random_state=random_state, **params)
    rbm.fit(data.X_train)
    figures = [p for p in (
        _save(_tile(rbm.components_[:100], data.image_shape),
              f"rbm_filters_{data.name}.png", out),
        _save(_tile(rbm.sample(20, n_gibbs=1000 if not quick else 50, return_mean=True,
                               random_state=0), data.image_shape),
              f"rbm_samples_{data.name}.png", out),
    ) if p is not None]
    betas = 2000 if quick else 14500
    log_z, (lo, hi) = rbm.log_partition(n_chains=100, betas=betas)
    ll = rbm.log_likelihood(data.X_test, n_chains=100, betas=betas)
    return {"test_error": None, "epochs": params["n_iter"],
            "extra": (f"AIS test log-likelihood {ll:.2f} nats (log Z {log_z:.2f}, "
                      f"3-sigma [{lo:.2f}, {hi:.2f}]); PCD-{params['k']}"),
            "figures": figures}


def run_dbn(data, *, quick, tutorial_settings, device, random_state):
    from .. import DBNClassifier

    if tutorial_settings:
        params = dict(hidden_layer_sizes=(1000, 1000, 1000), k=1, pretrain_epochs=100,
                      pretrain_learning_rate=0.01, pretrain_batch_size=10, solver="sgd",
                      learning_rate=0.1, batch_size=10, max_iter=1000,
                      early_stopping=True)
    else:
        # Measured on digits: a 3x1000 sigmoid stack pretrained for 2 epochs stays at
        # chance level through 10 finetuning epochs (its codes barely depend on the
        # input); 10 epochs of CD-1 at 0.1, batch 10, then Adam at 0.001, batch 20 gave
        # 95% test accuracy in 23 s.
        params = dict(hidden_layer_sizes=(1000, 1000, 1000), pretrain_epochs=10,
                      pretrain_learning_rate=0.1, pretrain_batch_size=10, batch_size=20,
                      max_iter=30)
    if quick:
        # a 3x1000 sigmoid stack needs ~20 finetuning epochs to leave its plateau
        params.update(max_iter=min(params["max_iter"], 30),
                      pretrain_epochs=min(params["pretrain_epochs"], 10))
    clf = DBNClassifier(device=device, random_state=random_state, **params)
    clf.fit(data.X_train, data.y_train, X_val=data.X_val, y_val=data.y_val)
    return {"test_error": 1.0 - clf.score(data.X_test, data.y_test), "epochs": clf.n_iter_,
            "extra": f"pretraining {params['pretrain_epochs']} epochs/layer"}


def run_deep_autoencoder(data, *, quick, tutorial_settings, device, random_state):
    """Hinton & Salakhutdinov's 784-1000-500-250-30 autoencoder (digits: 64-...-30)."""
    from .. import DeepAutoencoder

    params = dict(hidden_layer_sizes=(1000, 500, 250, 30), pretrain_epochs=10,
                  batch_size=100, max_iter=50)
    if tutorial_settings:
        params.update(pretrain_epochs=50, max_iter=200)
    if quick:
        params.update(pretrain_epochs=2, max_iter=5)
    ae = DeepAutoencoder(device=device, random_state=random_state, **params)
    ae.fit(data.X_train)
    err = -ae.score(data.X_test)
    return {"test_error": None, "epochs": ae.n_iter_,
            "extra": f"test squared reconstruction error {err:.2f} per image (30-d code)"}


ROWS = [
    Row("RBM (PCD-15, 500 hidden)", run_rbm, tutorial="filters and samples figures",
        order=60),
    Row("DBN 3x1000", run_dbn, tutorial="1.34% (MNIST)", order=61),
    Row("Deep autoencoder 1000-500-250-30", run_deep_autoencoder,
        tutorial="3.00 squared error per MNIST image (Hinton & Salakhutdinov 2006)", order=62),
]
