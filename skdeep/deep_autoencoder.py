"""The deep autoencoder of Hinton & Salakhutdinov (2006): an RBM stack unrolled and
finetuned by backpropagation."""
from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions

from ._dbn_stack import as_sizes, resolve_epochs
from ._engine.greedy import pretrain_rbm_stack
from ._engine.loop import train
from ._engine.optim import AutogradStep, make_optimizer
from .base import DeepEstimator, as_tensor
from .nn.dbn import UnrolledAutoencoder
from .nn.rbm import RBMModule

__all__ = ["DeepAutoencoder"]

# Hinton & Salakhutdinov's pretraining constants (rbm.m, rbmhidlinear.m): weights drawn
# N(0, 0.1^2), momentum 0.5 for the first 5 epochs then 0.9, weight cost 0.0002.
_INIT_STD = 0.1
_MOMENTUM = (0.5, 0.9, 5)
_WEIGHT_COST = 2e-4
#: minibatch updates that ``"auto"`` epochs aim for, per RBM and for the finetuning
_AUTO_PRETRAIN_UPDATES, _AUTO_FINETUNE_UPDATES = 1000, 1400


class DeepAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, DeepEstimator):
    """Deep autoencoder pretrained as a stack of RBMs (Hinton & Salakhutdinov 2006).

    Binary RBMs are trained greedily for every layer but the last, whose RBM has linear
    (Gaussian) hidden units: the code. Every RBM is trained as in the paper's code
    (``rbm.m``, ``rbmhidlinear.m``): weights initialised ``N(0, 0.1^2)``, CD-1 with
    visible probabilities as reconstructions, momentum 0.5 for the first 5 epochs then
    0.9, weight cost 0.0002. The stack is then unrolled into an encoder and a decoder
    (the transposed weights, untied) and the whole network is finetuned with Adam to
    reconstruct its input.

    The defaults were chosen by measurement. On scikit-learn's digits (``X / 16``, 1,347
    training rows, ``train_test_split(random_state=0)``), one CPU thread, they run 50
    pretraining and 100 finetuning epochs: test squared reconstruction error 0.43-0.44
    per image in 27-32 s, against 4.70 for predicting the training mean, 1.59 for PCA
    with 8 components and 0.21 with 30; the unrolled network before finetuning
    (``max_iter=0``) reconstructs at 2.3-2.4 (before the pretraining followed the
    paper's recipe above: 10.8, worse than the mean, and finetuning stayed at the
    mean). On Fashion-MNIST (pixels in [0, 1], 2,000 test images; PCA-30: 12.05, mean:
    67.4), two CPU threads: 10,000 training rows give 8.03 in 32 s with the defaults (10
    pretraining, 14 finetuning epochs) against 8.71 in 338 s with 50 and 100; 20,000
    rows give 7.23 in 52 s (10 and 10). Larger data sets need fewer epochs, so the
    defaults count updates (see ``pretrain_n_iter`` and ``max_iter``).

    Hinton & Salakhutdinov's MNIST settings are ``hidden_layer_sizes=(1000, 500, 250,
    30), pretrain_n_iter=50, pretrain_learning_rate=0.1,
    pretrain_code_learning_rate=0.001, batch_size=100`` with 200 epochs of conjugate
    gradients for the finetuning (here Adam: ``max_iter=200``). With 60,000 rows that is
    600 updates an epoch; the defaults differ only where a small data set gives too few
    updates (the code layer's step size).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(1000, 500, 250, 30)
        Encoder layer sizes; the last is the linear code (Hinton & Salakhutdinov's MNIST
        autoencoder 784-1000-500-250-30).
    k : int, default=1
        CD-k steps of the binary RBMs.
    pretrain_n_iter : int or "auto", default="auto"
        Epochs per RBM. ``"auto"`` runs enough epochs for 1,000 minibatch updates, at
        least 10 and at most the paper's 50: 50 on digits, 10 on 10,000 rows. On digits
        with the other defaults: test error 0.55 at 20 (24 s in all), 0.49 at 30, 0.44 at
        50 (27 s).
    pretrain_learning_rate : float, default=0.1
        Step size of the binary RBMs (the paper: 0.1), with the momentum above.
    pretrain_code_learning_rate : float, default=0.01
        Step size of the linear-code RBM (the paper: 0.001, for 600 updates an epoch).
        On digits, 10 pretraining epochs: the unrolled network reconstructs at 3.5 with
        0.01 against 5.1 with 0.001; after finetuning (20 pretraining, 100 finetuning
        epochs) 0.55 with 0.01 or 0.003.
    batch_size : int, default=100
        Minibatch size of pretraining and finetuning (the paper: 100).
    learning_rate_init : float, default=0.003
        Adam step size of finetuning (the paper used conjugate gradients). On digits
        (20 pretraining, 100 finetuning epochs): test error 0.55 at 0.003, 0.65 at 0.001.
    max_iter : int or "auto", default="auto"
        Finetuning epochs at most. ``"auto"``: enough epochs for 1,400 minibatch updates,
        at least 10 and at most 100 (100 on digits, 14 on 10,000 rows, 10 on 20,000
        rows). On digits the test error keeps falling through 100
        epochs (measured with a replica of this fit after 20 pretraining epochs: 0.98,
        0.76, 0.65, 0.60, 0.55 every 20 epochs).
    loss : {"cross_entropy", "squared_error"}, default="cross_entropy"
        Finetuning loss. ``"cross_entropy"`` (the paper's, for data in [0, 1]) has a
        sigmoid output layer; ``"squared_error"`` a linear one, for real-valued data.
    tol, n_iter_no_change : float, int
        Finetuning stops when the loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs.
    device : str, default="auto"
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0

    Attributes
    ----------
    module_ : torch.nn.Module
        The unrolled network (``encode``, ``decode``).
    pretrain_loss_curves_ : list of list of float
        Each RBM's loss per epoch: the free-energy gap of the binary layers (as in
        :class:`DBNTransformer`), the squared reconstruction error per row of the code
        layer.
    loss_curve_ : list of float
        Finetuning loss per epoch.
    n_iter_ : int
    n_features_in_ : int
    device_ : str

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import DeepAutoencoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = DeepAutoencoder((64, 32, 8), pretrain_n_iter=2, max_iter=5, random_state=0)
    >>> ae.fit(X / 16).transform(X[:3] / 16).shape
    (3, 8)
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None,
                                                      closed="left")],
        "k": [Interval(numbers.Integral, 1, None, closed="left")],
        "pretrain_n_iter": [Interval(numbers.Integral, 0, None, closed="left"),
                            StrOptions({"auto"})],
        "pretrain_learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "pretrain_code_learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left"),
                     StrOptions({"auto"})],
        "loss": [StrOptions({"cross_entropy", "squared_error"})],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, hidden_layer_sizes=(1000, 500, 250, 30), *, k=1, pretrain_n_iter="auto",
                 pretrain_learning_rate=0.1, pretrain_code_learning_rate=0.01, batch_size=100,
                 learning_rate_init=0.003, max_iter="auto", loss="cross_entropy", tol=1e-4,
                 n_iter_no_change=10, device="auto", random_state=None, verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.k = k
        self.pretrain_n_iter = pretrain_n_iter
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_code_learning_rate = pretrain_code_learning_rate
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.loss = loss
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y=None):
        """Pretrain the RBM stack, unroll it, and finetune the reconstruction.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        sizes = as_sizes(self.hidden_layer_sizes)
        X = self._validate_X(X, reset=True, accept_sparse=["csr", "csc", "lil"])
        if self.loss == "cross_entropy":
            lo, hi = X.min(), X.max()
            if lo < 0 or hi > 1:
                raise ValueError(
                    "loss='cross_entropy' needs X in [0, 1] (got values in "
                    f"[{lo:.3g}, {hi:.3g}]); scale X or use loss='squared_error'.")
        with self._fit_run() as run, torch.random.fork_rng(devices=[]):
            # fork: torch.nn.Linear's own init (in UnrolledAutoencoder) draws from the global RNG
            torch.manual_seed(run.seed)
            Xt = as_tensor(X, run.device)
            batch = min(self.batch_size, Xt.shape[0])
            rbms, curves = self._pretrain_layers(Xt, sizes, batch, run)
            module, history = self._finetune(rbms, Xt, batch, run)
        self.module_ = module
        self.pretrain_loss_curves_ = curves
        self._set_history(history, stop_reason=run.stages.stop_reason)
        self.device_ = str(run.device)
        return self

    def _pretrain_layers(self, Xt, sizes, batch, run):
        """Train the RBM stack greedily: binary RBMs, then the linear-code RBM on top.

        Every layer follows Hinton & Salakhutdinov's ``rbm.m``/``rbmhidlinear.m``:
        weights initialised ``N(0, 0.1^2)``, biases at zero, CD with momentum 0.5 for
        the first 5 epochs and 0.9 after, weight cost 0.0002; each layer trains on the
        hidden probabilities of the one below.

        Parameters
        ----------
        Xt : torch.Tensor of shape (n_samples, n_features)
            The training data, on ``run.device``.
        sizes : list of int
            The encoder's layer sizes; the last is the code.
        batch : int
            Minibatch size.
        run : skdeep.base.FitRun
            The fit's shared state; every layer initialises from its one
            ``init_generator`` and trains on its one ``generator``, in turn.

        Returns
        -------
        rbms : list of RBMModule
            The layers bottom up, the code layer last.
        curves : list of list of float
            Each layer's pretraining loss per epoch.
        """
        # rbm.m's reconstructions are visible probabilities: with sampled ones the
        # 64-1000-500 stack on digits reconstructed at 5.9 per image against 3.3, and
        # the unrolled network's output stopped depending on its input
        return pretrain_rbm_stack(
            Xt, sizes, ks=[self.k] * len(sizes),
            epochs=resolve_epochs(self.pretrain_n_iter, Xt.shape[0], batch,
                                  updates=_AUTO_PRETRAIN_UPDATES, max_epochs=50),
            learning_rate=self.pretrain_learning_rate, batch_size=batch, persistent=False,
            generator=run.generator, init_generator=run.init_generator,
            verbose=self.verbose, stages=run.stages, momentum=_MOMENTUM,
            weight_decay=_WEIGHT_COST, init_std=_INIT_STD, sample_reconstruction=False,
            code_learning_rate=self.pretrain_code_learning_rate)

    def _finetune(self, rbms, Xt, batch, run):
        """Unroll the pretrained stack and finetune its reconstruction of ``Xt`` with Adam.

        Parameters
        ----------
        rbms : list of RBMModule
            The pretrained layers bottom up, the code layer last.
        Xt : torch.Tensor of shape (n_samples, n_features)
            The training data, on ``run.device``.
        batch : int
            Minibatch size.
        run : skdeep.base.FitRun
            The fit's shared state (device, training generator, stages).

        Returns
        -------
        module : UnrolledAutoencoder
            The finetuned network, in eval mode.
        history : skdeep._engine.loop.History
        """
        output = "sigmoid" if self.loss == "cross_entropy" else "linear"
        module = UnrolledAutoencoder(rbms, output).to(run.device)
        autograd_step = AutogradStep(
            make_optimizer("adam", module.parameters(), self.learning_rate_init))

        def step(xb):
            logits = module.decode_logits(module.encode(xb))
            if self.loss == "cross_entropy":
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    logits, xb, reduction="sum") / xb.shape[0]
            else:
                loss = (logits - xb).pow(2).sum() / xb.shape[0]
            return autograd_step(loss)

        module.train()
        history = run.stages.record(train(
            module, step, (Xt,), batch_size=batch, max_iter=run.stages.epochs(resolve_epochs(
                self.max_iter, Xt.shape[0], batch, updates=_AUTO_FINETUNE_UPDATES,
                max_epochs=100)),
            generator=run.generator, tol=self.tol, n_iter_no_change=self.n_iter_no_change,
            verbose=self.verbose, desc="finetune"))
        module.eval()
        return module, history

    def _rebuild_module(self, name):
        if name != "module_":
            return None
        sizes = [self.n_features_in_] + as_sizes(self.hidden_layer_sizes)
        rbms = [RBMModule(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        output = "sigmoid" if self.loss == "cross_entropy" else "linear"
        return UnrolledAutoencoder(rbms, output)

    @property
    def _n_features_out(self):
        return as_sizes(self.hidden_layer_sizes)[-1]

    def transform(self, X):
        """The codes (linear top layer).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, hidden_layer_sizes[-1])
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse=["csr", "csc", "lil"])
        return self._predict_batched(X, lambda m, xb: m.encode(xb), self.module_)

    def inverse_transform(self, X):
        """Reconstructions decoded from codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, hidden_layer_sizes[-1])

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        self._check_fitted()
        from sklearn.utils import check_array

        X = check_array(X, dtype=[np.float64, np.float32])
        if X.shape[1] != self._n_features_out:
            raise ValueError(f"X has {X.shape[1]} features, but the code has "
                             f"{self._n_features_out}.")
        return self._predict_batched(X, lambda m, cb: m.decode(cb), self.module_)

    def score(self, X, y=None):
        """Negative mean squared reconstruction error per sample (summed over features).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        float
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse=["csr", "csc", "lil"])
        err = self._predict_batched(
            X, lambda m, xb: (m(xb) - xb).pow(2).sum(1), self.module_)
        return float(-err.mean())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
