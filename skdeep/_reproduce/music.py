"""Reproduce rows of the tutorial's last chapters: the RNN-RBM on Nottingham and hybrid
Monte-Carlo."""
from __future__ import annotations

import pathlib

import numpy as np
import torch

from ._row import Row


def run_hmc(data, *, quick, tutorial_settings, device, random_state):
    """The tutorial's test: a 5-D correlated Gaussian, 3 chains (more when not tutorial),
    1000 burn-in and 1000 kept moves, initial step 1e-3, step clamped to [0.001, 0.5]."""
    from ..sampling import HMCSampler

    rng = np.random.RandomState(123)
    dim = 5
    mu = rng.rand(dim) * 10
    cov = rng.rand(dim, dim)
    cov = (cov + cov.T) / 2
    cov[np.arange(dim), np.arange(dim)] = 1.0
    m = torch.tensor(mu)
    ci = torch.tensor(np.linalg.inv(cov))

    def energy(x):
        d = x - m.to(x)
        return 0.5 * ((d @ ci.to(x)) * d).sum(dim=1)

    n_chains = 3 if tutorial_settings else 20
    n = 200 if quick else 1000
    s = HMCSampler(energy, initial_stepsize=1e-3, stepsize_max=0.5, device=device,
                   random_state=random_state)
    draws = s.sample(rng.randn(n_chains, dim), n_samples=n, burn_in=n).reshape(-1, dim)
    mean_err = float(np.abs(draws.mean(0) - mu).max())
    cov_err = float(np.abs(np.cov(draws.T) - cov).max())
    from ._report import new_figure

    fig, (ax,) = new_figure(width=4.5, height=4.5)
    ax.plot(draws[:, 0], draws[:, 1], ".", ms=2, alpha=0.3, label="kept draws")
    ax.plot([mu[0]], [mu[1]], "r+", ms=14, mew=2, label="true mean")
    ax.set(xlabel="x[0]", ylabel="x[1]", title="HMC draws, first two of 5 dimensions")
    ax.legend(loc="best", fontsize="small")
    return {"test_error": None, "epochs": 2 * n, "figures": {"hmc_draws.png": fig},
            "extra": (f"acceptance {s.avg_acceptance_rate_:.3f} (running avg), "
                      f"{s.acceptance_rate_:.3f} (kept moves), step {s.stepsize_:.3f}, "
                      f"max |mean err| {mean_err:.3f}, max |cov err| {cov_err:.3f}")}


#: epochs of the reproduce row (validation-driven: the best epoch is kept)
RNNRBM_EPOCHS = 50


def run_rnnrbm(data, *, quick, tutorial_settings, device, random_state, out="results"):
    """The RNN-RBM (150 hidden, 100 recurrent, CD-15) on Nottingham with skdeep's default
    recipe: the expected and the thresholded frame accuracy of next-frame prediction and
    the estimated per-frame log-likelihood on the test pieces, baselines computed the same
    way, and a figure of sampled piano-rolls.

    Up to ``RNNRBM_EPOCHS`` epochs, scored on 20 of the validation pieces after each
    (the best epoch kept); ``--quick``: 3 epochs, evaluated on 40 of the 170 test pieces;
    ``--tutorial-settings``: plain SGD at 0.001, one piece per minibatch, 200 epochs, no
    pretraining."""
    from ..datasets import load_piano_rolls
    from ..music import RNNRBM

    try:
        train, valid, test = load_piano_rolls("Nottingham")
    except FileNotFoundError:
        return None
    valid = [valid[i] for i in np.random.RandomState(1).permutation(len(valid))[:20]]
    if tutorial_settings:
        params = dict(solver="sgd", learning_rate_init=0.001, momentum=0.0, batch_size=1,
                      max_iter=200, pretrain_n_iter=0, pretrain_max_iter=0,
                      learn_initial_state=False, max_grad_norm=None)
    else:
        params = dict(max_iter=RNNRBM_EPOCHS)
    if quick:
        params["max_iter"] = 3
        test = [test[i] for i in np.random.RandomState(0).permutation(len(test))[:40]]
    model = RNNRBM(device=device, random_state=random_state, **params).fit(train,
                                                                           X_val=valid)
    acc = model.frame_accuracy_score(test)
    acc_se = model.frame_accuracy_se_
    acc_thr = model.frame_accuracy_score(test, method="threshold")
    ll = model.score(test)
    from ..datasets._music import LOWEST_NOTE
    from ..plotting import plot_piano_roll
    from ._report import new_figure

    samples = model.sample(200, n_samples=3, random_state=random_state)
    fig, axes = new_figure(4, 1, width=10, height=7.5, sharex=True)
    plot_piano_roll(train[0][:200], lowest_note=LOWEST_NOTE, ax=axes[0],
                    title="a training piece (Nottingham), first 200 frames")
    for i, (ax, roll) in enumerate(zip(axes[1:], samples)):
        plot_piano_roll(roll, lowest_note=LOWEST_NOTE, ax=ax,
                        title=f"RNN-RBM sample {i + 1}, 200 frames")
    for ax in axes[:-1]:
        ax.set_xlabel("")
    files = []
    try:
        from ..music import write_midi

        midi = pathlib.Path(out) / "figures" / "rnnrbm_sample_nottingham.mid"
        midi.parent.mkdir(parents=True, exist_ok=True)
        write_midi(samples[0], midi)
        files.append(midi)
    except ImportError:  # mido (the midi extra) is optional; the figure is not
        pass
    n_frames = sum(len(r) for r in test)
    # baselines on the same pieces: independent notes at the training frequencies and
    # "the next frame repeats this one"
    from .._rnnrbm_eval import expected_frame_accuracy
    from ..metrics import frame_accuracy

    p = np.clip(np.concatenate(train).mean(0), 1e-3, 1 - 1e-3)
    X = np.concatenate(test)
    base_ll = float((X * np.log(p) + (1 - X) * np.log1p(-p)).sum(1).mean())
    base_acc = expected_frame_accuracy(test, [np.broadcast_to(p, r.shape) for r in test])
    copy_acc = frame_accuracy(test, [np.vstack([np.zeros((1, r.shape[1])), r[:-1]])
                                     for r in test])
    return {"test_error": None, "epochs": model.n_iter_,
            "extra": (f"test expected frame accuracy {100 * acc:.1f}% (+-{100 * acc_se:.2f}), "
                      f"thresholded {100 * acc_thr:.1f}%, log-likelihood {ll:.2f} "
                      f"nats/frame (importance sampling per frame) on {len(test)} test "
                      f"pieces ({n_frames} frames); baselines: independent notes LL "
                      f"{base_ll:.2f}, expected ACC {100 * base_acc:.1f}%; "
                      f"repeat-the-last-frame ACC {100 * copy_acc:.1f}%; "
                      f"{model.solver} lr {model.learning_rate_init}, "
                      f"batch {model.batch_size}, best of {model.n_iter_} epochs by "
                      "validation log-likelihood"),
            "figures": {"rnnrbm_samples_nottingham.png": fig}, "files": files,
            "estimator": model}


ROWS = [
    Row("RNN-RBM, Nottingham", run_rnnrbm,
        tutorial="ACC 75.4%, LL -2.39 (Boulanger-Lewandowski et al. 2012)",
        needs="music", order=89, datasets=("music",)),
    Row("HMC, 5-D correlated Gaussian", run_hmc, tutorial="acceptance 0.92 (target 0.9)",
        needs="none", order=90, datasets=("none",)),
]
