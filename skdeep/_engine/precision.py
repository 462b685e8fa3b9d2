"""Numeric precision on the device, and the device-memory budget for out-of-core data."""
from __future__ import annotations

import contextlib
import os

import torch

PRECISIONS = ("float32", "tf32", "bf16")


def check_precision(precision: str, device) -> None:
    """Refuse precisions that do not apply to ``device`` with a clear message."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}; got {precision!r}.")
    if precision != "float32" and torch.device(device).type != "cuda":
        raise ValueError(
            f"precision={precision!r} applies to CUDA devices only (TF32 matmuls and "
            f"bf16 autocast are GPU features); this fit runs on {device}, use "
            "precision='float32'.")


def autocast(precision: str, device):
    """bf16 autocast on CUDA for ``precision="bf16"``; a no-op otherwise."""
    if precision == "bf16":
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


@contextlib.contextmanager
def tf32(precision: str, device):
    """Allow TF32 matmuls/convolutions for the duration of a fit; restore afterwards."""
    if precision != "tf32":
        yield
        return
    before = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before


def device_budget(device, max_device_memory=None) -> int:
    """Bytes of training data the device may hold at once.

    ``max_device_memory`` (bytes) when given; otherwise half the free memory of a CUDA
    device, or a quarter of the machine's physical memory for the CPU and MPS.
    """
    if max_device_memory is not None:
        return int(max_device_memory)
    device = torch.device(device)
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free // 2)
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX
        physical = 8 * 2**30
    return int(physical // 4)


def streams(X, device, max_device_memory=None) -> bool:
    """Whether ``X`` is trained on by streaming row chunks instead of one device copy.

    True for dense array-likes indexable by rows (``numpy.memmap``, HDF5 datasets, ...)
    whose float32 size exceeds the device budget. Sparse matrices, lists and pandas
    frames always take the in-memory path.
    """
    import scipy.sparse as sp

    if sp.issparse(X) or isinstance(X, (list, tuple)) or hasattr(X, "iloc"):
        return False
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) < 2 or not hasattr(X, "__getitem__"):
        return False
    n_bytes = 4
    for dim in shape:
        n_bytes *= int(dim)
    return n_bytes > device_budget(device, max_device_memory)
