"""The scoring, sampling and likelihood methods of :class:`~skdeep.BernoulliRBM`.

What a fitted RBM computes beyond ``transform``: free energies, the pseudo-log-likelihood
of :meth:`score_samples` (with its content-hashed flip index), block Gibbs steps and
chains, and the partition function and log-likelihood by exact enumeration or annealed
importance sampling. They live in a mixin of methods only (no ``__init__``, no
parameters) that ``BernoulliRBM`` inherits, so that ``skdeep/rbm.py`` keeps the
parameters, the fitting and the fitted attributes.
"""
from __future__ import annotations

import numpy as np
import torch
from sklearn.utils import check_random_state

from ._validation import check_count
from .nn import ais as F_ais
from .nn import rbm as F_rbm


class _RBMScoringMixin:
    """Scoring, sampling and likelihood of a fitted :class:`~skdeep.BernoulliRBM`
    (``module_``, ``_chain``, ``_visible_mean``, ``visible_units``, ``random_state``)."""

    def free_energy(self, X):
        """Free energy ``F(v) = -log sum_h exp(-E(v, h))`` of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        self._check_fitted()
        X = self._check_X(X, reset=False)
        return self._predict_batched(X, lambda m, xb: m.free_energy(xb), self.module_)

    def score_samples(self, X):
        """Pseudo-log-likelihood of each sample (scikit-learn's proxy for the likelihood).

        ``n_features * log sigmoid(F(v~) - F(v))`` where ``v~`` flips one randomly chosen
        unit of ``v`` (chosen from ``random_state`` and the row's content, so that a
        sample's score does not depend on the other rows of ``X``). Computed from the
        change of that one unit, without clipping, so it is finite for extreme inputs.
        For Gaussian visible units, where flipping is meaningless, it returns ``-F(v)``,
        the log-density up to the constant ``log Z`` (see :meth:`log_likelihood`).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        self._check_fitted()
        X = self._check_X(X, reset=False)
        if self.visible_units == "gaussian":
            return -self._predict_batched(X, lambda m, xb: m.free_energy(xb), self.module_)
        index = torch.from_numpy(self._flip_index(X))
        offset = [0]

        def fn(m, xb):
            idx = index[offset[0]:offset[0] + xb.shape[0]].to(xb.device)
            offset[0] += xb.shape[0]
            return F_rbm.pseudo_log_likelihood(xb, m.W, m.b_vis, m.b_hid, idx)

        return self._predict_batched(X, fn, self.module_)

    def _flip_index(self, X):
        """The unit flipped in each row: a pseudo-random function of the row itself.

        scikit-learn draws the indices from ``random_state`` in row order, so a sample's
        score depends on its position in ``X``. Hashing the row's content with a random
        projection (drawn from ``random_state``) gives an equally random choice that is
        the same for a sample wherever it appears (subset and order invariant).
        """
        rng = check_random_state(self.random_state)
        n_features = X.shape[1]
        proj = rng.uniform(1.0, 1000.0, n_features) * np.sqrt(2.0)
        offset = rng.uniform()
        if hasattr(X, "multiply"):
            key = np.asarray(X.multiply(proj[None, :]).sum(axis=1), dtype=np.float64).ravel()
        else:
            key = (np.asarray(X, dtype=np.float64) * proj).sum(axis=1)
        frac = np.mod(np.abs(key) + offset, 1.0)
        return np.minimum((frac * n_features).astype(np.int64), n_features - 1)

    def _sampling_generator(self, random_state):
        if random_state is not None:
            return self._generator(self._seed(random_state), self._device)
        gen = getattr(self, "_gibbs_gen", None)
        if gen is None:
            gen = self._generator(self._seed(), self._device)
            self._gibbs_gen = gen
        return gen

    def gibbs(self, v):
        """One Gibbs step ``v -> h -> v'``; returns the new visible samples.

        Parameters
        ----------
        v : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features), in v's float dtype
        """
        self._check_fitted()
        v = self._check_X(v, reset=False)
        gen = self._sampling_generator(None)
        return self._predict_batched(v, lambda m, xb: F_rbm.gibbs_vhv(
            xb, m.W, m.b_vis, m.b_hid, m.visible, gen, k=1)[1], self.module_)

    def sample(self, n_samples=1, n_gibbs=1000, *, init="random", return_mean=False,
               random_state=None):
        """Draw visible samples by running ``n_gibbs`` steps of block Gibbs sampling.

        Parameters
        ----------
        n_samples : int, default=1
            Number of independent chains (one sample each).
        n_gibbs : int, default=1000
            Gibbs steps per chain.
        init : {"random", "persistent"}, default="random"
            Fresh chains (uniform binary, or N(b_vis, 1) for Gaussian units), or chains
            continued from the persistent chain of the fit (cycled to ``n_samples``).
        return_mean : bool, default=False
            Return ``E[v | h]`` of the last step instead of a sample (what the tutorial
            plots).
        random_state : int, RandomState or None, default=None

        Returns
        -------
        ndarray of shape (n_samples, n_features), float32
        """
        self._check_fitted()
        if init not in ("random", "persistent"):
            raise ValueError(f"init must be 'random' or 'persistent'; got {init!r}.")
        n_samples = check_count(n_samples, "n_samples")
        n_gibbs = check_count(n_gibbs, "n_gibbs")
        gen = self._sampling_generator(random_state)
        m = self.module_
        device = self._device
        with torch.no_grad():
            if init == "persistent":
                reps = -(-n_samples // self._chain.shape[0])
                h = self._chain.repeat(reps, 1)[:n_samples].to(device)
            else:
                if self.visible_units == "bernoulli":
                    v = torch.bernoulli(torch.full((n_samples, m.W.shape[1]), 0.5,
                                                   device=device), generator=gen)
                else:
                    v = m.b_vis + torch.randn((n_samples, m.W.shape[1]), generator=gen,
                                              device=device)
                _, h = F_rbm.sample_h_given_v(v, m.W, m.b_hid, gen)
            for _ in range(n_gibbs):
                mean, v = F_rbm.sample_v_given_h(h, m.W, m.b_vis, m.visible, gen)
                _, h = F_rbm.sample_h_given_v(v, m.W, m.b_hid, gen)
        out = mean if return_mean else v
        return out.cpu().numpy()

    # ------------------------------------------------------------------ likelihood
    def log_partition(self, method="ais", *, n_chains=100, betas=14500, random_state=None):
        """``log Z``, the log partition function of the model.

        Parameters
        ----------
        method : {"ais", "exact"}, default="ais"
            ``"exact"`` enumerates the smaller layer (the hidden one for Gaussian units)
            and refuses more than 25 units there. ``"ais"`` is annealed importance sampling
            (Salakhutdinov & Murray 2008) from a base-rate RBM fitted to the training
            data's mean.
        n_chains : int, default=100
            AIS runs.
        betas : int or array of float, default=14500
            Number of inverse temperatures (Salakhutdinov & Murray's schedule, rescaled)
            or the schedule itself, increasing from 0 to 1.
        random_state : int, RandomState or None, default=None
            Seeds the AIS chains (default: derived from the estimator's ``random_state``).

        Returns
        -------
        log_z : float
        (low, high) : tuple of float
            The AIS estimate's ``log(mean(w) -/+ 3 std(w)/sqrt(n_chains))`` interval
            (``(log_z, log_z)`` for ``"exact"``).
        """
        self._check_fitted()
        if method not in ("ais", "exact"):
            raise ValueError(f"method must be 'ais' or 'exact'; got {method!r}.")
        m = self.module_
        if method == "exact":
            log_z = F_rbm.log_partition_exact(m.W, m.b_vis, m.b_hid, self.visible_units)
            return log_z, (log_z, log_z)
        if int(n_chains) < 2:
            raise ValueError(f"n_chains must be >= 2; got {n_chains}.")
        gen = self._generator(self._seed(random_state), self._device)
        base = F_ais.base_rate_bias(
            torch.as_tensor(self._visible_mean, device=self._device, dtype=torch.float64),
            self.visible_units)
        return F_ais.ais_log_partition(m.W, m.b_vis, m.b_hid, visible=self.visible_units,
                                       base_vis=base, n_chains=int(n_chains), betas=betas,
                                       generator=gen)

    def log_likelihood(self, X, method="ais", **kwargs):
        """Mean log-likelihood ``mean(-F(x)) - log Z`` of the samples of ``X`` (nats).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        method : {"ais", "exact"}, default="ais"
        **kwargs
            Passed to :meth:`log_partition` (``n_chains``, ``betas``, ``random_state``).

        Returns
        -------
        float
        """
        log_z, _ = self.log_partition(method=method, **kwargs)
        X = self._check_X(X, reset=False)
        fe = self._predict_batched(X, lambda m, xb: m.free_energy(xb), self.module_,
                                   dtype=np.float64)
        return float(-fe.mean() - log_z)
