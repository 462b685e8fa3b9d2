"""skdeep's step loops against hand-written torch loops of the same modules: fit-time ratios.

One line per model: skdeep's ``fit`` against the loop a torch user would write by hand
over the same ``skdeep.nn`` module class (same sizes and initialisation), the same cost,
the same ``torch.optim`` optimizer, the same data, batch size and epochs. The hand loop
shuffles with ``torch.randperm`` each epoch and steps over minibatches: forward, loss,
``zero_grad``, ``backward``, ``step``. Validation and early stopping are off and every
epoch runs. The fits alternate (skdeep, hand, skdeep, ...) in one process after one
warm-up fit of each on a small slice; the best of ``--repeats`` is kept. Both run under
skdeep's thread policy (``SKDEEP_NUM_THREADS``, else ``--threads``/torch's count).

    python benchmarks/bench_loops.py                       # every model
    python benchmarks/bench_loops.py --models dA SdA --epochs 2 --repeats 3 --threads 1

Models (``--n-train`` counts rows, sentences or pieces; its default is per model):

``dA``      DenoisingAutoencoder (784-500, corruption 0.3, SGD 0.1, batch 20) on
            Fashion-MNIST rows.
``SdA``     SdATransformer pretraining (784-1000-1000-1000, corruption 0.1/0.2/0.3, SGD 0.1,
            batch 20): ``--epochs`` per layer, the whole stack timed; Fashion-MNIST rows.
``DBN``     DBNTransformer greedy pretraining (784-500-500, CD-1, lr 0.05, batch 20):
            ``--epochs`` per layer, the whole stack timed; the hand loop is
            ``bench_rbm.py``'s CD-1 loop per layer (``torch.bernoulli`` draws), each layer
            on the previous one's hidden probabilities; Fashion-MNIST rows.
``Elman``   ElmanSlotFiller (its defaults: Adam 0.003, batch 16, embeddings renormalised
            after each step) on ATIS fold 3 (``$SKDEEP_DATA/atis``) or synthetic sentences.
``LSTM``    LSTMSentiment (its defaults: 128 units, dropout 0.5, Adam 0.002, batch 32) on
            synthetic token sequences.
``RNNRBM``  RNNRBM joint CD-15 training only (both pretraining stages off; Adam 0.01,
            gradient-norm clipping at 1, batch 16) on Nottingham
            (``$SKDEEP_DATA/polyphonic_music``) or synthetic piano-rolls.

The sequence hand loops pad each minibatch themselves (``pad_sequence``) and bucket by
length as skdeep does (a random permutation sorted by length within pools of 50 batches,
the batches visited in a random order), so both pad about as much. The optimizers are
the ones skdeep builds (Adam with ``fused=True``, SGD), stepped by ``opt.step()``.
Where skdeep's fit does more than the steps (validating its input, a vocabulary for the
token sequences, its per-epoch loss read), that is in its time and not in the hand
loop's: the ratio shows it. The target is ``skdeep / hand <= 1.1``.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence

from skdeep._engine.device import policy_threads, thread_limit

TARGET = 1.1
#: the hand loops' length buckets: sorted within pools of this many batches (skdeep's)
POOL_BATCHES = 50

DA = dict(n_components=500, corruption_level=0.3, learning_rate_init=0.1, batch_size=20)
SDA = dict(hidden_layer_sizes=(1000, 1000, 1000), corruption_levels=(0.1, 0.2, 0.3),
           pretrain_learning_rate_init=0.1, pretrain_batch_size=20)
ELMAN = dict(embedding_dim=50, window_size=7, n_hidden=200, solver="adam",
             learning_rate_init=0.003, batch_size=16, normalize_embeddings=True)
LSTM = dict(embedding_dim=128, n_words=10000, dropout=0.5, solver="adam",
            learning_rate_init=0.002, batch_size=32)
RNNRBM = dict(n_hidden=150, n_hidden_recurrent=100, k=15, solver="adam",
              learning_rate_init=0.01, max_grad_norm=1.0, batch_size=16)
DBN = dict(hidden_layer_sizes=(500, 500), pretrain_learning_rate=0.05, pretrain_batch_size=20)
DEFAULT_N = {"dA": 20000, "SdA": 10000, "DBN": 10000, "Elman": 4000, "LSTM": 8000, "RNNRBM": 200}


def _fit_seconds(est, *data):
    start = time.perf_counter()
    est.fit(*data)
    return time.perf_counter() - start


def _sgd_step(opt, loss):
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def _bucketed(lengths, batch, gen):
    """Index arrays of the minibatches of one epoch: a permutation sorted by length within
    pools of ``POOL_BATCHES`` batches, the batches in a random order."""
    perm = torch.randperm(len(lengths), generator=gen).numpy()
    pool = batch * POOL_BATCHES
    batches = []
    for s in range(0, len(perm), pool):
        chunk = perm[s:s + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i:i + batch] for i in range(0, len(chunk), batch))
    return [batches[i] for i in torch.randperm(len(batches), generator=gen).tolist()]


# ---------------------------------------------------------------------------- dA and SdA
def _fashion(n):
    from skdeep.datasets import load_fashion_mnist

    (X, _), _ = load_fashion_mnist()
    return X[:n], f"Fashion-MNIST, {min(n, len(X))} rows"


def _dae_epochs(ae, X, level, lr, batch, epochs, gen):
    """The tutorial's dA loop: plain SGD on the reconstruction cost of corrupted rows."""
    opt = torch.optim.SGD(ae.parameters(), lr=lr)
    ae.train()
    for _ in range(epochs):
        perm = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), batch):
            _sgd_step(opt, ae.reconstruction_cost(X[perm[i:i + batch]], level, gen))
    ae.eval()


