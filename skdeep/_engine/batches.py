"""On-device minibatch iteration: slices of one permutation, no DataLoader."""
from __future__ import annotations

import torch


def minibatch_slices(n_samples: int, batch_size: int):
    """Yield ``slice`` objects covering ``range(n_samples)`` in steps of ``batch_size``."""
    for start in range(0, n_samples, batch_size):
        yield slice(start, min(start + batch_size, n_samples))


def shuffled_batches(tensors, batch_size: int, generator: torch.Generator | None,
                     shuffle: bool = True):
    """Yield tuples of minibatches of ``tensors`` (all sharing their first dimension).

    The permutation is drawn on the tensors' device with ``generator`` so a seeded fit is
    reproducible; the data itself is gathered once per epoch, so each step is a
    contiguous slice rather than a scattered gather.
    """
    n = tensors[0].shape[0]
    if shuffle:
        device = tensors[0].device
        perm = torch.randperm(n, generator=generator, device=generator.device
                              if generator is not None else device)
        perm = perm.to(device)
        tensors = tuple(t.index_select(0, perm) if t.shape[0] == n else t for t in tensors)
    for sl in minibatch_slices(n, batch_size):
        yield tuple(t[sl] for t in tensors)


def chunked(n_samples: int, chunk_size: int):
    """Slices for bounded-memory inference."""
    return minibatch_slices(n_samples, max(1, int(chunk_size)))
