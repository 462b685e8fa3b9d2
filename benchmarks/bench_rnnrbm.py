"""RNN-RBM on Nottingham: seconds per epoch at one piece per minibatch (the tutorial's
way) and batched (length-sorted, padded, masked), and the test figures each reaches.

Both runs train the tutorial's architecture (88 notes, 150 hidden, 100 recurrent units,
CD-15) on the whole Nottingham training set for the same number of epochs and then report
the frame-level accuracy of next-frame prediction and the estimated mean per-frame
log-likelihood on the test pieces (AIS per frame, see ``RNNRBM.score``), next to the
independent per-note Bernoulli baseline fitted on the training frames.

    python benchmarks/bench_rnnrbm.py                       # 2 epochs each, 40 test pieces
    python benchmarks/bench_rnnrbm.py --epochs 5 --n-test 0 # all 170 test pieces
    python benchmarks/bench_rnnrbm.py --runs batched        # only the batched run

Runs:

``tutorial``  plain SGD, learning rate 0.001, batch 1 (the tutorial's settings).
``batch1``    skdeep's solver (Adam at its default learning rate), batch 1.
``batched``   skdeep's defaults (Adam, 16 pieces per minibatch).

The accuracy printed is the thresholded one (``method="threshold"``);
``benchmarks/rnnrbm_recipe.py`` measures the expected one and the training recipe.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

#: seconds per epoch of the whole model: the pretraining stages are off in every run
NO_PRETRAINING = dict(pretrain_n_iter=0, pretrain_max_iter=0)
RUNS = {
    "tutorial": dict(solver="sgd", learning_rate_init=0.001, momentum=0.0, batch_size=1,
                     max_grad_norm=None, **NO_PRETRAINING),
    "batch1": dict(batch_size=1, **NO_PRETRAINING),
    "batched": dict(**NO_PRETRAINING),
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--n-test", type=int, default=40,
                   help="test pieces to evaluate (a fixed random subset; 0 = all)")
    p.add_argument("--runs", default="tutorial,batch1,batched")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--path", default=None, help="polyphonic_music folder (default: "
                   "$SKDEEP_DATA/polyphonic_music)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)

    from skdeep.datasets import load_piano_rolls
    from skdeep.music import RNNRBM

    train, _, test = load_piano_rolls("Nottingham", path=args.path)
    if args.n_test:
        test = [test[i] for i in np.random.RandomState(0).permutation(len(test))[:args.n_test]]
    prob = np.clip(np.concatenate(train).mean(0), 1e-3, 1 - 1e-3)
    X = np.concatenate(test)
    baseline = (X * np.log(prob) + (1 - X) * np.log1p(-prob)).sum(1).mean()
    print(f"Nottingham: {len(train)} training pieces ({sum(map(len, train))} frames), "
          f"{len(test)} test pieces ({len(X)} frames); device {args.device}, "
          f"{args.threads} thread(s), {args.epochs} epoch(s)")
    from skdeep.metrics import frame_accuracy

    copy_acc = frame_accuracy(test, [np.vstack([np.zeros((1, r.shape[1])), r[:-1]])
                                     for r in test])
    print(f"baselines: independent per-note Bernoulli test LL {baseline:.3f} nats/frame; "
          f"repeat-the-last-frame test ACC {100 * copy_acc:.1f}%")
    print(f"{'run':10s} {'settings':42s} {'s/epoch':>8s} {'test ACC':>9s} {'test LL':>8s}")
    for name in args.runs.split(","):
        settings = RUNS[name.strip()]
        m = RNNRBM(max_iter=args.epochs, device=args.device, random_state=0, **settings)
        start = time.perf_counter()
        m.fit(train)
        per_epoch = (time.perf_counter() - start) / args.epochs
        acc = m.frame_accuracy_score(test, method="threshold")
        ll = m.score(test)
        desc = f"{m.solver} lr={m.learning_rate_init} batch={m.batch_size} k={m.k}"
        print(f"{name:10s} {desc:42s} {per_epoch:8.1f} {100 * acc:8.1f}% {ll:8.3f}",
              flush=True)


if __name__ == "__main__":
    main()
