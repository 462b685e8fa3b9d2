"""Epoch time per model on the CPU and on the GPU, with each GPU speed option.

For every network classifier skdeep has (logistic regression, MLP, and LeNet where
present), trains a few epochs on Fashion-MNIST (or random data of the same shape with
``--synthetic``) and prints seconds per epoch for: CPU float32, GPU float32, GPU TF32,
GPU bf16 autocast, and GPU with ``compile=True``; plus the speed-up over the CPU.

    python benchmarks/bench_gpu.py [--epochs 3] [--n-train 60000] [--synthetic]
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

import skdeep

warnings.simplefilter("ignore")


def models():
    out = [("LogisticClassifier", lambda **kw: skdeep.LogisticClassifier(**kw)),
           ("MLPClassifier", lambda **kw: skdeep.MLPClassifier(**kw))]
    if hasattr(skdeep, "LeNetClassifier"):
        out.append(("LeNetClassifier", lambda **kw: skdeep.LeNetClassifier(**kw)))
    return out


def load(args):
    if args.synthetic:
        rng = np.random.default_rng(0)
        X = rng.random((args.n_train, 784), dtype=np.float32)
        return X, rng.integers(0, 10, args.n_train), X[:10000], rng.integers(0, 10, 10000)
    from skdeep.datasets import load_fashion_mnist

    (X, y), (Xt, yt) = load_fashion_mnist()
    return X[:args.n_train], y[:args.n_train], Xt, yt


def time_fit(factory, X, y, epochs, **kw):
    clf = factory(max_iter=epochs, tol=0.0, n_iter_no_change=10**6, random_state=0, **kw)
    if kw.get("device", "cpu") != "cpu":
        torch.cuda.synchronize()
    start = time.perf_counter()
    clf.fit(X, y)
    if kw.get("device", "cpu") != "cpu":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / epochs, clf


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--n-train", type=int, default=60000)
    p.add_argument("--synthetic", action="store_true")
    p.add_argument("--skip-cpu", action="store_true")
    args = p.parse_args()
    X, y, Xt, yt = load(args)
    has_gpu = torch.cuda.is_available()
    configs = [] if args.skip_cpu else [("cpu float32", dict(device="cpu"))]
    if has_gpu:
        configs += [("gpu float32", dict(device="cuda")),
                    ("gpu tf32", dict(device="cuda", precision="tf32")),
                    ("gpu bf16", dict(device="cuda", precision="bf16")),
                    ("gpu compile", dict(device="cuda", compile=True))]
        print("GPU:", torch.cuda.get_device_name(0))
    else:
        print("No CUDA device: CPU figures only.")
    print(f"{len(X)} training rows, {args.epochs} epochs, torch {torch.__version__}")
    for name, factory in models():
        print(f"\n{name}")
        base = None
        for label, kw in configs:
            time_fit(factory, X[:2048], y[:2048], 1, **kw)  # warm-up (and compile)
            sec, clf = time_fit(factory, X, y, args.epochs, **kw)
            base = base or sec
            print(f"  {label:<12} {sec:8.3f} s/epoch  x{base / sec:6.1f}  "
                  f"test acc {clf.score(Xt, yt):.4f}")


if __name__ == "__main__":
    main()
