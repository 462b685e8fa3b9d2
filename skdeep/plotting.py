"""Figures of the tutorials: tiled filters and samples.

:func:`tile_raster_images` is numpy only; the plotting helpers import matplotlib when
called, so skdeep does not depend on it.
"""
from __future__ import annotations

import numpy as np

__all__ = ["tile_raster_images", "plot_filters", "save_filters_image"]


def _scale_to_unit_interval(x, eps=1e-8):
    x = np.asarray(x, dtype=np.float64)
    x = x - x.min()
    return x / (x.max() + eps)


def tile_raster_images(X, img_shape, tile_shape=None, tile_spacing=(1, 1),
                       scale_rows_to_unit_interval=True, output_pixel_vals=True):
    """Arrange rows of ``X`` (flattened images) in a grid, as the tutorials' ``utils.py``.

    Parameters
    ----------
    X : array-like of shape (n_images, H * W)
        One flattened image per row (filters: ``components_``; samples; inputs).
    img_shape : tuple (H, W)
    tile_shape : tuple (rows, cols) or None
        Grid size; None picks a near-square grid holding every row.
    tile_spacing : tuple (dy, dx), default=(1, 1)
        Pixels of background between tiles.
    scale_rows_to_unit_interval : bool, default=True
        Scale each image to [0, 1] before tiling (filters have arbitrary ranges).
    output_pixel_vals : bool, default=True
        Return uint8 pixels in [0, 255]; False returns floats.

    Returns
    -------
    ndarray of shape (rows * (H + dy) - dy, cols * (W + dx) - dx)

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.plotting import tile_raster_images
    >>> tile_raster_images(np.random.rand(6, 4), (2, 2), (2, 3)).shape
    (5, 8)
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (one flattened image per row); got shape {X.shape}.")
    h, w = (int(s) for s in img_shape)
    if X.shape[1] != h * w:
        raise ValueError(f"Rows of X have {X.shape[1]} values but img_shape={(h, w)} "
                         f"needs {h * w}.")
    n = X.shape[0]
    if tile_shape is None:
        cols = int(np.ceil(np.sqrt(n)))
        tile_shape = (int(np.ceil(n / max(cols, 1))), cols)
    rows, cols = (int(s) for s in tile_shape)
    dy, dx = (int(s) for s in tile_spacing)
    out_shape = (rows * (h + dy) - dy, cols * (w + dx) - dx)
    dtype = np.uint8 if output_pixel_vals else np.float64
    out = np.zeros(out_shape, dtype=dtype)
    scale = 255 if output_pixel_vals else 1
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            if i >= n:
                break
            img = X[i].reshape(h, w)
            img = _scale_to_unit_interval(img) if scale_rows_to_unit_interval else img
            out[r * (h + dy):r * (h + dy) + h, c * (w + dx):c * (w + dx) + w] = (
                np.clip(img, 0, 1) * scale).astype(dtype)
    return out


def plot_filters(weights, img_shape, tile_shape=None, ax=None, title=None):
    """Show rows of ``weights`` (e.g. a dA's ``components_``) as a grid of grey images.

    Parameters
    ----------
    weights : array-like of shape (n_filters, H * W)
    img_shape : tuple (H, W)
    tile_shape : tuple or None
    ax : matplotlib Axes or None
        Where to draw; None makes a new figure.
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt  # optional dependency, imported only here

    image = tile_raster_images(weights, img_shape, tile_shape)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6))
    ax.imshow(image, cmap="gray", interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def save_filters_image(weights, img_shape, path, tile_shape=None):
    """Write the tiled filters to an image file (PNG via matplotlib) and return ``path``.

    Parameters
    ----------
    weights : array-like of shape (n_filters, H * W)
    img_shape : tuple (H, W)
    path : str or path-like
    tile_shape : tuple or None

    Returns
    -------
    path
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    image = tile_raster_images(weights, img_shape, tile_shape)
    plt.imsave(path, image, cmap="gray")
    return path