def da_skdeep(X, epochs, seed):
    from skdeep import DenoisingAutoencoder

    est = DenoisingAutoencoder(**DA, max_iter=epochs, device="cpu", random_state=seed,
                               verbose=0)
    sec = _fit_seconds(est, X)
    assert len(est.loss_curve_) == epochs
    return sec


def da_hand(X, epochs, seed):
    from skdeep.nn.autoencoder import TiedAutoencoder

    with thread_limit():
        start = time.perf_counter()
        gen = torch.Generator().manual_seed(seed)
        ae = TiedAutoencoder(X.shape[1], DA["n_components"], "cross_entropy", gen)
        _dae_epochs(ae, torch.from_numpy(X), DA["corruption_level"],
                    DA["learning_rate_init"], DA["batch_size"], epochs, gen)
        return time.perf_counter() - start


def sda_skdeep(X, epochs, seed):
    from skdeep import SdATransformer

    est = SdATransformer(**SDA, pretrain_max_iter=epochs, device="cpu", random_state=seed,
                         verbose=0)
    sec = _fit_seconds(est, X)
    assert all(len(c) == epochs for c in est.pretrain_loss_curves_)
    return sec


def sda_hand(X, epochs, seed):
    """Layer after layer: a dA on the previous layer's codes, encoded once per layer."""
    from skdeep.nn.autoencoder import TiedAutoencoder

    with thread_limit():
        start = time.perf_counter()
        reps = torch.from_numpy(X)
        sizes, levels = SDA["hidden_layer_sizes"], SDA["corruption_levels"]
        for i, (size, level) in enumerate(zip(sizes, levels)):
            gen = torch.Generator().manual_seed(seed + 7919 * i)
            ae = TiedAutoencoder(reps.shape[1], size, "cross_entropy", gen)
            _dae_epochs(ae, reps, level, SDA["pretrain_learning_rate_init"],
                        SDA["pretrain_batch_size"], epochs, gen)
            if i + 1 < len(sizes):
                with torch.no_grad():
                    reps = ae.encode(reps)
        return time.perf_counter() - start


# ---------------------------------------------------------------------------- token sequences
def dbn_skdeep(X, epochs, seed):
    from skdeep import DBNTransformer

    est = DBNTransformer(**DBN, pretrain_n_iter=epochs, device="cpu", random_state=seed)
    sec = _fit_seconds(est, X)
    assert all(len(c) == epochs for c in est.pretrain_loss_curves_)
    return sec


