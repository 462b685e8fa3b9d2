"""What every skdeep estimator shares: validation, seeding, devices, inference, pickling.

Estimators subclass :class:`DeepEstimator` and stay thin: their parameters, a torch
module from :mod:`skdeep.nn`, and the loss or update it trains with. Training itself runs
in :func:`skdeep._engine.loop.train`.
"""
from __future__ import annotations

import contextlib
import copy
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ._engine.batches import chunked
from ._engine.device import move_to, resolve_device, thread_limit
from ._engine.loop import Stages

__all__ = ["DeepEstimator", "FLOAT_DTYPES", "as_tensor", "warn_user"]

FLOAT_DTYPES = (np.float64, np.float32)

_TORCH_DTYPE = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}


def as_tensor(X, device, dtype=torch.float32, *, copy=True) -> torch.Tensor:
    """A tensor of ``X`` on ``device``; a copy, never a view of the caller's memory.

    Sparse input is densified here, once; read-only arrays (memmaps) are fine.
    ``copy=False`` lets a CPU tensor of the right dtype share a writeable, C-ordered
    array's memory, for a caller that only reads it: copying 20,000 Fashion-MNIST rows
    took 226 ms on a 2-core CI machine (the fresh 63 MB are page-faulted in), more
    than an epoch of a 784-100-10 MLP at batch 200.
    """
    if sp.issparse(X):
        X = X.toarray()
    X = np.asarray(X)
    if not copy and _shareable(X, device) and _TORCH_DTYPE[X.dtype] == dtype:
        return torch.from_numpy(X)
    tensor = torch.from_numpy(np.array(X, copy=True, order="C"))
    return tensor.to(device=device, dtype=dtype)


def _shareable(X, device) -> bool:
    """Whether a CPU tensor may alias ``X``: a writeable, C-ordered float ndarray."""
    return (isinstance(X, np.ndarray) and X.dtype in _TORCH_DTYPE and X.flags.c_contiguous
            and X.flags.writeable and torch.device(device).type == "cpu")


def shared_tensor(X, device, dtype=torch.float32):
    """``X`` for a fit that only reads it and casts each batch to ``dtype`` itself (a
    :class:`~skdeep._engine.batches.TensorSource` with ``dtype``): the caller's memory
    where ``X`` is a writeable, C-ordered float array and ``device`` the CPU, else
    :func:`as_tensor`'s copy in ``dtype``."""
    if _shareable(X, device):
        return torch.from_numpy(X)
    return as_tensor(X, device, dtype)


def warn_user(message, category=UserWarning) -> None:
    """``warnings.warn`` located at the first frame outside skdeep: the caller's line.

    ``warnings.filterwarnings(..., module=...)`` in user code then matches it, however
    deep inside skdeep (or scikit-learn's meta-estimators) the warning was raised.
    """
    import os
    import sys

    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            package + os.sep):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)


@dataclass
class FitRun:
    """What the stages of one fit share (see :meth:`DeepEstimator._fit_run`)."""

    device: torch.device
    seed: int
    stages: Stages
    generator: torch.Generator  # the training's draws, on the device
    init_generator: torch.Generator  # the modules' initial weights, on the CPU


