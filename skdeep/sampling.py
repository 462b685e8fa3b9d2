"""Monte-Carlo samplers: :class:`HMCSampler` (the tutorial's hybrid Monte-Carlo)."""
from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from .base import DeepEstimator
from .nn import hmc as F_hmc

__all__ = ["HMCSampler"]


class HMCSampler(DeepEstimator):
    """Hybrid Monte-Carlo sampler with the tutorial's step-size adaptation.

    Runs many independent chains in parallel on the device. Each move draws a Gaussian
    momentum, integrates ``n_steps`` leapfrog steps and accepts with the Metropolis rule;
    after every move the (shared) step size is multiplied by ``stepsize_inc`` if the
    running acceptance rate is above ``target_acceptance_rate`` and by ``stepsize_dec``
    otherwise, clamped to ``[stepsize_min, stepsize_max]`` -- the Deep Learning
    Tutorials' settings are the defaults.

    Parameters
    ----------
    energy : callable
        Torch function mapping positions ``(n_chains, dim)`` to energies ``(n_chains,)``
        (the negative log-density up to a constant). Must be differentiable by autograd.
        To pickle the sampler, use a module-level function (not a lambda).
    n_steps : int, default=20
        Leapfrog steps per move.
    initial_stepsize : float, default=0.01
    target_acceptance_rate : float, default=0.9
    stepsize_inc, stepsize_dec : float, default=1.02, 0.98
    stepsize_min, stepsize_max : float, default=0.001, 0.25
    avg_acceptance_slowness : float, default=0.9
        Decay of the running acceptance-rate average that drives the adaptation.
    dtype : {"float32", "float64"} or None, default=None
        Floating-point type of the chains. None follows ``initial_position``: a float32 or
        float64 tensor or array keeps its dtype, anything else (lists, integers) gets
        torch's default dtype, so that an energy written with ordinary torch tensors
        sees positions of its own dtype.
    device : str, default="auto"
    random_state : int, RandomState or None, default=None

    Attributes
    ----------
    stepsize_ : float
        Step size after the last call to :meth:`sample`.
    acceptance_rate_ : float
        Fraction of moves accepted (all chains) during the kept samples of the last call.
    avg_acceptance_rate_ : float
        The running average used by the adaptation.
    n_moves_ : int
        Moves made in total (burn-in included).

    Examples
    --------
    >>> import torch
    >>> from skdeep.sampling import HMCSampler
    >>> def energy(x):
    ...     return 0.5 * (x ** 2).sum(dim=1)
    >>> s = HMCSampler(energy, random_state=0)
    >>> draws = s.sample(torch.zeros(10, 2), n_samples=200, burn_in=100)
    >>> draws.shape
    (200, 10, 2)
    >>> bool(abs(draws.mean()) < 0.2)
    True
    """

    # save() stores no code: load() takes the energy from the caller
    _code_params = ("energy",)

    _parameter_constraints: dict = {
        "energy": [callable],
        "n_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "initial_stepsize": [Interval(numbers.Real, 0, None, closed="neither")],
        "target_acceptance_rate": [Interval(numbers.Real, 0, 1, closed="both")],
        "stepsize_inc": [Interval(numbers.Real, 1, None, closed="left")],
        "stepsize_dec": [Interval(numbers.Real, 0, 1, closed="right")],
        "stepsize_min": [Interval(numbers.Real, 0, None, closed="neither")],
        "stepsize_max": [Interval(numbers.Real, 0, None, closed="neither")],
        "avg_acceptance_slowness": [Interval(numbers.Real, 0, 1, closed="left")],
        "dtype": [StrOptions({"float32", "float64"}), None],
        "device": [str],
        "random_state": ["random_state"],
    }

    def __init__(self, energy, *, n_steps=20, initial_stepsize=0.01,
                 target_acceptance_rate=0.9, stepsize_inc=1.02, stepsize_dec=0.98,
                 stepsize_min=0.001, stepsize_max=0.25, avg_acceptance_slowness=0.9,
                 dtype=None, device="auto", random_state=None):
        self.energy = energy
        self.n_steps = n_steps
        self.initial_stepsize = initial_stepsize
        self.target_acceptance_rate = target_acceptance_rate
        self.stepsize_inc = stepsize_inc
        self.stepsize_dec = stepsize_dec
        self.stepsize_min = stepsize_min
        self.stepsize_max = stepsize_max
        self.avg_acceptance_slowness = avg_acceptance_slowness
        self.dtype = dtype
        self.device = device
        self.random_state = random_state

    def sample(self, initial_position, n_samples=1000, burn_in=1000, *, warm_start=False):
        """Run the chains; return draws of shape ``(n_samples, n_chains, dim)``.

        Parameters
        ----------
        initial_position : array-like or tensor of shape (n_chains, dim)
            One row per chain (a 1-D array is one chain).
        n_samples : int
            Moves kept (one draw per move, as in the tutorial).
        burn_in : int
            Moves discarded first (the step size adapts during them too).
        warm_start : bool
            Continue from the previous call's step size and running acceptance rate.

        Returns
        -------
        draws : numpy.ndarray of shape (n_samples, n_chains, dim)
        """
        self._validate_params()
        if self.stepsize_min > self.stepsize_max:
            raise ValueError("stepsize_min must not exceed stepsize_max")
        for name, v in (("n_samples", n_samples), ("burn_in", burn_in)):
            if not isinstance(v, numbers.Integral) or isinstance(v, bool):
                raise TypeError(f"{name} must be an integer, got {v!r}")
            if v < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {v!r}")
        n_samples, burn_in = int(n_samples), int(burn_in)
        device = self._resolve_device()
        pos = _as_position(initial_position, self.dtype, device)
        dtype = pos.dtype
        _check_energy(self.energy, pos)

        gen = self._generator(self._seed(), device)
        if warm_start and hasattr(self, "stepsize_"):
            stepsize = torch.tensor(self.stepsize_, dtype=dtype, device=device)
            avg = torch.tensor(self.avg_acceptance_rate_, dtype=dtype, device=device)
            n_moves = self.n_moves_
        else:
            stepsize = torch.tensor(float(self.initial_stepsize), dtype=dtype, device=device)
            avg = torch.tensor(float(self.target_acceptance_rate), dtype=dtype, device=device)
            n_moves = 0
        kw = dict(target=self.target_acceptance_rate, inc=self.stepsize_inc,
                  dec=self.stepsize_dec, lo=self.stepsize_min, hi=self.stepsize_max,
                  slowness=self.avg_acceptance_slowness)
        draws = torch.empty((n_samples,) + tuple(pos.shape), dtype=dtype, device=device)
        n_acc = torch.zeros((), dtype=dtype, device=device)
        for t in range(burn_in + n_samples):
            pos, accept = F_hmc.hmc_move(pos, self.energy, stepsize, self.n_steps, gen)
            acc_rate = accept.to(dtype).mean()
            stepsize, avg = F_hmc.adapt_stepsize(stepsize, avg, acc_rate, **kw)
            if t >= burn_in:
                draws[t - burn_in] = pos
                n_acc = n_acc + acc_rate
        self.stepsize_ = float(stepsize)
        self.avg_acceptance_rate_ = float(avg)
        self.acceptance_rate_ = float(n_acc) / n_samples if n_samples else float("nan")
        self.n_moves_ = n_moves + burn_in + n_samples
        self.device_ = str(device)
        self.position_ = pos.cpu().numpy()
        return draws.cpu().numpy()

    @classmethod
    def load(cls, path, device=None, *, energy=None):
        """Read a sampler written by :meth:`save`.

        The file holds the parameters and the adapted state (step size, running
        acceptance rate, last positions) but never the energy, which is code: pass it.

        Parameters
        ----------
        path : str or path-like
        device : str, optional
            Overrides the saved ``device`` parameter (e.g. ``"cpu"``).
        energy : callable
            The energy function the sampler was saved with.

        Returns
        -------
        HMCSampler
        """
        from ._persist import load

        est = load(path, device=device, params={"energy": energy})
        if not isinstance(est, cls):
            raise TypeError(f"{path} holds a {type(est).__name__}, not a {cls.__name__}.")
        return est


