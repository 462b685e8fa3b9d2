"""The DBM's fine-tuned discriminative network (Salakhutdinov & Hinton 2009)."""
from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval

from ._classifier import NeuralNetClassifier
from ._validation import warn_if_outside_unit_interval
from .base import as_tensor
from .dbm import DBMModule, DBMTransformer, _sizes
from .nn.dbm import DBMDiscriminativeNet

__all__ = ["DBMClassifier"]

# the DBM's own settings, passed through to DBMTransformer under these names
_DBM_PARAMS = {"dbm_learning_rate": "learning_rate", "dbm_n_iter": "n_iter",
               "dbm_batch_size": "batch_size", "n_particles": "n_particles", "k": "k",
               "n_mean_field": "n_mean_field", "mean_field_damping": "mean_field_damping",
               "weight_decay": "weight_decay", "pretrain_n_iter": "pretrain_n_iter",
               "pretrain_learning_rate": "pretrain_learning_rate",
               "pretrain_batch_size": "pretrain_batch_size"}


class DBMClassifier(NeuralNetClassifier):
    """A deep Boltzmann machine fine-tuned as a classifier (Salakhutdinov & Hinton 2009).

    A :class:`~skdeep.DBMTransformer` is trained on ``X`` (greedy pretraining, then joint
    PCD); then a sigmoid network is initialised from it and fine-tuned by
    backpropagation with the shared engine. As in the paper, the network's input is the
    data concatenated with the DBM's mean-field posteriors ``q(h^2 | x)`` (computed by
    the frozen DBM, ``n_mean_field`` sweeps): the first hidden layer gets ``W_0`` for
    ``x`` and ``W_1`` for ``q(h^2)`` -- the DBM's own input to ``h^1`` -- and the
    biases of ``h^1``; the layers above are initialised from ``W_1^T``, ``W_2^T``, ...
    and their biases; a zero-initialised softmax layer is on top. For DBMs of more than
    two hidden layers, only ``q(h^2)`` is added to the input (the paper's two-layer
    construction, with the upper layers a feed-forward chain).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(500, 1000)
        The DBM's hidden layers, at least two (the paper's MNIST DBM: (500, 1000)).
    dbm_learning_rate : float, default=0.01
        Step size of the DBM's joint PCD training (``DBMTransformer``'s
        ``learning_rate``).
    dbm_n_iter : int, default=10
        Epochs of joint DBM training (0 keeps the greedily pretrained DBM).
    dbm_batch_size : int, default=100
        Minibatch size of joint DBM training.
    n_particles, k, n_mean_field, mean_field_damping, weight_decay
        As in :class:`~skdeep.DBMTransformer`; ``n_mean_field`` and
        ``mean_field_damping`` also compute the network's extra input.
    pretrain_n_iter : int, default=10
    pretrain_learning_rate : float, default=0.05
    pretrain_batch_size : int, default=20
        Greedy pretraining of the DBM's layers, as in :class:`~skdeep.DBMTransformer`.
    learning_rate_init : float, default=0.001
        Fine-tuning step size.
    batch_size : int, default=64
        Fine-tuning minibatch size.
    max_iter : int, default=30
        Fine-tuning epochs at most.
    solver, momentum, l1, alpha, learning_rate, power_t, nesterovs_momentum, beta_1, \
beta_2, epsilon, early_stopping, validation_fraction, n_iter_no_change, tol, shuffle, \
warm_start, device, precision, compile, max_device_memory, random_state, verbose
        As in :class:`~skdeep.DBNClassifier`.

    Attributes
    ----------
    classes_, n_features_in_, n_iter_, loss_curve_, validation_scores_,
    best_validation_score_, stop_reason_, device_
        As in :class:`~skdeep.MLPClassifier`; ``n_iter_`` and ``loss_curve_`` are
        the fine-tuning's (the DBM's are on ``dbm_``).
    module_ : DBMDiscriminativeNet
        The network; the frozen DBM is in its buffers.
    dbm_ : DBMTransformer
        The trained DBM, before fine-tuning.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import DBMClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DBMClassifier((32, 32), pretrain_n_iter=2, dbm_n_iter=1, max_iter=20,
    ...                     learning_rate_init=0.01, random_state=0)
    >>> clf.fit(X / 16, y).score(X / 16, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **NeuralNetClassifier._parameter_constraints,
        "hidden_layer_sizes": ["array-like"],
        "dbm_learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "dbm_n_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "dbm_batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_particles": [Interval(numbers.Integral, 1, None, closed="left")],
        "k": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_mean_field": [Interval(numbers.Integral, 0, None, closed="left")],
        "mean_field_damping": [Interval(numbers.Real, 0, 1, closed="left")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "pretrain_n_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "pretrain_learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "pretrain_batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, hidden_layer_sizes=(500, 1000), *, dbm_learning_rate=0.01,
                 dbm_n_iter=10, dbm_batch_size=100, n_particles=100, k=1, n_mean_field=10,
                 mean_field_damping=0.0, weight_decay=0.0, pretrain_n_iter=10,
                 pretrain_learning_rate=0.05, pretrain_batch_size=20,
                 learning_rate_init=0.001, batch_size=64, max_iter=30, solver="adam",
                 momentum=0.0, l1=0.0, alpha=0.0, learning_rate="constant", power_t=0.5,
                 nesterovs_momentum=True, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 tol=1e-4, shuffle=True, warm_start=False, device="auto",
                 precision="float32", compile=False, max_device_memory=None,
                 random_state=None, verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dbm_learning_rate = dbm_learning_rate
        self.dbm_n_iter = dbm_n_iter
        self.dbm_batch_size = dbm_batch_size
        self.n_particles = n_particles
        self.k = k
        self.n_mean_field = n_mean_field
        self.mean_field_damping = mean_field_damping
        self.weight_decay = weight_decay
        self.pretrain_n_iter = pretrain_n_iter
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_batch_size = pretrain_batch_size
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.solver = solver
        self.momentum = momentum
        self.l1 = l1
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.warm_start = warm_start
        self.device = device
        self.precision = precision
        self.compile = compile
        self.max_device_memory = max_device_memory
        self.random_state = random_state
        self.verbose = verbose

    def _pretrain(self, X, run):
        warn_if_outside_unit_interval(X, self)
        hidden = _sizes(self.hidden_layer_sizes)
        device, stages = run.device, run.stages
        dbm = DBMTransformer(hidden, device=self.device, random_state=run.seed,
                             verbose=self.verbose,
                             **{theirs: getattr(self, ours)
                                for ours, theirs in _DBM_PARAMS.items()})
        # the DBM's stages are recorded in the classifier's fit, so that one Ctrl-C
        # stops pretraining, joint training and fine-tuning alike
        data = as_tensor(X, device)
        module = DBMModule([X.shape[1]] + hidden).to(device)
        gen = run.generator
        dbm.pretrain_loss_curves_ = dbm._pretrain(data, module, gen, run.init_generator, stages)
        dbm._joint_train(data, module, gen, stages)
        # a fitted DBMTransformer in its own right (transform, score_samples, pickling)
        dbm.module_ = module.eval()
        dbm._particles = None
        dbm.n_features_in_ = X.shape[1]
        dbm._visible_mean = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
        dbm._dtype = np.dtype(np.float32)
        dbm._ais_cache = None
        dbm._set_history(stages)
        dbm.device_ = str(device)
        # kept as plain state (parameters, tensors as bytes) so that save() and skops
        # files hold no nested estimator object; ``dbm_`` rebuilds it on access
        self._dbm_state = (dbm.get_params(), dbm.__getstate__())
        return ([W.detach().cpu() for W in module.Ws], [b.detach().cpu() for b in module.bs])

    @property
    def dbm_(self):
        """The trained DBM (a fitted :class:`~skdeep.DBMTransformer`), before fine-tuning."""
        self._check_fitted()
        params, state = self._dbm_state
        dbm = DBMTransformer(**params)
        dbm.__setstate__(dict(state))
        return dbm

    def _build_module(self, n_features, n_classes, generator, pretrained=None):
        sizes = [n_features] + _sizes(self.hidden_layer_sizes)
        net = DBMDiscriminativeNet(sizes, n_classes, n_mean_field=self.n_mean_field,
                                   damping=self.mean_field_damping)
        if pretrained is not None:
            net.init_from_dbm(*pretrained)
        return net

    @property
    def coefs_(self):
        """Weights of the network's layers, shape (n_in, n_out) each."""
        self._check_fitted()
        layers = list(self.module_.hidden) + [self.module_.out]
        return [layer.weight.detach().cpu().numpy().T.copy() for layer in layers]

    @property
    def intercepts_(self):
        self._check_fitted()
        layers = list(self.module_.hidden) + [self.module_.out]
        return [layer.bias.detach().cpu().numpy().copy() for layer in layers]