class DeepEstimator(BaseEstimator):
    """Base class of every skdeep estimator.

    Subclasses store their ``__init__`` arguments unchanged (scikit-learn's contract) and
    must have the parameters ``device`` and ``random_state``. Fitted torch modules are
    kept in attributes ending in ``_``; pickling moves them (and any tensor or optimizer
    state) to the CPU, so a model fitted on a GPU loads on a machine without one.
    """

    #: rows per chunk at inference time; bounds the memory of predict/transform.
    _inference_chunk_size = 8192

    # ------------------------------------------------------------------ validation
    def _validate_X(self, X, *, reset, accept_sparse=False, allow_nd=False, **kwargs):
        """scikit-learn validation; keeps float32/float64, casts other numbers to float64."""
        return validate_data(self, X, reset=reset, dtype=list(FLOAT_DTYPES),
                             accept_sparse=accept_sparse, allow_nd=allow_nd, **kwargs)

    def _validate_Xy(self, X, y, *, reset=True, accept_sparse=False, allow_nd=False,
                     **kwargs):
        return validate_data(self, X, y, reset=reset, dtype=list(FLOAT_DTYPES),
                             accept_sparse=accept_sparse, allow_nd=allow_nd, **kwargs)

    # ------------------------------------------------------------------ devices and seeds
    def _resolve_device(self) -> torch.device:
        return resolve_device(self.device)

    def _seed(self, random_state=None) -> int:
        """An integer seed drawn from ``random_state`` (a method's own, or else the
        estimator's), with no global state touched."""
        rs = self.random_state if random_state is None else random_state
        return int(check_random_state(rs).randint(np.iinfo(np.int32).max))

    def _continued_seed(self, offset) -> int:
        """The seed of a fit that continues a fitted one (warm or partial): the first
        fit's ``_seed_`` moved on by ``offset`` (samples or calls seen), kept in int32."""
        return (self._seed_ + int(offset)) % 2_147_483_647

    @contextlib.contextmanager
    def _fit_run(self, seed=None, device=None):
        """The wiring every fit shares, once: the device, the seed and the training
        generator, one :class:`~skdeep._engine.loop.Stages` for all the fit's stages (one
        Ctrl-C stops the whole fit) and the thread policy, held for the whole fit.

        ``seed`` overrides the draw from ``random_state`` (a warm or partial fit's own);
        ``device`` overrides ``self.device`` (a partial fit continues where its state
        lives). Yields a :class:`FitRun`.
        """
        device = self._resolve_device() if device is None else torch.device(device)
        seed = self._seed() if seed is None else int(seed)
        run = FitRun(device, seed, Stages(), self._generator(seed, device),
                     self._generator(seed + 1, "cpu"))
        with thread_limit():
            yield run

    @staticmethod
    def _generator(seed: int, device) -> torch.Generator:
        device = torch.device(device)
        gen = torch.Generator(device=device.type if device.type != "cuda" else device)
        gen.manual_seed(int(seed))
        return gen

    @classmethod
    def _seeded_build(cls, seed: int, build):
        """Call ``build(generator)`` with torch's global RNG forked and seeded.

        Modules initialise from a CPU generator seeded here; torch's own layers that
        draw from the global RNG (``nn.Linear``'s default init, ...) are seeded too, inside
        a fork that restores the caller's global RNG state afterwards -- a fit never
        changes what ``torch.rand`` gives the user next.
        """
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seed))
            return build(cls._generator(seed, "cpu"))

    @property
    def _device(self) -> torch.device:
        """Where the fitted modules live now."""
        return torch.device(self.device_)

    def _np(self, tensor) -> np.ndarray:
        """A fitted tensor as a new numpy array in the training data's float dtype
        (float64 before a fit recorded one)."""
        return tensor.detach().cpu().numpy().astype(getattr(self, "_dtype", np.float64))

    # ------------------------------------------------------------------ inference
    def _inference_module(self, module: torch.nn.Module, dtype) -> torch.nn.Module:
        """``module`` in ``dtype``: float64 input is computed in float64.

        float32 matmuls of a batch and of its rows one at a time differ by ~1e-5 on a
        CPU; computing float64 input in float64 makes predictions independent of how the
        rows are batched, as scikit-learn's invariance checks (atol 1e-7) require.
        """
        params = list(module.parameters())
        if dtype == torch.float64 and any(p.dtype != torch.float64 for p in params):
            module = copy.deepcopy(module).double()
        return module.eval()

    def _predict_batched(self, X, fn, module, *, dtype=None, chunk_size=None,
                         prepare=None) -> np.ndarray:
        """Apply ``fn(module, batch)`` over bounded chunks of ``X``; return numpy.

        Runs in ``torch.inference_mode`` on the fitted device, in ``X``'s float dtype
        (float32 for anything else), and returns an array of that dtype.
        """
        x_dtype = getattr(X, "dtype", None)
        np_dtype = np.dtype(np.float64 if x_dtype == np.float64 else np.float32)
        if dtype is not None:
            np_dtype = np.dtype(dtype)
        t_dtype = _TORCH_DTYPE[np_dtype]
        device = self._device
        module = self._inference_module(module, t_dtype)
        n = X.shape[0]
        chunk = chunk_size or self._inference_chunk_size
        outputs = []
        was_training = module.training
        with torch.inference_mode():
            for sl in chunked(n, chunk):
                xb = as_tensor(X[sl], device, t_dtype)
                if prepare is not None:
                    xb = prepare(xb)
                outputs.append(fn(module, xb).detach().cpu())
        if was_training:
            module.train()
        if not outputs:
            return np.empty((0,), dtype=np_dtype)
        return torch.cat(outputs).numpy().astype(np_dtype, copy=False)

    # ------------------------------------------------------------------ reporting
    def _set_history(self, history, *, stop_reason=None) -> None:
        """The fitted history attributes every estimator has, with the same types.

        ``history`` is a :class:`~skdeep._engine.loop.History` or a
        :class:`~skdeep._engine.loop.Stages` (a multi-stage fit: its epochs and losses
        over all stages). ``n_iter_`` is the epochs actually run; the validation
        attributes are None without a validation set, as in scikit-learn's MLP.
        """
        self.n_iter_ = int(history.n_iter)
        self.loss_curve_ = list(history.loss_curve)
        scores = getattr(history, "validation_scores", None)
        self.validation_scores_ = list(scores) if scores else None
        self.best_validation_score_ = (getattr(history, "best_validation_score", None)
                                       if scores else None)
        self.stop_reason_ = stop_reason or history.stop_reason

    def _warn_if_not_converged(self, history, max_iter):
        if history.stop_reason == "max_iter":
            warn_user(
                f"{type(self).__name__}: the maximum number of epochs ({max_iter}) was "
                "reached before the optimisation converged; raise max_iter.",
                ConvergenceWarning)

    def _check_fitted(self):
        check_is_fitted(self, "device_")

    # ------------------------------------------------------------------ persistence
    def _rebuild_module(self, name: str) -> torch.nn.Module | None:
        """An untrained module with the architecture of fitted attribute ``name``.

        Estimators that can rebuild their modules from their parameters and fitted
        attributes return one here; their pickles, skops files and :meth:`save` files then
        hold plain ``state_dict`` tensors instead of pickled torch objects. The default
        (None) pickles the module object itself.
        """
        return None

    def _restore_optimizer(self, optimizer, device) -> None:
        """Load the fitted optimizer's state into ``optimizer`` (a warm start): from the
        live optimizer, or from the ``_optimizer_state`` an unpickled estimator holds."""
        from ._engine.optim import load_optimizer_state

        if getattr(self, "_optimizer", None) is not None:
            load_optimizer_state(optimizer, self._optimizer.state_dict())
        elif getattr(self, "_optimizer_state", None) is not None:
            load_optimizer_state(optimizer, move_to(self._optimizer_state, device))

    def __getstate__(self):
        state = dict(super().__getstate__())
        for key, value in list(state.items()):
            if key == "_optimizer":
                state["_optimizer_state"] = (None if value is None
                                             else _to_bytes(value.state_dict()))
                state[key] = None
            elif isinstance(value, torch.nn.Module):
                if self._rebuild_module(key) is not None:
                    state[key] = {_MODULE_KEY: _to_bytes(value.state_dict())}
                else:
                    if any(t.device.type != "cpu" for t in
                           list(value.parameters()) + list(value.buffers())):
                        value = copy.deepcopy(value).to("cpu")
                    state[key] = value
            elif _holds_tensors(value):
                # bytes readable with weights_only=True: skops and save() need no torch types
                state[key] = {_TENSOR_KEY: _to_bytes(value)}
            elif isinstance(value, torch.Generator):
                state[key] = None
            elif isinstance(value, np.dtype):
                state[key] = {_DTYPE_KEY: value.str}
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        for key, value in list(vars(self).items()):
            if isinstance(value, dict) and _DTYPE_KEY in value:
                setattr(self, key, np.dtype(value[_DTYPE_KEY]))
            elif isinstance(value, dict) and _TENSOR_KEY in value:
                setattr(self, key, _from_bytes(value[_TENSOR_KEY]))
            elif isinstance(value, dict) and _MODULE_KEY in value:
                module = self._rebuild_module(key)
                module.load_state_dict(_from_bytes(value[_MODULE_KEY]))
                setattr(self, key, module.eval())
        if isinstance(getattr(self, "_optimizer_state", None), bytes):
            self._optimizer_state = _from_bytes(self._optimizer_state)
        if "device_" not in state:
            return
        try:
            device = resolve_device(self.device)
        except ValueError as exc:
            warnings.warn(f"{exc} The unpickled model runs on the CPU.", RuntimeWarning,
                          stacklevel=2)
            device = torch.device("cpu")
        self._move_fitted_state(device)

    def _move_fitted_state(self, device):
        for key, value in list(vars(self).items()):
            if key == "_optimizer_state" and value is not None:
                setattr(self, key, move_to(value, device))
            elif isinstance(value, torch.nn.Module):
                # the estimator's own placement (LeNet: channels_last on the CPU)
                mover = getattr(self, "_to_device", None)
                setattr(self, key, mover(value, device) if mover else value.to(device))
            elif _holds_tensors(value):
                setattr(self, key, move_to(value, device))
        self.device_ = str(device)

    def save(self, path) -> None:
        """Write the fitted model to ``path`` as tensors and JSON-like data only.

        The file holds the class name, the parameters, the fitted attributes and each
        module's ``state_dict``; :meth:`load` reads it with ``torch.load(...,
        weights_only=True)``, so loading runs no code from the file.

        Parameters
        ----------
        path : str or path-like
        """
        from ._persist import save

        save(self, path)

    @classmethod
    def load(cls, path, device=None):
        """Read a model written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like
        device : str, optional
            Overrides the saved ``device`` parameter (e.g. ``"cpu"``).

        Returns
        -------
        estimator
        """
        from ._persist import load

        est = load(path, device=device)
        if not isinstance(est, cls):
            raise TypeError(f"{path} holds a {type(est).__name__}, not a {cls.__name__}.")
        return est


_MODULE_KEY = "__skdeep_state_dict__"
_TENSOR_KEY = "__skdeep_tensors__"
_DTYPE_KEY = "__skdeep_dtype__"


def _holds_tensors(value) -> bool:
    if isinstance(value, torch.Tensor):
        return True
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(_holds_tensors(v) for v in value)
    if isinstance(value, dict):
        return len(value) > 0 and all(_holds_tensors(v) for v in value.values())
    return False


def _to_bytes(obj) -> bytes:
    """Tensors (in nested dicts/lists) to bytes readable with ``weights_only=True``."""
    import io

    buffer = io.BytesIO()
    torch.save(move_to(obj, "cpu"), buffer)
    return buffer.getvalue()


def _from_bytes(blob: bytes):
    import io

    return torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
