"""The evidence for skdeep's CPU thread policy: one thread against all cores for training
steps of several sizes, on the machine as it is and with a busy process on one core.

Times an epoch of ``BernoulliRBM`` (784 -> 500, PCD-1) and of ``MLPClassifier``
(scikit-learn's defaults: 784-100-10, adam) on Fashion-MNIST rows at each batch size,
with ``SKDEEP_NUM_THREADS`` set to 1 and to the core count, interleaved, quiet and busy.

    python benchmarks/bench_threads.py
    python benchmarks/bench_threads.py --batch-sizes 20 64 128 256 1000 --modes quiet
"""
from __future__ import annotations

import argparse
import os
import time

import torch
from bench_rbm import busy_core


def _fit_seconds(make, X, y, n_threads):
    os.environ["SKDEEP_NUM_THREADS"] = str(n_threads)
    try:
        est = make()
        start = time.perf_counter()
        est.fit(X) if y is None else est.fit(X, y)
        return time.perf_counter() - start
    finally:
        del os.environ["SKDEEP_NUM_THREADS"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=5000)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[20, 128, 1000])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--modes", nargs="+", choices=["quiet", "busy"],
                        default=["quiet", "busy"])
    parser.add_argument("--data", default=None, help="Fashion-MNIST folder")
    args = parser.parse_args(argv)

    import warnings

    from skdeep import BernoulliRBM, MLPClassifier

    warnings.simplefilter("ignore")
    from skdeep.datasets import load_fashion_mnist

    (X_all, y_all), _ = load_fashion_mnist(args.data)
    X, y = X_all[:args.n_train], y_all[:args.n_train]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"torch {torch.__version__}, {cores} cores; {X.shape[0]} rows, one epoch, best "
          f"of {args.repeats}; seconds with 1 thread / {cores} threads (ratio > 1: one "
          "thread is faster)")
    models = {
        "RBM 784-500 PCD-1": (lambda b: (lambda: BernoulliRBM(
            n_components=500, batch_size=b, n_iter=1, random_state=0)), None),
        "MLP 784-100-10 adam": (lambda b: (lambda: MLPClassifier(
            batch_size=b, max_iter=1, random_state=0)), y),
    }
    for mode in args.modes:
        with busy_core(mode == "busy"):
            for name, (factory, target) in models.items():
                for batch in args.batch_sizes:
                    one, many = [], []
                    for _ in range(args.repeats):
                        one.append(_fit_seconds(factory(batch), X, target, 1))
                        many.append(_fit_seconds(factory(batch), X, target, cores))
                    a, b = min(one), min(many)
                    print(f"[{mode}] {name:20s} batch {batch:5d}: {a:.3f} / {b:.3f} s "
                          f"(x{b / a:.2f})", flush=True)


if __name__ == "__main__":
    main()
