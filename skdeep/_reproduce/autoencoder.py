"""Reproduce rows: the denoising autoencoder (filters figure) and the stacked dA (SdA)."""
from __future__ import annotations

from ._row import Row


def run_dA(data, *, quick, tutorial_settings, device, random_state):
    """The tutorial's dA experiment: 500 hidden units, 15 epochs of SGD at 0.1 with batch
    20, corruption 0 and 0.3; reports the held-out reconstruction cost and draws the
    filters of both models (the tutorial's ``filters_corruption_0/30.png``)."""
    from .. import DenoisingAutoencoder
    from ..plotting import plot_filters
    from ._report import new_figure

    epochs = 3 if quick else 15  # the defaults are the tutorial's settings
    figures, history, notes = {}, [], []
    for level in (0.0, 0.3):
        dae = DenoisingAutoencoder(n_components=500, corruption_level=level,
                                   max_iter=epochs, device=device,
                                   random_state=random_state).fit(data.X_train)
        notes.append(f"corruption {level:g}: test cross-entropy {-dae.score(data.X_test):.1f}")
        fig, (ax,) = new_figure(width=6, height=6)
        plot_filters(dae.components_[:100], data.image_shape, (10, 10), ax=ax,
                     title=f"dA filters, corruption {level:g} ({data.name})")
        figures[f"dA_filters_{data.name}_corruption_{int(round(100 * level))}.png"] = fig
        history.append((f"corruption {level:g}", dae))
    return {"test_error": None, "epochs": epochs, "extra": "; ".join(notes),
            "figures": figures, "history": history}


def run_sda(data, *, quick, tutorial_settings, device, random_state, **kwargs):
    """SdA 3x1000, corruption 0.1/0.2/0.3, finetuned on the labels with the 50k/10k split."""
    from .. import SdAClassifier

    if tutorial_settings:
        params = dict(pretrain_max_iter=15, pretrain_learning_rate_init=0.001,
                      pretrain_batch_size=1, solver="sgd", momentum=0.0,
                      learning_rate_init=0.1, batch_size=1, max_iter=1000)
    else:
        params = dict(early_stopping=False)
    if quick:
        params.update(pretrain_max_iter=2, max_iter=min(params.get("max_iter", 50), 20))
    clf = SdAClassifier(hidden_layer_sizes=(1000, 1000, 1000),
                        corruption_levels=(0.1, 0.2, 0.3), device=device,
                        random_state=random_state, **params)
    clf.fit(data.X_train, data.y_train, X_val=data.X_val, y_val=data.y_val)
    return {"test_error": 1.0 - clf.score(data.X_test, data.y_test), "epochs": clf.n_iter_,
            "extra": f"{clf.pretrain_max_iter} pretraining epochs per layer", "estimator": clf}


ROWS = [
    Row("Denoising autoencoder (dA)", run_dA, tutorial="filters figure (MNIST)", order=50),
    Row("Stacked dA (SdA) 3x1000", run_sda, tutorial="1.3% (MNIST)", order=55),
]
