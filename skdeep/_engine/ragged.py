"""Minibatches of variable-length sequences, padded per batch.

Sequences are stored once, concatenated end to end in flat tensors on the device, with
their lengths on the host. A minibatch is gathered into a ``(B, T)`` padded block, where
``T`` is the longest sequence *of that batch* -- so the lengths never have to be read
back from the device, and a batch of short sentences does not pay for the corpus's
longest one. When shuffling, sequences of similar length are grouped into the same
batches (within random pools), which keeps padding small without a fixed batch order.
"""
from __future__ import annotations

import numpy as np
import torch

#: a shuffled epoch sorts sequences by length within pools of this many batches
POOL_BATCHES = 50


class RaggedSource:
    """Padded minibatches of ragged sequences.

    Parameters
    ----------
    flats : tuple of tensors
        Per-token tensors, each the concatenation of all sequences along dim 0.
    lengths : ndarray of int
        Length of each sequence (all >= 1).
    pad_values : tuple
        The value padded positions get in each flat tensor.
    per_sequence : tuple of tensors
        Tensors with one row per sequence (labels of whole sequences), gathered as is.

    ``batches`` yields ``(*padded, lengths, *per_sequence)`` with ``padded[i]`` of shape
    ``(B, T, ...)`` and ``lengths`` an int64 CPU tensor.
    """

    def __init__(self, flats, lengths, pad_values, per_sequence=()):
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        self.n_samples = len(self.lengths)
        self.n_tokens = int(self.lengths.sum())
        self.device = flats[0].device
        # one extra element at the end of each flat tensor holds its padding value, so
        # padded positions are gathered like real ones (no masking writes per batch)
        self.flats = tuple(torch.cat([f, torch.full((1,) + tuple(f.shape[1:]), pad,
                                                    dtype=f.dtype, device=f.device)])
                           for f, pad in zip(flats, pad_values))
        self.per_sequence = tuple(per_sequence)

    def order(self, batch_size, generator=None, shuffle=True):
        """Index arrays of the sequences of each batch, in the order they are visited."""
        n = self.n_samples
        if not shuffle:
            return [np.arange(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]
        perm = torch.randperm(n, generator=generator,
                              device=generator.device if generator is not None else "cpu")
        perm = perm.cpu().numpy()  # one transfer per epoch
        pool = max(batch_size * POOL_BATCHES, batch_size)
        batches = []
        for s in range(0, n, pool):
            chunk = perm[s:s + pool]
            chunk = chunk[np.argsort(self.lengths[chunk], kind="stable")]
            batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
        visit = torch.randperm(len(batches), generator=generator,
                               device=generator.device if generator is not None else "cpu")
        return [batches[i] for i in visit.cpu().numpy()]

    def gather(self, idx):
        """The padded batch of sequences ``idx`` (see the class docstring)."""
        lengths = self.lengths[idx]
        T = int(lengths.max())
        steps = np.arange(T)
        where = self.starts[idx, None] + steps[None, :]
        where[steps[None, :] >= lengths[:, None]] = self.n_tokens  # the padding element
        where = torch.from_numpy(where).to(self.device, non_blocking=True)
        padded = tuple(f[where] for f in self.flats)
        rows = torch.from_numpy(np.ascontiguousarray(idx)).to(self.device, non_blocking=True)
        extra = tuple(t[rows] for t in self.per_sequence)
        return (*padded, torch.from_numpy(lengths), *extra)

    def batches(self, batch_size: int, generator=None, shuffle: bool = True):
        for idx in self.order(batch_size, generator, shuffle):
            yield self.gather(idx)
