"""skdeep's MLPClassifier against scikit-learn's, and against a bare torch loop.

The same parameters go to both MLPClassifiers (they share scikit-learn's vocabulary), on
Fashion-MNIST in float32; the runs are interleaved in rounds in one process, so machine
noise hits every contender alike. Prints seconds per epoch, the ratios and test accuracy.
Settings (``--settings``): ``tanh500`` (784-500-10 tanh, Adam 1e-3, no penalty; with the
bare torch loop beside it), ``defaults`` (scikit-learn's defaults: 100 relu units, Adam,
``batch_size="auto"``, ``alpha=1e-4``) and ``sgd`` (plain SGD, ``alpha=1e-4``).

    python benchmarks/bench_mlp.py [--epochs 2] [--rounds 2] [--n-train 60000]
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLP

from skdeep import MLPClassifier
from skdeep.datasets import load_fashion_mnist
from skdeep.nn.layers import MLP

warnings.simplefilter("ignore", ConvergenceWarning)


SETTINGS = {
    "tanh500": dict(hidden_layer_sizes=(500,), activation="tanh", solver="adam",
                    learning_rate_init=1e-3, alpha=0.0),
    "defaults": {},
    "sgd": dict(solver="sgd", learning_rate_init=0.01, momentum=0.0, alpha=1e-4),
}
PARAMS = SETTINGS["tanh500"]
SETTLE_S = 0.5


def _timed_fit(cls, X, y, batch, epochs, seed, **extra):
    clf = cls(**{**PARAMS, **extra}, batch_size=batch, max_iter=epochs, tol=0.0,
              n_iter_no_change=np.inf, random_state=seed)
    t = time.perf_counter()
    clf.fit(X, y)
    return (time.perf_counter() - t) / epochs, clf


def run_skdeep(X, y, batch, epochs, seed):
    return _timed_fit(MLPClassifier, X, y, batch, epochs, seed, device="cpu")


def run_sklearn(X, y, batch, epochs, seed):
    return _timed_fit(SkMLP, X, y, batch, epochs, seed)


def run_bare(X, y, batch, epochs, seed):
    """The loop a torch user would write by hand over the same module and optimizer."""
    gen = torch.Generator().manual_seed(seed)
    module = MLP(X.shape[1], [500], 10, "tanh", gen)
    opt = torch.optim.Adam(module.parameters(), lr=1e-3, fused=True)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    t = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(Xt), generator=gen)
        Xp, yp = Xt[perm], yt[perm]
        for i in range(0, len(Xt), batch):
            loss = F.cross_entropy(module(Xp[i:i + batch]), yp[i:i + batch])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return (time.perf_counter() - t) / epochs, module


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--n-train", type=int, default=60000)
    p.add_argument("--batch-sizes", default="20,128,200")
    p.add_argument("--settings", default="tanh500,defaults,sgd")
    p.add_argument("--threads", type=int, default=None,
                   help="torch and numpy BLAS threads (default: each library's default)")
    args = p.parse_args()
    if args.threads:
        # both contenders on the same count: torch's pool and numpy's BLAS
        from threadpoolctl import threadpool_limits

        torch.set_num_threads(args.threads)
        threadpool_limits(args.threads)
    (X, y), (X_test, y_test) = load_fashion_mnist()
    X, y = X[:args.n_train], y[:args.n_train]
    print(f"Fashion-MNIST {len(X)} train / {len(X_test)} test, {args.epochs} epochs x "
          f"{args.rounds} rounds, torch threads {torch.get_num_threads()}")
    # Warm-up: the first fit in a process pays one-off costs (lazy imports, allocator,
    # kernel selection) that belong to no contender.
    for fn in (run_skdeep, run_sklearn, run_bare):
        fn(X[:2000], y[:2000], 128, 1, 0)
    global PARAMS
    for setting in args.settings.split(","):
        PARAMS = SETTINGS[setting]
        contenders = [("skdeep", run_skdeep), ("sklearn", run_sklearn)]
        if setting == "tanh500":
            contenders.append(("bare torch", run_bare))
        for batch in map(int, args.batch_sizes.split(",")):
            times = {name: [] for name, _ in contenders}
            acc = {}
            for r in range(args.rounds):
                for name, fn in contenders:
                    # Let the previous contender's pool threads go idle first: OpenBLAS
                    # and OpenMP threads spin after their last call, and a spinning pool
                    # on the other core made the next fit up to 1.9x slower at 2 threads.
                    time.sleep(SETTLE_S)
                    sec, model = fn(X, y, batch, args.epochs, r)
                    times[name].append(sec)
                    if name != "bare torch":
                        acc[name] = model.score(X_test, y_test)
            med = {k: float(np.median(v)) for k, v in times.items()}
            print(f"\n{setting}, batch {batch}: s/epoch (median of {args.rounds})")
            for k, v in med.items():
                extra = f"  test acc {acc[k]:.4f}" if k in acc else ""
                print(f"  {k:<11} {v:8.3f}{extra}")
            target = 2.0 if batch <= 20 else 1.5
            print(f"  speed-up over sklearn:        {med['sklearn'] / med['skdeep']:.2f}x "
                  f"(target >= {target}x)")
            if "bare torch" in med:
                print(f"  overhead over bare torch loop: "
                      f"{med['skdeep'] / med['bare torch']:.3f}x (target <= 1.05x)")


if __name__ == "__main__":
    main()
