"""skdeep's LeNetClassifier against a hand-written torch loop and against skorch.

All three train the same LeNet module (``skdeep.nn.conv.LeNet``: 20 and 50 5x5 kernels,
2x2 pooling, 500 tanh units) with the same optimizer (SGD, momentum 0.9, lr 0.05), batch
500, on Fashion-MNIST. The hand loop is what a torch user would write for speed on a CPU:
``channels_last`` module and input, on-memory tensors, a permutation per epoch and
slices of it. skorch gets the module as a user would give it (default memory layout).
The runs are interleaved in rounds in one process, so machine noise hits every
contender alike. Prints seconds per epoch, the ratios, test accuracy and peak RSS.

    python benchmarks/bench_lenet.py [--epochs 1] [--rounds 2] [--n-train 60000]

Peak RSS is the process's high-water mark read after each contender's first run;
skdeep runs first, so its figure is its own (data + torch + one fit), and the later
figures are upper bounds that include it.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.exceptions import ConvergenceWarning

from skdeep import LeNetClassifier
from skdeep.datasets import load_fashion_mnist
from skdeep.nn.conv import LeNet

warnings.simplefilter("ignore", ConvergenceWarning)

LR, MOMENTUM, BATCH = 0.05, 0.9, 500


def peak_rss_mib():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 2**20


def run_skdeep(X, y, X_test, epochs, seed):
    clf = LeNetClassifier(solver="sgd", learning_rate_init=LR, momentum=MOMENTUM, batch_size=BATCH,
                          max_iter=epochs, tol=0.0, n_iter_no_change=10**6, device="cpu",
                          random_state=seed)
    t = time.perf_counter()
    clf.fit(X, y)
    elapsed = time.perf_counter() - t
    return elapsed / epochs, clf.predict(X_test)


def _module(seed):
    return LeNet(1, (28, 28), 10, generator=torch.Generator().manual_seed(seed))


def run_hand(X, y, X_test, epochs, seed, layout=torch.channels_last):
    """The fastest loop we know how to write by hand for this net on a CPU."""
    gen = torch.Generator().manual_seed(seed)
    module = _module(seed).to(memory_format=layout)
    opt = torch.optim.SGD(module.parameters(), lr=LR, momentum=MOMENTUM)
    t = time.perf_counter()
    Xt = torch.from_numpy(X).reshape(-1, 1, 28, 28).contiguous(memory_format=layout)
    yt = torch.from_numpy(y)
    module.train()
    for _ in range(epochs):
        perm = torch.randperm(len(Xt), generator=gen)
        Xp, yp = Xt[perm], yt[perm]
        for i in range(0, len(Xt), BATCH):
            loss = F.cross_entropy(module(Xp[i:i + BATCH]), yp[i:i + BATCH])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    elapsed = time.perf_counter() - t
    module.eval()
    with torch.inference_mode():
        xt = torch.from_numpy(X_test).reshape(-1, 1, 28, 28).contiguous(memory_format=layout)
        pred = torch.cat([module(xt[i:i + 4096]).argmax(1)
                          for i in range(0, len(xt), 4096)]).numpy()
    return elapsed / epochs, pred


def run_hand_nchw(X, y, X_test, epochs, seed):
    """The same loop in torch's default (NCHW-contiguous) memory format."""
    return run_hand(X, y, X_test, epochs, seed, layout=torch.contiguous_format)


class _Images(torch.nn.Module):
    """LeNet taking flat rows, for skorch (which passes X through unchanged)."""

    def __init__(self, seed=0):
        super().__init__()
        self.net = _module(seed)

    def forward(self, X):
        return self.net(X.reshape(-1, 1, 28, 28))


def run_skorch(X, y, X_test, epochs, seed):
    from skorch import NeuralNetClassifier as SkorchClassifier

    torch.manual_seed(seed)
    net = SkorchClassifier(_Images, module__seed=seed, criterion=torch.nn.CrossEntropyLoss,
                           optimizer=torch.optim.SGD, lr=LR, optimizer__momentum=MOMENTUM,
                           batch_size=BATCH, max_epochs=epochs, train_split=None,
                           iterator_train__shuffle=True, device="cpu", verbose=0)
    t = time.perf_counter()
    net.fit(X, y)
    elapsed = time.perf_counter() - t
    return elapsed / epochs, net.predict(X_test)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--n-train", type=int, default=60000)
    p.add_argument("--threads", type=int, default=None,
                   help="torch intra-op threads (default: torch's choice)")
    p.add_argument("--skip-skorch", action="store_true")
    p.add_argument("--layout", action="store_true",
                   help="also time the hand loop in the default NCHW layout")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    (X, y), (X_test, y_test) = load_fashion_mnist()
    X, y = X[:args.n_train], y[:args.n_train].astype(np.int64)
    contenders = {"skdeep": run_skdeep, "hand loop": run_hand}
    if not args.skip_skorch:
        try:
            import skorch  # noqa: F401
            contenders["skorch"] = run_skorch
        except ImportError:
            print("skorch is not installed (pip install skorch): its row is left out")
    if args.layout:
        contenders["hand NCHW"] = run_hand_nchw
    times = {name: [] for name in contenders}
    acc, rss = {}, {}
    print(f"Fashion-MNIST, {len(X)} training images, batch {BATCH}, {args.epochs} "
          f"epoch(s) x {args.rounds} round(s), torch threads {torch.get_num_threads()}")
    # Warm-up: oneDNN builds its convolution kernels on first use; do it before timing.
    run_hand(X[:1000], y[:1000], X_test[:10], 1, seed=0)
    for r in range(args.rounds):
        for name, run in contenders.items():
            sec, pred = run(X, y, X_test, args.epochs, seed=r)
            times[name].append(sec)
            acc[name] = float(np.mean(pred == y_test))
            rss.setdefault(name, peak_rss_mib())
            print(f"  round {r + 1} {name:10s}: {sec:7.2f} s/epoch, test acc {acc[name]:.4f}",
                  flush=True)
    best = {name: min(v) for name, v in times.items()}
    print("\ncontender   best s/epoch   test acc   peak RSS (MiB, after first run)")
    for name in contenders:
        print(f"{name:10s} {best[name]:12.2f} {acc[name]:10.4f} {rss[name]:10.0f}")
    print(f"\nskdeep / hand loop: {best['skdeep'] / best['hand loop']:.3f}x the time")
    if "skorch" in best:
        print(f"skorch / skdeep:    {best['skorch'] / best['skdeep']:.2f}x "
              "(how much faster skdeep is)")
    if "hand NCHW" in best:
        print(f"NCHW / channels_last hand loop: {best['hand NCHW'] / best['hand loop']:.2f}x")


if __name__ == "__main__":
    main()
