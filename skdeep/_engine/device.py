"""Device resolution, moving state between devices, and thread limits.

Nothing here imports scikit-learn: the engine is pure torch plus the standard library.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import sys
import threading
import zlib

import torch

_DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda)(:\d+)?$")


def _worker_index() -> int | None:
    """The index of this joblib/Dask worker, or None in the main process.

    Dask workers use their name (0, 1, ... in a ``LocalCluster``) or a hash of their
    address; loky/multiprocessing workers the number in their process name. The index
    spreads the workers of a parallel search over the GPUs.
    """
    worker = _dask_worker()
    if worker is not None:
        name = worker.name
        if isinstance(name, int) or (isinstance(name, str) and name.isdigit()):
            return int(name)
        return zlib.crc32(str(worker.address).encode())
    if multiprocessing.parent_process() is None:
        return None
    digits = re.findall(r"\d+", multiprocessing.current_process().name)
    return int(digits[-1]) if digits else os.getpid()


def _dask_worker():
    # Only a process that already imported distributed can be one of its workers;
    # importing it here would cost every fit half a second.
    if "distributed" not in sys.modules:
        return None
    try:
        return sys.modules["distributed"].get_worker()
    except (ValueError, AttributeError):
        return None


def in_worker() -> bool:
    """True inside a joblib (loky/multiprocessing/threading) or Dask worker."""
    if _worker_index() is not None:
        return True
    return threading.current_thread() is not threading.main_thread()


def resolve_device(device) -> torch.device:
    """Turn a ``device`` parameter into a :class:`torch.device`.

    ``"auto"`` picks CUDA, then MPS, then the CPU. Inside a worker process on a machine
    with several GPUs, ``"auto"`` picks ``cuda:(worker index % device count)`` so that the
    workers of a parallel search spread over the GPUs instead of piling onto ``cuda:0``.
    """
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str) or not _DEVICE_PATTERN.match(device):
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; got {device!r}."
        )
    if device == "auto":
        if torch.cuda.is_available():
            n_gpus = torch.cuda.device_count()
            index = _worker_index()
            if index is not None and n_gpus > 1:
                return torch.device("cuda", index % n_gpus)
            return torch.device("cuda", torch.cuda.current_device())
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was asked for but CUDA is not available on this "
                "machine; use device='auto' or 'cpu'."
            )
        dev = torch.device(device)
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was asked for but this machine has only "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
        return dev
    if device.startswith("mps") and not _mps_available():
        raise ValueError(f"device={device!r} was asked for but MPS is not available.")
    return torch.device(device)


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def move_to(obj, device):
    """Move tensors found in nested dicts/lists/tuples (optimizer state) to ``device``."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        return {k: move_to(v, device) for k, v in obj.items()}
    if isinstance(obj, list):
        return [move_to(v, device) for v in obj]
    if isinstance(obj, tuple):
        return tuple(move_to(v, device) for v in obj)
    return obj


@contextlib.contextmanager
def thread_limit():
    """Run torch with one intra-op thread inside parallel workers.

    Without it, ``GridSearchCV(n_jobs=k)`` starts k workers that each use every core.
    The environment variable ``SKDEEP_NUM_THREADS`` overrides the count, inside workers
    and out.
    """
    wanted = os.environ.get("SKDEEP_NUM_THREADS")
    before = torch.get_num_threads()
    if wanted is not None:
        n = int(wanted)
    elif in_worker():
        n = 1
    else:
        n = None
    if n is not None and n != before:
        torch.set_num_threads(n)
        try:
            yield
        finally:
            torch.set_num_threads(before)
    else:
        yield


def n_threads_for(batch_size, n_visible, n_hidden):
    """Intra-op threads for a training step of this size on the CPU.

    Measured with ``benchmarks/bench_rbm.py`` (784x500, PCD-1) on a 2-core machine shared
    with other jobs: at batch 128 one thread ran an epoch of 5,000 rows in 0.81 s where two
    took 5.5 s, and a single step at batch 20 took 1.7 ms on one thread against 23 ms on
    two -- the thread pool's fork/join and spinning cost more than a second (busy) core
    brings to matmuls of this size. More threads only pay above ~250 MFLOP per matmul
    (batch ~300 at 784x500).
    ``SKDEEP_NUM_THREADS`` overrides the choice.
    """
    import os

    if os.environ.get("SKDEEP_NUM_THREADS"):
        return None  # thread_limit() applies it
    flops = 2.0 * batch_size * n_visible * n_hidden
    return 1 if flops < 2.5e8 else None


class threads:
    """Set torch's intra-op thread count for a block (None: leave it)."""

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        self.before = torch.get_num_threads()
        if self.n is not None and self.n != self.before:
            torch.set_num_threads(self.n)

    def __exit__(self, *exc):
        if torch.get_num_threads() != self.before:
            torch.set_num_threads(self.before)