def dbn_hand(X, epochs, seed):
    """CD-1 layer after layer, each on the previous layer's hidden probabilities."""
    with thread_limit():
        start = time.perf_counter()
        V = torch.as_tensor(np.asarray(X), dtype=torch.float32)
        lr, batch = DBN["pretrain_learning_rate"], DBN["pretrain_batch_size"]
        for i, n_hid in enumerate(DBN["hidden_layer_sizes"]):
            gen = torch.Generator().manual_seed(seed + 7919 * i)
            W = torch.randn(n_hid, V.shape[1], generator=gen) * 0.01
            b, c = torch.zeros(V.shape[1]), torch.zeros(n_hid)
            with torch.no_grad():
                for _ in range(epochs):
                    Vp = V[torch.randperm(len(V), generator=gen)]
                    for s in range(0, len(V), batch):
                        v = Vp[s:s + batch]
                        ph = torch.sigmoid(v @ W.t() + c)
                        h = torch.bernoulli(ph, generator=gen)
                        vn = torch.bernoulli(torch.sigmoid(h @ W + b), generator=gen)
                        phn = torch.sigmoid(vn @ W.t() + c)
                        W += lr * (ph.t() @ v / len(v) - phn.t() @ vn / len(vn))
                        b += lr * (v.mean(0) - vn.mean(0))
                        c += lr * (ph.mean(0) - phn.mean(0))
                V = torch.sigmoid(V @ W.t() + c)
        return time.perf_counter() - start


def _dense(flat, lengths):
    """Ids ``0..n-1`` of the distinct values of ``flat``, split back into sequences."""
    values, ids = np.unique(flat, return_inverse=True)
    return np.split(ids.astype(np.int64), np.cumsum(lengths)[:-1]), len(values)


def _synthetic_sequences(n, vocab, lo, hi, seed):
    rng = np.random.RandomState(seed)
    lengths = rng.randint(lo, hi + 1, n)
    return [rng.randint(0, vocab, m).astype(np.int64) for m in lengths]


def _elman_data(n):
    folder = pathlib.Path(os.environ.get("SKDEEP_DATA", "")) / "atis"
    X = y = None
    if os.environ.get("SKDEEP_DATA") and folder.is_dir():
        from skdeep.datasets import load_atis

        try:
            words, _, labels = load_atis(3, path=folder).train
            X, y, what = list(words[:n]), list(labels[:n]), "ATIS fold 3"
        except FileNotFoundError:
            pass
    if X is None:  # about ATIS's size: 572 words, 127 labels, 3-30 tokens
        X = _synthetic_sequences(n, 572, 3, 30, seed=0)
        rng = np.random.RandomState(1)
        y = [rng.randint(0, 127, len(s)).astype(np.int64) for s in X]
        what = "synthetic sentences"
    lengths = np.array([len(s) for s in X])
    words, n_words = _dense(np.concatenate(X), lengths)
    tags, n_tags = _dense(np.concatenate(y), lengths)
    hand = dict(ids=[w + 2 for w in words], labels=tags, lengths=lengths,
                n_emb=2 + n_words, n_classes=n_tags)  # rows 0 and 1: padding, unknown
    return dict(X=X, y=y, hand=hand), f"{what}, {len(X)} sentences, {lengths.sum()} tokens"


def _slice_sequences(data, n):
    h = data["hand"]
    hand = {**h, "ids": h["ids"][:n], "labels": h["labels"][:n], "lengths": h["lengths"][:n]}
    return {"X": data["X"][:n], "y": data["y"][:n], "hand": hand}


def elman_skdeep(data, epochs, seed):
    from skdeep import ElmanSlotFiller

    est = ElmanSlotFiller(**ELMAN, max_iter=epochs, early_stopping=False, device="cpu",
                          random_state=seed, verbose=0)
    sec = _fit_seconds(est, data["X"], data["y"])
    assert est.n_iter_ == epochs
    return sec


def elman_hand(data, epochs, seed):
    from skdeep.nn.recurrent import ElmanTagger

    h = data["hand"]
    p = ELMAN
    with thread_limit():
        start = time.perf_counter()
        gen = torch.Generator().manual_seed(seed)
        module = ElmanTagger(h["n_emb"], p["embedding_dim"], p["window_size"], p["n_hidden"],
                             h["n_classes"], pad_id=0, generator=gen)
        module.normalize_embeddings()
        opt = torch.optim.Adam(module.parameters(), lr=p["learning_rate_init"], fused=True)
        ids = [torch.from_numpy(s) for s in h["ids"]]
        labels = [torch.from_numpy(s) for s in h["labels"]]
        C = h["n_classes"]
        module.train()
        for _ in range(epochs):
            for idx in _bucketed(h["lengths"], p["batch_size"], gen):
                xb = pad_sequence([ids[i] for i in idx], batch_first=True, padding_value=0)
                yb = pad_sequence([labels[i] for i in idx], batch_first=True,
                                  padding_value=-100)
                logits = module(xb)
                _sgd_step(opt, F.cross_entropy(logits.reshape(-1, C), yb.reshape(-1),
                                               ignore_index=-100))
                module.normalize_embeddings()  # the tutorial's, part of the estimator's step
        module.eval()
        return time.perf_counter() - start


