"""The tutorials' image tiling in numpy: :func:`tile_raster_images` (with its RGBA form)
and :func:`scale_to_unit_interval`, and the argument checks they share with the plotting
helpers; the public functions are imported from :mod:`skdeep.plotting`, which draws the
figures with matplotlib.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["scale_to_unit_interval", "tile_raster_images"]


def scale_to_unit_interval(ndar, eps=1e-8):
    """Shift and scale an array so that its values lie in [0, 1], in its own dtype.

    The tutorials' definition: subtract the minimum, then multiply by
    ``1 / (max + eps)``, every step in the array's floating dtype. The maximum therefore
    maps to just under 1 where ``eps`` is representable next to it (float64) and to 1 (or
    the float below it) where it is not (float32).

    Parameters
    ----------
    ndar : array-like of floats
    eps : float, default=1e-8
        Guards against division by zero for a constant array (which maps to zeros).

    Returns
    -------
    ndarray
        A new array of the same shape and dtype (integer and boolean input is converted
        to float64 first; the tutorial's version rejects it).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.plotting import scale_to_unit_interval
    >>> scale_to_unit_interval(np.array([2.0, 3.0, 4.0], dtype=np.float32))
    array([0. , 0.5, 1. ], dtype=float32)
    """
    x = np.array(ndar, copy=True)
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    elif x.dtype.kind != "f":
        raise TypeError(f"scale_to_unit_interval needs real numbers; got dtype {x.dtype}.")
    if x.size == 0:
        return x
    one, eps = x.dtype.type(1.0), x.dtype.type(eps)
    x -= x.min()
    # The reciprocal is taken in the array's dtype, as the tutorial's numpy does: that is
    # what makes a float32 tile's maximum 255 and a float64 tile's 254.
    x *= one / (x.max() + eps)
    return x


def _pair(value, name, minimum):
    """A length-2 tuple of ints >= minimum, or a ValueError naming the argument."""
    try:
        a, b = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair of integers; got {value!r}.") from None
    out = []
    for v in (a, b):
        if not isinstance(v, numbers.Integral) or isinstance(v, bool) or v < minimum:
            raise ValueError(f"{name} must be a pair of integers >= {minimum}; "
                             f"got {value!r}.")
        out.append(int(v))
    return tuple(out)


def _as_images(X):
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError("X must be 2-D (one flattened image per row) or a tuple of 4 "
                         f"such channels; got an array of shape {X.shape}.")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold real numbers; got dtype {X.dtype}.")
    return X


def _grid_for(n):
    cols = max(int(np.ceil(np.sqrt(n))), 1)
    return (max(int(np.ceil(n / cols)), 1), cols)


def tile_raster_images(X, img_shape, tile_shape=None, tile_spacing=(0, 0),
                       scale_rows_to_unit_interval=True, output_pixel_vals=True):
    """Lay out the rows of ``X`` (flattened images) as tiles of one image.

    The Deep Learning Tutorials' ``utils.tile_raster_images``, with its signature,
    defaults, output shape, dtype and pixel values: tile ``i`` (row-major) holds row
    ``i`` of ``X`` reshaped to ``img_shape``; the gaps and the tiles left over are 0.

    Parameters
    ----------
    X : array-like of shape (n_images, H * W), or tuple (R, G, B, A)
        One flattened image per row (filters such as ``components_``, samples, inputs).
        A tuple of 4 such arrays, any of them None, makes an RGBA image: each given
        channel is tiled as a 2-D ``X`` would be, a None colour channel is 0 and a None
        alpha channel opaque (255, or 1.0 for float output).
    img_shape : tuple (H, W)
        The shape of one image.
    tile_shape : tuple (rows, cols) or None, default=None
        Tiles across and down; rows of ``X`` beyond ``rows * cols`` are left out. None
        (a convenience the tutorial's version does not have) picks a near-square grid
        that holds every row.
    tile_spacing : tuple (dy, dx), default=(0, 0)
        Pixels between neighbouring tiles.
    scale_rows_to_unit_interval : bool, default=True
        Scale each image to [0, 1] with :func:`scale_to_unit_interval` before tiling,
        in the input's floating dtype (integer input is converted to float64).
    output_pixel_vals : bool, default=True
        True: uint8 pixels, ``value * 255`` truncated toward zero (values outside
        [0, 255] are clipped, where the tutorial's cast would wrap around). False: the
        values themselves, unclipped, in the input's dtype.

    Returns
    -------
    ndarray of shape (rows * (H + dy) - dy, cols * (W + dx) - dx), or that shape plus a
    last axis of 4 for the RGBA form; uint8 if ``output_pixel_vals`` else the input's
    dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.plotting import tile_raster_images
    >>> X = np.arange(8, dtype=np.float32).reshape(2, 4)
    >>> tile_raster_images(X, (2, 2), (1, 2), tile_spacing=(0, 1))
    array([[  0,  85,   0,   0,  85],
           [170, 255,   0, 170, 255]], dtype=uint8)
    >>> rgba = tile_raster_images((X, None, X, None), (2, 2), (1, 2))
    >>> rgba.shape, rgba[0, 0].tolist()
    ((2, 4, 4), [0, 0, 0, 255])
    """
    img_shape = _pair(img_shape, "img_shape", 1)
    tile_spacing = _pair(tile_spacing, "tile_spacing", 0)
    if isinstance(X, tuple):
        return _tile_channels(X, img_shape, tile_shape, tile_spacing,
                              scale_rows_to_unit_interval, output_pixel_vals)
    X = _as_images(X)
    H, W = img_shape
    if X.shape[1] != H * W:
        raise ValueError(f"Rows of X have {X.shape[1]} values but img_shape={img_shape} "
                         f"needs {H * W}.")
    tile_shape = _grid_for(len(X)) if tile_shape is None else _pair(tile_shape,
                                                                    "tile_shape", 1)
    dy, dx = tile_spacing
    out_shape = tuple((size + gap) * n - gap
                      for size, n, gap in zip(img_shape, tile_shape, tile_spacing))
    if scale_rows_to_unit_interval and X.dtype.kind != "f":
        X = X.astype(np.float64)
    out = np.zeros(out_shape, dtype=np.uint8 if output_pixel_vals else X.dtype)
    for i in range(min(len(X), tile_shape[0] * tile_shape[1])):
        r, c = divmod(i, tile_shape[1])
        tile = X[i].reshape(img_shape)
        if scale_rows_to_unit_interval:
            tile = scale_to_unit_interval(tile)
        if output_pixel_vals:
            # the product stays in the tile's dtype (float32 * 255 is float32), then
            # truncates on the cast, as the tutorial's assignment into uint8 does
            tile = np.clip(tile * 255, 0, 255)
        out[r * (H + dy):r * (H + dy) + H, c * (W + dx):c * (W + dx) + W] = tile
    return out


def _tile_channels(X, img_shape, tile_shape, tile_spacing, scale, pixels):
    if len(X) != 4:
        raise ValueError("A tuple X is the RGBA form and must hold 4 channels (each a 2-D "
                         f"array or None); got {len(X)}.")
    channels = [None if ch is None else _as_images(ch) for ch in X]
    given = [ch for ch in channels if ch is not None]
    if tile_shape is None:
        if not given:
            raise ValueError("tile_shape is needed when every channel of X is None.")
        tile_shape = _grid_for(len(given[0]))
    tile_shape = _pair(tile_shape, "tile_shape", 1)
    if pixels:
        dtype, opaque = np.dtype(np.uint8), 255
    else:
        # the tutorial reads X.dtype of the tuple here, which fails; the channels'
        # common dtype (after the float conversion that scaling needs) is what it meant
        dtypes = [np.float64 if scale and ch.dtype.kind != "f" else ch.dtype
                  for ch in given]
        dtype, opaque = np.result_type(*dtypes) if dtypes else np.dtype(np.float64), 1
    out_shape = tuple((size + gap) * n - gap
                      for size, n, gap in zip(img_shape, tile_shape, tile_spacing))
    out = np.zeros(out_shape + (4,), dtype=dtype)
    for i, ch in enumerate(channels):
        if ch is None:
            out[:, :, i] = opaque if i == 3 else 0
        else:
            out[:, :, i] = tile_raster_images(ch, img_shape, tile_shape, tile_spacing,
                                              scale, pixels)
    return out
