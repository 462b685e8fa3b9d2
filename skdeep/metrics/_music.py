"""Frame-level metrics for piano-rolls."""
from __future__ import annotations

import numpy as np

__all__ = ["frame_accuracy"]


def _as_rolls(x, name):
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return [x]
    if isinstance(x, (list, tuple)):
        out = [np.asarray(r) for r in x]
        if all(r.ndim == 2 for r in out):
            return out
    raise ValueError(f"{name} must be a (T, n_notes) array or a list of such arrays")


def frame_accuracy(y_true, y_pred, *, threshold=0.5):
    """Frame-level accuracy of Bay, Ehmann & Downie (2009): ``TP / (TP + FP + FN)``.

    Counts are summed over all frames and notes of all sequences (as in
    Boulanger-Lewandowski et al. 2012); true negatives do not count.

    Parameters
    ----------
    y_true, y_pred : array of shape (T, n_notes) or list of such arrays
        Binary piano-rolls; ``y_pred`` may hold probabilities, binarised at ``threshold``.
    threshold : float, default=0.5

    Returns
    -------
    accuracy : float in [0, 1] (1.0 when both rolls are empty everywhere).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.metrics import frame_accuracy
    >>> frame_accuracy(np.array([[1, 1, 0]]), np.array([[1, 0, 1]]))
    0.3333333333333333
    """
    t, p = _as_rolls(y_true, "y_true"), _as_rolls(y_pred, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"y_true has {len(t)} sequences but y_pred has {len(p)}")
    tp = fp = fn = 0
    for a, b in zip(t, p):
        if a.shape != b.shape:
            raise ValueError(f"shape mismatch: y_true {a.shape} vs y_pred {b.shape}")
        a = a > 0.5
        b = b > threshold
        tp += int(np.sum(a & b))
        fp += int(np.sum(~a & b))
        fn += int(np.sum(a & ~b))
    denom = tp + fp + fn
    return 1.0 if denom == 0 else tp / denom
