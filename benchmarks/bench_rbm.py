"""skdeep.BernoulliRBM against scikit-learn's BernoulliRBM, interleaved in one process.

Both train 784 -> 500 with learning rate 0.1 and PCD-1 on the same Fashion-MNIST rows,
the same number of epochs and batch size; the runs alternate (sklearn, skdeep, sklearn,
...) so that both see the same machine load. Prints seconds per epoch, the ratio, both
models' mean pseudo-likelihood on held-out rows, skdeep's achieved GFLOP/s against a
plain matmul of the step's shape timed in the same run, and the ratio to a hand-written
torch loop of the same PCD-1 update.

    python benchmarks/bench_rbm.py                      # batch 20 and 128, float64 input
    python benchmarks/bench_rbm.py --dtype float32 --n-train 10000 --epochs 2 --repeats 3

``--dtype`` is the dtype of the data handed to both (scikit-learn trains in the input's
dtype; skdeep trains in float32 and returns the input's dtype).
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch


def _load(n_train, n_test, path=None):
    from skdeep.datasets import load_fashion_mnist

    (X, _), (X_test, _) = load_fashion_mnist(path)
    return X[:n_train], X_test[:n_test]


def _pseudo_likelihood(W, b_vis, b_hid, X, n_draws=10, seed=0):
    """Mean pseudo-likelihood of X under (W, b_vis, b_hid), averaged over ``n_draws``
    draws of the flipped units -- the same draws for every model compared."""
    from skdeep.nn.rbm import pseudo_log_likelihood

    rng = np.random.RandomState(seed)
    v = torch.as_tensor(X, dtype=torch.float64)
    args = [torch.as_tensor(np.asarray(a, dtype=np.float64)) for a in (W, b_vis, b_hid)]
    total = 0.0
    for _ in range(n_draws):
        idx = torch.as_tensor(rng.randint(0, X.shape[1], X.shape[0]))
        total += pseudo_log_likelihood(v, *args, idx).mean().item()
    return total / n_draws


def _time_fit(est, X):
    start = time.perf_counter()
    est.fit(X)
    return time.perf_counter() - start


def _matmul_gflops(batch, n_vis, n_hid, seconds=0.5):
    """GFLOP/s of the step's matmul shapes (b x V @ V x H and H x b @ b x V), float32,
    on the thread count skdeep's fit used for this shape."""
    from skdeep._engine.device import n_threads_for, threads

    with threads(n_threads_for(batch, n_vis, n_hid)):
        return _matmul_rate(batch, n_vis, n_hid, seconds)


def _matmul_rate(batch, n_vis, n_hid, seconds):
    a = torch.rand(batch, n_vis)
    w = torch.rand(n_hid, n_vis)
    h = torch.rand(batch, n_hid)
    for _ in range(5):
        a @ w.t(), h.t() @ a
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ w.t()
        h.t() @ a
        n += 1
    elapsed = time.perf_counter() - start
    return 2 * 2.0 * batch * n_vis * n_hid * n / elapsed / 1e9


def _hand_loop(X, n_hid, batch, epochs, lr=0.1, seed=0):
    """The PCD-1 loop a torch user would write by hand: the same update, the same data
    (float32 on the CPU), the same thread count as skdeep's fit; returns seconds."""
    from skdeep._engine.device import n_threads_for, threads

    gen = torch.Generator().manual_seed(seed)
    V = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    W = torch.randn(n_hid, V.shape[1], generator=gen) * 0.01
    b, c = torch.zeros(V.shape[1]), torch.zeros(n_hid)
    chain = torch.zeros(batch, n_hid)
    start = time.perf_counter()
    with torch.no_grad(), threads(n_threads_for(batch, V.shape[1], n_hid)):
        for _ in range(epochs):
            Vp = V[torch.randperm(len(V), generator=gen)]
            for s in range(0, len(V), batch):
                v = Vp[s:s + batch]
                ph = torch.sigmoid(v @ W.t() + c)
                vn = torch.bernoulli(torch.sigmoid(chain @ W + b), generator=gen)
                phn = torch.sigmoid(vn @ W.t() + c)
                chain = torch.bernoulli(phn, generator=gen)
                W += lr * (ph.t() @ v / len(v) - phn.t() @ vn / len(vn))
                b += lr * (v.mean(0) - vn.mean(0))
                c += lr * (ph.mean(0) - phn.mean(0))
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=10000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[20, 128])
    parser.add_argument("--n-components", type=int, default=500)
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--data", default=None, help="Fashion-MNIST folder")
    args = parser.parse_args(argv)

    from sklearn.neural_network import BernoulliRBM as SkRBM

    from skdeep import BernoulliRBM

    X, X_test = _load(args.n_train, args.n_test, args.data)
    X, X_test = X.astype(args.dtype), X_test.astype(args.dtype)
    H, V = args.n_components, X.shape[1]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; data "
          f"{X.shape} {X.dtype}; 784->{H}, lr 0.1, PCD-1, {args.epochs} epochs, "
          f"best of {args.repeats}")
    for batch in args.batch_sizes:
        common = dict(n_components=H, learning_rate=0.1, batch_size=batch,
                      n_iter=args.epochs, random_state=0)
        sk_times, sd_times, hand_times = [], [], []
        for _ in range(args.repeats):
            sk = SkRBM(**common)
            sk_times.append(_time_fit(sk, X))
            sd = BernoulliRBM(device="cpu", **common)
            sd_times.append(_time_fit(sd, X))
            hand_times.append(_hand_loop(X, H, batch, args.epochs))
        sk_epoch = min(sk_times) / args.epochs
        sd_epoch = min(sd_times) / args.epochs
        hand_epoch = min(hand_times) / args.epochs
        # 5 matmuls of 2*b*V*H flops per step for PCD-1 (3 products, 2 weight updates)
        flops = 5 * 2.0 * X.shape[0] * V * H
        achieved = flops / sd_epoch / 1e9
        peak = _matmul_gflops(batch, V, H)
        print(f"batch {batch:4d}: sklearn {sk_epoch:.3f} s/epoch, skdeep {sd_epoch:.3f} "
              f"s/epoch, speed-up x{sk_epoch / sd_epoch:.2f}; skdeep {achieved:.1f} GFLOP/s "
              f"= {100 * achieved / peak:.0f}% of matmul ({peak:.1f} GFLOP/s)")
        print(f"            hand-written torch loop {hand_epoch:.3f} s/epoch: skdeep takes "
              f"x{sd_epoch / hand_epoch:.2f} its time (target <= 1.05)")
        pl = [_pseudo_likelihood(m.components_, m.intercept_visible_, m.intercept_hidden_,
                                 X_test) for m in (sk, sd)]
        print(f"            held-out pseudo-likelihood (same flipped units, 10 draws): "
              f"sklearn {pl[0]:.2f}, skdeep {pl[1]:.2f}")


if __name__ == "__main__":
    main()
