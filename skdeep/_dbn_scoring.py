"""The likelihood methods of :class:`~skdeep.DBNTransformer`: ``log Z`` and the bound.

``log Z`` of the top RBM by exact enumeration or annealed importance sampling (cached
per fitted model and setting), and the recursive variational lower bound on
``log p(x)`` of :meth:`score_samples` (exact sums or Monte-Carlo draws seeded by each
row's content) with its mean, :meth:`score`. They live in a mixin of methods only (no
``__init__``, no parameters) that ``DBNTransformer`` inherits, so that
``skdeep/dbn.py`` keeps the parameters, the fitting and the generative passes.
"""
from __future__ import annotations

import hashlib
import numbers

import numpy as np
import torch

from ._validation import check_count
from .base import as_tensor
from .nn import ais as F_ais
from .nn import dbn_bound as F_dbn_bound
from .nn import rbm as F_rbm


class _DBNScoringMixin:
    """``log Z`` and the variational bound of a fitted :class:`~skdeep.DBNTransformer`
    (``module_``, the generative layers of :class:`~skdeep._dbn_stack.GenerativeStackMixin`,
    ``_top_visible_mean``, ``_log_z_cache``)."""

    # ------------------------------------------------------------------ likelihood
    def log_partition(self, method="ais", *, n_chains=100, betas=14500, random_state=None):
        """``log Z`` of the top RBM, the normaliser of the DBN's top-level prior.

        Parameters
        ----------
        method : {"ais", "exact"}, default="ais"
            ``"exact"`` enumerates the top RBM's smaller layer (at most 25 units).
            ``"ais"`` is annealed importance sampling (Salakhutdinov & Murray 2008) from
            a base-rate RBM fitted to the mean of the top RBM's input on the training data.
        n_chains : int, default=100
            AIS runs.
        betas : int or array of float, default=14500
            Number of inverse temperatures, or the schedule itself (from 0 to 1).
        random_state : int, RandomState or None, default=None
            Seeds the AIS chains (default: from the estimator's ``random_state``).

        Returns
        -------
        log_z : float
        (low, high) : tuple of float
            ``log(mean(w) -/+ 3 std(w)/sqrt(n_chains))`` (``(log_z, log_z)`` when exact).

        Examples
        --------
        >>> import numpy as np
        >>> from skdeep import DBNTransformer
        >>> X = np.random.RandomState(0).rand(50, 6) > 0.5
        >>> dbn = DBNTransformer((4, 3), pretrain_n_iter=2, random_state=0).fit(X)
        >>> log_z, _ = dbn.log_partition(method="exact")
        >>> bool(np.isfinite(log_z))
        True
        """
        self._check_fitted()
        if method not in ("ais", "exact"):
            raise ValueError(f"method must be 'ais' or 'exact'; got {method!r}.")
        top = self.module_.rbms[-1]
        if method == "exact":
            log_z = F_rbm.log_partition_exact(top.W, top.b_vis, top.b_hid, top.visible)
            return log_z, (log_z, log_z)
        n_chains = check_count(n_chains, "n_chains", minimum=2)
        gen = self._generator(self._seed(random_state), self._device)
        mean = getattr(self, "_top_visible_mean", None)
        if mean is None:
            mean = np.full(top.W.shape[1], 0.5)
        base = F_ais.base_rate_bias(torch.as_tensor(mean, device=self._device,
                                                    dtype=torch.float64), top.visible)
        return F_ais.ais_log_partition(top.W, top.b_vis, top.b_hid, visible=top.visible,
                                       base_vis=base, n_chains=n_chains, betas=betas,
                                       generator=gen)

    def _resolve_log_z(self, method, n_chains, betas, random_state):
        # AIS is the costly part; a fitted model's estimate is reused by later calls
        rs = self.random_state if random_state is None else random_state
        if rs is not None and not isinstance(rs, numbers.Integral):
            return self.log_partition(method, n_chains=n_chains, betas=betas,
                                      random_state=rs)[0]
        key = (method, n_chains, betas if isinstance(betas, numbers.Integral)
               else tuple(np.asarray(betas, dtype=float).tolist()), rs)
        cache = getattr(self, "_log_z_cache", None)
        if cache is None:
            cache = self._log_z_cache = {}
        if key not in cache:
            cache[key] = self.log_partition(method, n_chains=n_chains, betas=betas,
                                            random_state=rs)[0]
        return cache[key]

    def _row_uniforms(self, X, n_samples, seed):
        """The Monte-Carlo draws of each row, seeded by the row's content and ``seed``,
        so that a sample's estimate is the same wherever it appears in ``X``."""
        sizes = [int(r.W.shape[0]) for r in self.module_.rbms[:-1]]
        rows = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
        rows = np.ascontiguousarray(rows, dtype=np.float64)
        salt = seed.to_bytes(8, "little")
        out = np.empty((rows.shape[0], n_samples, sum(sizes)))
        for i, row in enumerate(rows):
            digest = hashlib.blake2b(row.tobytes(), digest_size=16, key=salt).digest()
            out[i] = np.random.default_rng(int.from_bytes(digest, "little")).random(
                (n_samples, sum(sizes)))
        return np.split(out, np.cumsum(sizes)[:-1], axis=2)

    def score_samples(self, X, *, method="auto", n_samples=10, log_z=None, n_chains=100,
                      betas=14500, random_state=None):
        """A variational lower bound on ``log p(x)`` under the DBN, per sample (nats).

        The DBN's generative model is the top RBM's marginal over its visible layer and
        the directed conditionals ``p(h^{l-1} | h^l)`` of the RBMs below it. With the
        factorial posteriors ``q(h^l | h^{l-1})`` of the RBMs as recognition model, the
        bound of Hinton et al. (2006) is applied recursively::

            B_l(h^{l-1}) = E_q(h^l|h^{l-1})[log p(h^{l-1}|h^l) + B_{l+1}(h^l)] + H(q)
            B_L(h^{L-1}) = -F_top(h^{L-1}) - log Z_top

        and ``log p(x) >= B_1(x)``. For two layers, ``B_1`` is the usual bound
        ``E_q[log p(x|h^1) + log p(h^1)] + H(q) = log p(x) - KL(q || p(h^1|x))``; for one
        layer, the RBM's log-likelihood itself. For three or more layers each level adds
        its own gap (the bound of a bound). ``log Z_top`` is estimated by AIS when not
        exact, so the reported value is then a stochastic estimate of the bound.

        After up-down fine-tuning (``fine_tune="up-down"``) ``q`` uses the recognition
        weights (``coefs_``, ``intercepts_hidden_``) and ``p(h^{l-1} | h^l)`` the
        generative ones (``generative_coefs_``, ``generative_intercepts_``): the bound
        then holds for the fine-tuned generative model, whatever the recognition model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        method : {"auto", "ais", "exact"}, default="auto"
            ``"exact"``: exact ``log Z_top`` and the expectations summed over every state
            of each hidden layer below the top RBM (at most 16 units each). ``"ais"``:
            ``log Z_top`` by AIS and the expectations by Monte-Carlo. ``"auto"``: each
            part exact where it is cheap (hidden layers below the top of at most 12 units,
            a top RBM whose smaller layer has at most 20 units), the estimate elsewhere.
        n_samples : int, default=10
            Monte-Carlo draws per sample (the draws depend on ``random_state`` and the
            row's content, so a sample's score does not depend on the other rows).
        log_z : float or None, default=None
            ``log Z`` of the top RBM (from :meth:`log_partition`); skips computing it.
        n_chains, betas
            AIS settings, as in :meth:`log_partition`; the estimate is cached per fitted
            model and setting.
        random_state : int, RandomState or None, default=None
            Seeds the draws and AIS (default: the estimator's ``random_state``).

        Returns
        -------
        ndarray of shape (n_samples,), float64

        Examples
        --------
        >>> import numpy as np
        >>> from skdeep import DBNTransformer
        >>> X = (np.random.RandomState(0).rand(50, 6) > 0.5).astype(float)
        >>> dbn = DBNTransformer((4, 3), pretrain_n_iter=2, random_state=0).fit(X)
        >>> bound = dbn.score_samples(X, method="exact")
        >>> bool((bound < 0).all())
        True
        """
        self._check_fitted()
        if method not in ("auto", "ais", "exact"):
            raise ValueError(f"method must be 'auto', 'ais' or 'exact'; got {method!r}.")
        n_samples = check_count(n_samples, "n_samples")
        X = self._check_X(X, reset=False)
        rbms = list(self.module_.rbms)
        top = rbms[-1]
        sum_exact = method == "exact" or (
            method == "auto" and all(r.W.shape[0] <= 12 for r in rbms[:-1]))
        if log_z is None:
            z_exact = method == "exact" or (method == "auto" and min(top.W.shape) <= 20)
            log_z = self._resolve_log_z("exact" if z_exact else "ais", n_chains, betas,
                                        random_state)
        log_z = float(log_z)
        device = self._device
        generative = self._generative_rbms()
        if sum_exact or len(rbms) == 1:
            table = (None if len(rbms) == 1
                     else F_dbn_bound.bound_upper_table(rbms, log_z, torch.float64,
                                                        generative=generative))
            return self._predict_batched(
                X, lambda m, xb: F_dbn_bound.dbn_bound_exact(xb, list(m.rbms), log_z,
                                                             table=table,
                                                             generative=generative),
                self.module_, dtype=np.float64,
                chunk_size=None if table is None else max(1, 2 ** 22 // len(table[0])))
        seed = self._seed(random_state)
        out = []
        chunk = max(1, 2 ** 20 // (n_samples * sum(r.W.shape[0] for r in rbms)))
        with torch.no_grad():
            for start in range(0, X.shape[0], chunk):
                xb = X[start:start + chunk]
                uniforms = [torch.as_tensor(u, device=device)
                            for u in self._row_uniforms(xb, n_samples, seed)]
                out.append(F_dbn_bound.dbn_bound_mc(as_tensor(xb, device, torch.float64),
                                                    rbms, log_z, uniforms,
                                                    generative=generative).cpu().numpy())
        return np.concatenate(out) if out else np.empty((0,), dtype=np.float64)

    def score(self, X, y=None, **kwargs):
        """Mean of :meth:`score_samples` (a lower bound on the mean log-likelihood).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : ignored
        **kwargs
            Passed to :meth:`score_samples`.

        Returns
        -------
        float
        """
        return float(np.mean(self.score_samples(X, **kwargs)))
