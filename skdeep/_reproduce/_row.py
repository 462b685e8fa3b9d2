"""One row of the reproduce table: how to run one tutorial model on one dataset."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Row:
    """A model of the tutorials in ``python -m skdeep.reproduce``.

    ``run(data, *, quick, tutorial_settings, device, random_state[, out])`` trains and
    returns a dict with at least ``test_error`` (fraction, or None when the row reports
    something else), ``epochs`` and optionally ``extra`` (text), ``figures`` (a dict of
    file name -> matplotlib figure drawn with :mod:`skdeep.plotting`; the driver saves
    them under ``out/figures``), ``estimator`` or ``history`` (the fitted estimator, or
    ``(label, estimator)`` pairs, whose learning curves the driver draws) and ``files``
    (other files the row wrote under ``out``, such as a sampled MIDI file).
    ``data`` is a :class:`skdeep._reproduce.data.ImageData` (X_train, y_train, X_val,
    y_val, X_test, y_test, image_shape, name) for image rows; rows that need other data
    (sequences, music) take ``needs`` and load it themselves, returning ``None`` to be
    skipped when it is absent.
    """

    model: str
    run: Callable
    tutorial: str = ""            # the tutorial's published figure, e.g. "7.49% (MNIST)"
    needs: str = "images"         # "images" | "atis" | "music" | "text" | "none"
    order: int = 100
    datasets: tuple = field(default=("digits", "mnist", "fashion-mnist"))
