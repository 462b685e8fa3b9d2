"""ElmanSlotFiller on ATIS fold 3: the tutorial's per-sentence SGD against skdeep's
minibatched default.

Speed: one-epoch fits of the two modes alternate (``--repeats`` rounds), so both see the
same machine load; the median seconds per epoch and their ratio are printed. Accuracy:
each mode then trains for up to ``--epochs`` epochs with the tutorial's validation-driven
learning-rate halving and best-weights selection, and the test chunk F1 (conlleval's
figure) is printed.

    python benchmarks/bench_rnnslu.py                    # up to 30 epochs each
    python benchmarks/bench_rnnslu.py --epochs 5 --threads 2

The tutorial reports under 40 s/epoch and a test F1 of 94.2-94.5 after up to 50 epochs.
Needs the ATIS fold pickles (``$SKDEEP_DATA/atis`` or ``--path``).
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from skdeep.datasets import load_atis
from skdeep.metrics import chunk_f1_score
from skdeep.sequence import ElmanSlotFiller

MODES = {
    "per-sentence SGD (tutorial)": dict(batch_size=1, solver="sgd",
                                        learning_rate_init=0.0970806646812754,
                                        n_iter_no_change=10),
    "minibatch 16, Adam (default)": dict(),
}


def _tags(data, part):
    words, _, labels = getattr(data, part)
    return words, [np.array([data.idx2label[i] for i in s]) for s in labels]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--fold", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--path", default=None)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = load_atis(args.fold, path=args.path)
    (Xtr, ytr), (Xva, yva), (Xte, yte) = (_tags(data, s) for s in ("train", "valid", "test"))
    print(f"ATIS fold {args.fold}: {len(Xtr)} train, {len(Xva)} valid, {len(Xte)} test "
          f"sentences; {args.epochs} epochs; torch threads {args.threads}")
    times = {name: [] for name in MODES}
    for _ in range(args.repeats):
        for name, params in MODES.items():
            model = ElmanSlotFiller(max_iter=1, early_stopping=False, random_state=0,
                                    **params)
            start = time.perf_counter()
            model.fit(Xtr, ytr)
            times[name].append(time.perf_counter() - start)
    for name, params in MODES.items():
        model = ElmanSlotFiller(max_iter=args.epochs, random_state=0, **params)
        model.fit(Xtr, ytr, X_val=Xva, y_val=yva)
        f1 = chunk_f1_score(yte, model.predict(Xte))
        print(f"  {name:30s} {np.median(times[name]):6.2f} s/epoch   "
              f"{model.n_iter_:3d} epochs   valid F1 {100 * model.best_validation_score_:.2f}"
              f"   test F1 {100 * f1:.2f}", flush=True)
    slow, fast = (np.median(t) for t in times.values())
    print(f"per-epoch speed-up of the minibatched mode: {slow / fast:.1f}x")

if __name__ == "__main__":
    main()
