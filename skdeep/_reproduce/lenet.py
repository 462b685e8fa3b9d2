"""Reproduce row: LeNet (the tutorial's convolutional network)."""
from __future__ import annotations

from ._row import Row


def run_lenet(data, *, quick, tutorial_settings, device, random_state, **kwargs):
    from .. import LeNetClassifier

    # MNIST-sized data: up to 60 epochs, stopping on the validation split (measured on
    # Fashion-MNIST, defaults: stopped after 43 epochs, best validation 91.5% at epoch 32,
    # 91.0% test accuracy).
    params = dict(image_shape=data.image_shape, max_iter=60)
    if tuple(data.image_shape) == (8, 8):  # scikit-learn's digits: 5x5 kernels do not fit
        params.update(kernel_sizes=(3, 2), batch_size=64, max_iter=30, solver="sgd",
                      learning_rate=0.05)
    if tutorial_settings:
        params.update(solver="sgd", momentum=0.0, learning_rate=0.1, max_iter=200)
    if quick:
        params["max_iter"] = min(params.get("max_iter", 20), 10)
    clf = LeNetClassifier(device=device, random_state=random_state, **params)
    clf.fit(data.X_train, data.y_train, X_val=data.X_val, y_val=data.y_val)
    return {"test_error": 1.0 - clf.score(data.X_test, data.y_test), "epochs": clf.n_iter_}


ROWS = [Row("LeNet (convolutional network)", run_lenet, tutorial="0.92% (MNIST)", order=40)]
