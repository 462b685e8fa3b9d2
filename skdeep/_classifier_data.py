"""How a network classifier's training data gets to the device.

The data helpers of :class:`~skdeep._network.NeuralNetBase` (the network classifiers
and regressors): validating out-of-core ``X`` (a memmap, an HDF5 dataset) by its first
row, the ``validation_fraction`` hold-out of ``early_stopping`` (stratified for class
labels), and the training data itself -- on-device tensors, or a
:class:`~skdeep._engine.batches.StreamingSource` of row chunks within
``max_device_memory`` whose every chunk is checked for NaN/inf. They live in a mixin of
methods only (no ``__init__``, no parameters).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.model_selection import train_test_split

from ._engine.batches import StreamingSource
from ._engine.precision import device_budget
from .base import as_tensor


class _TrainingDataMixin:
    """Validation, hold-out and device placement of a network's training data
    (``batch_size``, ``validation_fraction``, ``max_device_memory``, ``_target_dtype``)."""

    def _validate_streamed(self, X, y):
        """Validate out-of-core X by its first row (features, names, dtype) and y whole;
        every chunk is checked for NaN/inf as it is streamed."""
        if len(getattr(X, "shape", ())) != 2:
            raise ValueError(f"Expected a 2-D array-like for X; got shape "
                             f"{getattr(X, 'shape', None)}.")
        self._validate_X(np.asarray(X[:1]), reset=True)
        y = np.asarray(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}.")
        return X, y

    def _holdout(self, X, y_enc):
        seed = self._seed()
        n_val = max(1, int(round(self.validation_fraction * X.shape[0])))
        if X.shape[0] - n_val < 1:
            raise ValueError(
                f"early_stopping needs more than {X.shape[0]} sample(s) to hold out a "
                "validation set; lower validation_fraction or add data.")
        stratify = None
        if np.issubdtype(np.asarray(y_enc).dtype, np.integer):  # class indices
            counts = np.bincount(y_enc)
            stratify = y_enc if counts.min() >= 2 and n_val >= len(counts) else None
        return train_test_split(X, y_enc, test_size=n_val, random_state=seed,
                                stratify=stratify)

    def _training_data(self, X, y_enc, device):
        """On-device tensors, or a chunked stream for data over the memory budget."""
        if isinstance(X, np.ndarray) and not isinstance(X, np.memmap) or sp.issparse(X):
            return (as_tensor(X, device),
                    torch.as_tensor(np.asarray(y_enc), dtype=self._target_dtype,
                                    device=device))
        budget = device_budget(device, getattr(self, "max_device_memory", None))
        row_bytes = 4 * int(np.prod(X.shape[1:]))
        chunk_rows = max(self.batch_size, budget // (4 * row_bytes))
        return StreamingSource((X, np.asarray(y_enc)), device, chunk_rows,
                               convert=self._check_chunk)

    def _check_chunk(self, chunk):
        from sklearn.utils import check_array

        return check_array(chunk, dtype=np.float32, ensure_all_finite=True)
