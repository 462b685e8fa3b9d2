"""Reproduce rows of the lectures' generative models: the deep Boltzmann machine and its
classifier, and the generative DBN classifier with label units."""
from __future__ import annotations

import numpy as np

from ._row import Row


def _samples_figure(rows, image_shape, title):
    from ..plotting import plot_samples
    from ._report import new_figure

    n_rows, n_cols = rows.shape[:2]
    h, w = image_shape
    fig, (ax,) = new_figure(width=8, height=8 * n_rows * (h + 1) / (n_cols * (w + 1)) + 0.6)
    plot_samples(rows, image_shape, ax=ax, title=title)
    return fig


def run_dbm(data, *, quick, tutorial_settings, device, random_state):
    """Salakhutdinov & Hinton's (2009) 784-500-1000 DBM: the classifier's test error, and
    of its DBM the AIS log Z, the test lower bound per image and samples."""
    from .. import DBMClassifier

    params = dict(hidden_layer_sizes=(500, 1000))
    if quick:
        params.update(hidden_layer_sizes=(64, 128), pretrain_n_iter=5, dbm_n_iter=5,
                      n_mean_field=5)
    clf = DBMClassifier(device=device, random_state=random_state, **params)
    clf.fit(data.X_train, data.y_train, X_val=data.X_val, y_val=data.y_val)
    dbm = clf.dbm_.set_params(ais_n_chains=100, ais_n_betas=1000 if quick else 14500)
    log_z, (lo, hi) = dbm.log_partition()        # cached: the bound below reuses it
    bound = float(np.mean(dbm.score_samples(data.X_test)))
    rows = dbm.sample(100, random_state=random_state).reshape(10, 10, -1)
    fig = _samples_figure(rows, data.image_shape, f"DBM samples ({data.name})")
    return {"test_error": 1.0 - clf.score(data.X_test, data.y_test), "epochs": clf.n_iter_,
            "extra": (f"AIS log Z {log_z:.2f} (3-sigma [{lo:.2f}, {hi:.2f}]); test "
                      f"variational lower bound {bound:.2f} nats per image"),
            "figures": {f"dbm_samples_{data.name}.png": fig}, "estimator": clf}


def run_generative_dbn(data, *, quick, tutorial_settings, device, random_state):
    """Hinton, Osindero & Teh's (2006) digit model: label units in the top RBM, greedy
    training then up-down; test error and ten samples of each class."""
    from .. import GenerativeDBNClassifier

    params = {}
    if tutorial_settings:
        params = dict(hidden_layer_sizes=(500, 500, 2000), persistent=False,
                      pretrain_learning_rate=0.05, fine_tune_learning_rate=0.01)
    if quick:
        params.update(hidden_layer_sizes=(64, 256))
    clf = GenerativeDBNClassifier(device=device, random_state=random_state, **params)
    clf.fit(data.X_train, data.y_train)
    classes = clf.classes_
    rows = np.stack([clf.sample(10, y=c, random_state=random_state) for c in classes])
    fig = _samples_figure(rows, data.image_shape,
                          f"generated images, a row per class ({data.name})")
    sizes = "-".join(str(s) for s in (clf.n_features_in_, *clf.hidden_layer_sizes))
    return {"test_error": 1.0 - clf.score(data.X_test, data.y_test), "epochs": clf.n_iter_,
            "extra": f"{sizes} with {len(classes)} label units; greedy then up-down",
            "figures": {f"generative_dbn_samples_{data.name}.png": fig}, "estimator": clf}


ROWS = [
    Row("DBM 500-1000", run_dbm,
        tutorial="0.95% and -84.62 nats bound (MNIST, Salakhutdinov & Hinton 2009)",
        order=63),
    Row("Generative DBN classifier (label units)", run_generative_dbn,
        tutorial="1.25% (MNIST, Hinton et al. 2006)", order=64),
]
