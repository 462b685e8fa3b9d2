"""Reproduce rows: the denoising autoencoder (filters figure) and the stacked dA (SdA)."""
from __future__ import annotations

import pathlib

from ._row import Row


def _figure_dir(kwargs):
    path = pathlib.Path(kwargs.get("out", "results")) / "figures"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_dA(data, *, quick, tutorial_settings, device, random_state, **kwargs):
    """The tutorial's dA experiment: 500 hidden units, 15 epochs of SGD at 0.1 with batch
    20, corruption 0 and 0.3; reports the held-out reconstruction cost and writes the
    filters of both models (the tutorial's ``filters_corruption_0/30.png``)."""
    from .. import DenoisingAutoencoder

    epochs = 3 if quick else 15  # the defaults are the tutorial's settings
    figures, notes = [], []
    for level in (0.0, 0.3):
        dae = DenoisingAutoencoder(n_components=500, corruption_level=level,
                                   max_iter=epochs, device=device,
                                   random_state=random_state).fit(data.X_train)
        notes.append(f"corruption {level:g}: test cross-entropy {-dae.score(data.X_test):.1f}")
        try:
            from ..plotting import save_filters_image

            path = _figure_dir(kwargs) / (f"dA_filters_{data.name}_corruption_"
                                          f"{int(round(100 * level))}.png")
            figures.append(save_filters_image(dae.components_[:100], data.image_shape,
                                              path, (10, 10)))
        except ImportError:  # matplotlib is optional
            notes.append("(matplotlib absent: no figure)")
    return {"test_error": None, "epochs": epochs, "extra": "; ".join(notes),
            "figures": figures}


def run_sda(data, *, quick, tutorial_settings, device, random_state, **kwargs):
    """SdA 3x1000, corruption 0.1/0.2/0.3, finetuned on the labels with the 50k/10k split."""
    from .. import SdAClassifier

    if tutorial_settings:
        params = dict(pretrain_epochs=15, pretrain_learning_rate=0.001,
                      pretrain_batch_size=1, solver="sgd", momentum=0.0,
                      learning_rate=0.1, batch_size=1, max_iter=1000)
    else:
        params = dict(early_stopping=False)
    if quick:
        params.update(pretrain_epochs=2, max_iter=min(params.get("max_iter", 50), 20))
    clf = SdAClassifier(hidden_layer_sizes=(1000, 1000, 1000),
                        corruption_levels=(0.1, 0.2, 0.3), device=device,
                        random_state=random_state, **params)
    clf.fit(data.X_train, data.y_train, X_val=data.X_val, y_val=data.y_val)
    return {"test_error": 1.0 - clf.score(data.X_test, data.y_test), "epochs": clf.n_iter_,
            "extra": f"{clf.pretrain_epochs} pretraining epochs per layer"}


ROWS = [
    Row("Denoising autoencoder (dA)", run_dA, tutorial="filters figure (MNIST)", order=50),
    Row("Stacked dA (SdA) 3x1000", run_sda, tutorial="1.3% (MNIST)", order=55),
]
