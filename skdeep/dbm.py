"""Deep Boltzmann machine (Salakhutdinov & Hinton 2009) as a scikit-learn transformer.

Sampling, ``log Z`` (with its AIS cache) and the likelihood are in
:mod:`skdeep._dbm_scoring`."""
from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions

from ._dbm_scoring import _DBMScoringMixin
from ._engine.loop import History, train
from ._validation import warn_if_outside_unit_interval
from .base import DeepEstimator, as_tensor
from .nn import dbm as F_dbm
from .nn import rbm as F_rbm
from .nn.rbm import RBMModule

__all__ = ["DBMTransformer", "DBMModule"]


class DBMModule(torch.nn.Module):
    """The parameters of a DBM: ``Ws[i]`` of shape (n_i, n_{i+1}) and ``bs[i]``.

    Trained by hand-derived updates (:mod:`skdeep.nn.dbm`), so they do not require
    gradients.
    """

    def __init__(self, sizes):
        super().__init__()
        self.Ws = torch.nn.ParameterList([
            torch.nn.Parameter(torch.zeros(a, b), requires_grad=False)
            for a, b in zip(sizes[:-1], sizes[1:])])
        self.bs = torch.nn.ParameterList([
            torch.nn.Parameter(torch.zeros(s), requires_grad=False) for s in sizes])


def _sizes(hidden_layer_sizes):
    sizes = hidden_layer_sizes
    sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
    if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, numbers.Integral)
                             or s < 1 for s in sizes):
        raise ValueError("hidden_layer_sizes must be a sequence of at least two positive "
                         f"integers (a DBM has two or more hidden layers); got "
                         f"{hidden_layer_sizes!r}.")
    return [int(s) for s in sizes]


class DBMTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, _DBMScoringMixin,
                     DeepEstimator):
    """Binary deep Boltzmann machine: greedy pretraining, then joint PCD training.

    The layers are first pretrained greedily as RBMs with Salakhutdinov & Hinton's
    corrections for double counting -- doubled bottom-up input to the first hidden layer,
    doubled top-down input to the last, and halved weights in between -- then trained
    jointly by persistent contrastive divergence: a mean-field positive phase and
    ``n_particles`` persistent fantasy chains updated by block Gibbs sampling over the
    odd and even layers. ``transform`` gives the mean-field posteriors;
    :meth:`score_samples` the mean-field lower bound on ``log p(x)``.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(500, 1000)
        Units per hidden layer, at least two (Salakhutdinov & Hinton's MNIST DBM:
        (500, 1000)).
    learning_rate : float, default=0.01
        Step size of the joint PCD updates.
    n_iter : int, default=10
        Epochs of joint training (0 keeps the pretrained model).
    batch_size : int, default=100
        Examples per minibatch of joint training.
    n_particles : int, default=100
        Persistent fantasy chains of the negative phase.
    k : int, default=1
        Block Gibbs sweeps of the fantasy chains per update.
    n_mean_field : int, default=10
        Mean-field sweeps of the positive phase, of ``transform`` and of
        ``score_samples``.
    mean_field_damping : float in [0, 1), default=0.0
        Each mean-field sweep keeps this fraction of the previous posteriors.
    weight_decay : float, default=0.0
        L2 penalty on the weights of joint training.
    pretrain_n_iter : int, default=10
        Epochs per layer of greedy pretraining (CD-1).
    pretrain_learning_rate : float, default=0.05
    pretrain_batch_size : int, default=20
    transform_layers : {"top", "all"}, default="top"
        ``transform`` returns the top layer's posteriors, or every hidden layer's,
        concatenated bottom first.
    ais_n_chains : int, default=100
        AIS runs of the ``log Z`` estimate that :meth:`score_samples` uses.
    ais_n_betas : int, default=14500
        Inverse temperatures of that AIS run (Salakhutdinov & Murray's schedule).
    device : str, default="auto"
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the minibatch order, the chains and the AIS estimate.
    verbose : int, default=0
        1 shows a progress bar per phase.

    Attributes
    ----------
    coefs_ : list of ndarray
        ``coefs_[i]`` of shape (n_units of layer i, n_units of layer i + 1), visible
        layer first; the energy is
        ``E(v, h^1, ...) = -sum_i h^i coefs_[i] h^{i+1} - sum_i intercepts_[i].h^i``.
    intercepts_ : list of ndarray
        The biases of each layer, visible first (one more entry than ``coefs_``).
    pretrain_loss_curves_ : list of list of float
        Per layer, per epoch, the reconstruction error of pretraining.
    loss_curve_ : list of float
        Per epoch of joint training, the data's mean-field free energy (``-bound``,
        up to ``log Z``, which changes as the model learns).
    n_features_in_ : int
    device_ : str
    module_ : DBMModule

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import DBMTransformer
    >>> X = np.random.RandomState(0).binomial(1, 0.3, size=(50, 6)).astype(float)
    >>> dbm = DBMTransformer((4, 3), n_iter=2, pretrain_n_iter=2, ais_n_betas=1000,
    ...                      random_state=0).fit(X)
    >>> dbm.transform(X).shape
    (50, 3)
    >>> [w.shape for w in dbm.coefs_]
    [(6, 4), (4, 3)]
    >>> exact, _ = dbm.log_partition(method="exact")
    >>> estimate, (low, high) = dbm.log_partition(method="ais")
    >>> bool(abs(estimate - exact) < 0.1)
    True
    >>> dbm.score_samples(X[:5]).shape
    (5,)
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like"],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_particles": [Interval(numbers.Integral, 1, None, closed="left")],
        "k": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_mean_field": [Interval(numbers.Integral, 0, None, closed="left")],
        "mean_field_damping": [Interval(numbers.Real, 0, 1, closed="left")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "pretrain_n_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "pretrain_learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "pretrain_batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "transform_layers": [StrOptions({"top", "all"})],
        "ais_n_chains": [Interval(numbers.Integral, 2, None, closed="left")],
        "ais_n_betas": [Interval(numbers.Integral, 3, None, closed="left")],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, hidden_layer_sizes=(500, 1000), *, learning_rate=0.01, n_iter=10,
                 batch_size=100, n_particles=100, k=1, n_mean_field=10,
                 mean_field_damping=0.0, weight_decay=0.0, pretrain_n_iter=10,
                 pretrain_learning_rate=0.05, pretrain_batch_size=20, transform_layers="top",
                 ais_n_chains=100, ais_n_betas=14500, device="auto", random_state=None,
                 verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.n_iter = n_iter
        self.batch_size = batch_size
        self.n_particles = n_particles
        self.k = k
        self.n_mean_field = n_mean_field
        self.mean_field_damping = mean_field_damping
        self.weight_decay = weight_decay
        self.pretrain_n_iter = pretrain_n_iter
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_batch_size = pretrain_batch_size
        self.transform_layers = transform_layers
        self.ais_n_chains = ais_n_chains
        self.ais_n_betas = ais_n_betas
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _check_X(self, X, reset):
        return self._validate_X(X, reset=reset, accept_sparse=["csr", "csc", "lil"])

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y=None):
        """Pretrain the layers greedily, then train the DBM jointly.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Binary or [0, 1] data.
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        hidden = _sizes(self.hidden_layer_sizes)
        X = self._check_X(X, reset=True)
        warn_if_outside_unit_interval(X, self)
        sizes = [X.shape[1]] + hidden
        # one Ctrl-C stops pretraining and joint training alike
        with self._fit_run() as run:
            data = as_tensor(X, run.device)
            module = DBMModule(sizes).to(run.device)
            self.pretrain_loss_curves_ = self._pretrain(
                data, module, run.generator, run.init_generator, run.stages)
            history = self._joint_train(data, module, run.generator, run.stages)
        self.module_ = module.eval()
        self._visible_mean = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
        self._dtype = np.dtype(X.dtype)
        self._ais_cache = None
        self._set_history(history, stop_reason=run.stages.stop_reason)
        self.device_ = str(run.device)
        return self

    def _pretrain(self, data, module, gen, init_gen, stages):
        """Greedy RBMs with the double-counting corrections, composed into ``module``."""
        n_rbms = len(module.Ws)
        curves, rbms = [], []
        x = data
        for i in range(n_rbms):
            n_vis, n_hid = module.Ws[i].shape
            rbm = RBMModule(n_vis, n_hid, "bernoulli", init_gen).to(data.device)
            up = 2.0 if i == 0 else 1.0
            down = 2.0 if i == n_rbms - 1 else 1.0
            batch = min(self.pretrain_batch_size, x.shape[0])

            def step(xb, rbm=rbm, up=up, down=down):
                return F_dbm.pretrain_cd_update_(
                    rbm.W, rbm.b_vis, rbm.b_hid, xb, learning_rate=self.pretrain_learning_rate,
                    up=up, down=down, generator=gen)

            with torch.no_grad():
                history = stages.record(train(
                    rbm, step, (x,), batch_size=batch,
                    max_iter=stages.epochs(self.pretrain_n_iter), generator=gen,
                    shuffle=True, stop_on_loss=False, verbose=self.verbose,
                    desc=f"pretrain layer {i + 1}"))
                if i < n_rbms - 1:
                    x = torch.cat([torch.sigmoid(F_rbm.hidden_preactivation(
                        x[s:s + 8192], up * rbm.W, rbm.b_hid))
                        for s in range(0, x.shape[0], 8192)])
            curves.append(history.loss_curve)
            rbms.append(rbm)
        with torch.no_grad():
            for i, rbm in enumerate(rbms):
                # a middle layer gets input from both neighbours in the DBM: halve it
                scale = 1.0 if i in (0, n_rbms - 1) else 0.5
                module.Ws[i].copy_(scale * rbm.W.t())
            module.bs[0].copy_(rbms[0].b_vis)
            module.bs[-1].copy_(rbms[-1].b_hid)
            for i in range(1, n_rbms):
                module.bs[i].copy_(0.5 * (rbms[i - 1].b_hid + rbms[i].b_vis))
        return curves

    def _joint_train(self, data, module, gen, stages):
        self._particles = None
        if stages.epochs(self.n_iter) == 0:
            return stages.record(History())
        Ws, bs = list(module.Ws), list(module.bs)
        with torch.no_grad():
            rows = torch.randint(data.shape[0], (self.n_particles,), generator=gen,
                                 device=data.device)
            v0 = F_rbm.bernoulli(data[rows].clamp(0, 1), gen)
            mus = F_dbm.mean_field(v0, Ws, bs, n_iter=0)
            self._particles = [v0] + [F_rbm.bernoulli(m, gen) for m in mus[1:]]
        batch = min(self.batch_size, data.shape[0])
        particles = self._particles

        def step(xb):
            return F_dbm.pcd_update_(
                Ws, bs, xb, particles, learning_rate=self.learning_rate,
                n_mean_field=self.n_mean_field, damping=self.mean_field_damping, k=self.k,
                weight_decay=self.weight_decay, generator=gen)

        with torch.no_grad():
            history = train(module, step, (data,), batch_size=batch, max_iter=self.n_iter,
                            generator=gen, shuffle=True, stop_on_loss=False,
                            verbose=self.verbose, desc="DBM joint training")
        return stages.record(history)

    def _rebuild_module(self, name):
        if name != "module_":
            return None
        return DBMModule([self.n_features_in_] + _sizes(self.hidden_layer_sizes))

    # ------------------------------------------------------------------ attributes
    @property
    def coefs_(self):
        self._check_fitted()
        return [self._np(W) for W in self.module_.Ws]

    @property
    def intercepts_(self):
        self._check_fitted()
        return [self._np(b) for b in self.module_.bs]

    @property
    def _n_features_out(self):
        hidden = _sizes(self.hidden_layer_sizes)
        return sum(hidden) if self.transform_layers == "all" else hidden[-1]

    # ------------------------------------------------------------------ inference
    def _mean_field_fn(self, m, xb):
        return F_dbm.mean_field(xb, list(m.Ws), list(m.bs), n_iter=self.n_mean_field,
                                damping=self.mean_field_damping)

    def transform(self, X):
        """Mean-field posteriors of the top hidden layer (or of all, concatenated).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features_out), in X's float dtype
        """
        self._check_fitted()
        X = self._check_X(X, reset=False)
        top = self.transform_layers == "top"

        def fn(m, xb):
            mus = self._mean_field_fn(m, xb)
            return mus[-1] if top else torch.cat(mus[1:], 1)

        return self._predict_batched(X, fn, self.module_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
