"""Reproduce row: the contractive autoencoder (cA) against the plain and denoising ones."""
from __future__ import annotations

import numpy as np

from ._row import Row


def run_cA(data, *, quick, tutorial_settings, device, random_state):
    """The tutorial's cA experiment: 500 hidden units, contraction 0.1, 20 epochs of SGD
    (at its 0.01 with batch 10 under ``tutorial_settings``; skdeep's measured 0.1 with
    batch 20 otherwise). Reports, on the test rows, the reconstruction cost and the
    Jacobian norm of the cA, of a plain autoencoder and of the dA at corruption 0.3
    trained for the same epochs, and draws the cA's filters (the tutorial's
    ``cae_filters.png``)."""
    from .. import ContractiveAutoencoder, DenoisingAutoencoder
    from ..plotting import plot_filters
    from ._report import new_figure

    epochs = 3 if quick else 20
    sgd = (dict(learning_rate_init=0.01, batch_size=10) if tutorial_settings
           else dict(learning_rate_init=0.1, batch_size=20))
    common = dict(n_components=500, max_iter=epochs, device=device,
                  random_state=random_state, **sgd)
    models = [
        ("cA, contraction 0.1", ContractiveAutoencoder(contraction_level=0.1, **common)),
        ("plain autoencoder", ContractiveAutoencoder(contraction_level=0.0, **common)),
        ("dA, corruption 0.3", DenoisingAutoencoder(corruption_level=0.3, **common)),
    ]
    notes, history = [], []
    for label, model in models:
        model.fit(data.X_train)
        sq = _squared_jacobian_norms(model, data.X_test)
        notes.append(f"{label}: test cross-entropy {-model.score(data.X_test):.2f}, "
                     f"squared Jacobian norm {sq.mean():.3g} "
                     f"(norm {np.sqrt(sq).mean():.3g})")
        history.append((label, model))
    cae = models[0][1]
    fig, (ax,) = new_figure(width=6, height=6)
    plot_filters(cae.components_[:100], data.image_shape, (10, 10), ax=ax,
                 title=f"cA filters, contraction 0.1 ({data.name})")
    return {"test_error": None, "epochs": epochs, "extra": "; ".join(notes),
            "figures": {f"cA_filters_{data.name}.png": fig}, "history": history}


def _squared_jacobian_norms(model, X):
    """Each row's squared Jacobian norm of a fitted dA's sigmoid encoder (the closed form
    the cA's penalty uses), so that the dA is measured as the cA is."""
    h = model.transform(X)
    return ((h * (1 - h)) ** 2) @ (model.components_ ** 2).sum(1)


ROWS = [
    Row("Contractive autoencoder (cA)", run_cA,
        tutorial="Jacobian norm vs plain and dA; filters figure (MNIST)", order=52),
]
