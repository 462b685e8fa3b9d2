"""The image datasets of the reproduce table, split as the tutorials split MNIST."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ImageData:
    """Train / validation / test splits of an image dataset, float32 in [0, 1]."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple


def load_image_data(name: str, quick: bool = False, random_state: int = 0) -> ImageData:
    """``digits`` (scikit-learn's embedded 8×8 digits, 60/20/20 split), ``mnist`` or
    ``fashion-mnist`` (the tutorials' 50k/10k/10k split). ``quick`` keeps a tenth of the
    MNIST-sized training sets (and all of digits)."""
    if name == "digits":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(np.float32)
        X_train, X_rest, y_train, y_rest = train_test_split(
            X, y, test_size=0.4, random_state=random_state, stratify=y)
        X_val, X_test, y_val, y_test = train_test_split(
            X_rest, y_rest, test_size=0.5, random_state=random_state, stratify=y_rest)
        return ImageData(name, X_train, y_train, X_val, y_val, X_test, y_test, (8, 8))
    if name in ("mnist", "fashion-mnist"):
        from ..datasets import load_fashion_mnist, load_mnist

        loader = load_mnist if name == "mnist" else load_fashion_mnist
        train, (X_test, y_test) = loader()
        if train is None:
            raise FileNotFoundError(f"The {name} training images are not available.")
        X, y = train
        X_train, y_train, X_val, y_val = X[:50000], y[:50000], X[50000:], y[50000:]
        if quick:
            X_train, y_train = X_train[:5000], y_train[:5000]
            X_val, y_val = X_val[:2000], y_val[:2000]
        return ImageData(name, X_train, y_train, X_val, y_val, X_test, y_test, (28, 28))
    raise ValueError(f"Unknown dataset {name!r}; use digits, mnist or fashion-mnist.")
