"""Polyphonic music: the RNN-RBM of the tutorial's last chapter, and MIDI input/output of
piano-rolls (``mido`` is an optional dependency, imported only when the MIDI functions are
called)."""
from __future__ import annotations

import copy
import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._engine.loop import train
from ._rnnrbm_data import _check_rolls, _padded, _roll_source, _scatter  # noqa: F401
from ._rnnrbm_eval import RNNRBMInferenceMixin
from ._rnnrbm_midi import LOWEST_NOTE, N_NOTES, read_midi, write_midi  # noqa: F401
from ._rnnrbm_train import (
    AdaptiveRates,
    clipped_step,
    make_rnnrbm_optimizer,
    pretrain_rbm,
    pretrain_rnn,
)
from .base import DeepEstimator
from .nn.rnnrbm import RNNRBMModule

__all__ = ["RNNRBM", "write_midi", "read_midi"]

_POSITIVE_INT = Interval(numbers.Integral, 1, None, closed="left")
_COUNT = Interval(numbers.Integral, 0, None, closed="left")
_POSITIVE = Interval(numbers.Real, 0, None, closed="neither")


class RNNRBM(RNNRBMInferenceMixin, DeepEstimator):
    """RNN-RBM (Boulanger-Lewandowski et al. 2012) for polyphonic piano-rolls.

    A sequence of binary frames ``v_1 .. v_T`` (notes on/off) is modelled as
    ``p(v) = prod_t p(v_t | v_<t)`` where ``p(v_t | v_<t)`` is an RBM whose biases are
    linear in the state of a tanh RNN over the past frames::

        bv_t = bv + u_{t-1} Wuv,    bh_t = bh + u_{t-1} Wuh,
        u_t  = tanh(bu + v_t Wvu + u_{t-1} Wuu),    u_0 = 0 (or learned).

    Training minimises the tutorial's cost, the mean over frames of
    ``F_t(v_t) - F_t(v_t^-)`` (``F_t`` frame ``t``'s free energy, ``v_t^-`` after ``k``
    Gibbs steps from ``v_t``, held constant), whose gradient is CD-k for the RBM
    parameters and is back-propagated through time into the RNN. Optional stages before
    it (the paper's recipe): an ordinary RBM on the shuffled training frames initialises
    ``W, bv, bh`` (``pretrain_n_iter``), and the RNN trained as a next-frame predictor
    with sigmoid outputs initialises the recurrent weights (``pretrain_max_iter``).

    Parameters
    ----------
    n_hidden : int, default=150
        Hidden units of each frame's RBM (the tutorial's value).
    n_hidden_recurrent : int, default=100
        Units of the RNN (the tutorial's value).
    k : int, default=15
        Gibbs steps of the per-frame CD cost (the tutorial's value).
    predict_k : int or None, default=None
        Gibbs steps of :meth:`sample`, :meth:`predict_next`,
        :meth:`frame_accuracy_score` and :meth:`score`'s chains (None: ``k``).
    solver : {"adam", "sgd", "rmsprop"}, default="adam"
    learning_rate_init : float, default=0.01
        Step size of the RBM parameters ``W, bv, bh`` (and of the RNN's when
        ``rnn_learning_rate_init`` is None).
    rnn_learning_rate_init : float or None, default=None
        Step size of the recurrent parameters ``Wuv, Wuh, Wvu, Wuu, bu, u0``.
    momentum : float, default=0.9
        SGD momentum (``solver="sgd"``; RMSprop's momentum too).
    nesterovs_momentum : bool, default=True
        Nesterov's variant of the SGD momentum.
    learning_rate : {"constant", "adaptive"}, default="adaptive"
        ``"adaptive"``: when the validation log-likelihood has not improved by ``tol``
        for ``n_iter_no_change`` epochs, both step sizes are divided by 5 and training
        goes on from the best weights so far (scikit-learn's rule, for every solver), until
        the RBM's rate falls below 1e-6. Needs a validation set (``early_stopping`` or
        ``X_val``); without one it is constant.
    max_grad_norm : float or None, default=1.0
        Clip the gradient's global L2 norm to this value before each step (None: no
        clipping).
    learn_initial_state : bool, default=False
        Learn the RNN's initial state ``u0`` (else it stays zero, the tutorial's).
    pretrain_n_iter : int, default=10
        Epochs of CD-``k`` training of ``W, bv, bh`` as an ordinary RBM on the shuffled
        training frames, before the whole model trains from there with ``Wuv = Wuh = 0``
        (0: no RBM pretraining).
    pretrain_learning_rate : float, default=0.05
        CD step size of that RBM.
    pretrain_batch_size : int, default=100
        Frames per minibatch of that RBM.
    pretrain_max_iter : int, default=10
        Epochs of next-frame cross-entropy training of the RNN with independent sigmoid
        outputs ``sigmoid(bv + u_{t-1} Wuv)`` (minibatches of ``batch_size`` pieces, the
        estimator's ``solver``); its ``Wvu, Wuu, bu`` (and ``u0``) initialise the RNN,
        and its ``Wuv, bv`` too unless the RBM is pretrained (0: none).
    pretrain_learning_rate_init : float, default=0.01
        Step size of the RNN pretraining.
    max_iter : int, default=50
        Epochs of the whole model over the pieces (the last or, with a validation set,
        the best one is kept).
    batch_size : int, default=16
        Pieces per minibatch. Pieces are sorted by length into batches (ties in a
        random order, batches visited in a random order), each padded to its own longest
        piece; padded frames are masked out of the cost.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the pieces (unless ``fit`` is given
        ``X_val``), score them after every epoch, stop after ``n_iter_no_change`` epochs
        without ``tol`` improvement and keep the best-scoring weights.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=3
    tol : float, default=0.01
        In nats per frame of the validation score (whose Monte-Carlo noise is of
        that order).
    warm_start : bool, default=False
        Continue from the fitted model (and its optimizer state) instead of starting anew;
        no pretraining then.
    device : str, default="auto"
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the batch order and the Gibbs chains.
    verbose : int, default=0

    Attributes
    ----------
    module_ : :class:`skdeep.nn.rnnrbm.RNNRBMModule`
    n_features_in_ : int
        Notes per frame (88 for the standard piano-rolls).
    n_iter_ : int
        Epochs of the whole model run, summed over ``warm_start`` fits and
        ``partial_fit`` calls.
    loss_curve_ : list of float
        Per epoch, the CD cost (free-energy gap) averaged over minibatches.
    validation_scores_ : list of float or None
        Per epoch, the validation score: the mean per-frame log-likelihood of the
        validation pieces by :meth:`score`'s importance sampling at 8 chains and 32
        draws per frame with one fixed seed (common random numbers, so checkpoints are
        compared on the same noise); cheap, hence optimistic (measured 0.3-0.4 nats per
        frame above :meth:`score` on a Nottingham model), for ranking epochs only. None
        without a validation set.
    best_validation_score_ : float or None
    stop_reason_ : str
    pretrain_loss_curve_ : list of float
        The RBM pretraining's free-energy gap per epoch (empty without it).
    pretrain_rnn_loss_curve_ : list of float
        The RNN pretraining's cross-entropy per epoch, nats per frame (empty without it).
    frame_accuracy_se_ : float
        Standard error of the last :meth:`frame_accuracy_score`.
    device_ : str

    Notes
    -----
    The defaults are the paper's recipe as measured on Nottingham (docs/rnnrbm.rst has
    each element alone and together): RBM and RNN pretraining, gradient-norm clipping,
    Adam with one step size, and -- given validation pieces -- model selection and the
    adaptive schedule on the validation log-likelihood; the learned ``u0``, SGD with
    Nesterov momentum and a separate RNN step size did not help there and are off. The
    Deep Learning Tutorials' settings are ``RNNRBM(solver="sgd", learning_rate_init=0.001,
    momentum=0.0, batch_size=1, k=15, max_iter=200, pretrain_n_iter=0,
    pretrain_max_iter=0, max_grad_norm=None, learning_rate="constant")`` (about 24 hours
    there on Nottingham). The visible biases start at the logits of the training set's
    note frequencies, the weights at ``N(0, 0.01**2)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.music import RNNRBM
    >>> rolls = [(np.random.RandomState(i).rand(20, 12) < 0.2).astype("float32")
    ...          for i in range(4)]
    >>> m = RNNRBM(n_hidden=8, n_hidden_recurrent=6, k=1, max_iter=2,
    ...            random_state=0).fit(rolls)
    >>> m.sample(10, n_samples=2, random_state=0).shape
    (2, 10, 12)
    >>> m.predict_next(rolls[0]).shape
    (20, 12)
    >>> bool(m.score(rolls) < 0)
    True
    """

    _parameter_constraints: dict = {
        "n_hidden": [_POSITIVE_INT],
        "n_hidden_recurrent": [_POSITIVE_INT],
        "k": [_POSITIVE_INT],
        "predict_k": [_POSITIVE_INT, None],
        "solver": [StrOptions({"sgd", "adam", "rmsprop"})],
        "learning_rate_init": [_POSITIVE],
        "rnn_learning_rate_init": [_POSITIVE, None],
        "momentum": [Interval(numbers.Real, 0, 1, closed="left")],
        "nesterovs_momentum": ["boolean"],
        "learning_rate": [StrOptions({"constant", "adaptive"})],
        "max_grad_norm": [_POSITIVE, None],
        "learn_initial_state": ["boolean"],
        "pretrain_n_iter": [_COUNT],
        "pretrain_learning_rate": [_POSITIVE],
        "pretrain_batch_size": [_POSITIVE_INT],
        "pretrain_max_iter": [_COUNT],
        "pretrain_learning_rate_init": [_POSITIVE],
        "max_iter": [_POSITIVE_INT],
        "batch_size": [_POSITIVE_INT],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [_POSITIVE_INT],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    #: the validation score's importance sampling (see ``validation_scores_``)
    _validation_is = {"n_chains": 8, "n_proposals": 32}

    def __init__(self, n_hidden=150, *, n_hidden_recurrent=100, k=15, predict_k=None,
                 solver="adam", learning_rate_init=0.01, rnn_learning_rate_init=None,
                 momentum=0.9, nesterovs_momentum=True, learning_rate="adaptive",
                 max_grad_norm=1.0, learn_initial_state=False, pretrain_n_iter=10,
                 pretrain_learning_rate=0.05, pretrain_batch_size=100, pretrain_max_iter=10,
                 pretrain_learning_rate_init=0.01, max_iter=50, batch_size=16,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=3,
                 tol=0.01, warm_start=False, device="auto", random_state=None, verbose=0):
        self.n_hidden = n_hidden
        self.n_hidden_recurrent = n_hidden_recurrent
        self.k = k
        self.predict_k = predict_k
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.rnn_learning_rate_init = rnn_learning_rate_init
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.learning_rate = learning_rate
        self.max_grad_norm = max_grad_norm
        self.learn_initial_state = learn_initial_state
        self.pretrain_n_iter = pretrain_n_iter
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_batch_size = pretrain_batch_size
        self.pretrain_max_iter = pretrain_max_iter
        self.pretrain_learning_rate_init = pretrain_learning_rate_init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    def fit(self, rolls, y=None, X_val=None):
        """Fit on piano-rolls: the pretraining stages asked for, then up to ``max_iter``
        epochs of the whole model.

        Parameters
        ----------
        rolls : list of arrays of shape (T_i, n_notes)
            Binary piano-rolls (lengths may differ); a single 2-D array is one piece.
        y : ignored
        X_val : list of arrays of shape (T_i, n_notes), optional
            Validation pieces (Nottingham's own split, say), scored after every epoch
            for early stopping, the ``"adaptive"`` schedule and best-weights restore;
            used instead of the ``validation_fraction`` hold-out of ``early_stopping``.

        Returns
        -------
        self : RNNRBM
        """
        self._validate_params()
        warm = self.warm_start and hasattr(self, "module_")
        rolls = _check_rolls(rolls, self.n_features_in_ if warm else None)
        if X_val is not None:
            X_val = _check_rolls(X_val, rolls[0].shape[1], "X_val")
        elif self.early_stopping:
            rolls, X_val = self._holdout(rolls)
        return self._fit(rolls, self.max_iter, warm=warm, X_val=X_val)

    def partial_fit(self, rolls, y=None):
        """One epoch over ``rolls``, continuing from the current model and optimizer state.

        The first call initialises the model as :meth:`fit` does (visible biases from
        these rolls' note frequencies), without pretraining.

        Parameters
        ----------
        rolls : list of arrays of shape (T_i, n_notes)
        y : ignored

        Returns
        -------
        self : RNNRBM
        """
        first = not hasattr(self, "module_")
        if first:
            self._validate_params()
        rolls = _check_rolls(rolls, None if first else self.n_features_in_)
        return self._fit(rolls, 1, warm=not first, X_val=None, incremental=True)

    def _holdout(self, rolls):
        n_val = int(round(self.validation_fraction * len(rolls)))
        if n_val < 1 or n_val >= len(rolls):
            raise ValueError(f"early_stopping cannot hold out a validation_fraction of "
                             f"{self.validation_fraction} of {len(rolls)} piece(s); pass "
                             "X_val or more pieces")
        order = np.random.RandomState(self._seed() % (2 ** 32)).permutation(len(rolls))
        return [rolls[i] for i in order[n_val:]], [rolls[i] for i in order[:n_val]]

    def _build(self, n_vis, generator=None):
        module = RNNRBMModule(n_vis, self.n_hidden, self.n_hidden_recurrent,
                              generator=generator)
        module.u0.requires_grad_(bool(self.learn_initial_state))
        return module

    def _rebuild_module(self, name):
        return self._build(self.n_features_in_) if name == "module_" else None

    def _pretrain(self, module, data, seed, gen, stages):
        curves = {"rnn": [], "rbm": []}
        if self.pretrain_max_iter:
            bv = module.bv.detach().clone()
            curves["rnn"] = pretrain_rnn(
                module, data, solver=self.solver,
                learning_rate_init=self.pretrain_learning_rate_init,
                momentum=self.momentum, nesterovs_momentum=self.nesterovs_momentum,
                max_iter=self.pretrain_max_iter, batch_size=self.batch_size,
                max_grad_norm=self.max_grad_norm, generator=gen, stages=stages,
                verbose=self.verbose)
            if self.pretrain_n_iter:  # the RBM's own biases replace the RNN's outputs
                with torch.no_grad():
                    module.bv.copy_(bv)
        if self.pretrain_n_iter:
            # the source's flat frame tensor (one padding row at its end): no second copy
            frames = data.flats[0][:data.n_tokens]
            curves["rbm"] = pretrain_rbm(
                module, frames, n_iter=self.pretrain_n_iter,
                learning_rate=self.pretrain_learning_rate,
                batch_size=self.pretrain_batch_size, k=self.k, generator=gen,
                init_generator=self._generator(seed + 1, "cpu"), stages=stages,
                verbose=self.verbose)
        return curves

    def _validator(self, module, X_val, seed):
        if X_val is None:
            return None

        def validate():
            module.eval()
            with torch.inference_mode():
                gen = self._generator(seed, module.W.device)
                ll = self._score_frames(module, X_val, method="is", n_betas=None,
                                        k=self._k_infer, gen=gen, **self._validation_is)
            module.train()
            return float(np.concatenate(ll).mean())

        return validate

    def _fit(self, rolls, max_iter, warm, X_val, incremental=False):
        n_vis = rolls[0].shape[1]
        curves = {"rnn": [], "rbm": []}
        with self._fit_run(self._continued_seed(self.n_iter_) if warm else None) as run:
            device, seed, stages, gen = run.device, run.seed, run.stages, run.generator
            data = _roll_source(rolls, device)
            if warm:
                # train a copy: an error mid-fit leaves the fitted model as it was
                module = copy.deepcopy(self.module_).to(device)
                module.u0.requires_grad_(bool(self.learn_initial_state))
            else:
                module = self._seeded_build(seed, lambda g: self._build(n_vis, g))
                # visible biases start at the logits of the training note frequencies
                p = np.clip(np.concatenate(rolls).mean(0), 1e-3, 1 - 1e-3)
                with torch.no_grad():
                    module.bv.copy_(torch.as_tensor(np.log(p / (1 - p)), dtype=torch.float32))
                module = module.to(device)
                if not incremental:
                    curves = self._pretrain(module, data, seed, gen, stages)
            optimizer = make_rnnrbm_optimizer(
                module, solver=self.solver, learning_rate_init=self.learning_rate_init,
                rnn_learning_rate_init=self.rnn_learning_rate_init, momentum=self.momentum,
                nesterovs_momentum=self.nesterovs_momentum)
            if warm:
                self._restore_optimizer(optimizer, device)
            step = clipped_step(module, optimizer, self.k, gen, self.max_grad_norm)
            validate = self._validator(module, X_val, seed)
            schedule = AdaptiveRates(optimizer, self.learning_rate)
            module.train()
            history = stages.record(train(
                module, step, data, batch_size=self.batch_size,
                max_iter=stages.epochs(max_iter), generator=gen, stop_on_loss=False,
                validate=validate, tol=self.tol, n_iter_no_change=self.n_iter_no_change,
                on_plateau=schedule.on_plateau if validate is not None else None,
                verbose=self.verbose, desc=type(self).__name__))
            module.eval()
        self._commit(module, optimizer, history, stages, warm, curves, seed, device, n_vis)
        return self

    def _commit(self, module, optimizer, history, stages, warm, curves, seed, device, n_vis):
        previous = ((list(self.loss_curve_), self.n_iter_,
                     list(getattr(self, "validation_scores_", None) or []))
                    if warm else ([], 0, []))
        self.module_ = module
        self._optimizer = optimizer
        self._optimizer_state = None
        self.n_features_in_ = n_vis
        self.device_ = str(device)
        if not warm:
            self._seed_ = seed
            self.pretrain_rnn_loss_curve_ = list(curves["rnn"])
            self.pretrain_loss_curve_ = list(curves["rbm"])
        self._set_history(history, stop_reason=stages.stop_reason)
        self.loss_curve_ = previous[0] + self.loss_curve_
        self.n_iter_ = previous[1] + self.n_iter_
        if self.validation_scores_ is not None and previous[2]:
            self.validation_scores_ = previous[2] + self.validation_scores_