def _as_position(initial_position, dtype, device):
    """The starting positions as a fresh ``(n_chains, dim)`` tensor; the caller's stays as is."""
    if isinstance(initial_position, torch.Tensor):
        source = initial_position.detach()
        kind = "complex" if source.is_complex() else (
            "float" if source.is_floating_point() else "other")
        own = source.dtype if source.dtype in (torch.float32, torch.float64) else None
    else:
        source = np.asarray(initial_position)
        kind = {"c": "complex", "f": "float"}.get(source.dtype.kind, "other")
        if source.dtype.kind not in "biufc":
            raise TypeError("initial_position must be an array of real numbers, got dtype "
                            f"{source.dtype}")
        # a list has no dtype of its own, whatever numpy would infer for it
        own = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}.get(
            source.dtype) if isinstance(initial_position, np.ndarray) else None
    if kind == "complex":
        raise TypeError("initial_position must be real; got complex values")
    if dtype is not None:
        target = getattr(torch, dtype)
    else:
        target = own if own is not None else torch.get_default_dtype()
    if isinstance(source, np.ndarray):
        source = torch.from_numpy(np.array(source, dtype=np.float64))
    pos = source.to(device=device, dtype=target).clone()
    if pos.dim() == 1:
        pos = pos[None, :]
    if pos.dim() != 2 or pos.shape[0] == 0 or pos.shape[1] == 0:
        raise ValueError("initial_position must have shape (n_chains, dim), got "
                         f"{tuple(pos.shape)}")
    if not torch.isfinite(pos).all():
        raise ValueError("initial_position contains NaN or infinity")
    return pos


