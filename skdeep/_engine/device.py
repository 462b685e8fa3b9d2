"""Device resolution, moving state between devices, and thread limits.

Nothing here imports scikit-learn: the engine is pure torch plus the standard library.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import threading

import torch

_DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda)(:\d+)?$")


def _worker_index() -> int | None:
    """The index of this joblib/Dask worker, or None in the main process.

    Loky and multiprocessing workers carry a process name ending in a number; Dask workers
    run in a child of the nanny process. The index spreads workers over the GPUs.
    """
    proc = multiprocessing.current_process()
    if multiprocessing.parent_process() is None and not _in_dask_worker():
        return None
    digits = re.findall(r"\d+", proc.name)
    if digits:
        return int(digits[-1])
    return os.getpid()


def _in_dask_worker() -> bool:
    try:
        from distributed import get_worker  # noqa: F401  (optional dependency)
    except ImportError:
        return False
    try:
        get_worker()
    except ValueError:
        return False
    return True


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

