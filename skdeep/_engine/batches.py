"""Minibatch sources: on-device tensors, or row chunks streamed from a host array.

In memory, a minibatch is a slice of one permutation of tensors that already live on the
device (no DataLoader). For data larger than the device budget (a ``numpy.memmap``, an
HDF5 dataset, anything indexable by rows), :class:`StreamingSource` moves one chunk of
rows at a time to the device, in a random chunk order with a random order inside each
chunk, so the host never holds more than one chunk beyond the caller's array.
"""
from __future__ import annotations

import mmap

import numpy as np
import torch


def minibatch_slices(n_samples: int, batch_size: int):
    """Yield ``slice`` objects covering ``range(n_samples)`` in steps of ``batch_size``."""
    for start in range(0, n_samples, batch_size):
        yield slice(start, min(start + batch_size, n_samples))


def chunked(n_samples: int, chunk_size: int):
    """Slices for bounded-memory inference."""
    return minibatch_slices(n_samples, max(1, int(chunk_size)))


def _permutation(n, generator, device):
    gen_device = generator.device if generator is not None else device
    return torch.randperm(n, generator=generator, device=gen_device).to(device)


class TensorSource:
    """Minibatches of tensors that live on the training device."""

    def __init__(self, *tensors, reuse_buffers: bool = False, dtype=None):
        self.tensors = tensors
        self.n_samples = tensors[0].shape[0]
        self.device = tensors[0].device
        # With reuse_buffers, each shuffled batch is gathered into the same buffers, so a
        # batch is valid only until the next one is drawn: for steps that keep nothing.
        self.reuse_buffers = reuse_buffers
        # dtype: the first tensor's batches are cast to it, batch by batch, so that a
        # float64 array can be shared rather than converted whole (a fresh float32 copy
        # of 5,000 Fashion-MNIST rows cost about a fifth of an RBM epoch at batch 128)
        self.dtype = dtype if dtype is not None and dtype != tensors[0].dtype else None

    def batches(self, batch_size: int, generator=None, shuffle: bool = True):
        tensors, n = self.tensors, self.n_samples
        # One gather per batch, not one of the whole array per epoch: gathering 20,000
        # Fashion-MNIST rows at once took 40-55 ms an epoch on one CPU thread (a fresh
        # 63 MB buffer, page-faulted in), batch by batch 5.6 ms (at batch 200), the
        # batch then still in cache for the step's first matmul.
        perm = _permutation(n, generator, self.device) if shuffle else None
        bufs = cast = None
        if perm is not None and self.reuse_buffers:
            # a fresh buffer per batch is page-faulted in each time (the gather of 200
            # rows took 250-410 us so, 35-117 us into a kept buffer)
            size = min(batch_size, n)
            bufs = [t.new_empty((size, *t.shape[1:])) for t in tensors]
            cast = None if self.dtype is None else bufs[0].to(self.dtype)
        for sl in minibatch_slices(n, batch_size):
            if perm is None:
                batch = tuple(t[sl] for t in tensors)
            elif bufs is None:
                idx = perm[sl]
                batch = tuple(t.index_select(0, idx) for t in tensors)
            else:
                idx = perm[sl]
                batch = tuple(torch.index_select(t, 0, idx, out=b[:idx.shape[0]])
                              for t, b in zip(tensors, bufs))
            if self.dtype is not None:
                first = (batch[0].to(self.dtype) if cast is None
                         else cast[:batch[0].shape[0]].copy_(batch[0]))
                batch = (first, *batch[1:])
            yield batch


class StreamingSource:
    """Minibatches streamed in row chunks from host arrays (memmaps and the like).

    ``convert(chunk_of_X) -> float32 ndarray`` validates/converts each chunk (the caller's
    array is only read). On CUDA the chunk goes through pinned memory with a
    non-blocking copy.
    """

    def __init__(self, arrays, device, chunk_rows: int, convert=None, dtypes=None):
        self.arrays = arrays
        self.n_samples = len(arrays[0])
        self.device = torch.device(device)
        self.chunk_rows = max(1, int(chunk_rows))
        self.convert = convert
        self.dtypes = dtypes or (torch.float32,) + (torch.long,) * (len(arrays) - 1)
        self._pin = self.device.type == "cuda"

    def _to_device(self, array, dtype):
        if not array.flags.writeable:  # read-only memmap rows: copy, never alias
            array = np.array(array, copy=True)
        tensor = torch.from_numpy(np.ascontiguousarray(array)).to(dtype)
        if self._pin:
            tensor = tensor.pin_memory()
        return tensor.to(self.device, non_blocking=self._pin)

    def chunks(self, generator=None, shuffle=True):
        """Yield device tensors for each chunk of rows (shuffled chunk order if asked)."""
        starts = np.arange(0, self.n_samples, self.chunk_rows)
        if shuffle:
            order = torch.randperm(len(starts), generator=generator,
                                   device=generator.device if generator is not None
                                   else "cpu").cpu().numpy()
            starts = starts[order]
        for start in starts:
            stop = min(start + self.chunk_rows, self.n_samples)
            parts = []
            for i, (array, dtype) in enumerate(zip(self.arrays, self.dtypes)):
                part = np.asarray(array[start:stop])
                if i == 0 and self.convert is not None:
                    part = self.convert(part)
                parts.append(self._to_device(part, dtype))
                release_pages(array, start, stop)
            yield tuple(parts)

    def batches(self, batch_size: int, generator=None, shuffle: bool = True):
        for chunk in self.chunks(generator, shuffle):
            yield from TensorSource(*chunk).batches(batch_size, generator, shuffle)


def release_pages(array, start: int, stop: int) -> None:
    """Drop rows ``start:stop`` of a read-only ``numpy.memmap`` from this process's memory.

    Pages of a file mapping that were read stay resident (and count in the process's
    RSS) until the kernel needs them; after a chunk has been copied they are of no use,
    so streaming a file larger than memory keeps the footprint at about one chunk. Only
    mode ``"r"`` maps are touched, where dropping pages can never lose data.
    """
    mm = getattr(array, "_mmap", None)
    if (mm is None or getattr(array, "mode", None) != "r" or not hasattr(mm, "madvise")
            or not array.flags.c_contiguous):
        return
    row_bytes = array.strides[0]
    base = array.offset % mmap.ALLOCATIONGRANULARITY
    begin = base + start * row_bytes
    end = base + stop * row_bytes
    page = mmap.PAGESIZE
    begin = (begin // page) * page
    length = ((end + page - 1) // page) * page - begin
    length = min(length, len(mm) - begin)
    if length > 0:
        try:
            mm.madvise(mmap.MADV_DONTNEED, begin, length)
        except (OSError, ValueError):
            pass


def as_source(data):
    """Wrap a tuple of tensors as a :class:`TensorSource`; pass sources through."""
    if hasattr(data, "batches"):
        return data
    return TensorSource(*data)
