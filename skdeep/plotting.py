"""Figures of the tutorials: tiled filters and samples, piano-rolls, learning curves.

:func:`tile_raster_images` is the tutorials' ``utils.tile_raster_images`` (numpy only,
same signature, defaults and pixel values). The ``plot_*`` helpers draw with matplotlib:
each takes an optional ``ax`` to draw into and returns the Axes it drew on (its figure is
``ax.figure``), so they compose into any layout and save with ``ax.figure.savefig``.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._plot_tiles import _pair, scale_to_unit_interval, tile_raster_images

__all__ = [
    "scale_to_unit_interval",
    "tile_raster_images",
    "plot_filters",
    "plot_samples",
    "plot_piano_roll",
    "plot_learning_curve",
]


def _axes(ax, figsize):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]


def _image_rows(images, img_shape, what):
    """(rows, img_shape): images as 2-D rows; shape from the trailing axes or a square."""
    if hasattr(images, "components_") and not hasattr(images, "shape"):
        images = images.components_
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(f"{what} must have at least 2 dimensions; got shape "
                         f"{images.shape}.")
    if img_shape is None:
        if images.ndim >= 3 and what == "weights":
            img_shape = images.shape[-2:]
        else:
            side = int(round(np.sqrt(images.shape[-1])))
            if side * side != images.shape[-1]:
                raise ValueError(f"{what} rows have {images.shape[-1]} values, which is "
                                 "not a square image; pass img_shape.")
            img_shape = (side, side)
    img_shape = _pair(img_shape, "img_shape", 1)
    return images, img_shape


def plot_filters(weights, img_shape=None, tile_shape=None, *, tile_spacing=(1, 1),
                 ax=None, title=None, cmap="gray"):
    """Show filters (one per row of ``weights``) as the tutorials' grey tiled figure.

    Each filter is scaled to [0, 1] on its own (filters have arbitrary ranges), as the
    tutorials draw ``W`` of the dA and the RBM.

    Parameters
    ----------
    weights : array-like or fitted estimator
        Filters of shape (n_filters, H * W), or (n_filters, ..., H, W) such as convolution
        kernels (n_out, n_in, H, W), shown one (H, W) kernel per tile; or an estimator
        with ``components_`` (:class:`skdeep.BernoulliRBM`,
        :class:`skdeep.DenoisingAutoencoder`).
    img_shape : tuple (H, W) or None, default=None
        None: the trailing two axes of a 3-D or 4-D ``weights``, else square images.
    tile_shape : tuple (rows, cols) or None, default=None
        None: a near-square grid of every filter.
    tile_spacing : tuple (dy, dx), default=(1, 1)
        The tutorials' figures leave one pixel between tiles.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.
    title : str or None, default=None
    cmap : str, default="gray"

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.plotting import plot_filters
    >>> ax = plot_filters(np.random.RandomState(0).randn(20, 64), (8, 8), (4, 5))
    >>> ax.images[0].get_array().shape      # 4 * 9 - 1 rows, 5 * 9 - 1 columns
    (35, 44)
    """
    weights, img_shape = _image_rows(weights, img_shape, "weights")
    rows = weights.reshape(-1, img_shape[0] * img_shape[1]) if weights.ndim > 2 else weights
    image = tile_raster_images(rows, img_shape, tile_shape, tile_spacing)
    ax = _axes(ax, (6, 6))
    ax.imshow(image, cmap=cmap, vmin=0, vmax=255, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_samples(samples, img_shape=None, tile_shape=None, *, tile_spacing=(1, 1),
                 scale_rows_to_unit_interval=False, ax=None, title=None, cmap="gray"):
    """Show sampled images (visible probabilities or states) as a tiled figure.

    Parameters
    ----------
    samples : array-like of shape (n_samples, H * W) or (n_steps, n_chains, H * W)
        The 3-D form is the tutorial's RBM figure: one row of tiles per sampling step,
        one column per chain.
    img_shape : tuple (H, W) or None, default=None
        None: square images.
    tile_shape : tuple (rows, cols) or None, default=None
        None: ``(n_steps, n_chains)`` for 3-D samples, else a near-square grid.
    tile_spacing : tuple (dy, dx), default=(1, 1)
    scale_rows_to_unit_interval : bool, default=False
        Samples are already in [0, 1]; scaling each would brighten faint ones.
    ax : matplotlib Axes or None, default=None
    title : str or None, default=None
    cmap : str, default="gray"

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.plotting import plot_samples
    >>> chains = np.random.RandomState(0).rand(3, 10, 64)   # 3 steps of 10 chains
    >>> plot_samples(chains, (8, 8)).images[0].get_array().shape
    (26, 89)
    """
    samples, img_shape = _image_rows(samples, img_shape, "samples")
    if samples.ndim == 3:
        if tile_shape is None:
            tile_shape = samples.shape[:2]
        samples = samples.reshape(-1, samples.shape[-1])
    elif samples.ndim != 2:
        raise ValueError("samples must be 2-D (n_samples, H * W) or 3-D (n_steps, "
                         f"n_chains, H * W); got shape {samples.shape}.")
    image = tile_raster_images(samples, img_shape, tile_shape, tile_spacing,
                               scale_rows_to_unit_interval=scale_rows_to_unit_interval)
    ax = _axes(ax, (8, 8 * image.shape[0] / max(image.shape[1], 1) + 0.5))
    ax.imshow(image, cmap=cmap, vmin=0, vmax=255, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_piano_roll(roll, *, lowest_note=21, ax=None, title=None, cmap="gray_r"):
    """Show a piano-roll: time across, pitch up, a dark cell where a note sounds.

    Parameters
    ----------
    roll : array-like of shape (n_frames, n_notes)
        Binary notes (or probabilities) per frame, as :func:`skdeep.datasets.load_piano_rolls`
        and :meth:`skdeep.RNNRBM.sample` return them.
    lowest_note : int, default=21
        The MIDI note of column 0 (21, A0, for the 88-key rolls of the tutorial's data).
    ax : matplotlib Axes or None, default=None
    title : str or None, default=None
    cmap : str, default="gray_r"

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.plotting import plot_piano_roll
    >>> roll = np.zeros((32, 88)); roll[:, [39, 43, 46]] = 1   # a C major chord
    >>> ax = plot_piano_roll(roll, title="C major")
    >>> [float(v) for v in ax.get_ylim()]
    [20.5, 108.5]
    """
    roll = np.asarray(roll)
    if roll.ndim != 2:
        raise ValueError(f"roll must be 2-D (n_frames, n_notes); got shape {roll.shape}.")
    if not isinstance(lowest_note, numbers.Integral):
        raise TypeError(f"lowest_note must be an integer MIDI note; got {lowest_note!r}.")
    n_frames, n_notes = roll.shape
    ax = _axes(ax, (10, 3))
    ax.imshow(roll.T, origin="lower", aspect="auto", cmap=cmap, vmin=0, vmax=1,
              interpolation="nearest",
              extent=(0, n_frames, lowest_note - 0.5, lowest_note + n_notes - 0.5))
    ax.set_xlabel("frame")
    ax.set_ylabel("MIDI note")
    if title:
        ax.set_title(title)
    return ax


def _history_owner(estimator):
    """The estimator holding the history, unwrapping the meta-estimators that hold one
    fitted model: a Pipeline's last step, a TransformedTargetRegressor's ``regressor_``,
    a search's ``best_estimator_``."""
    for _ in range(10):  # meta-estimators nest a few levels at most
        steps = getattr(estimator, "steps", None)
        if isinstance(steps, list) and steps:
            estimator = steps[-1][1]
        elif hasattr(estimator, "regressor_"):
            estimator = estimator.regressor_
        elif hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        else:
            break
    return estimator


def plot_learning_curve(estimator, *, stage="auto", ax=None, title=None):
    """Plot the training history of a fitted estimator: its loss and validation score.

    Draws ``loss_curve_`` per epoch on ``ax`` and, when the fit validated
    (``validation_scores_`` not None), the validation score per epoch on a twin y-axis
    on the right, with the best epoch marked. Stacks pretrained layer by layer (DBN,
    SdA, deep autoencoder) can show their per-layer pretraining curves instead.

    Parameters
    ----------
    estimator : fitted estimator
        Anything with ``loss_curve_`` or ``pretrain_loss_curves_`` (scikit-learn's
        ``MLPClassifier`` too). For a Pipeline its last step is used, for a
        ``TransformedTargetRegressor`` its ``regressor_``, for a search its
        ``best_estimator_``.
    stage : {"auto", "train", "pretrain"}, default="auto"
        "train": ``loss_curve_`` and ``validation_scores_``; "pretrain": one curve per
        layer of ``pretrain_loss_curves_``; "auto": "train" where there is a
        ``loss_curve_``, else "pretrain".
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.
    title : str or None, default=None
        None: the estimator's class name.

    Returns
    -------
    matplotlib.axes.Axes
        The loss axes (the validation curve's twin is ``ax.right_ax`` when drawn).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import LogisticClassifier
    >>> from skdeep.plotting import plot_learning_curve
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = LogisticClassifier(max_iter=5, early_stopping=True, random_state=0)
    >>> ax = plot_learning_curve(clf.fit(X / 16, y))
    >>> [line.get_label() for line in ax.lines + ax.right_ax.lines][:2]
    ['training loss', 'validation score']
    """
    from sklearn.utils.validation import check_is_fitted

    if stage not in ("auto", "train", "pretrain"):
        raise ValueError(f"stage must be 'auto', 'train' or 'pretrain'; got {stage!r}.")
    owner = _history_owner(estimator)
    check_is_fitted(owner)
    loss = list(getattr(owner, "loss_curve_", None) or [])
    layers = [list(c) for c in (getattr(owner, "pretrain_loss_curves_", None) or [])]
    if stage == "auto":
        stage = "train" if loss else "pretrain"
    if stage == "train" and not loss:
        raise TypeError(f"{type(owner).__name__} has no loss_curve_ to plot.")
    if stage == "pretrain" and not layers:
        raise TypeError(f"{type(owner).__name__} has no training history to plot "
                        "(loss_curve_ or pretrain_loss_curves_).")
    ax = _axes(ax, (6, 4))
    if stage == "pretrain":
        for i, curve in enumerate(layers):
            ax.plot(np.arange(1, len(curve) + 1), curve, "o-", ms=3, label=f"layer {i + 1}")
        ax.set_ylabel("pretraining cost (pretrain_loss_curves_)")
        ax.legend(loc="best", fontsize="small")
    else:
        handles = ax.plot(np.arange(1, len(loss) + 1), loss, "o-", ms=3, color="C0",
                          label="training loss")
        ax.set_ylabel("training loss (loss_curve_)", color="C0")
        scores = getattr(owner, "validation_scores_", None)
        if scores is not None and len(scores):
            right = ax.twinx()
            epochs = np.arange(1, len(scores) + 1)
            handles += right.plot(epochs, scores, "s-", ms=3, color="C1",
                                  label="validation score")
            best = int(np.nanargmax(scores))
            handles += right.plot([epochs[best]], [scores[best]], "*", ms=12, color="C3",
                                  label=f"best {scores[best]:.4g}, epoch {epochs[best]}")
            right.set_ylabel("validation score (validation_scores_)", color="C1")
            ax.right_ax = right
        # below the axes: the two curves share the plot, and any corner may hide one
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16),
                  ncol=min(len(handles), 2), fontsize="small", frameon=False)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_title(type(owner).__name__ if title is None else title)
    return ax
