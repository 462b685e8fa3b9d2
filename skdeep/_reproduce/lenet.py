"""Reproduce row: LeNet (the tutorial's convolutional network)."""
from __future__ import annotations

import numpy as np

from ._row import Row


def run_lenet(data, *, quick, tutorial_settings, device, random_state, **kwargs):
    from .. import LeNetClassifier

    # MNIST-sized data, defaults: Adam, batch 128, 24 epochs with the rate cut by 5 after
    # epochs 14 and 20, trained on the training and validation images together (measured
    # on Fashion-MNIST: 91.7% test accuracy, against 91.0-91.1% for runs on 50k that let
    # the validation split choose the epoch, with or without decay or weight decay).
    params = dict(image_shape=data.image_shape)
    X, y, X_val, y_val = (np.concatenate([data.X_train, data.X_val]),
                          np.concatenate([data.y_train, data.y_val]), None, None)
    if tuple(data.image_shape) == (8, 8):  # scikit-learn's digits: 5x5 kernels do not fit
        params.update(kernel_sizes=(3, 2), batch_size=64, max_iter=30, solver="sgd",
                      learning_rate_init=0.05, lr_milestones=None)
        X, y, X_val, y_val = data.X_train, data.y_train, data.X_val, data.y_val
    if tutorial_settings:
        params.update(solver="sgd", momentum=0.0, learning_rate_init=0.1, max_iter=200,
                      batch_size=500, lr_milestones=None)
        X, y, X_val, y_val = data.X_train, data.y_train, data.X_val, data.y_val
    if quick:
        params["max_iter"] = min(params.get("max_iter", 24), 10)
        if params.get("lr_milestones", ()) is not None:
            params["lr_milestones"] = (6, 8)
    clf = LeNetClassifier(device=device, random_state=random_state, **params)
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    return {"test_error": 1.0 - clf.score(data.X_test, data.y_test), "epochs": clf.n_iter_,
            "estimator": clf}


ROWS = [Row("LeNet (convolutional network)", run_lenet, tutorial="0.92% (MNIST)", order=40)]