def _lstm_data(n):
    # about the movie-review sentences' shape: 5-60 tokens, a 3000-word vocabulary
    X = _synthetic_sequences(n, 3000, 5, 60, seed=2)
    y = np.random.RandomState(3).randint(0, 2, n)
    lengths = np.array([len(s) for s in X])
    words, n_words = _dense(np.concatenate(X), lengths)
    hand = dict(ids=[w + 2 for w in words], labels=y, lengths=lengths, n_emb=2 + n_words,
                n_classes=2)
    return (dict(X=X, y=y, hand=hand),
            f"synthetic sequences, {n} of them, {lengths.sum()} tokens")


def lstm_skdeep(data, epochs, seed):
    from skdeep import LSTMSentiment

    est = LSTMSentiment(**LSTM, max_iter=epochs, early_stopping=False, device="cpu",
                        random_state=seed, verbose=0)
    sec = _fit_seconds(est, data["X"], data["y"])
    assert est.n_iter_ == epochs
    return sec


def lstm_hand(data, epochs, seed):
    from skdeep.nn.recurrent import LSTMEncoderClassifier

    h = data["hand"]
    p = LSTM
    with thread_limit():
        start = time.perf_counter()
        gen = torch.Generator().manual_seed(seed)
        module = LSTMEncoderClassifier(h["n_emb"], p["embedding_dim"], h["n_classes"],
                                       p["dropout"], generator=gen)
        opt = torch.optim.Adam(module.parameters(), lr=p["learning_rate_init"], fused=True)
        ids = [torch.from_numpy(s) for s in h["ids"]]
        y = torch.from_numpy(np.asarray(h["labels"], dtype=np.int64))
        lengths = torch.from_numpy(h["lengths"])
        module.train()
        for _ in range(epochs):
            for idx in _bucketed(h["lengths"], p["batch_size"], gen):
                xb = pad_sequence([ids[i] for i in idx], batch_first=True, padding_value=0)
                rows = torch.from_numpy(idx)
                _sgd_step(opt, F.cross_entropy(module(xb, lengths[rows], gen), y[rows]))
        module.eval()
        return time.perf_counter() - start


# ---------------------------------------------------------------------------- RNN-RBM
def _rnnrbm_data(n):
    rolls, what = None, "synthetic piano-rolls"
    folder = pathlib.Path(os.environ.get("SKDEEP_DATA", "")) / "polyphonic_music"
    if os.environ.get("SKDEEP_DATA") and folder.is_dir():
        from skdeep.datasets import load_piano_rolls

        try:
            rolls, what = load_piano_rolls("Nottingham", path=folder)[0][:n], "Nottingham"
        except FileNotFoundError:
            pass
    if rolls is None:  # 88 notes, about 3.5 on per frame, 100-400 frames a piece
        rng = np.random.RandomState(4)
        rolls = [(rng.rand(m, 88) < 0.04).astype(np.float32)
                 for m in rng.randint(100, 401, n)]
    frames = sum(len(r) for r in rolls)
    return rolls, f"{what}, {len(rolls)} pieces, {frames} frames"


def rnnrbm_skdeep(rolls, epochs, seed):
    from skdeep import RNNRBM as Estimator

    est = Estimator(**RNNRBM, pretrain_n_iter=0, pretrain_max_iter=0, learning_rate="constant",
                    max_iter=epochs, early_stopping=False, device="cpu", random_state=seed,
                    verbose=0)
    sec = _fit_seconds(est, rolls)
    assert est.n_iter_ == epochs
    return sec


