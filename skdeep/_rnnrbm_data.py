"""Validation and batching of piano-rolls for :class:`skdeep.music.RNNRBM`."""
from __future__ import annotations

import numpy as np
import torch

from ._engine.ragged import RaggedSource
from .nn.recurrent import length_mask


def _check_rolls(rolls, n_visible=None, what="rolls"):
    """A list of float32 (T, n_notes) binary arrays (copies are made only when needed)."""
    if isinstance(rolls, np.ndarray) and rolls.ndim == 2:
        rolls = [rolls]
    if isinstance(rolls, np.ndarray) and rolls.ndim == 3:
        rolls = list(rolls)
    if not isinstance(rolls, (list, tuple)) or len(rolls) == 0:
        raise ValueError(f"{what}: expected a non-empty list of (T, n_notes) piano-roll "
                         f"arrays, got {type(rolls).__name__}"
                         + (" of length 0" if isinstance(rolls, (list, tuple)) else ""))
    out = []
    for i, r in enumerate(rolls):
        if np.iscomplexobj(r):  # a float32 cast would drop the imaginary part silently
            raise TypeError(f"{what}: piano-roll {i} is complex; piano-rolls are real 0/1 "
                            "arrays")
        try:
            r = np.asarray(r, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{what}: piano-roll {i} is not numeric: {exc}") from None
        if r.ndim != 2 or r.shape[0] == 0 or r.shape[1] == 0:
            raise ValueError(f"{what}: piano-roll {i} must be a non-empty 2-D (T, n_notes) "
                             f"array, got shape {r.shape}")
        if n_visible is None:
            n_visible = r.shape[1]
        if r.shape[1] != n_visible:
            raise ValueError(f"{what}: piano-roll {i} has {r.shape[1]} notes, expected "
                             f"{n_visible} (as the first roll / the fitted model)")
        if not np.all(np.isfinite(r)):
            raise ValueError(f"{what}: piano-roll {i} contains NaN or infinity")
        if not np.all((r == 0) | (r == 1)):
            raise ValueError(f"{what}: piano-roll {i} is not binary; the RNN-RBM models "
                             "0/1 note on/off frames (threshold the roll first)")
        out.append(r)
    return out


def _roll_source(rolls, device):
    """The rolls as a length-bucketed :class:`~skdeep._engine.ragged.RaggedSource`: all
    frames in one (n_frames, V) device tensor, batches padded to their longest piece."""
    frames = torch.from_numpy(np.concatenate(rolls)).to(device)
    return RaggedSource((frames,), [len(r) for r in rolls], (0.0,))


def _scatter(out, idx, rolls, frames):
    """Split ``frames`` (the real frames of pieces ``idx``, in that order) into ``out[i]``."""
    bounds = np.cumsum([0] + [len(rolls[i]) for i in idx])
    for i, a, b in zip(idx, bounds[:-1], bounds[1:]):
        out[i] = frames[a:b]


def _padded(source, idx):
    """``(v, mask)`` of pieces ``idx``: (B, T, V) zero-padded and (B, T) 1 on real frames."""
    v, lengths = source.gather(idx)
    return v, length_mask(lengths, v.shape[1], v.device, v.dtype)