def _check_energy(energy, pos):
    """Call ``energy`` once at the start, so that a wrong energy fails here, clearly,
    instead of deep inside autograd or as draws that silently never move."""
    x = pos.detach().clone().requires_grad_(True)
    try:
        with torch.enable_grad():
            e = energy(x)
    except RuntimeError as exc:
        raise ValueError(f"energy failed on positions of shape {tuple(pos.shape)} and "
                         f"dtype {pos.dtype}: {exc}") from exc
    if not isinstance(e, torch.Tensor) or tuple(e.shape) != (pos.shape[0],):
        raise ValueError("energy must map positions (n_chains, dim) to a tensor of "
                         f"shape (n_chains,); got {getattr(e, 'shape', type(e).__name__)}")
    if e.is_complex() or not e.is_floating_point():
        raise TypeError(f"energy must return real floating-point values, got {e.dtype}")
    if not e.requires_grad:
        raise TypeError("energy must be differentiable by torch autograd in the position: "
                        "its output does not depend on the input tensor (does it call "
                        ".detach(), .numpy() or .item(), or build a new tensor?)")
    if not bool(torch.isfinite(e).all()):
        bad = int((~torch.isfinite(e)).sum())
        raise ValueError(f"energy is NaN or infinite at {bad} of the {pos.shape[0]} "
                         "initial positions; start the chains where it is finite")
    (grad,) = torch.autograd.grad(e.sum(), x, allow_unused=True)
    if grad is None:
        raise TypeError("energy must be differentiable by torch autograd in the position: "
                        "its output does not depend on the input tensor")
    if not bool(torch.isfinite(grad).all()):
        raise ValueError("the gradient of energy is NaN or infinite at the initial "
                         "positions; start the chains where it is finite")