def rnnrbm_hand(rolls, epochs, seed):
    """The joint CD-k training: the module's cd_cost, BPTT, clipping, Adam."""
    from skdeep.nn.rnnrbm import RNNRBMModule

    p = RNNRBM
    with thread_limit():
        start = time.perf_counter()
        gen = torch.Generator().manual_seed(seed)
        module = RNNRBMModule(rolls[0].shape[1], p["n_hidden"], p["n_hidden_recurrent"],
                              generator=gen)
        freq = np.clip(np.concatenate(rolls).mean(0), 1e-3, 1 - 1e-3)
        with torch.no_grad():  # the estimator's start: logits of the note frequencies
            module.bv.copy_(torch.as_tensor(np.log(freq / (1 - freq)), dtype=torch.float32))
        lr = p["learning_rate_init"]
        params = module.rbm_parameters() + module.rnn_parameters()
        opt = torch.optim.Adam([{"params": module.rbm_parameters(), "lr": lr},
                                {"params": module.rnn_parameters(), "lr": lr}], lr=lr,
                               fused=True)
        seqs = [torch.from_numpy(r) for r in rolls]
        lengths = np.array([len(r) for r in rolls])
        module.train()
        for _ in range(epochs):
            for idx in _bucketed(lengths, p["batch_size"], gen):
                v = pad_sequence([seqs[i] for i in idx], batch_first=True)
                lens = torch.from_numpy(lengths[idx])
                mask = (torch.arange(v.shape[1])[None, :] < lens[:, None]).to(v.dtype)
                loss = module.cd_cost(v, mask, k=p["k"], generator=gen)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, p["max_grad_norm"], foreach=True)
                opt.step()
        module.eval()
        return time.perf_counter() - start


# ---------------------------------------------------------------------------- driver
#: name -> (load(n) -> (data, description), slice(data, n), skdeep run, hand run)
MODELS = {
    "dA": (_fashion, lambda X, n: X[:n], da_skdeep, da_hand),
    "SdA": (_fashion, lambda X, n: X[:n], sda_skdeep, sda_hand),
    "DBN": (_fashion, lambda X, n: X[:n], dbn_skdeep, dbn_hand),
    "Elman": (_elman_data, _slice_sequences, elman_skdeep, elman_hand),
    "LSTM": (_lstm_data, _slice_sequences, lstm_skdeep, lstm_hand),
    "RNNRBM": (_rnnrbm_data, lambda r, n: r[:n], rnnrbm_skdeep, rnnrbm_hand),
}
#: the warm-up slice of each model
WARMUP_N = {"dA": 500, "SdA": 500, "DBN": 500, "Elman": 200, "LSTM": 200, "RNNRBM": 8}


def measure(name, n, epochs, repeats):
    load, slice_, run_skdeep, run_hand = MODELS[name]
    data, what = load(n)
    small = slice_(data, WARMUP_N[name])
    run_skdeep(small, 1, 0)  # one-off costs (lazy imports, allocator, kernels)
    run_hand(small, 1, 0)
    times = {"skdeep": [], "hand": []}
    for r in range(repeats):
        times["skdeep"].append(run_skdeep(data, epochs, r) / epochs)
        times["hand"].append(run_hand(data, epochs, r) / epochs)
    return {k: min(v) for k, v in times.items()}, what


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    p.add_argument("--epochs", type=int, default=2,
                   help="epochs of each fit (per layer for SdA and DBN)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--n-train", type=int, default=None,
                   help="rows / sentences / pieces (default per model: "
                        + ", ".join(f"{k} {v}" for k, v in DEFAULT_N.items()) + ")")
    p.add_argument("--threads", type=int, default=None,
                   help="torch intra-op threads (default: torch's choice; "
                        "SKDEEP_NUM_THREADS overrides it for both contenders)")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    threads = policy_threads() or torch.get_num_threads()
    print(f"torch {torch.__version__}, {threads} thread(s), {args.epochs} epoch(s), best of "
          f"{args.repeats}; s/epoch, skdeep fit / hand loop (target <= {TARGET}x)")
    for name in args.models:
        best, what = measure(name, args.n_train or DEFAULT_N[name], args.epochs,
                             args.repeats)
        ratio = best["skdeep"] / best["hand"]
        print(f"{name:7s} skdeep {best['skdeep']:8.3f}  hand {best['hand']:8.3f}  "
              f"skdeep/hand {ratio:.3f}x (target <= {TARGET}x)  [{what}]", flush=True)


if __name__ == "__main__":
    main()
