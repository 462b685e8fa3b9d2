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


def policy_threads():
    """The intra-op thread count skdeep's policy asks for, or None to keep the caller's.

    In order: ``SKDEEP_NUM_THREADS`` when set; one thread inside joblib/Dask workers
    (``GridSearchCV(n_jobs=k)`` would otherwise start k workers that each use every
    core); otherwise what the caller set (``torch.set_num_threads``, by default the
    machine's cores). No size rule: ``benchmarks/bench_threads.py`` found two threads
    faster on a quiet 2-core machine at every batch size measured (20 to 1000, RBM and
    MLP: 1 thread took 1.04-1.6x their time) and one thread faster at every size with a
    second job on the other core (2 threads took 1.1-3.8x), so no size threshold is
    right on both; on a shared machine, ask for one thread (docs/performance.rst).
    """
    wanted = os.environ.get("SKDEEP_NUM_THREADS")
    if wanted:
        try:
            n = int(wanted)
        except ValueError:
            raise ValueError("SKDEEP_NUM_THREADS must be a positive integer; got "
                             f"{wanted!r}.") from None
        if n < 1:
            raise ValueError(f"SKDEEP_NUM_THREADS must be a positive integer; got {n}.")
        return n
    if in_worker():
        return 1
    return None


@contextlib.contextmanager
def thread_limit():
    """Run the block with the thread count of :func:`policy_threads` (the one CPU thread
    policy of every estimator), restoring the caller's count afterwards."""
    n = policy_threads()
    before = torch.get_num_threads()
    if n is None or n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
