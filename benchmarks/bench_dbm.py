"""One epoch of DBM joint training against one epoch of skdeep's BernoulliRBM.

The DBM is 784-500-1000, trained by PCD with 100 persistent particles, 5 mean-field
sweeps and batch 100; the RBM is 784-500, PCD-1 at batch 100, on the same rows. The runs
alternate (RBM, DBM, RBM, ...) in one process so that both see the same machine load.
Prints the wall time of ``fit`` with one epoch (set-up included: for the DBM that is an
upward pass of the data, for both a copy of it to the device), the best of the repeats, the
ratio, and the time of an AIS estimate of the DBM's ``log Z`` with 100 chains.

    python benchmarks/bench_dbm.py                       # synthetic binary rows
    python benchmarks/bench_dbm.py --mnist --n-train 10000 --repeats 3 --ais-betas 14500

Without ``--mnist`` the rows are binary thresholded mixtures of random prototypes, the
same shape as MNIST; the timing does not depend on the pixels.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch


def _data(n, mnist):
    if mnist:
        from skdeep.datasets import load_mnist

        (X, _), _ = load_mnist()
        return (np.asarray(X[:n], dtype=np.float32) > 0.5).astype(np.float32)
    rng = np.random.RandomState(0)
    protos = rng.uniform(size=(10, 784)) < 0.2
    X = protos[rng.randint(10, size=n)] ^ (rng.uniform(size=(n, 784)) < 0.05)
    return X.astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--ais-betas", type=int, default=1000,
                        help="inverse temperatures of the timed AIS run (paper: 14500)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--mnist", action="store_true")
    args = parser.parse_args()

    from skdeep import BernoulliRBM, DBMTransformer

    X = _data(args.n_train, args.mnist)
    rbm_times, dbm_times = [], []
    dbm = None
    for _ in range(args.repeats):
        rbm = BernoulliRBM(500, learning_rate=0.05, batch_size=100, n_iter=1, k=1,
                           persistent=True, device=args.device, random_state=0)
        start = time.perf_counter()
        rbm.fit(X)
        rbm_times.append(time.perf_counter() - start)
        dbm = DBMTransformer((500, 1000), learning_rate=0.005, n_iter=1, batch_size=100,
                             n_particles=100, n_mean_field=5, pretrain_n_iter=0,
                             device=args.device, random_state=0)
        start = time.perf_counter()
        dbm.fit(X)
        dbm_times.append(time.perf_counter() - start)
    rbm_s, dbm_s = min(rbm_times), min(dbm_times)
    print(f"device {dbm.device_}, {args.n_train} rows, batch 100, torch threads "
          f"{torch.get_num_threads()}")
    print(f"RBM 784-500 PCD-1 epoch:           {rbm_s:.3f} s  (runs {rbm_times})")
    print(f"DBM 784-500-1000 PCD, 5 MF, epoch: {dbm_s:.3f} s  (runs {dbm_times})")
    print(f"ratio DBM / RBM: {dbm_s / rbm_s:.2f}  (target <= 5)")
    start = time.perf_counter()
    log_z, (lo, hi) = dbm.log_partition("ais", n_chains=100, n_betas=args.ais_betas)
    print(f"AIS, 100 chains, {args.ais_betas} betas: {time.perf_counter() - start:.2f} s "
          f"(log Z = {log_z:.2f}, interval [{lo:.2f}, {hi:.2f}])")


if __name__ == "__main__":
    main()
